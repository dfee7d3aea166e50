"""Issue 13: the welcome score per fællesskab, its prior, the nightly task, matching's soft signal,
the forening's own view and the koordinator's inclusion-course list."""

import random
from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from brobygning.access import actor_for
from matching import engine, velkomst
from matching.models import (
    LedsagelseStatus,
    Match,
    Opfoelgning,
    OpfoelgningType,
    Resultat,
    Stage,
    Velkomstscore,
)
from matching.suggest import suggestions_for
from matching.tasks import beregn_velkomst

from .. import factories as f
from .. import journey_factories as rf

pytestmark = pytest.mark.django_db

I_DAG = timezone.localdate


def newcomer(faellesskab, *, blev=None, afsluttet=False, forfalden=True, moede=LedsagelseStatus.MOEDT_OP):
    """A newcomer sent to `faellesskab`: a first meeting with outcome `moede`, and for one who came,
    a 3-month follow-up (due already when `forfalden`). `blev`: True recorded "deltager stadig",
    False recorded "stoppet", None not recorded. `afsluttet`: the match has ended."""
    center = faellesskab.center
    match = rf.MatchFactory(borger=f.BorgerFactory(center=center), center=center, faellesskab=faellesskab,
                            stage=Stage.AFSLUTTET if afsluttet else Stage.AKTIV_1_MD)
    rf.LedsagelseFactory(match=match, center=center, status=moede,
                         tidspunkt=timezone.now() - timedelta(days=100))
    if moede != LedsagelseStatus.MOEDT_OP:
        return match
    due = I_DAG() - timedelta(days=1) if forfalden else I_DAG() + timedelta(days=30)
    opf = rf.OpfoelgningFactory(match=match, center=center, type=OpfoelgningType.TRE_MAANEDER, forfalder=due)
    if blev is not None:
        Opfoelgning.objects.filter(pk=opf.pk).update(
            udfoert=timezone.now(), resultat=Resultat.DELTAGER_STADIG if blev else Resultat.STOPPET, aarsag="x")
    return match


def direct_count(faellesskab):
    """The same figures counted one row at a time in Python: the reference for the grouped query."""
    n = blevet = moeder = moedt = 0
    for match in Match.objects.filter(faellesskab=faellesskab):
        for opf in match.opfoelgninger.filter(type=OpfoelgningType.TRE_MAANEDER):
            if opf.forfalder <= I_DAG() and (opf.udfoert or match.stage == Stage.AFSLUTTET):
                n += 1
                blevet += bool(opf.udfoert and opf.resultat == Resultat.DELTAGER_STADIG)
        for ledsagelse in match.ledsagelser.all():
            moeder += ledsagelse.status in (LedsagelseStatus.MOEDT_OP, LedsagelseStatus.UDEBLEV)
            moedt += ledsagelse.status == LedsagelseStatus.MOEDT_OP
    return n, blevet, moeder, moedt


# --- The score --------------------------------------------------------------------------------------


def test_the_prior_keeps_one_of_one_from_being_100_percent():
    assert velkomst.udglat(1, 1, 0.5) == pytest.approx(3 / 5)  # (1 + 4·0.5) / (1 + 4)
    assert velkomst.udglat(0, 0, 0.5) == 0.5  # nothing known: the prior
    assert velkomst.udglat(7, 9, 0.5) == pytest.approx(9 / 13)
    assert velkomst.udglat(90, 100, 0.5) == pytest.approx(92 / 104)  # much data: near the raw share


def test_hand_computed_scores_with_the_default_prior(world):
    fa, fb = world.faellesskab_a, f.FaellesskabFactory(forening=world.forening_a2)
    for _ in range(2):
        newcomer(fa, blev=True)
    newcomer(fa, blev=False, afsluttet=True)
    newcomer(fa, afsluttet=True)  # ended before anyone recorded the 3-month follow-up: left
    newcomer(fa)  # open, not recorded: unknown, left out
    newcomer(fa, blev=True, forfalden=False)  # not due yet: left out
    newcomer(fa, moede=LedsagelseStatus.UDEBLEV)  # never came: a no-show, not a newcomer who left
    newcomer(fb, blev=True)
    assert velkomst.beregn_center(world.center_a.pk) == 2
    a = Velkomstscore.objects.get(faellesskab=fa)
    assert (a.n, a.blevet, a.moeder, a.moedt_op) == (4, 2, 7, 6)
    assert a.prior == velkomst.STANDARD_ANDEL  # 5 newcomers in the centre, fewer than 20
    assert a.score == pytest.approx((2 + 2) / (4 + 4))
    assert a.fremmoede == pytest.approx(6 / 7)
    b = Velkomstscore.objects.get(faellesskab=fb)
    assert (b.n, b.blevet, b.score) == (1, 1, pytest.approx(0.6))


def test_the_centres_own_share_is_the_prior_from_20_newcomers(world):
    fa, fb = world.faellesskab_a, f.FaellesskabFactory(forening=world.forening_a2)
    for i in range(16):
        newcomer(fa, blev=i < 12)  # 12 of 16
    for i in range(4):
        newcomer(fb, blev=i < 3)  # 3 of 4
    velkomst.beregn_center(world.center_a.pk)
    a, b = Velkomstscore.objects.get(faellesskab=fa), Velkomstscore.objects.get(faellesskab=fb)
    assert a.prior == b.prior == pytest.approx(15 / 20)
    assert a.score == pytest.approx((12 + 4 * 0.75) / 20)
    assert b.score == pytest.approx((3 + 3) / 8)


def test_the_grouped_query_agrees_with_a_direct_count_and_the_nightly_task_keeps_it_fresh(
        world, django_assert_max_num_queries):
    rnd = random.Random(13)
    faellesskaber = [world.faellesskab_a, *(f.FaellesskabFactory(forening=world.forening_a2) for _ in range(3))]
    for _ in range(30):
        newcomer(rnd.choice(faellesskaber), blev=rnd.choice([True, False, None]), afsluttet=rnd.random() < 0.3,
                 forfalden=rnd.random() < 0.8, moede=rnd.choice([LedsagelseStatus.MOEDT_OP] * 3
                                                                + [LedsagelseStatus.UDEBLEV, LedsagelseStatus.AFLYST]))
    newcomer(world.faellesskab_b, blev=True)  # another centre
    with django_assert_max_num_queries(2 * 6):  # per centre: the grouped query, the upsert, the cleanup
        beregn_velkomst()
    for faellesskab in faellesskaber:
        v = Velkomstscore.objects.get(faellesskab=faellesskab)
        assert (v.n, v.blevet, v.moeder, v.moedt_op) == direct_count(faellesskab), faellesskab
        assert v.center_id == world.center_a.pk
    assert Velkomstscore.objects.get(faellesskab=world.faellesskab_b).center_id == world.center_b.pk
    # A later run follows the data, and drops a fællesskab whose matches are gone.
    newcomer(world.faellesskab_a, blev=True)
    Match.objects.filter(faellesskab=faellesskaber[1]).delete()
    beregn_velkomst()
    assert Velkomstscore.objects.get(faellesskab=world.faellesskab_a).n == direct_count(world.faellesskab_a)[0]
    assert not Velkomstscore.objects.filter(faellesskab=faellesskaber[1]).exists()


def test_the_task_is_on_the_nightly_beat():
    beat = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "matching.tasks.beregn_velkomst" in beat


# --- Matching: a soft signal outside engine.WEIGHTS ----------------------------------------------------


def _score(faellesskab, *, n, blevet, prior=0.5):
    return Velkomstscore.objects.create(center=faellesskab.center, faellesskab=faellesskab, n=n, blevet=blevet,
                                        prior=prior, score=velkomst.udglat(blevet, n, prior), beregnet=timezone.now())


def _twins(center, *, km=(2.0, 2.0)):
    """Two fællesskaber identical for matching, the second further east when `km` says so."""
    forening = f.ForeningFactory(center=center)
    lat, lng = 55.3959, 10.3883  # Odense 5000, the borger's postal code
    return [f.FaellesskabFactory(forening=forening, titel=f"Tvilling {i}", lat=lat, lng=lng + d / 63.2)
            for i, d in enumerate(km)]


@pytest.fixture
def borger_5000(db):
    """A borger in a centre of their own, with nothing else to suggest."""
    return f.BorgerFactory(center=f.CenterFactory(slug="velkomst"), postnummer=f.postnummer("5000"),
                           foedselsaar=1980, max_afstand_km=10)


def test_adjustment_is_bounded_and_needs_enough_newcomers():
    v = Velkomstscore(n=9, blevet=7, prior=0.5, score=velkomst.udglat(7, 9, 0.5))
    assert velkomst.justering(v) == pytest.approx(velkomst.VELKOMST_VAEGT * (9 / 13 - 0.5) / velkomst.SPAEND)
    assert velkomst.justering(Velkomstscore(n=50, blevet=50, prior=0.5, score=0.99)) == velkomst.VELKOMST_VAEGT
    assert velkomst.justering(Velkomstscore(n=50, blevet=0, prior=0.5, score=0.01)) == -velkomst.VELKOMST_VAEGT
    assert velkomst.justering(Velkomstscore(n=2, blevet=2, prior=0.5, score=0.67)) == 0
    assert "velkomst" not in engine.WEIGHTS  # outside the 100 points


def test_a_good_welcome_ranks_above_an_otherwise_identical_poor_one_with_the_reason(borger_5000):
    poor, good = _twins(borger_5000.center)  # same place: the tie goes to the lower id, the poor one
    before = suggestions_for(borger_5000)
    assert [s.faellesskab_id for s in before] == [poor.pk, good.pk]
    _score(good, n=9, blevet=7)
    _score(poor, n=8, blevet=1)
    found = suggestions_for(borger_5000)
    assert [s.faellesskab_id for s in found] == [good.pk, poor.pk]
    # the engine's reasons first (explained once the welcome score has chosen), then the welcome score's
    assert found[0].reasons == [*before[1].reasons, "7 af 9 nye er blevet"]
    assert found[1].reasons == [*before[0].reasons, "1 af 8 nye er blevet"]
    assert (found[0].caveats, found[0].caveat) == (before[1].caveats, before[1].caveat)
    assert found[0].score - found[1].score >= 2 * velkomst.VELKOMST_VAEGT - 1
    assert found[0].parts["velkomst"] > 0 > found[1].parts["velkomst"]


def test_the_welcome_score_can_lift_one_in_from_just_below_k_and_few_newcomers_change_nothing(borger_5000):
    near, far = _twins(borger_5000.center, km=(1.0, 1.3))
    assert [s.faellesskab_id for s in suggestions_for(borger_5000, k=1)] == [near.pk]
    _score(far, n=2, blevet=2)  # too few to count
    assert [s.faellesskab_id for s in suggestions_for(borger_5000, k=1)] == [near.pk]
    assert not any("nye er blevet" in r for r in suggestions_for(borger_5000, k=1)[0].reasons)
    Velkomstscore.objects.filter(faellesskab=far).update(n=10, blevet=10, score=velkomst.udglat(10, 10, 0.5))
    assert [s.faellesskab_id for s in suggestions_for(borger_5000, k=1)] == [far.pk]


def test_stage_1_reads_the_welcome_scores_for_faellesskaber_reads(borger_5000, django_assert_num_queries):
    # `candidates_og_velkomst`: on PostgreSQL the candidates' scores come with stage 1's statement (one
    # query fewer), the rows `for_faellesskaber` reads: the centre's, with at least MIN_N newcomers. The
    # candidates' own rows are read once more the first time the process sees them (`candidate_cache`).
    from contextlib import nullcontext

    from django.db import connection

    from matching.candidates import candidates_for, candidates_og_velkomst

    twins = _twins(borger_5000.center, km=(1.0, 1.3, 1.6, 1.9))
    _score(twins[0], n=9, blevet=7)
    _score(twins[1], n=2, blevet=2)  # too few
    _score(twins[2], n=5, blevet=1, prior=0.4)
    Velkomstscore.objects.create(center=f.CenterFactory(slug="andet"), faellesskab=twins[3], n=7, blevet=7, prior=0.5, score=0.8,
                                 beregnet=timezone.now())  # another centre's row
    postgresql = connection.vendor == "postgresql"
    with django_assert_num_queries(2) if postgresql else nullcontext():
        candidates_og_velkomst(borger_5000)
    with django_assert_num_queries(1) if postgresql else nullcontext():
        kandidater, scores = candidates_og_velkomst(borger_5000)
    assert [k.id for k in kandidater] == [k.id for k in candidates_for(borger_5000)] == [t.pk for t in twins]
    if postgresql:
        forventet = velkomst.for_faellesskaber(borger_5000.center_id, [k.id for k in kandidater])
        assert set(scores) == set(forventet) == {twins[0].pk, twins[2].pk}
        assert [(v.pk, v.center_id, v.faellesskab_id, v.n, v.blevet, v.prior, v.score) for v in scores.values()] == [
            (v.pk, v.center_id, v.faellesskab_id, v.n, v.blevet, v.prior, v.score) for v in forventet.values()]
    else:
        assert scores is None  # read by med_velkomst instead
    assert candidates_og_velkomst(borger_5000, velkomst=False)[1] is None
    found = suggestions_for(borger_5000)
    assert [r for s in found for r in s.reasons if "nye er blevet" in r] == ["7 af 9 nye er blevet",
                                                                            "1 af 5 nye er blevet"]


# --- The forening's own score, and the koordinator's inclusion-course list ----------------------------


def test_the_forening_sees_only_its_own_score_with_n_and_an_explanation(world, as_foreningskontakt_a):
    own, other = world.faellesskab_a, f.FaellesskabFactory(forening=world.forening_a2, titel="Andres gåtur")
    _score(own, n=9, blevet=7)
    _score(other, n=6, blevet=1)
    for url in (reverse("matching:forside"), reverse("matching:velkomst")):
        html = as_foreningskontakt_a.get(url).content.decode()
        assert "Jeres velkomst" in html and "Strik og snak" in html
        assert "7 af 9 nye var stadig med efter 3 måneder" in html
        assert "69 %" in html  # (7 + 2) / (9 + 4)
        assert "én ud af én er ikke 100 %" in html
        assert "Andres gåtur" not in html and "1 af 6" not in html


def test_few_newcomers_show_no_percentage(world, as_foreningskontakt_a):
    _score(world.faellesskab_a, n=1, blevet=1)
    html = as_foreningskontakt_a.get(reverse("matching:velkomst")).content.decode()
    assert "1 af 1 ny var stadig med" in html and "For få endnu" in html and "60 %" not in html


def test_the_course_list_names_foreninger_whose_newcomers_leave(world, koordinator_a, as_koordinator_a):
    poor = f.FaellesskabFactory(forening=world.forening_a2)
    _score(poor, n=10, blevet=2)  # (2 + 2) / 14 = 29 %: more than 10 points below 50 %
    _score(f.FaellesskabFactory(forening=world.forening_a2), n=3, blevet=0)  # too few
    _score(world.faellesskab_a, n=10, blevet=5)  # at the prior
    _score(world.faellesskab_b, n=10, blevet=0)  # another centre
    rows = list(velkomst.velkomst_kursus(actor=actor_for(koordinator_a)))
    assert [(r["faellesskab__forening__navn"], r["faellesskaber"], r["nye"], r["stadig"], r["mistet"])
            for r in rows] == [("Odense Gå-klub", 1, 10, 2, 8)]
    html = as_koordinator_a.get(reverse("matching:velkomst_kursus")).content.decode()
    assert "Odense Gå-klub" in html and "29 %" in html and "Odense Strikkeklub" not in html
    assert "Silkeborg" not in html


def test_the_velkomst_pages_are_paginated(world, as_koordinator_a):
    for _ in range(30):
        _score(f.FaellesskabFactory(forening=world.forening_a), n=5, blevet=1)
    response = as_koordinator_a.get(reverse("matching:velkomst"))
    assert len(response.context["page"].object_list) == 25
    assert response.context["page"].paginator.count == 30
