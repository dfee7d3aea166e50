"""The personal calendar feed: the link, what it holds, and revoking it."""

from django.test import Client
from django.urls import reverse
from icalendar import Calendar

from brobygning.access import actor_for
from brobygning.models import Kalenderfeed, Medlemskab, Rolle
from brobygning.services import medlemskab_deactivate

from .. import journey_factories as rf
from ..conftest import client_for
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



def test_feed_leaves_out_a_centre_where_the_membership_is_deactivated(newcomer, brobygger_a, koordinator_a, world):
    """Issue 11: deactivated in centre A but still active in B, a new link holds none of A's meetings."""
    Medlemskab.objects.create(user=brobygger_a, center=world.center_b, rolle=Rolle.BROBYGGER)
    borger_b = world.borger_b
    borger_b.brobygger = brobygger_a
    borger_b.save()
    match_b = rf.MatchFactory(borger=borger_b, center=world.center_b, faellesskab=world.faellesskab_b)
    rf.LedsagelseFactory(match=match_b, center=world.center_b, brobygger=brobygger_a,
                         tidspunkt=newcomer.tidspunkt)
    medlemskab_deactivate(actor=actor_for(koordinator_a),
                          medlemskab=Medlemskab.objects.get(user=brobygger_a, center=world.center_a))
    client = client_for(brobygger_a)
    url = client.post(reverse("brobygning:kalender_ny"), follow=True).context["feed_url"]
    feed = Client().get(reverse("matching:kalender_feed", args=[url.rsplit("/", 1)[1].removesuffix(".ics")]))
    events = Calendar.from_ical(feed.content).walk("VEVENT")
    assert [str(e["uid"]).split("@")[0] for e in events] == [f"ledsagelse-{match_b.ledsagelser.get().pk}"]
    assert "Strik og snak" not in feed.content.decode()
