"""The personal calendar feed: a brobygger's meetings as iCalendar, by secret link."""

from django.http import Http404, HttpResponse
from django.views.decorators.cache import never_cache

from brobygning import services

from ..kalender import feed_ics


@never_cache
def kalender_feed(request, token):
    user = services.user_for_feed_token(token)
    if user is None:
        raise Http404
    response = HttpResponse(feed_ics(user, domain=request.get_host().split(":")[0]),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="brobygning.ics"'
    response["Referrer-Policy"] = "no-referrer"
    return response
