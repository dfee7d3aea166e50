"""The borger page's forløb lines from matching (`matching.selectors.borger_timeline`): matches,
first meetings and follow-ups, read in one UNION ALL query (PERFORMANCE.md, "The borger pages")."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from brobygning.access import actor_for
from matching.borgerdata import timeline
from matching.models import (
    Arrangement,
    ArrangementDato,
    ArrangementType,
    Fremmoede,
    LedsagelseStatus,
    Resultat,
    Stage,
    Tilmelding,
    TilmeldingStatus,
)
from matching.selectors import borger_timeline

from .. import factories as f
from .. import journey_factories as rf

pytestmark = pytest.mark.django_db


def test_the_lines_of_matches_meetings_and_follow_ups_in_one_query(world, koordinator_a, django_assert_num_queries):
    borger = world.borger_a
    match = rf.MatchFactory(borger=borger, center=world.center_a, faellesskab=world.faellesskab_a, stage=Stage.LEDSAGET)
    tid = timezone.now() - timedelta(days=3)
    rf.LedsagelseFactory(match=match, center=world.center_a, tidspunkt=tid, status=LedsagelseStatus.MOEDT_OP)
    i_morgen = timezone.localdate() + timedelta(days=1)
    rf.OpfoelgningFactory(match=match, center=world.center_a, forfalder=i_morgen)
    rf.OpfoelgningFactory(match=match, center=world.center_a, forfalder=i_morgen, type="1_md",
                          udfoert=timezone.now(), resultat=Resultat.DELTAGER_STADIG)
    andet = f.FaellesskabFactory(forening=world.forening_a, titel="Strikkeklub")
    andet_match = rf.MatchFactory(borger=borger, center=world.center_a, faellesskab=andet)
    rf.MatchFactory(center=world.center_a, faellesskab=andet)  # another borger's: not in this forløb
    actor = actor_for(koordinator_a)

    with django_assert_num_queries(1):
        lines = borger_timeline(actor=actor, borger=borger)
    url = match.get_absolute_url()
    got = sorted((h.slags, str(h.titel), str(h.detalje), h.url) for h in lines)
    titel = world.faellesskab_a.titel
    assert got == sorted([
        ("match", f"Match: {titel}", str(Stage.LEDSAGET.label), url),
        ("match", "Match: Strikkeklub", str(Stage.MOEDE_PLANLAGT.label), andet_match.get_absolute_url()),
        ("ledsagelse", f"Første møde: {titel}", str(LedsagelseStatus.MOEDT_OP.label), url),
        ("opfoelgning", "Dagen efter første møde", "Ikke udført endnu", url),
        ("opfoelgning", "Efter 1 måned", "Deltager stadig", url),
    ])
    datoer = {h.slags: h.dato for h in lines if h.slags != "match"}
    assert datoer["ledsagelse"] == timezone.localtime(tid) and datoer["opfoelgning"] == i_morgen
    assert all(timezone.is_aware(h.dato) for h in lines if h.slags in ("match", "ledsagelse"))


def test_the_borgers_arrangementer_come_in_the_same_query_as_the_journey(world, koordinator_a,
                                                                          django_assert_num_queries):
    """The whole forløb from matching (`borgerdata.timeline`): a match's line and each registration of
    the borger's, newest first, with how often they came and whether it started the forløb; another
    borger's registration and the dates' attendance not taken or missed are not counted."""
    borger = world.borger_a
    match = rf.MatchFactory(borger=borger, center=world.center_a, faellesskab=world.faellesskab_a)
    workshop = Arrangement.objects.create(center=world.center_a, type=ArrangementType.WORKSHOP, titel="Strik & snak")
    kursus = Arrangement.objects.create(center=world.center_a, type=ArrangementType.INKLUSIONSKURSUS, titel="Kursus")
    datoer = [ArrangementDato.objects.create(center=world.center_a, arrangement=kursus,
                                             start=timezone.now() - timedelta(days=d)) for d in (3, 2, 1)]
    tid = timezone.make_aware(datetime(2026, 1, 31, 23, 30))  # a UTC day apart from the local one
    t1 = Tilmelding.objects.create(center=world.center_a, arrangement=workshop, borger=borger, nonce="a",
                                   tilmeldt=tid, forloeb_startet=tid)
    t2 = Tilmelding.objects.create(center=world.center_a, arrangement=kursus, borger=borger, nonce="b",
                                   tilmeldt=tid + timedelta(days=2), status=TilmeldingStatus.VENTELISTE)
    for dato, moedt in zip(datoer, (True, True, False), strict=True):
        Fremmoede.objects.create(center=world.center_a, tilmelding=t2, dato=dato, moedt=moedt)
    anden = Tilmelding.objects.create(center=world.center_a, arrangement=kursus, nonce="c",
                                      borger=f.BorgerFactory(center=world.center_a))
    Fremmoede.objects.create(center=world.center_a, tilmelding=anden, dato=datoer[0], moedt=True)
    actor = actor_for(koordinator_a)

    with django_assert_num_queries(1):
        lines = timeline(actor, borger)
    got = [(h.dato, h.slags, str(h.titel), str(h.detalje), h.url) for h in lines]
    assert got == [
        (timezone.localtime(match.oprettet), "match", f"Match: {world.faellesskab_a.titel}",
         str(Stage.MOEDE_PLANLAGT.label), match.get_absolute_url()),
        (timezone.localtime(t2.tilmeldt), "arrangement", "Inklusionskursus: Kursus",
         "På venteliste · mødte op 2 gang(e)", kursus.get_absolute_url()),
        (timezone.localtime(t1.tilmeldt), "arrangement", "Workshop for borgere: Strik & snak",
         "Tilmeldt · forløbet startede her", workshop.get_absolute_url()),
    ]
    assert all(timezone.is_aware(h.dato) for h in lines)
