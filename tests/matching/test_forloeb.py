"""The forløb summary the reports read (matching/forloeb.py, issue 13 point 7): kept by the services,
and in agreement with a direct count over the borger's own rows."""

import random
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from borgere import services as borger_services
from borgere.models import Borger, Maaling, Samtale
from matching import forloeb, rapporter, services
from matching.models import (
    Forloeb,
    Ledsagelse,
    LedsagelseStatus,
    Match,
    MatchOvergang,
    Opfoelgning,
    OpfoelgningType,
    Resultat,
    Stage,
)
from matching.rapport_tabel import Periode

from .. import factories as f
from .. import journey_factories as rf

pytestmark = pytest.mark.django_db


def _stored(borger_id) -> dict:
    return Forloeb.objects.filter(borger_id=borger_id).values(*forloeb.FELTER).first()


def _direct(borger_id) -> dict:
    return forloeb.beregn(Borger.objects.filter(pk=borger_id)).values(*forloeb.FELTER).get()


def test_the_services_keep_the_summary_in_step(world, brobygger, match):
    borger = world.borger_a
    rf.give_consent(borger, "maalinger")
    assert _stored(borger.pk) == _direct(borger.pk)  # the match made through the service: step "Match"
    assert _stored(borger.pk)["naaet"] == 2

    borger_services.samtale_create(actor=brobygger, borger=borger, data={"noter": "x"}, borger_data={},
                                   maalinger=[("who5", [2, 2, 2, 2, 2]), ("ucla3", [3, 3, 2])])
    services.match_transition(actor=brobygger, match=match, til=Stage.ACCEPTERET)
    ledsagelse = rf.attend(brobygger, match)
    stored = _stored(borger.pk)
    assert stored == _direct(borger.pk)
    assert stored["naaet"] == 4 and stored["foerste_moede"] == timezone.localtime(ledsagelse.tidspunkt).date()
    assert stored["who5_foer"] == 40 and stored["who5_antal"] == 1 and stored["ucla3_foer"] == 8

    dagen_efter = Opfoelgning.objects.get(match=match, type=OpfoelgningType.DAGEN_EFTER)
    services.opfoelgning_record(actor=brobygger, opfoelgning=dagen_efter, resultat=Resultat.DELTAGER_STADIG,
                                maalinger=[("who5", [4, 4, 4, 4, 4])])
    stored = _stored(borger.pk)
    assert stored == _direct(borger.pk)
    assert stored["naaet"] == 5 and stored["who5_efter"] == 80 and stored["who5_antal"] == 2


def _kl(d: date, hour=10):
    return datetime(d.year, d.month, d.day, hour, tzinfo=timezone.get_current_timezone())


def _tilfaeldig_historik(world, rng: random.Random, antal: int):
    """`antal` borgere with random samtaler, matches (with steps), meetings and measures, written straight
    to the tables (as an import or a bug could): the nightly recomputation must catch up."""
    start = date(2026, 3, 1)
    borgere = []
    for _i in range(antal):
        borger = f.BorgerFactory(center=world.center_a)
        Borger.objects.filter(pk=borger.pk).update(oprettet=_kl(start + timedelta(days=rng.randrange(28)), 9))
        borgere.append(borger)
        for _s in range(rng.randrange(3)):
            Samtale.objects.create(center=borger.center, borger=borger, dato=start + timedelta(days=rng.randrange(60)))
        for _m in range(rng.randrange(3)):
            match = rf.MatchFactory(borger=borger, center=borger.center, stage=Stage.AFSLUTTET,
                                    faellesskab=f.FaellesskabFactory(forening=world.forening_a))
            for til in rng.sample([Stage.LEDSAGET, Stage.BUDT_VELKOMMEN, Stage.AKTIV_1_MD, Stage.AKTIV_3_MD],
                                  rng.randrange(3)):
                MatchOvergang.objects.create(match=match, til=til)
            for _l in range(rng.randrange(3)):
                rf.LedsagelseFactory(match=match, center=borger.center,
                                     status=rng.choice(LedsagelseStatus.values),
                                     tidspunkt=_kl(start + timedelta(days=rng.randrange(60)), rng.randrange(8, 20)))
        for type_, items, (lav, hoej) in (("who5", 5, (0, 5)), ("ucla3", 3, (1, 3))):
            for _x in range(rng.randrange(4)):
                Maaling.objects.create(center=borger.center, borger=borger, type=type_,
                                       svar=[rng.randint(lav, hoej) for _i in range(items)],
                                       dato=start + timedelta(days=rng.randrange(5)))
    return borgere


@pytest.mark.parametrize("seed", range(4))
def test_the_summary_agrees_with_a_direct_count(world, seed):
    rng = random.Random(seed)
    borgere = _tilfaeldig_historik(world, rng, 12)
    assert forloeb.genberegn() == Borger.objects.count()
    for borger in borgere:
        assert _stored(borger.pk) == _direct(borger.pk), borger.pk

    # The funnel from the summary against the funnel counted row by row in Python.
    periode = Periode(date(2026, 3, 1), date(2026, 3, 31))
    tragt = rapporter.tragt(center_ids=[world.center_a.pk], periode=periode)

    def naaet(b) -> int:
        matches = Match.objects.filter(borger=b)
        til = set(MatchOvergang.objects.filter(match__in=matches).values_list("til", flat=True))
        moeder = list(Ledsagelse.objects.filter(match__in=matches).values_list("status", flat=True))
        for i, ja in reversed(list(enumerate([True, Samtale.objects.filter(borger=b).exists(), matches.exists(),
                                              bool(moeder), LedsagelseStatus.MOEDT_OP in moeder,
                                              Stage.BUDT_VELKOMMEN in til, Stage.AKTIV_1_MD in til,
                                              Stage.AKTIV_3_MD in til]))):
            if ja:
                return i
        return 0

    trin = [naaet(b) for b in borgere]
    assert [r[1] for r in tragt.raekker] == [sum(1 for t in trin if t >= i) for i in range(8)]


@pytest.mark.parametrize("seed", range(2))
def test_the_set_based_recompute_scans_each_source_once(world, seed, django_assert_num_queries):
    """A centre's summary in a fixed number of queries however much history (`_saet`): the borgere,
    one per first date (samtale, meeting attended; their steps are read from those), one per other
    step (match, meeting planned, three stages) and one per measurement."""
    _tilfaeldig_historik(world, random.Random(seed), 3 + 9 * seed)
    with django_assert_num_queries(1 + 2 + 5 + 2):
        forloeb._saet(world.center_a.pk)
