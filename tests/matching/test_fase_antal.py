"""Each centre's number of matches per stage, kept by the database (migration matching.0023, PostgreSQL),
and read by the koordinator's match board and overview (issue 15)."""

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from brobygning.access import actor_for
from matching import forside, selectors, services
from matching.models import Match, Stage
from matching.national_copy import Copier

from .. import factories as f
from .. import journey_factories as rf

pytestmark = pytest.mark.django_db

PG = connection.vendor == "postgresql"
ABNE = [stage for stage in Stage.values if stage != Stage.AFSLUTTET]


def _holdt() -> dict:
    """What the table holds, without the (centre, stage)s that have come back to 0."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT center_id, stage, antal FROM {selectors.FASE_ANTAL}")  # noqa: S608
        return {(c, s): n for c, s, n in cursor.fetchall() if n}


def _talt() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT center_id, stage, COUNT(*) FROM matching_match GROUP BY center_id, stage")
        return {(c, s): n for c, s, n in cursor.fetchall()}


def _match(world, stage=Stage.FORESLAAET, center=None):
    center = center or world.center_a
    return rf.MatchFactory(borger=f.BorgerFactory(center=center), center=center,
                           faellesskab=world.faellesskab_a if center == world.center_a else world.faellesskab_b,
                           stage=stage)


@pytest.mark.skipif(not PG, reason="the table and its triggers are PostgreSQL's")
def test_the_kept_counts_stay_in_step_with_every_kind_of_write(world, koordinator_a):
    assert _holdt() == _talt()
    a = [_match(world, stage) for stage in (Stage.FORESLAAET, Stage.FORESLAAET, Stage.ACCEPTERET)]
    b = _match(world, Stage.LEDSAGET, center=world.center_b)
    assert _holdt() == _talt() == {(world.center_a.pk, "foreslaaet"): 2, (world.center_a.pk, "accepteret"): 1,
                                   (world.center_b.pk, "ledsaget"): 1}
    # a stage changed: by save(), by the service, by a queryset's update(), to another centre
    a[0].stage = Stage.MOEDE_PLANLAGT
    a[0].save()
    assert _holdt() == _talt()
    services.match_transition(actor=actor_for(koordinator_a), match=a[1], til=Stage.ACCEPTERET)
    assert _holdt() == _talt()
    Match.objects.filter(center=world.center_a).update(stage=Stage.LEDSAGET)
    assert _holdt() == _talt() == {(world.center_a.pk, "ledsaget"): 3, (world.center_b.pk, "ledsaget"): 1}
    Match.objects.filter(pk=b.pk).update(center=world.center_a, stage=Stage.AKTIV_1_MD)
    assert _holdt() == _talt()
    Match.objects.filter(pk=a[2].pk).update(score=0.5)  # no stage or centre changed
    assert _holdt() == _talt()
    # bulk_create in one statement
    Match.objects.bulk_create([Match(borger=f.BorgerFactory(center=world.center_b), center=world.center_b,
                                     faellesskab=world.faellesskab_b, stage=stage)
                               for stage in (Stage.AFSLUTTET, Stage.AFSLUTTET, Stage.FORESLAAET)])
    assert _holdt() == _talt()
    assert _holdt()[(world.center_b.pk, "afsluttet")] == 2
    # COPY, as the national dataset writes them
    borgere = [f.BorgerFactory(center=world.center_a) for _ in range(3)]
    Copier().copy(Match, ["center", "borger", "faellesskab", "stage", "stage_siden"], [
        (world.center_a.pk, borger.pk, world.faellesskab_a.pk, Stage.ACCEPTERET, timezone.now()) for borger in borgere])
    assert _holdt() == _talt()
    # deleted: one, then a queryset's, then a borger with their matches (the collector's deletes)
    a[0].delete()
    assert _holdt() == _talt()
    Match.objects.filter(center=world.center_b, stage=Stage.AFSLUTTET).delete()
    assert _holdt() == _talt()
    a[1].borger.delete()
    assert _holdt() == _talt()
    Match.objects.all().delete()
    assert _holdt() == _talt() == {}


def _board_counts(client) -> dict:
    response = client.get(reverse("matching:pipeline"))
    assert response.status_code == 200
    return {fase: liste.antal_tekst for fase, _label, liste, _kort in response.context["kolonner"]}


def _overview_counts(client) -> dict:
    response = client.get(reverse("matching:forside"))
    assert response.status_code == 200
    return dict(response.context["faser"])


@pytest.mark.skipif(not PG, reason="the table and its triggers are PostgreSQL's")
def test_the_board_and_the_overview_show_the_kept_counts_exactly(world, as_koordinator_a):
    # a centre with no matches: every stage 0
    assert _board_counts(as_koordinator_a) == dict.fromkeys(ABNE, "0")
    assert set(_overview_counts(as_koordinator_a).values()) == {"0"}
    _match(world, Stage.FORESLAAET)
    _match(world, Stage.AFSLUTTET)
    _match(world, Stage.LEDSAGET, center=world.center_b)  # another centre's
    assert _board_counts(as_koordinator_a) == {**dict.fromkeys(ABNE, "0"), "foreslaaet": "1"}
    overview = _overview_counts(as_koordinator_a)
    assert (overview[Stage.FORESLAAET.label], overview[Stage.AFSLUTTET.label], overview[Stage.LEDSAGET.label]) == (
        "1", "1", "0")
    # what the page shows is what the table holds, past the old cap of 999 too (no "999+")
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {selectors.FASE_ANTAL} SET antal = 1234 WHERE center_id = %s AND stage = %s",  # noqa: S608
                       [world.center_a.pk, Stage.FORESLAAET])
    board = _board_counts(as_koordinator_a)
    assert board["foreslaaet"] == "1234"
    assert _overview_counts(as_koordinator_a)[Stage.FORESLAAET.label] == "1234"
    response = as_koordinator_a.get(reverse("matching:pipeline"))
    assert "Se alle 1234" in response.content.decode()


@pytest.mark.skipif(PG, reason="without the kept counts: SQLite")
def test_elsewhere_the_board_and_the_overview_count_as_before(world, koordinator_a, as_koordinator_a):
    _match(world, Stage.FORESLAAET)
    _match(world, Stage.AFSLUTTET)
    assert not selectors.fase_antal_gaelder(actor_for(koordinator_a), Match.objects.db)
    kolonner = selectors.pipeline(actor=actor_for(koordinator_a))
    assert {fase: (liste.antal, liste.loft) for fase, _label, liste in kolonner} == {
        **dict.fromkeys(ABNE, (0, selectors.TAVLE_LOFT)), "foreslaaet": (1, selectors.TAVLE_LOFT)}
    assert dict(forside.koordinator_overblik(actor=actor_for(koordinator_a))["faser"])[Stage.AFSLUTTET.label] == "1"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's INCLUDE")
def test_the_boards_cards_can_be_read_from_indexes_alone():
    # matching 0027, borgere 0017, foreninger 0011: every column the board's statement reads of a card's match,
    # borger and fællesskab is in one index, so PostgreSQL can answer it by index-only scans (which it does
    # at national size, PERFORMANCE.md "Session 18"; on the test's few rows it may prefer other plans).
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname = ANY(%s)",
                       [["match_tavle_idx", "borger_fornavn_idx", "faellesskab_titel_idx"]])
        definitions = {name: definition.split(" USING btree ")[1] for name, definition in cursor.fetchall()}
    assert definitions == {
        "match_tavle_idx": "(center_id, stage, stage_siden, id) INCLUDE (borger_id, faellesskab_id)",
        "borger_fornavn_idx": "(id) INCLUDE (fornavn)",
        "faellesskab_titel_idx": "(id) INCLUDE (titel)",
    }
