"""Issue 15: the koordinator's overview, Min dag and the match board stay flat as a centre grows.

Each page is fetched with a few rows and with many; the query count must not grow, and each list
shows at most its bound, with the total."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from matching import selectors
from matching.forside import LISTE, OPGAVER
from matching.models import Stage
from matching.selectors import TAVLE_PR_FASE

from .. import factories as f
from .. import journey_factories as rf

pytestmark = pytest.mark.django_db


def _matches(world, n, *, ansvarlig=None, stage=Stage.FORESLAAET, **ledsagelse):
    """`n` matches in `stage`, each with an overdue follow-up, and a meeting when `ledsagelse` is given."""
    for _ in range(n):
        borger = f.BorgerFactory(center=world.center_a, brobygger=ansvarlig)
        match = rf.MatchFactory(borger=borger, center=world.center_a, faellesskab=world.faellesskab_a, stage=stage)
        rf.OpfoelgningFactory(match=match, center=world.center_a, forfalder=timezone.localdate() - timedelta(days=2))
        if ledsagelse:
            rf.LedsagelseFactory(match=match, center=world.center_a, **ledsagelse)


def _flat(client, url, grow, django_assert_max_num_queries):
    client.get(url)
    with django_assert_max_num_queries(80) as few:
        client.get(url)
    grow()
    with django_assert_max_num_queries(len(few.captured_queries)):
        return client.get(url)


def test_the_koordinator_overview_is_bounded_and_its_queries_do_not_grow(
        world, brobygger_a, as_koordinator_a, django_assert_max_num_queries):
    soon = {"tidspunkt": timezone.now() + timedelta(days=2), "brobygger": brobygger_a}
    _matches(world, LISTE + 1, **soon)  # both lists already full, so their counts are in the baseline
    response = _flat(as_koordinator_a, reverse("matching:forside"), lambda: _matches(world, 60, **soon),
                     django_assert_max_num_queries)
    forfaldne, moeder = response.context["forfaldne"], response.context["ledsagelser"]
    assert (len(forfaldne.rows), forfaldne.antal) == (OPGAVER, 81)  # a task list (issue 13)
    assert (len(moeder.rows), moeder.antal) == (LISTE, 81)
    html = response.content.decode()
    assert html.count("· Dagen efter") == OPGAVER and "og 73 flere" in html


def test_min_dag_is_bounded_and_its_queries_do_not_grow(world, brobygger_a, as_brobygger_a,
                                                        django_assert_max_num_queries):
    def meetings(n):
        _matches(world, n, ansvarlig=brobygger_a, tidspunkt=timezone.now() + timedelta(days=1), brobygger=brobygger_a)

    meetings(LISTE + 1)
    response = _flat(as_brobygger_a, reverse("matching:forside"), lambda: meetings(60), django_assert_max_num_queries)
    for key in ("ledsagelser", "opfoelgninger"):
        liste = response.context[key]
        assert (len(liste.rows), liste.antal) == (LISTE, 81), key
    assert len(response.context["borgere"]) == LISTE


def test_the_match_board_shows_the_longest_waiting_per_stage_with_counts_and_pages_through_a_stage(
        world, as_koordinator_a, django_assert_max_num_queries):
    _matches(world, 3)
    _matches(world, 2, stage=Stage.ACCEPTERET)
    response = _flat(as_koordinator_a, reverse("matching:pipeline"), lambda: _matches(world, 60),
                     django_assert_max_num_queries)
    kolonner = {fase: liste for fase, _label, liste, _kort in response.context["kolonner"]}
    assert (len(kolonner[Stage.FORESLAAET].rows), kolonner[Stage.FORESLAAET].antal) == (TAVLE_PR_FASE, 63)
    assert (len(kolonner[Stage.ACCEPTERET].rows), kolonner[Stage.ACCEPTERET].antal) == (2, 2)
    assert Stage.AFSLUTTET not in kolonner
    rows = kolonner[Stage.FORESLAAET].rows
    assert [m.stage_siden for m in rows] == sorted(m.stage_siden for m in rows)  # longest waiting first
    html = response.content.decode()
    assert html.count('class="list-group-item"><a href="/matches/') == TAVLE_PR_FASE + 2
    assert f'?fase={Stage.FORESLAAET}' in html and "Se alle 63" in html

    stage = as_koordinator_a.get(reverse("matching:pipeline"), {"fase": Stage.FORESLAAET, "side": 3})
    assert stage.status_code == 200 and stage.context["page"].paginator.count == 63
    assert len(stage.context["page"].object_list) == 63 - 2 * 25
    # An unknown or ended stage shows the board.
    assert "kolonner" in as_koordinator_a.get(reverse("matching:pipeline"), {"fase": Stage.AFSLUTTET}).context


def test_the_match_board_stops_counting_a_stage_at_its_cap(world, as_koordinator_a, monkeypatch):
    """A stage's count reads at most TAVLE_LOFT + 1 rows and then says "999+" (here 30+), as the
    påmindelser tabs do: an exact count reads every open match of the centre. On PostgreSQL the count
    the database keeps (matching.0023) is read instead, and shown exactly."""
    monkeypatch.setattr(selectors, "TAVLE_LOFT", 30)
    _matches(world, 31)
    _matches(world, 30, stage=Stage.ACCEPTERET)
    response = as_koordinator_a.get(reverse("matching:pipeline"))
    kolonner = {fase: liste for fase, _label, liste, _kort in response.context["kolonner"]}
    foreslaaet = "31" if connection.vendor == "postgresql" else "30+"
    assert (kolonner[Stage.FORESLAAET].antal, kolonner[Stage.FORESLAAET].antal_tekst) == (31, foreslaaet)
    assert (kolonner[Stage.ACCEPTERET].antal, kolonner[Stage.ACCEPTERET].antal_tekst) == (30, "30")
    html = response.content.decode()
    assert f"Se alle {foreslaaet}<" in html and "Se alle 30<" in html
    assert f'<span class="badge text-bg-secondary">{foreslaaet}</span>' in html


def test_the_match_boards_cards_escape_names_and_titles(world, as_koordinator_a):
    """The board's cards are written in Python (`matching.views.match._kort`), not by the template:
    a first name or a title with markup is shown as text, as the template's autoescape showed it;
    an empty stage still says "Ingen"."""
    borger = f.BorgerFactory(center=world.center_a, fornavn='<b>Ane & "Bo"</b>')
    world.faellesskab_a.titel = "Strik <i>&</i> snak"
    world.faellesskab_a.save()
    rf.MatchFactory(borger=borger, center=world.center_a, faellesskab=world.faellesskab_a, stage=Stage.FORESLAAET)
    html = as_koordinator_a.get(reverse("matching:pipeline")).content.decode()
    assert "&lt;b&gt;Ane &amp; &quot;Bo&quot;&lt;/b&gt; → Strik &lt;i&gt;&amp;&lt;/i&gt; snak</a>" in html
    assert "<b>Ane" not in html and "<i>&</i>" not in html
    assert html.count('<li class="list-group-item text-body-secondary">Ingen</li>') == len(Stage.values) - 2


def test_the_match_boards_cards_are_what_the_orm_reads(world, koordinator_a, monkeypatch):
    """The cards' values are the ORM's: the same matches in the same order, the same names, and each
    time the same aware datetime in the same zone. On PostgreSQL the statement reads the time as the
    connection's wall time (`AT TIME ZONE`, psycopg's C loader) and gives it the connection's zone:
    Django's own `timestamptz` loader parses each value in Python (~3 µs a card at national size,
    issue 15), and is not called."""
    from django.db.backends.postgresql import psycopg_any

    from brobygning.access import actor_for

    open_stages = [stage for stage in Stage.values if stage != Stage.AFSLUTTET]
    for i in range(3 * len(open_stages)):
        match = rf.MatchFactory(borger=f.BorgerFactory(center=world.center_a, fornavn=f"Navn {i}"),
                                center=world.center_a, faellesskab=world.faellesskab_a,
                                stage=open_stages[i % len(open_stages)])
        # times with microseconds, some of them the same, so the id decides the order
        match.__class__.objects.filter(pk=match.pk).update(
            stage_siden=timezone.now() - timedelta(days=400 - i // 2, microseconds=123457 * (i // 2)))
    actor = actor_for(koordinator_a)  # its memberships read before the board's statement
    loaded = []
    if connection.vendor == "postgresql":
        original = psycopg_any.BaseTzLoader.load
        monkeypatch.setattr(psycopg_any.BaseTzLoader, "load",
                            lambda self, data: loaded.append(data) or original(self, data))
    kolonner = selectors.pipeline(actor=actor)
    assert loaded == []
    monkeypatch.undo()
    orm = selectors.match_list(actor=actor_for(koordinator_a)).order_by("stage_siden", "pk")
    for fase, _label, liste in kolonner:
        expected = [(m.pk, m.stage, m.stage_siden, m.borger.fornavn, m.faellesskab.titel) for m in orm.filter(stage=fase)]
        assert [(k.pk, k.stage, k.stage_siden, k.fornavn, k.titel) for k in liste.rows] == expected, fase
        assert [k.stage_siden.tzinfo for k in liste.rows] == [m[2].tzinfo for m in expected], fase
        assert len(expected) == 3
