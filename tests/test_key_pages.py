"""Issue 15, point 2: the key pages of bench/pages.py cost a fixed number of queries, whatever the
centre's size (PERFORMANCE.md, "Key pages at national size (session 7)").

Each page is fetched with a little data and again with much more; the query count must be the same,
and it must be the number below, so a new query on every page (in the menu, a middleware, a context
processor) shows up here. The fixed part of every logged-in page: the session, and the user with their
memberships (the actor) and the menu's count of new referrals in one query (`brobygning.auth.Backend`;
were three queries); a page that shows borgere adds the access log's one INSERT."""

from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from borgere.models import Formaal, Henvisning, Samtale
from borgere.services import gaeldende_samtykketekst
from borgere.views.borger import FILTER_SESSION_KEY
from brobygning.models import Adgangslog, Paamindelse, PaamindelseStatus, TagType
from matching import forside
from matching.forside import LISTE, OPGAVER
from matching.models import Arrangement, ArrangementType, Match, Stage, Tilmelding

from . import factories as f
from . import journey_factories as rf

pytestmark = pytest.mark.django_db

# The session, and the user with their memberships and the menu badge: on PostgreSQL one round trip once
# the process knows whose session it is (brobygning/sessions.py; `_queries` warms with a first request),
# elsewhere two queries.
FAST = 1 if connection.vendor == "postgresql" else 2


def _queries(client, url, django_assert_max_num_queries) -> int:
    client.get(url)  # warm: the session's last-seen time is written at most once a minute
    with django_assert_max_num_queries(100) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def _flat(client, url, grow, expected, django_assert_num_queries, django_assert_max_num_queries):
    assert _queries(client, url, django_assert_max_num_queries) == expected
    grow()
    with django_assert_num_queries(expected):
        response = client.get(url)
    assert response.status_code == 200
    return response


def _borgere(world, n, *, brobygger=None):
    for i in range(n):
        f.BorgerFactory(center=world.center_a, fornavn=f"Susanne{i}", brobygger=brobygger)


def test_borger_list_koordinator(world, as_koordinator_a, django_assert_num_queries, django_assert_max_num_queries):
    # session, user with memberships and menu badge; the keys (capped count), interest tags, the page
    # of borgere; access log
    response = _flat(as_koordinator_a, reverse("borgere:borger_list"), lambda: _borgere(world, 40), FAST + 4,
                     django_assert_num_queries, django_assert_max_num_queries)
    assert len(response.context["page"].object_list) == 25


def test_borger_list_brobygger(world, brobygger_a, as_brobygger_a, django_assert_num_queries,
                               django_assert_max_num_queries):
    _flat(as_brobygger_a, reverse("borgere:borger_list"), lambda: _borgere(world, 40, brobygger=brobygger_a), FAST + 4,
          django_assert_num_queries, django_assert_max_num_queries)


def test_borger_search(world, as_koordinator_a, django_assert_num_queries, django_assert_max_num_queries):
    _borgere(world, 2)
    as_koordinator_a.post(reverse("borgere:borger_list"), {"q": "susanne"})
    assert as_koordinator_a.session[FILTER_SESSION_KEY]["q"] == ["susanne"]
    response = _flat(as_koordinator_a, reverse("borgere:borger_list"), lambda: _borgere(world, 40), FAST + 4,
                     django_assert_num_queries, django_assert_max_num_queries)
    assert response.context["page"].paginator.count == 42  # not Anna


def test_borger_detail(world, brobygger_a, as_brobygger_a, django_assert_num_queries, django_assert_max_num_queries):
    borger = world.borger_a

    def grow():
        for _ in range(10):
            Samtale.objects.create(borger=borger, center=world.center_a, brobygger=brobygger_a)
            match = rf.MatchFactory(borger=borger, center=world.center_a,
                                    faellesskab=f.FaellesskabFactory(forening=world.forening_a), stage=Stage.LEDSAGET)
            rf.LedsagelseFactory(match=match, center=world.center_a)
            rf.OpfoelgningFactory(match=match, center=world.center_a, forfalder=timezone.localdate())
            arrangement = Arrangement.objects.create(center=world.center_a, type=ArrangementType.WORKSHOP, titel="W")
            Tilmelding.objects.create(center=world.center_a, arrangement=arrangement, borger=borger, nonce="x")

    rf.MatchFactory(borger=borger, center=world.center_a, faellesskab=world.faellesskab_a)
    # session, user with memberships and badge; the borger; consents with the consent texts (one UNION), tags,
    # measures, samtaler and matching's forløb with the registrations (one UNION) (PostgreSQL: one round trip;
    # SQLite: five queries); access log
    _flat(as_brobygger_a, reverse("borgere:borger_detail", args=[borger.pk]), grow,
          FAST + (3 if connection.vendor == "postgresql" else 7),
          django_assert_num_queries, django_assert_max_num_queries)


@pytest.mark.parametrize("tab", ["kommende", "sendt", "fejlet"])
def test_paamindelser_tabs(world, as_koordinator_a, tab, django_assert_num_queries, django_assert_max_num_queries):
    match = rf.MatchFactory(borger=world.borger_a, center=world.center_a, faellesskab=world.faellesskab_a)
    ledsagelse = rf.LedsagelseFactory(match=match, center=world.center_a)
    status = {"kommende": PaamindelseStatus.AFVENTER, "sendt": PaamindelseStatus.SENDT,
              "fejlet": PaamindelseStatus.FEJLET}[tab]

    def rows(n, start):
        for i in range(start, start + n):
            Paamindelse.objects.create(
                center=world.center_a, emne_type="ledsagelse", emne_id=ledsagelse.pk, art=f"x{i}", kanal="email",
                status=status, forfalder=timezone.now() + timedelta(hours=i),
                sendt=timezone.now() if status == PaamindelseStatus.SENDT else None)

    rows(2, 0)
    # session, user with memberships and menu badge; the five tabs' capped counts in one query (the open
    # tab's is also the page's count), the page, the meeting behind the rows; access log
    _flat(as_koordinator_a, f"{reverse('brobygning:paamindelse_list')}?vis={tab}", lambda: rows(40, 2), FAST + 4,
          django_assert_num_queries, django_assert_max_num_queries)


def test_adgangslog(world, koordinator_a, as_koordinator_a, django_assert_num_queries, django_assert_max_num_queries):
    def grow(n=60):
        Adgangslog.objects.bulk_create([
            Adgangslog(center=world.center_a, bruger=koordinator_a, handling=Adgangslog.Handling.LAEST,
                       borger_id=world.borger_a.pk) for _ in range(n)])

    grow(3)

    # session, user with memberships and menu badge; the page with its capped count (one query), the
    # users to filter by
    response = _flat(as_koordinator_a, reverse("brobygning:adgangslog"), grow, FAST + 2,
                     django_assert_num_queries, django_assert_max_num_queries)
    page = response.context["page"]
    assert len(page.object_list) == 25
    assert page.paginator.count == Adgangslog.objects.filter(center=world.center_a).count()


def _opgaver(world, brobygger, n):
    """`n` of everything the front pages list, for `brobygger`'s borgere: a referral, a meeting this
    week, one 2 days ago with no outcome, a follow-up 9 days overdue, a stale fællesskab."""
    kilde = f.tag(TagType.HENVISNINGSKILDE, "jobcenter")
    tekst = gaeldende_samtykketekst(center_id=world.center_a.pk, formaal=Formaal.REGISTRERING)
    for _ in range(n):
        Henvisning.objects.create(center=world.center_a, fornavn="Henvist", telefon="+4520304050", oensker="Gåture",
                                  kilde=kilde, samtykketekst=tekst)
        borger = f.BorgerFactory(center=world.center_a, brobygger=brobygger)
        match = rf.MatchFactory(borger=borger, center=world.center_a, faellesskab=world.faellesskab_a)
        rf.LedsagelseFactory(match=match, center=world.center_a, brobygger=brobygger,
                             tidspunkt=timezone.now() - timedelta(days=2))
        rf.OpfoelgningFactory(match=match, center=world.center_a, forfalder=timezone.localdate() - timedelta(days=9))
        soon = rf.MatchFactory(borger=borger, center=world.center_a,
                               faellesskab=f.FaellesskabFactory(forening=world.forening_a))
        rf.LedsagelseFactory(match=soon, center=world.center_a, brobygger=brobygger,
                             tidspunkt=timezone.now() + timedelta(days=2))
        f.FaellesskabFactory(forening=f.ForeningFactory(center=world.center_a, email="f@forening.test"))


def test_overview_koordinator(world, brobygger_a, as_koordinator_a, django_assert_num_queries,
                              django_assert_max_num_queries):
    _opgaver(world, brobygger_a, LISTE + 1)  # every list full, so each one's count is in the figure
    # session, user with memberships and menu badge; the rows of meetings this week and of the task lists
    # (the silence alarm's two lists read with the meetings with no outcome and the overdue follow-ups
    # they are the oldest of, this week's meetings with those with no outcome: 3 queries for 7 lists);
    # every count in one query (the full lists' counts, this month's figures, matches per stage, failed
    # reminders, take-over requests; were 14 queries); borgere without a brobygger, today's reads per
    # user (volume alert), retention warnings; access log. On PostgreSQL the rows of the meetings, the
    # retention warnings, the referrals, the overdue follow-ups, the stale fællesskaber and the borgere
    # without a brobygger in one round trip (`planner.fetch_together`; were 6)
    response = _flat(as_koordinator_a, reverse("matching:forside"), lambda: _opgaver(world, brobygger_a, 30),
                     FAST + (4 if connection.vendor == "postgresql" else 10),
                     django_assert_num_queries, django_assert_max_num_queries)
    for key in ("nye_henvisninger", "uden_udfald", "forfaldne", "foraeldede", "stille_moeder", "stille_opfoelgninger"):
        assert len(response.context[key].rows) == OPGAVER, key
    assert (len(response.context["ledsagelser"].rows), response.context["ledsagelser"].antal) == (LISTE, LISTE + 31)
    assert response.context["uden_udfald"].antal_tekst == str(LISTE + 31)
    assert response.context["forfaldne"].antal == LISTE + 31
    # matches per stage, as the match board counts them (elsewhere than PostgreSQL: exact up to LOFT, then "999+")
    assert response.context["faser"] == [
        (Stage(stage).label, str(Match.objects.filter(center=world.center_a, stage=stage).count()))
        for stage in Stage.values]
    assert sum(int(n) for _label, n in response.context["faser"]) >= 2 * (LISTE + 31)


def test_overview_counts_matches_per_stage_up_to_the_cap(world, brobygger_a, as_koordinator_a, monkeypatch):
    monkeypatch.setattr(forside, "LOFT", 3)
    borger = f.BorgerFactory(center=world.center_a, brobygger=brobygger_a)
    for stage, n in [(Stage.FORESLAAET, 3), (Stage.ACCEPTERET, 4), (Stage.AFSLUTTET, 9)]:
        for _ in range(n):
            rf.MatchFactory(borger=borger, center=world.center_a, stage=stage,
                            faellesskab=f.FaellesskabFactory(forening=world.forening_a))
    rf.MatchFactory(borger=f.BorgerFactory(center=world.center_b), center=world.center_b, stage=Stage.FORESLAAET,
                    faellesskab=f.FaellesskabFactory(forening=f.ForeningFactory(center=world.center_b)))
    faser = dict(as_koordinator_a.get(reverse("matching:forside")).context["faser"])
    # PostgreSQL: the counts the database keeps, exact (matching.0023); elsewhere capped at LOFT
    assert (faser[Stage.FORESLAAET.label], faser[Stage.ACCEPTERET.label], faser[Stage.AFSLUTTET.label],
            faser[Stage.AKTIV_1_MD.label]) == (("3", "4", "9", "0") if connection.vendor == "postgresql"
                                               else ("3", "3+", "3+", "0"))


def test_overview_brobygger(world, brobygger_a, as_brobygger_a, django_assert_num_queries,
                            django_assert_max_num_queries):
    _opgaver(world, brobygger_a, LISTE + 1)
    # session, user with memberships; in one round trip (`forside._min_dags_lister`, three statements
    # sent as one): the four lists of meetings (this week, the last 24 h, "kom ikke", the silence
    # alarm's) with their counts, follow-ups due (with the attended meeting's time) and the silence
    # alarm's overdue ones among them with both counts, and the answers with their count (were 3
    # queries); their borgere; access log
    response = _flat(as_brobygger_a, reverse("matching:forside"), lambda: _opgaver(world, brobygger_a, 30),
                     FAST + (3 if connection.vendor == "postgresql" else 10),
                     django_assert_num_queries, django_assert_max_num_queries)
    assert (len(response.context["opfoelgninger"].rows), response.context["opfoelgninger"].antal) == (LISTE, LISTE + 31)
    assert len(response.context["borgere"]) == LISTE
    for key in ("uden_udfald", "stille_moeder"):  # the meetings 2 days on are the alarm's, not the last 24 h's
        assert response.context[key].antal == {"uden_udfald": 0, "stille_moeder": LISTE + 31}[key], key
    assert len(response.context["stille_moeder"].rows) == LISTE


# --- The public pages (no login): the directory's searches and a fællesskab's page -----------------


def _faellesskaber(world, n):
    koerestol = f.tag(TagType.TILGAENGELIGHED, "koerestolsadgang")
    for i in range(n):
        fs = f.FaellesskabFactory(forening=world.forening_a, titel=f"Kaffeklub {i}", beskrivelse="Vi drikker kaffe.",
                                  kategori=f.tag(TagType.KATEGORI, "musik-og-sang"), lat=55.40 + i / 1000, lng=10.39)
        fs.tilgaengelighed.set([koerestol])
        f.MoedetidFactory(faellesskab=fs, ugedag=i % 7)
        f.MoedetidFactory(faellesskab=fs, ugedag=(i + 3) % 7, fra="10:00", til="12:00")


# (PostgreSQL, elsewhere): on PostgreSQL the cards, the centre with its tags and the postal code are
# read in fewer statements (foreninger.selectors.public_kort, public_center_og_tags)
@pytest.mark.parametrize(("params", "forventet"), [("?q=kaffe", (3, 7)), ("?postnummer=5000", (4, 8)),
                                                   ("?postnummer=5000&afstand=25&q=kaffe", (4, 8))])
def test_public_search(world, client, params, forventet, django_assert_num_queries, django_assert_max_num_queries):
    expected = forventet[0] if connection.vendor == "postgresql" else forventet[1]
    _faellesskaber(world, 2)
    # the centre, the three tag lists of the form (and the postal code) in one round trip; the page's cards with
    # the count (COUNT(*) OVER ()) in one statement (selectors.public_kort), or near a postal code on
    # PostgreSQL the distance bound with the capped count (public_filters.naermeste), then the page's
    # cards; each card with its meeting times and accessibility tags; the centre's coming public arrangementer
    response = _flat(client, reverse("foreninger:public_directory", args=[world.center_a.slug]) + params,
                     lambda: _faellesskaber(world, 60), expected, django_assert_num_queries,
                     django_assert_max_num_queries)
    page = response.context["page"]
    assert len(page.object_list) == 25 and page.paginator.count >= 60
    klubber = [row for row in page.object_list if row.titel.startswith("Kaffeklub")]
    assert len(klubber) >= 24
    assert all(len(row.moeder) == 2 and row.tilgaengelige == ["Kørestolsadgang"] for row in klubber)


def test_public_faellesskab_page(world, client, django_assert_num_queries, django_assert_max_num_queries):
    fs = world.faellesskab_a

    def grow():
        fs.tilgaengelighed.set([f.tag(TagType.TILGAENGELIGHED, "koerestolsadgang")])
        for day in range(5):
            f.MoedetidFactory(faellesskab=fs, ugedag=day)

    # the centre; the fællesskab with forening, postal code and category; its accessibility tags,
    # target groups and meeting times
    _flat(client, reverse("foreninger:public_faellesskab", args=[world.center_a.slug, fs.pk]), grow, 5,
          django_assert_num_queries, django_assert_max_num_queries)


def test_forslag(world, brobygger_a, as_brobygger_a, django_assert_num_queries, django_assert_max_num_queries):
    borger = world.borger_a  # the brobygger's, with the registration consent
    f.FaellesskabFactory(forening=world.forening_a, titel="Strik for begyndere")

    def grow():
        for i in range(40):
            f.FaellesskabFactory(forening=world.forening_a if i % 2 else world.forening_a2)
        rf.MatchFactory(borger=borger, center=world.center_a, faellesskab=world.faellesskab_a)

    # session, user with memberships (FAST); the borger with its postal code; the borger's consent,
    # tags, matches and centre interval (one UNION) and the category choices (PostgreSQL: one round
    # trip), stage 1 (PostgreSQL: one statement with the candidates' versions, foreninger and welcome
    # scores, and one more the first time the process sees a candidate's row; SQLite: a bounding box,
    # the whole centre as the box holds fewer than N, the details, then the welcome scores); access log
    postgresql = connection.vendor == "postgresql"
    url = reverse("matching:forslag", args=[borger.pk])
    expected = FAST + (4 if postgresql else 8)
    assert _queries(as_brobygger_a, url, django_assert_max_num_queries) == expected
    grow()
    if postgresql:  # the process reads the new candidates' rows once (matching.candidate_cache)
        with django_assert_num_queries(expected + 1):
            as_brobygger_a.get(url)
    with django_assert_num_queries(expected):
        response = as_brobygger_a.get(url)
    assert response.status_code == 200
    assert len(response.context["forslag"]) == 20
    assert world.faellesskab_a.pk not in {s.faellesskab_id for s in response.context["forslag"]}  # matched


def test_match_board(world, as_koordinator_a, django_assert_num_queries, django_assert_max_num_queries):
    open_stages = [stage for stage in Stage.values if stage != Stage.AFSLUTTET]

    def matches(n):
        for i in range(n):
            rf.MatchFactory(borger=f.BorgerFactory(center=world.center_a), center=world.center_a,
                            faellesskab=world.faellesskab_a, stage=open_stages[i % len(open_stages)])

    matches(len(open_stages))  # one in every open stage, so each stage's cards are read from the start
    # session, user with memberships and menu badge; PostgreSQL: every stage's count (kept, exact) and cards
    # in one query (LATERAL over the stages); SQLite: the counts in one query, the cards one query per
    # stage; access log
    expected = FAST + (2 if connection.vendor == "postgresql" else 2 + len(open_stages))
    response = _flat(as_koordinator_a, reverse("matching:pipeline"), lambda: matches(7 * 25), expected,
                     django_assert_num_queries, django_assert_max_num_queries)
    kolonner = {fase: liste for fase, _label, liste, _kort in response.context["kolonner"]}
    assert {fase: (len(liste.rows), liste.antal) for fase, liste in kolonner.items()} == dict.fromkeys(open_stages, (20, 26))


def _rapport_data(world, n):
    from matching import forloeb

    for _i in range(n):
        borger = f.BorgerFactory(center=world.center_a)
        Samtale.objects.create(center=world.center_a, borger=borger, varighed_min=30)
        rf.MatchFactory(borger=borger, center=world.center_a, faellesskab=world.faellesskab_a, stage=Stage.ACCEPTERET)
    forloeb.genberegn(world.center_a.pk)  # the rows were written past the services: as the nightly task


def test_rapport_cached(world, as_koordinator_a, django_assert_num_queries, django_assert_max_num_queries):
    # session, user with memberships and menu badge, the project choices, the newest forløb change (is the
    # kept computation current?); the figures and their HTML come from the cache. The growth is written
    # before the first request: a write through the services makes the kept report stale (the next
    # request queues a computation; see the test below and tests/matching/test_rapporter.py).
    _rapport_data(world, 3)
    url = reverse("matching:rapport")
    response = _flat(as_koordinator_a, url, lambda: None, FAST + 2, django_assert_num_queries, django_assert_max_num_queries)
    assert "Beregnet kl." in response.content.decode()


def test_rapport_beregn_igen(world, as_koordinator_a, settings, monkeypatch, django_assert_num_queries,
                             django_assert_max_num_queries):
    """"Beregn igen" at any size: the page queues the computation for a worker (as in production, not
    eagerly) and shows the last figures; it makes none of the computation's queries."""
    from matching import tasks

    settings.CELERY_TASK_ALWAYS_EAGER = False
    koe = []
    monkeypatch.setattr(tasks.beregn_rapport, "delay", lambda **kw: koe.append(kw))
    _rapport_data(world, 3)
    url = reverse("matching:rapport") + "?beregn=igen"
    as_koordinator_a.get(url)  # queues the first computation
    while koe:  # the worker: from now on there are figures to show
        tasks.beregn_rapport(**koe.pop())
    # session, user with memberships and menu badge, the project choices, the newest forløb change
    response = _flat(as_koordinator_a, url, lambda: _rapport_data(world, 40), FAST + 2,
                     django_assert_num_queries, django_assert_max_num_queries)
    html = response.content.decode()
    assert "Rapporten beregnes …" in html and "Beregnet kl." in html and len(koe) == 1
