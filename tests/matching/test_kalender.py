"""The personal calendar feed: the link, what it holds, and revoking it."""

from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from brobygning.models import Kalenderfeed

from .conftest import assert_no_marker


class TestCalendarFeed:
    def test_feed_holds_first_names_times_and_places_only(self, newcomer, as_brobygger_a):
        response = as_brobygger_a.post(reverse("brobygning:kalender_ny"), follow=True)
        url = response.context["feed_url"]
        assert url in response.content.decode()
        assert as_brobygger_a.get(reverse("brobygning:profil")).context["feed_url"] is None  # shown once only
        token = url.rsplit("/", 1)[1].removesuffix(".ics")
        assert len(token) >= 43 and not Kalenderfeed.objects.filter(token_hash=token).exists()  # stored hashed
        feed = Client().get(reverse("matching:kalender_feed", args=[token]))
        assert feed.status_code == 200 and feed["Content-Type"].startswith("text/calendar")
        body = feed.content.decode()
        assert_no_marker(body, "feed")
        events = Calendar.from_ical(feed.content).walk("VEVENT")
        assert len(events) == 1 and "Anna" in str(events[0]["summary"])
        # A new link retires the old one; deleting it ends it.
        as_brobygger_a.post(reverse("brobygning:kalender_ny"))
        assert Client().get(reverse("matching:kalender_feed", args=[token])).status_code == 404
        as_brobygger_a.post(reverse("brobygning:kalender_slet"))
        assert not Kalenderfeed.objects.exists()
