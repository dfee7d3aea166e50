"""Fixtures for matching's tests: a newcomer with a marker in every sensitive field."""

from datetime import timedelta

import pytest
from django.utils import timezone

from borgere.models import Samtale
from brobygning.models import Tag, TagType

from .. import journey_factories as rf

# Every sensitive field of the borger holds a marker that must never reach a foreningskontakt.
MARKERS = {
    "efternavn": "Xqefternavnq",
    "telefon": "+4529876543",
    "email": "xqmailq@borger.test",
    "noter": "Xqhelbrednoteq",
}


SAMTALE_MARKER = "Xqsamtalenoteq"


OENSKE_MARKER = "Xqoenskeq"


BARRIERE_MARKER = "Xqbarriereq"


@pytest.fixture
def newcomer(world, brobygger_a, foreningskontakt_a):
    """A borger with a marker in every sensitive field, on their way to forening A's fællesskab."""
    brobygger_a.first_name = "Mette"
    brobygger_a.save()
    borger = world.borger_a
    for name, value in MARKERS.items():
        setattr(borger, name, value)
    borger.save()
    barriere = Tag.objects.create(type=TagType.BARRIERE, navn=BARRIERE_MARKER, slug="xq-barriere")
    borger.barrierer.add(barriere)
    Samtale.objects.create(center=world.center_a, borger=borger, brobygger=brobygger_a, noter=SAMTALE_MARKER,
                           oensker=OENSKE_MARKER, naeste_skridt=SAMTALE_MARKER)
    rf.give_consent(borger, "deling_med_vaert", "paamindelser")
    faellesskab = world.faellesskab_a
    faellesskab.vaert_navn, faellesskab.vaert_email = "Hanne", "hanne@forening.test"
    faellesskab.save()
    match = rf.MatchFactory(borger=borger, center=world.center_a, faellesskab=faellesskab)
    return rf.LedsagelseFactory(match=match, center=world.center_a, brobygger=brobygger_a,
                                velkomstnote="Glæder sig til at strikke",
                                tidspunkt=timezone.now() + timedelta(days=1))


def assert_no_marker(text, where):
    for marker in [*MARKERS.values(), SAMTALE_MARKER, OENSKE_MARKER, BARRIERE_MARKER]:
        assert marker not in text, f"{marker} leaked in {where}"
