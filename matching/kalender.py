"""A brobygger's personal iCal feed: their upcoming first meetings.

It holds first names, times and places only: never surnames, contact details, notes or barriers.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from brobygning.models import Medlemskab

from .models import Ledsagelse, LedsagelseStatus


def feed_ledsagelser(user):
    """Planned first meetings the user accompanies, from yesterday on, in the centres where they are
    still an active member: deactivating a membership takes that centre's meetings out of the feed
    (issue 11), even while the person stays active elsewhere."""
    active_centres = Medlemskab.objects.filter(user=user, aktiv=True).values("center_id")
    return (Ledsagelse.objects.select_related("match__borger", "match__faellesskab__postnummer")
            .filter(brobygger=user, center_id__in=active_centres, status=LedsagelseStatus.PLANLAGT,
                    tidspunkt__gte=timezone.now() - timedelta(days=1))
            .order_by("tidspunkt"))


def feed_ics(user, *, domain: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Brobygning//Ledsagelser//DA")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _("Brobygning: mine ledsagelser"))
    now = timezone.now()
    for ledsagelse in feed_ledsagelser(user):
        faellesskab = ledsagelse.match.faellesskab
        event = Event()
        event.add("uid", f"ledsagelse-{ledsagelse.pk}@{domain}")
        event.add("dtstamp", now)
        event.add("sequence", ledsagelse.sekvens)  # the same revision as the e-mailed invitations
        event.add("dtstart", ledsagelse.tidspunkt)
        event.add("dtend", ledsagelse.slut)
        event.add("summary", _("Første møde med %(fornavn)s: %(faellesskab)s")
                  % {"fornavn": ledsagelse.match.borger.fornavn, "faellesskab": faellesskab.titel})
        place = ", ".join(part for part in (faellesskab.adresse, str(faellesskab.postnummer)) if part)
        event.add("location", ledsagelse.moedested or place)
        event.add("description", _("Mødested: %(moedested)s. Fællesskabet: %(sted)s")
                  % {"moedested": ledsagelse.moedested, "sted": place})
        cal.add_component(event)
    return cal.to_ical()
