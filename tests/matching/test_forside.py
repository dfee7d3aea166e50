"""Issue 13: the koordinator's overview as a to-do list. KPIs for the period, bounded task lists with
capped counts that link to their full pages, "Spørg foreningen", and the menu badge's tag."""

from datetime import timedelta

import pytest
from django.core import mail
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from borgere import selectors as borgere_selectors
from borgere.models import Formaal, Henvisning, HenvisningStatus, Samtale
from borgere.services import gaeldende_samtykketekst
from borgere.templatetags import borgere_tags
from brobygning.access import actor_for
from brobygning.models import AuditEntry, TagType
from foreninger.models import Forening
from matching import forside, selectors
from matching.models import LedsagelseStatus, Match, OpfoelgningType, Resultat, Stage
from matching.selectors import bounded

from .. import factories as f
from .. import journey_factories as rf

pytestmark = pytest.mark.django_db


def henvisning(center, **kw):
    return Henvisning.objects.create(
        center=center, fornavn=kw.pop("fornavn", "Henvist"), telefon="+4520304050", oensker="Gåture",
        kilde=f.tag(TagType.HENVISNINGSKILDE, "jobcenter"),
        samtykketekst=gaeldende_samtykketekst(center_id=center.pk, formaal=Formaal.REGISTRERING), **kw)


def match_for(world, **kw):
    borger = f.BorgerFactory(center=world.center_a)
    return rf.MatchFactory(borger=borger, center=world.center_a, faellesskab=world.faellesskab_a, **kw)


def tasks(world, brobygger, n):
    """`n` of each task: a new referral, a meeting with no outcome 2 days on, an overdue follow-up,
    and a stale fællesskab of a forening with an e-mail address."""
    past = timezone.now() - timedelta(days=2)
    for _ in range(n):
        henvisning(world.center_a)
        match = match_for(world)
        rf.LedsagelseFactory(match=match, center=world.center_a, brobygger=brobygger, tidspunkt=past)
        rf.OpfoelgningFactory(match=match, center=world.center_a, forfalder=timezone.localdate() - timedelta(days=9))
        f.FaellesskabFactory(forening=f.ForeningFactory(center=world.center_a, email="f@forening.test"))


# --- KPIs -------------------------------------------------------------------------------------------


def test_kpis_count_the_period_by_hand(world, koordinator_a, brobygger_a, django_assert_num_queries):
    fra = timezone.localdate() - timedelta(days=10)
    before = timezone.now() - timedelta(days=12)
    henvisning(world.center_a)
    henvisning(world.center_a, status=HenvisningStatus.OPRETTET)  # handled since: still new this period
    henvisning(world.center_a, oprettet=before)
    henvisning(world.center_b)
    for dato in (timezone.localdate(), timezone.localdate(), fra, fra - timedelta(days=1)):
        Samtale.objects.create(center=world.center_a, borger=world.borger_a, brobygger=brobygger_a, dato=dato)
    m1, m2, old = match_for(world), match_for(world), match_for(world)
    Match.objects.filter(pk=old.pk).update(oprettet=before)
    rf.LedsagelseFactory(match=m1, center=world.center_a, status=LedsagelseStatus.MOEDT_OP,
                         tidspunkt=timezone.now() - timedelta(days=1))
    rf.LedsagelseFactory(match=m2, center=world.center_a, status=LedsagelseStatus.UDEBLEV,
                         tidspunkt=timezone.now() - timedelta(days=1))
    rf.LedsagelseFactory(match=old, center=world.center_a, status=LedsagelseStatus.MOEDT_OP, tidspunkt=before)
    for match, udfoert, resultat in [(m1, timezone.now(), Resultat.DELTAGER_STADIG),
                                     (m2, timezone.now(), Resultat.STOPPET),
                                     (old, before, Resultat.DELTAGER_STADIG)]:
        rf.OpfoelgningFactory(match=match, center=world.center_a, type=OpfoelgningType.TRE_MAANEDER,
                              forfalder=timezone.localdate(), udfoert=udfoert, resultat=resultat, aarsag="x")
    actor = actor_for(koordinator_a)
    with django_assert_num_queries(1):  # all five figures in one query
        tal = {t.noegle: t.antal for t in forside.kpi(actor=actor, fra=fra)["tal"]}
    assert tal == {"henvisninger": 2, "samtaler": 3, "matches": 2, "foerste_moeder": 1, "efter_3_md": 1}


def test_the_overview_shows_this_months_kpis(world, as_koordinator_a):
    henvisning(world.center_a)
    response = as_koordinator_a.get(reverse("matching:forside"))
    kpi = response.context["kpi"]
    assert kpi["fra"] == timezone.localdate().replace(day=1)
    assert {t.noegle: t.antal for t in kpi["tal"]}["henvisninger"] == 1
    assert "Denne måned" in response.content.decode()


# --- Bounded task lists -------------------------------------------------------------------------------


def test_each_task_list_shows_its_first_rows_and_links_to_the_full_list(world, brobygger_a, as_koordinator_a):
    tasks(world, brobygger_a, forside.OPGAVER + 3)
    response = as_koordinator_a.get(reverse("matching:forside"))
    for key in ("nye_henvisninger", "uden_udfald", "forfaldne", "foraeldede"):
        liste = response.context[key]
        assert len(liste.rows) == forside.OPGAVER, key
        assert liste.antal >= forside.OPGAVER + 3, key
    assert len(response.context["stille_moeder"].rows) == forside.OPGAVER
    html = response.content.decode()
    assert "og 3 flere" in html
    for name in ("borgere:henvisning_list", "matching:opgaver_moeder", "matching:opgaver_opfoelgninger",
                 "matching:opgaver_faellesskaber"):
        assert f'href="{reverse(name)}"' in html, name
    assert html.count("Spørg foreningen") == forside.OPGAVER


def test_counts_stop_at_the_ceiling(world, brobygger_a, as_koordinator_a, monkeypatch):
    tasks(world, brobygger_a, 12)
    monkeypatch.setattr(forside, "LOFT", 10)
    response = as_koordinator_a.get(reverse("matching:forside"))
    liste = response.context["uden_udfald"]
    assert (liste.antal, liste.antal_tekst, liste.flere_tekst) == (11, "10+", "2+")
    assert "og 2+ flere" in response.content.decode()


def test_bounded_with_a_ceiling_reads_at_most_one_row_past_it(world):
    for _ in range(7):
        match_for(world)
    qs = Match.objects.order_by("pk")
    assert (bounded(qs, 3, loft=5).antal, bounded(qs, 3, loft=5).over_loft) == (6, True)
    assert (bounded(qs, 3, loft=10).antal, bounded(qs, 3, loft=10).antal_tekst) == (7, "7")
    assert bounded(qs, 10, loft=5).antal == 7  # not full: counted from the rows


def test_the_overviews_queries_do_not_grow_with_data(world, brobygger_a, as_koordinator_a,
                                                      django_assert_max_num_queries):
    tasks(world, brobygger_a, forside.OPGAVER + 1)  # every list full, so its count is in the baseline
    url = reverse("matching:forside")
    as_koordinator_a.get(url)
    with django_assert_max_num_queries(80) as few:
        as_koordinator_a.get(url)
    tasks(world, brobygger_a, 40)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = as_koordinator_a.get(url)
    assert response.context["nye_henvisninger"].antal == forside.OPGAVER + 41


def test_the_full_task_pages_are_paginated(world, brobygger_a, as_koordinator_a, django_assert_max_num_queries):
    tasks(world, brobygger_a, 30)
    for name in ("matching:opgaver_moeder", "matching:opgaver_opfoelgninger", "matching:opgaver_faellesskaber"):
        with django_assert_max_num_queries(40):
            response = as_koordinator_a.get(reverse(name))
        page = response.context["page"]
        assert len(page.object_list) == 25 and page.paginator.count >= 30, name
        assert as_koordinator_a.get(reverse(name), {"side": 2}).status_code == 200


def test_a_meeting_with_an_outcome_or_an_ended_match_is_no_task(world, brobygger_a, koordinator_a):
    past = timezone.now() - timedelta(hours=3)
    done = rf.LedsagelseFactory(match=match_for(world), center=world.center_a, brobygger=brobygger_a, tidspunkt=past,
                                status=LedsagelseStatus.MOEDT_OP)
    ended = rf.LedsagelseFactory(match=match_for(world, stage=Stage.AFSLUTTET), center=world.center_a,
                                 brobygger=brobygger_a, tidspunkt=past)
    open_ = rf.LedsagelseFactory(match=match_for(world), center=world.center_a, brobygger=brobygger_a, tidspunkt=past)
    rows = forside.koordinator_overblik(actor=actor_for(koordinator_a))["uden_udfald"].rows
    assert [r.pk for r in rows] == [open_.pk]
    assert {done.pk, ended.pk}.isdisjoint(r.pk for r in rows)


# --- "Spørg foreningen" ---------------------------------------------------------------------------------


def test_spoerg_foreningen_sends_the_request_once_a_day(world, as_koordinator_a, koordinator_a, settings,
                                                        django_capture_on_commit_callbacks):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    forening = world.forening_a
    Forening.objects.filter(pk=forening.pk).update(email="strik@forening.test")
    url = reverse("foreninger:bekraeft_spoerg", args=[forening.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = as_koordinator_a.post(url, {"next": reverse("matching:opgaver_faellesskaber")})
    assert response.status_code == 302 and response.url == reverse("matching:opgaver_faellesskaber")
    assert [m.to for m in mail.outbox] == [["strik@forening.test"]]
    assert AuditEntry.objects.filter(handling="forening.spurgt_af_koordinator", actor=koordinator_a).count() == 1
    response = as_koordinator_a.post(url, {"next": "https://evil.example/"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("matching:forside")  # no open redirect
    assert "spurgt for under et døgn siden" in response.content.decode()
    assert len(mail.outbox) == 1


def test_spoerg_foreningen_without_anybody_to_mail_says_so(world, as_koordinator_a):
    forening = f.ForeningFactory(center=world.center_a, email="")
    response = as_koordinator_a.post(reverse("foreninger:bekraeft_spoerg", args=[forening.pk]), follow=True)
    assert "ingen e-mailadresse" in response.content.decode()
    assert Forening.objects.get(pk=forening.pk).bekraeft_sendt is None


# --- The menu badge ---------------------------------------------------------------------------------------


def test_the_menu_badge_counts_new_referrals_for_koordinatorer_only(world, koordinator_a, brobygger_a,
                                                                     django_assert_max_num_queries):
    template = Template("{% load borgere_tags %}{% nye_henvisninger actor as antal %}[{{ antal }}]")
    for _ in range(3):
        henvisning(world.center_a)
    henvisning(world.center_a, status=HenvisningStatus.AFVIST)
    henvisning(world.center_b)
    actor = actor_for(koordinator_a)
    with django_assert_max_num_queries(1):
        assert template.render(Context({"actor": actor})) == "[3]"
    assert template.render(Context({"actor": actor_for(brobygger_a)})) == "[0]"
    assert template.render(Context({"actor": None})) == "[0]"


def test_the_menu_badge_stops_counting_at_100(world, koordinator_a, monkeypatch):
    monkeypatch.setattr(borgere_selectors, "MENU_LOFT", 2)
    for _ in range(5):
        henvisning(world.center_a)
    assert borgere_tags.nye_henvisninger(actor_for(koordinator_a)) == 3


def test_a_list_and_the_silence_alarms_part_of_it_read_together_count_as_two_bounded_lists(world, brobygger_a,
                                                                                           koordinator_a):
    # five meetings 30 h on with no outcome (the silence alarm's), four 2 h on: the alarm's come first
    for timer in [30] * 5 + [2] * 4:
        rf.LedsagelseFactory(match=match_for(world), center=world.center_a, brobygger=brobygger_a,
                             tidspunkt=timezone.now() - timedelta(hours=timer))
    qs = selectors.moeder_uden_udfald(actor=actor_for(koordinator_a))
    del_q = selectors.stille_moede_q()

    def som(liste):
        return [row.pk for row in liste.rows], liste.antal, liste.antal_tekst

    for limit, loft in [(3, None), (6, None), (20, None), (3, 3), (3, 4), (3, 6), (3, 20), (6, 4), (20, 4)]:
        hel, part = bounded(qs, limit, loft), bounded(qs.filter(del_q), limit, loft)
        sammen = selectors.bounded_med_del(qs, del_q=del_q, limit=limit, loft=loft)
        assert (som(sammen[0]), som(sammen[1])) == (som(hel), som(part)), (limit, loft)
        if loft is not None:  # with the other lists' counts, in one query
            lister = selectors.Lister()
            lister.bounded_med_del("hel", "del", qs, del_q=del_q, limit=limit, loft=loft)
            lister.antal("alle", qs)
            lister.bounded("kun", qs, limit, loft)
            hentet = lister.hent()
            assert (som(hentet["hel"]), som(hentet["del"])) == (som(hel), som(part)), (limit, loft)
            assert (hentet["alle"], som(hentet["kun"])) == (9, som(hel))


@pytest.mark.parametrize("compound_limit", [True, False], ids=["union", "one query per list"])
def test_lists_read_together_are_each_list_bounded(world, brobygger_a, koordinator_a, compound_limit, monkeypatch):
    # Min dag's lists of meetings in one query (`bounded_sammen`): each list's rows, order and count as
    # `bounded` gives them, whether the list is short, exactly full or longer; without a LIMIT per part
    # of a compound query (SQLite) one `bounded` per list. And `rader_sammen`, the rows alone.
    from django.db import connection
    if compound_limit and connection.vendor == "sqlite":
        pytest.skip("SQLite allows no LIMIT in a compound query's part")
    monkeypatch.setattr(connection.features, "supports_slicing_ordering_in_compound", compound_limit)
    for timer in [-30, -30, -20, -5, -3, 2, 5, 30, 50, 70]:
        rf.LedsagelseFactory(match=match_for(world), center=world.center_a, brobygger=brobygger_a,
                             tidspunkt=timezone.now() + timedelta(hours=timer))
    actor = actor_for(koordinator_a)
    alle = selectors.upcoming_ledsagelser(actor=actor, days=30).model.objects.filter(center=world.center_a) \
        .select_related("match__borger", "match__faellesskab")  # the same columns in every list
    lister = {
        "kommende": selectors.upcoming_ledsagelser(actor=actor, days=30),
        "stille": selectors.stille_moeder_qs(actor=actor),
        "nyeste_foerst": alle.order_by("-tidspunkt", "pk"),
        "ingen": alle.filter(tidspunkt__gt=timezone.now() + timedelta(days=60)).order_by("tidspunkt"),
    }

    def som(liste):
        return [row.pk for row in liste.rows], liste.antal, liste.flere

    for limit in (1, 3, 4, 20):
        sammen = selectors.bounded_sammen(lister, limit)
        assert list(sammen) == list(lister)
        for navn, qs in lister.items():
            assert som(sammen[navn]) == som(bounded(qs, limit)), (navn, limit)
        # the rows alone, a limit per list (the koordinator's overview)
        dele = [(qs, limit + i) for i, qs in enumerate(lister.values())]
        assert [[row.pk for row in rows] for rows in selectors.rader_sammen(dele)] == \
            [[row.pk for row in qs[:n]] for qs, n in dele], limit
    assert som(selectors.bounded_sammen(lister, 3)["kommende"])[1:] == (7, 4)  # 7 from 12 h ago on, 3 shown
    assert som(selectors.bounded_sammen(lister, 3)["stille"])[1:] == (2, 0)


@pytest.mark.parametrize("postgresql", [True, False], ids=["one statement", "bounded_sammen"])
def test_min_dags_meetings_are_each_selectors_bounded_list(world, brobygger_a, brobygger_a2, postgresql,
                                                           monkeypatch, django_assert_num_queries,
                                                           django_assert_max_num_queries):
    # `brobyggerens_moeder`: Min dag's four lists of meetings, read from the brobygger's planned meetings
    # at once, each as `bounded` of its own selector gives it (ties by id), loaded as the overview loads it
    from django.db import connection

    from matching.models import VaertRapport
    paa_postgresql = connection.vendor == "postgresql"
    if postgresql and not paa_postgresql:
        pytest.skip("the one statement is PostgreSQL's")
    if not postgresql:
        monkeypatch.setattr(connection, "vendor", "other")
    now = timezone.now()

    def moede(brobygger, timer, **kw):
        stage = kw.pop("stage", Stage.MOEDE_PLANLAGT)
        borger = f.BorgerFactory(center=kw.pop("center", world.center_a), brobygger=brobygger)
        match = rf.MatchFactory(borger=borger, center=borger.center, stage=stage,
                                faellesskab=f.FaellesskabFactory(forening=world.forening_a if borger.center == world.center_a
                                                                 else world.forening_b))
        return rf.LedsagelseFactory(match=match, center=borger.center, brobygger=brobygger_a2,
                                    tidspunkt=now + timedelta(hours=timer), **kw)

    for timer in [-80, -50, -30, -26, -20, -5, -3, 2, 5, 50, 70, 24 * 8, 30, 30, 30]:  # three at the same time
        moede(brobygger_a, timer)
    moede(brobygger_a, -40, stage=Stage.AFSLUTTET)  # a closed match: not the silence alarm's
    moede(brobygger_a, -10, stage=Stage.AFSLUTTET)
    moede(brobygger_a, 10, stage=Stage.AFSLUTTET)
    for timer in [-60, -4, 20, 24 * 10]:
        moede(brobygger_a, timer, vaert_rapport=VaertRapport.KOM_IKKE)
    moede(brobygger_a, -6, status=LedsagelseStatus.MOEDT_OP)  # not planned: in no list
    moede(brobygger_a, -40, status=LedsagelseStatus.AFLYST, vaert_rapport=VaertRapport.KOM_IKKE)
    moede(brobygger_a2, 3)  # another brobygger's borger, though brobygger_a went along: not theirs
    moede(brobygger_a2, -30)
    moede(None, 4, center=world.center_b)  # another centre
    actor = actor_for(brobygger_a)
    selektorer = {
        "ledsagelser": selectors.upcoming_ledsagelser(actor=actor),
        "uden_udfald": selectors.past_unrecorded_ledsagelser(actor=actor),
        "kom_ikke": selectors.host_reported_no_show(actor=actor),
        "stille_moeder": selectors.stille_moeder_qs(actor=actor),
    }

    def som(liste):
        return [row.pk for row in liste.rows], liste.antal, liste.flere

    optalt = set()
    for limit in (1, 2, 3, 20):
        # elsewhere `bounded_sammen`: one UNION, or (SQLite) one per list and a count per full list
        with django_assert_num_queries(1) if paa_postgresql else django_assert_max_num_queries(8):
            lister = selectors.brobyggerens_moeder(actor=actor, limit=limit)
        assert list(lister) == list(selektorer)
        for navn, qs in selektorer.items():
            forventet = bounded(qs.order_by("tidspunkt", "pk").only(*forside.LEDSAGELSE_FELTER), limit)
            assert som(lister[navn]) == som(forventet), (navn, limit)
            optalt.add((navn, lister[navn].antal))
            for row, ventet in zip(lister[navn].rows, forventet.rows, strict=True):
                assert row.get_deferred_fields() == ventet.get_deferred_fields()
                assert row.match.get_deferred_fields() == ventet.match.get_deferred_fields()
                with django_assert_num_queries(0):
                    vist = (row.tidspunkt, row.moedested, row.status, row.match_id, row.match.stage, row.match.center_id,
                            row.match.borger.fornavn, row.match.faellesskab.titel, row.center_id, row.match.borger_id)
                assert vist == (ventet.tidspunkt, ventet.moedested, ventet.status, ventet.match_id, ventet.match.stage,
                                ventet.match.center_id, ventet.match.borger.fornavn, ventet.match.faellesskab.titel,
                                ventet.center_id, ventet.match.borger_id)
                assert not row._state.adding and row._state.db == ventet._state.db
    # every list has rows, more than the smaller limits
    assert optalt == {("ledsagelser", 13), ("uden_udfald", 5), ("kom_ikke", 4), ("stille_moeder", 5)}
    assert {n: lst.antal for n, lst in selectors.brobyggerens_moeder(actor=actor_for(brobygger_a2)).items()} == {
        "ledsagelser": 1, "uden_udfald": 0, "kom_ikke": 0, "stille_moeder": 1}


def test_the_koordinators_meetings_are_each_lists_first_rows(world, koordinator_a, brobygger_a, django_assert_num_queries):
    # `ledsagelser_laesning` (the overview's this week and no outcome): each list's first rows as the
    # queryset orders them (ties by id), `i_del` for the silence alarm's, loaded as LEDSAGELSE_FELTER loads them
    from django.db import connection

    from brobygning.planner import fetch_together
    now = timezone.now()
    for timer in [-80, -50, -30, -30, -30, -26, -20, -5, -3, 2, 5, 30, 30, 50, 70, 24 * 8]:
        rf.LedsagelseFactory(match=match_for(world), center=world.center_a, brobygger=brobygger_a,
                             tidspunkt=now + timedelta(hours=timer))
    rf.LedsagelseFactory(match=match_for(world, stage=Stage.AFSLUTTET), center=world.center_a, brobygger=brobygger_a,
                         tidspunkt=now - timedelta(hours=40))
    rf.LedsagelseFactory(match=rf.MatchFactory(borger=world.borger_b, center=world.center_b, faellesskab=world.faellesskab_b),
                         center=world.center_b, brobygger=brobygger_a, tidspunkt=now - timedelta(hours=40))
    actor = actor_for(koordinator_a)
    kommende = forside._ledsagelser(selectors.upcoming_ledsagelser(actor=actor))
    uden_udfald = forside._ledsagelser(selectors.moeder_uden_udfald(actor=actor))
    stille_fra = now - selectors.STILLE_MOEDE

    def som(rows):
        return [(r.pk, getattr(r, "i_del", None), r.get_deferred_fields(), r.match.get_deferred_fields(),
                 r.match.borger.fornavn, r.match.faellesskab.titel, r.tidspunkt, r.moedested) for r in rows]

    for a, b in [(1, 1), (2, 3), (8, 8), (20, 20)]:
        with django_assert_num_queries(1):
            rader = fetch_together(connection, [selectors.ledsagelser_laesning([
                (kommende, a, None), (uden_udfald, b, stille_fra)])])[0]
        with django_assert_num_queries(0):
            ny = [som(rows) for rows in rader]
        ventet = [list(kommende.order_by("tidspunkt", "pk")[:a]),
                  list(selectors.med_del(uden_udfald, selectors.stille_moede_q(now)).order_by("tidspunkt", "pk")[:b])]
        assert ny == [som(rows) for rows in ventet], (a, b)
    assert [len(rows) for rows in rader] == [8, 9] and sum(r.i_del for r in rader[1]) == 6


def test_min_dags_answers_are_the_selector(world, brobygger_a, brobygger_a2, django_assert_num_queries):
    # `svar_seneste_laesning` (Min dag's answers, in one round trip with its meetings): the rows, order,
    # counts and columns of `svar_seneste` (the follow-ups are `min_dags_laesning`'s, tested below)
    from django.db import connection

    from brobygning.planner import fetch_together
    from matching.models import LedsagelseStatus as LS
    from matching.models import Moedesvar, Svar
    now = timezone.now()
    for n, (dage, brobygger) in enumerate([(-20, brobygger_a), (-9, brobygger_a), (-9, brobygger_a), (-8, brobygger_a),
                                           (-7, brobygger_a), (-1, brobygger_a), (0, brobygger_a), (3, brobygger_a),
                                           (6, brobygger_a), (9, brobygger_a), (-10, brobygger_a2), (-3, None)]):
        borger = f.BorgerFactory(center=world.center_a, brobygger=brobygger, fornavn=f"B{n}")
        match = rf.MatchFactory(borger=borger, center=world.center_a, faellesskab=world.faellesskab_a,
                                stage=Stage.AFSLUTTET if n == 3 else Stage.LEDSAGET)
        if n % 3:  # an attended meeting, with one answer from the host and one from the borger
            moede = rf.LedsagelseFactory(match=match, center=world.center_a, brobygger=brobygger_a, status=LS.MOEDT_OP,
                                         tidspunkt=now - timedelta(days=2 - dage, minutes=n), varighed_min=60 + n)
            for k in range(n % 3):
                Moedesvar.objects.create(center=world.center_a, ledsagelse=moede, modtager="borger" if k else "vaert",
                                         kanal="sms", nonce="x", svar=Svar.GODT, besvaret=now - timedelta(days=k * 5 + n / 10),
                                         besvaret_via="sms", kommentar="Tak <b>" if k else "")
    actor = actor_for(brobygger_a)

    def svar_som(liste):
        return [(r.pk, r.besvaret, r.get_deferred_fields(), r.ledsagelse.get_deferred_fields(),
                 r.ledsagelse.match.get_deferred_fields(), r.ledsagelse.match_id, r.ledsagelse.match.borger.fornavn,
                 r.ledsagelse.match.faellesskab.titel, r.kommentar) for r in liste.rows], liste.antal, liste.flere

    for limit in (1, 2, 3, 5, 20):
        with django_assert_num_queries(1):
            svar, = fetch_together(connection, [selectors.svar_seneste_laesning(actor=actor, limit=limit)])
        with django_assert_num_queries(0):
            ny = svar_som(svar)
        assert ny == svar_som(selectors.svar_seneste(actor=actor, limit=limit, felter=forside.SVAR_FELTER)), limit
    assert svar.antal == 9  # answers of the last 14 days to the meetings the brobygger went to, not older ones


def test_min_dags_meetings_and_follow_ups_in_one_statement_are_the_selectors(world, brobygger_a, brobygger_a2,
                                                                             koordinator_a, django_assert_num_queries):
    # `min_dags_laesning` (Min dag on PostgreSQL): the meetings' four lists and the follow-ups with the silence
    # alarm's part from one walk of the brobygger's borgere, as `brobyggerens_moeder` and `bounded_med_del`
    # over `due_opfoelgninger` give them: the centre, the brobygger's borgere (an archived one's too), open matches
    from django.db import connection

    from brobygning.planner import fetch_together
    from matching.models import LedsagelseStatus as LS
    from matching.models import VaertRapport
    if connection.vendor != "postgresql":
        pytest.skip("the one statement is PostgreSQL's")
    now, i_dag = timezone.now(), timezone.localdate()

    def match(brobygger, stage=Stage.MOEDE_PLANLAGT, center=None):
        borger = f.BorgerFactory(center=center or world.center_a, brobygger=brobygger)
        return rf.MatchFactory(borger=borger, center=borger.center, stage=stage, faellesskab=f.FaellesskabFactory(
            forening=world.forening_a if borger.center == world.center_a else world.forening_b))

    for n, (timer, dage, brobygger, stage) in enumerate([
            (-80, -20, brobygger_a, Stage.AKTIV_1_MD), (-30, -9, brobygger_a, Stage.LEDSAGET),
            (-26, -9, brobygger_a, Stage.LEDSAGET), (-40, -8, brobygger_a, Stage.AFSLUTTET),
            (-5, -7, brobygger_a, Stage.LEDSAGET), (2, -1, brobygger_a, Stage.LEDSAGET), (30, 0, brobygger_a, Stage.LEDSAGET),
            (30, 3, brobygger_a, Stage.LEDSAGET), (50, 6, brobygger_a, Stage.LEDSAGET), (24 * 8, 9, brobygger_a, Stage.LEDSAGET),
            (-30, -10, brobygger_a2, Stage.LEDSAGET), (3, -3, None, Stage.LEDSAGET)]):
        m = match(brobygger, stage)
        rf.LedsagelseFactory(match=m, center=world.center_a, brobygger=brobygger_a, tidspunkt=now + timedelta(hours=timer),
                             vaert_rapport=VaertRapport.KOM_IKKE if n in (2, 7) else "")
        if n % 3:  # an attended meeting: the day-after follow-up opens when it ends
            rf.LedsagelseFactory(match=m, center=world.center_a, brobygger=brobygger_a, status=LS.MOEDT_OP,
                                 tidspunkt=now - timedelta(days=2 - dage, minutes=n), varighed_min=60 + n)
        rf.OpfoelgningFactory(match=m, center=world.center_a, forfalder=i_dag + timedelta(days=dage),
                              type=[OpfoelgningType.DAGEN_EFTER, OpfoelgningType.EN_MAANED][n % 2])
        if n == 1:
            type(m.borger).objects.filter(pk=m.borger_id).update(arkiveret=now)
    udenfor = match(None, center=world.center_b)  # another centre's
    rf.LedsagelseFactory(match=udenfor, center=world.center_b, brobygger=brobygger_a, tidspunkt=now + timedelta(hours=4))
    actor = actor_for(brobygger_a)
    del_fra = i_dag - timedelta(days=selectors.STILLE_OPFOELGNING_DAGE)
    orm = selectors.med_moede(forside._opfoelgninger(selectors.due_opfoelgninger(actor=actor)).order_by("forfalder", "pk"))

    def moeder_som(lister):
        return {navn: ([(r.pk, r.get_deferred_fields(), r.match.get_deferred_fields(), r.match.stage,
                         r.match.borger.fornavn, r.match.faellesskab.titel, r.tidspunkt) for r in liste.rows],
                       liste.antal) for navn, liste in lister.items()}

    def som(liste):
        return [(r.pk, r.aabner, r.aaben, r.moede_tid, r.moede_min, r.get_deferred_fields(),
                 r.match.get_deferred_fields(), r.match.borger.fornavn, r.match.faellesskab.titel) for r in liste.rows], \
            liste.antal, liste.flere

    for limit in (1, 2, 3, 5, 20):
        with django_assert_num_queries(1):
            moeder, (opf, stille) = fetch_together(connection, [
                selectors.min_dags_laesning(actor=actor, del_fra=del_fra, limit=limit)])[0]
        hel, del_ = selectors.bounded_med_del(orm, del_q=selectors.stille_opfoelgning_q(), limit=limit)
        selectors.med_aabner(hel.rows)
        with django_assert_num_queries(0):
            ny = (moeder_som(moeder), som(opf), som(stille))
        assert ny == (moeder_som(selectors.brobyggerens_moeder(actor=actor, limit=limit)), som(hel), som(del_)), limit
    assert {navn: liste.antal for navn, liste in moeder.items()} == {
        "ledsagelser": 5, "uden_udfald": 1, "kom_ikke": 2, "stille_moeder": 3}
    assert (opf.antal, stille.antal) == (8, 3)  # not the closed match's follow-up, nor others'
    assert selectors.min_dags_laesning(actor=actor_for(koordinator_a), del_fra=del_fra) is None  # a brobygger's page


@pytest.mark.parametrize("sprog", ["da", "en"])
def test_kort_dato_is_djangos_short_date(sprog):
    # `|kort_dato` (a table per language and date, issue 15) writes what `|date:"SHORT_DATE_FORMAT"` writes
    from datetime import date, datetime

    from django.utils import translation
    egen = Template('{% load brobygning_tags %}{{ d|kort_dato }}')
    django_ = Template('{{ d|date:"SHORT_DATE_FORMAT" }}')
    with translation.override(sprog):
        for d in [date(2026, 1, 2), date(2026, 12, 31), timezone.now(), datetime(2026, 3, 4, 5, 6), None, ""]:
            assert egen.render(Context({"d": d})) == django_.render(Context({"d": d})), d
    with translation.override("da"):
        dansk = egen.render(Context({"d": date(2026, 1, 2)}))
    with translation.override("en"):
        assert egen.render(Context({"d": date(2026, 1, 2)})) != dansk  # each language its own


@pytest.mark.parametrize("sprog", ["da", "en"])
def test_the_silence_alarms_sentences_and_rows_are_what_the_template_wrote(world, brobygger_a, koordinator_a, sprog):
    # `forside._stille_tekster` fills the sentences of `_stille.html` once per list; each must be the
    # one its `blocktranslate` gave per row (escaped names, the local time, the short date). The rows
    # (`views.forside._stille`) are what the template's loops wrote.
    from django.utils import translation

    from matching.views.forside import _stille
    for _ in range(2):
        match = rf.MatchFactory(borger=f.BorgerFactory(center=world.center_a, brobygger=brobygger_a, fornavn="Å<b>&'\""), center=world.center_a,
                                faellesskab=f.FaellesskabFactory(forening=world.faellesskab_a.forening, titel="Kaffe & <i>kage</i>"))
        rf.LedsagelseFactory(match=match, center=world.center_a, brobygger=brobygger_a,
                             tidspunkt=timezone.now() - timedelta(hours=30))
        rf.OpfoelgningFactory(match=match, center=world.center_a, forfalder=timezone.localdate() - timedelta(days=9))
    gammel = Template(
        '{% load i18n brobygning_tags %}{% for l in moeder %}{% blocktranslate trimmed with navn=l.match.borger.fornavn '
        'sted=l.match.faellesskab.titel tid=l.tidspunkt|date:"SHORT_DATETIME_FORMAT" %}\n'
        '        {{ navn }} → {{ sted }}: første møde {{ tid }} har intet udfald\n'
        '      {% endblocktranslate %}|{% endfor %}{% for o in opfoelgninger %}{% blocktranslate trimmed with '
        'navn=o.match.borger.fornavn type=o.get_type_display dato=o.forfalder|kort_dato %}\n'
        '        {{ navn }}: {{ type }} skulle være gjort {{ dato }}\n      {% endblocktranslate %}|{% endfor %}')
    ny = Template("{% for l in moeder %}{{ l.stille_tekst }}|{% endfor %}{% for o in opfoelgninger %}{{ o.stille_tekst }}|{% endfor %}")
    with translation.override(sprog):
        for actor in (actor_for(koordinator_a), actor_for(brobygger_a)):
            data = forside.koordinator_overblik(actor=actor) if actor.is_koordinator else forside.min_dag(actor=actor)
            context = {"moeder": data["stille_moeder"].rows, "opfoelgninger": data["stille_opfoelgninger"].rows}
            assert len(context["moeder"]) == len(context["opfoelgninger"]) == 2
            forventet = gammel.render(Context(context))
            assert "&lt;b&gt;&amp;&#x27;&quot;" in forventet and "Kaffe &amp; &lt;i&gt;" in forventet
            assert ny.render(Context(context)) == forventet
            assert _stille(data) == {navn: Template(_STILLE_LOEKKE % (knap, navn, url)).render(Context(data))
                                     for navn, knap, url in [
                                         ("stille_moeder", "Registrér udfaldet", "'matching:match_detail' r.match_id %}#moede-h"),
                                         ("stille_opfoelgninger", "Registrér opfølgningen", "'matching:opfoelgning_record' r.pk %}")]}


# The silence alarm's loops in `_stille.html` before `matching.views.forside._stille` wrote its rows (issue 15).
_STILLE_LOEKKE = """{%% load i18n brobygning_tags %%}{%% translate "%s" as knap %%}{%% for r in %s.rows %%}
    <li class="list-group-item d-flex flex-wrap justify-content-between align-items-center gap-2">
      <span>{{ r.stille_tekst }}</span>
      <a class="btn btn-sm btn-primary" href="{%% pk_url %s">{{ knap }}</a>
    </li>
    {%% endfor %%}"""


# The meeting row both overviews included per meeting (partials/ledsagelse_row.html) before
# `matching.views.forside._moeder` wrote the rows (issue 15).
_MOEDE_RAEKKE = """{% load i18n brobygning_tags %}
<li class="list-group-item d-flex justify-content-between align-items-center gap-2">
  <span><strong>{{ l.tidspunkt|naturlig_dato|capfirst }}</strong><br>{{ l.match.borger.fornavn }} → {{ l.match.faellesskab.titel }}<br><small>{{ l.moedested }}</small></span>
  <a class="btn btn-sm btn-outline-primary" href="{% pk_url 'matching:match_detail' l.match_id %}">{% translate "Åbn" %}</a>
</li>
"""


@pytest.mark.parametrize("sprog", ["da", "en"])
def test_the_meeting_rows_are_what_the_row_template_wrote(world, brobygger_a, koordinator_a, sprog):
    # `_moeder` writes the overviews' meetings (this week's, Min dag's "kom ikke" and those with no
    # outcome): the old per-row template's HTML, a name, a title and a place with markup escaped
    from django.template import engines
    from django.utils import translation

    from matching.views.forside import _moeder
    for timer in (-30, -3, 2, 26, 24 * 5):
        match = rf.MatchFactory(borger=f.BorgerFactory(center=world.center_a, brobygger=brobygger_a, fornavn="Å<b>&'\""),
                                center=world.center_a, faellesskab=f.FaellesskabFactory(
                                    forening=world.faellesskab_a.forening, titel="Kaffe & <i>kage</i>"))
        rf.LedsagelseFactory(match=match, center=world.center_a, brobygger=brobygger_a, moedested="Café <Ø>",
                             tidspunkt=timezone.now() + timedelta(hours=timer))
    gammel = engines["django"].from_string("{% for l in rows %}{% include row %}{% endfor %}")
    row = engines["django"].from_string(_MOEDE_RAEKKE)
    with translation.override(sprog):
        for actor in (actor_for(koordinator_a), actor_for(brobygger_a)):
            data = forside.koordinator_overblik(actor=actor) if actor.is_koordinator else forside.min_dag(actor=actor)
            lister = ["ledsagelser"] if actor.is_koordinator else ["ledsagelser", "uden_udfald", "kom_ikke"]
            rows = [m for navn in lister for m in data[navn].rows]
            assert len(rows) >= 3
            forventet = gammel.render({"rows": rows, "row": row.template})
            assert "&lt;b&gt;&amp;&#x27;&quot;" in forventet and "Kaffe &amp; &lt;i&gt;" in forventet
            assert "Café &lt;Ø&gt;" in forventet
            assert _moeder(rows) == forventet
            assert _moeder([]) == ""


def test_for_hver_compiles_what_each_filter_compiles(world, koordinator_a):
    # the overview's stage counts: one compile with the value swapped gives each filter's own statement
    matches = selectors.match_list(actor=actor_for(koordinator_a))
    taellinger = selectors.for_hver(matches, "stage", Stage.values)
    for stage, taelling in zip(Stage.values, taellinger, strict=True):
        sql, params = selectors._taelling(matches.filter(stage=stage))
        assert (taelling.sql, taelling.params) == (sql, tuple(params))
    for _ in range(3):
        match_for(world, stage=Stage.LEDSAGET)
    assert selectors.taellinger([(t, 1, None) for t in taellinger]) == [
        min(matches.filter(stage=stage).count(), 2) for stage in Stage.values]


def test_the_overviews_fixed_counts_are_compiled_once_per_centre_and_month(world, koordinator_a, koordinator_b,
                                                                            monkeypatch):
    # `_overblik_taellinger` keeps each centre's and month's compiled counts: the same statements as the
    # scoped querysets compile, another centre's or month's their own, and a second request builds none
    from datetime import date

    from django.db import connection
    monkeypatch.setattr(forside, "_OVERBLIK_TAELLINGER", {})
    a, b = actor_for(koordinator_a), actor_for(koordinator_b)

    def kompileret(actor, fra):
        querysets = {**{f"kpi_{navn}": qs for navn, qs in forside._kpi_tal(actor=actor, fra=fra).items()},
                     "fejlede": forside.access.scope(actor, "paamindelse", forside.Paamindelse.objects.filter(
                         status=forside.PaamindelseStatus.FEJLET)),
                     "anmodninger": borgere_selectors.anmodning_list(actor=actor)}
        if connection.vendor == "postgresql":  # the counts the database keeps (matching.0023, 0026)
            holdt = {f"fase_{stage}": selectors.fase_antal(actor, stage, "default") for stage in Stage.values}
            holdt |= {f"kpi_{navn}": selectors.kpi_dag(actor, navn, fra, "default") for navn in selectors.KPI_ARTER}
            querysets = {navn: qs for navn, qs in querysets.items() if not navn.startswith("kpi_")}
        else:
            holdt = {}
            querysets |= {f"fase_{stage}": selectors.match_list(actor=actor).filter(stage=stage) for stage in Stage.values}
        return {navn: (sql, tuple(params)) for navn, (sql, params) in
                ((navn, selectors._taelling(qs)) for navn, qs in querysets.items())} | {
            navn: (t.sql, tuple(t.params)) for navn, t in holdt.items()}

    def som(taellinger):
        return {navn: (t.sql, tuple(t.params)) for navn, t in taellinger.items()}

    forste = forside.maanedens_start()
    for actor, fra in [(a, forste), (b, forste), (a, date(2026, 1, 1))]:
        assert som(forside._overblik_taellinger(actor=actor, fra=fra)) == kompileret(actor, fra)
    assert len(forside._OVERBLIK_TAELLINGER) == 3
    assert som(forside._overblik_taellinger(actor=a, fra=forste)) != som(forside._overblik_taellinger(actor=b, fra=forste))

    def bygger_ikke(**_kw):
        raise AssertionError("built again")
    monkeypatch.setattr(forside, "anmodning_list", bygger_ikke)
    forside._overblik_taellinger(actor=b, fra=forste)
    with pytest.raises(AssertionError, match="built again"):
        forside._overblik_taellinger(actor=b, fra=date(2026, 2, 1))


def _som_orm(actor) -> dict:
    """What the ORM compiles for each of the koordinator's day lists: the first rows, and the counts."""
    ud = {}
    for navn, (qs, limit, del_q, talt) in forside._dagslister_qs(actor=actor).items():
        foerste = (selectors.med_del(qs, del_q) if del_q else qs)[:limit]
        taellinger = ([qs.filter(del_q), qs.exclude(del_q)] if del_q else [qs]) if talt else []
        ud[navn] = (foerste.query.sql_with_params(), [selectors._taelling(t) for t in taellinger])
    return {navn: ((sql, tuple(params)), [(t, tuple(p)) for t, p in taellinger])
            for navn, ((sql, params), taellinger) in ud.items()}


def _kept(lister, alias) -> dict:
    return {navn: (liste.hentning.sql(forside.INGEN, alias=alias), [(t.sql, tuple(t.params)) for t in liste.taellinger])
            for navn, liste in lister.items()}


def test_the_overviews_day_lists_are_compiled_once_per_centre_and_day(world, koordinator_a, koordinator_b,
                                                                      monkeypatch):
    # `_overblik_dagslister` keeps each centre's compiled lists for the day: the statements the scoped
    # querysets compile (rows and counts), another centre's, day's or interval's their own, a second
    # request builds none, and a new day replaces the centre's entry
    from datetime import date
    monkeypatch.setattr(forside, "_OVERBLIK_DAGSLISTER", {})
    a, b = actor_for(koordinator_a), actor_for(koordinator_b)
    alias = Match.objects.db
    i_dag = timezone.localdate()
    dag = [i_dag]
    monkeypatch.setattr(timezone, "localdate", lambda *_a, **_kw: dag[0])

    set_ = []
    for actor, paa_dag, uger in [(a, i_dag, None), (b, i_dag, None), (a, i_dag, 9), (a, date(2026, 1, 5), None)]:
        dag[0] = paa_dag
        if uger:
            actor.center.bekraeft_interval_uger = uger
        kept = _kept(forside._overblik_dagslister(actor=actor), alias)
        assert kept == _som_orm(actor)
        set_.append(kept)
    assert len(forside._OVERBLIK_DAGSLISTER) == 2  # a's entry replaced by each new day or interval
    for i, j in [(0, 1), (0, 2), (2, 3)]:  # another centre, interval, day: other statements
        assert set_[i] != set_[j]

    def bygger_ikke(**_kw):
        raise AssertionError("built again")
    monkeypatch.setattr(forside, "_dagslister_qs", bygger_ikke)
    dag[0] = i_dag
    assert _kept(forside._overblik_dagslister(actor=b), alias) == set_[1]
    dag[0] = date(2026, 2, 2)
    with pytest.raises(AssertionError, match="built again"):
        forside._overblik_dagslister(actor=b)


def test_the_day_lists_built_across_midnight_are_not_kept(world, koordinator_a, monkeypatch):
    # built with tomorrow's statements under today's key, they would serve the wrong day: not kept
    from datetime import date
    monkeypatch.setattr(forside, "_OVERBLIK_DAGSLISTER", {})
    dage = iter([date(2026, 3, 1)])
    monkeypatch.setattr(timezone, "localdate", lambda *_a, **_kw: next(dage, date(2026, 3, 2)))
    lister = forside._overblik_dagslister(actor=actor_for(koordinator_a))
    assert lister["forfaldne"].hentning is not None and forside._OVERBLIK_DAGSLISTER == {}


def test_the_day_lists_rows_are_the_orms(world, brobygger_a, koordinator_a):
    # each list's rows from its compiled statement are the instances the ORM makes: the same columns
    # loaded, the same related rows (borger, fællesskab, forening, kilde, postnummer) and `i_del`
    from django.db import connections
    tasks(world, brobygger_a, forside.OPGAVER + 2)
    for i in range(forside.LISTE):
        f.BorgerFactory(center=world.center_a, fornavn=f"<b>Uden&{i}", brobygger=None)
    actor = actor_for(koordinator_a)
    lister = forside._overblik_dagslister(actor=actor)
    connection = connections[Match.objects.db]
    rader = forside.fetch_together(connection, [liste.laesning(connection.alias) for liste in lister.values()])

    def som(obj):
        felter = {k: v for k, v in vars(obj).items() if k != "_state"}
        relationer = {navn: som(rel) for navn, rel in obj._state.fields_cache.items() if rel is not None}
        return felter, relationer

    for (navn, (qs, limit, del_q, _talt)), rows in zip(forside._dagslister_qs(actor=actor).items(), rader, strict=True):
        orm = list((selectors.med_del(qs, del_q) if del_q else qs)[:limit])
        assert len(orm) == limit, navn  # every list full
        assert [som(r) for r in rows] == [som(r) for r in orm], navn
    assert any(r.i_del for r in rader[1]) and "<b>Uden&0" in {b.fornavn for b in rader[3]}


# Min dag's follow-ups and borgere as the template's loops wrote them before `matching.views.forside`'s
# `_opfoelgninger` and `_borgere` (issue 15).
_MIN_DAGS_LOEKKER = """{% load i18n brobygning_tags %}{% translate "forfalden" as t_forfalden %}{% translate "Registrér" as t_registrer %}{% for o in opfoelgninger %}
        <li class="list-group-item d-flex justify-content-between align-items-center gap-2">
          <span>{{ o.match.borger.fornavn }} · {{ o.get_type_display }}<br><small class="{% if o.forfalden %}text-danger-emphasis fw-semibold{% endif %}">{{ o.forfalder|kort_dato }}{% if o.forfalden %} – {{ t_forfalden }}{% endif %}</small>{% if not o.aaben %}<br><small>{% include "matching/opfoelgning/_aabner.html" %}</small>{% endif %}</span>
          {% if o.aaben %}<a class="btn btn-sm btn-primary" href="{% pk_url 'matching:opfoelgning_record' o.pk %}">{{ t_registrer }}</a>{% endif %}
        </li>
      {% endfor %}|{% translate "Log samtale" as t_log_samtale %}{% for b in borgere %}
        <li class="list-group-item d-flex justify-content-between align-items-center gap-2">
          <a href="{% pk_url 'borgere:borger_detail' b.pk %}">{{ b.fornavn }} {{ b.efternavn }}</a>
          <a class="btn btn-sm btn-outline-primary" href="{% pk_url 'borgere:samtale_create' b.pk %}">{{ t_log_samtale }}</a>
        </li>
      {% endfor %}"""


@pytest.mark.parametrize("sprog", ["da", "en"])
def test_min_dags_follow_ups_and_borgere_are_what_the_loops_wrote(world, brobygger_a, sprog):
    # due, overdue and not yet open follow-ups (the day-after one opens when the meeting ends, the
    # others on a day), names with markup escaped
    from django.template import engines
    from django.utils import translation

    from matching.models import LedsagelseStatus as LS
    from matching.views.forside import _borgere, _opfoelgninger
    now, i_dag = timezone.now(), timezone.localdate()
    for n, (dage, type_) in enumerate([(-9, OpfoelgningType.DAGEN_EFTER), (-1, OpfoelgningType.EN_MAANED),
                                       (0, OpfoelgningType.DAGEN_EFTER), (3, OpfoelgningType.EN_MAANED),
                                       (6, OpfoelgningType.DAGEN_EFTER), (6, OpfoelgningType.TRE_MAANEDER)]):
        borger = f.BorgerFactory(center=world.center_a, brobygger=brobygger_a, fornavn="Å<b>&'\"", efternavn=f"<i>{n}</i>")
        match = rf.MatchFactory(borger=borger, center=world.center_a, faellesskab=world.faellesskab_a)
        if n % 2 == 0:  # an attended meeting: the day-after follow-up opens when it ends (in the future for n = 4)
            rf.LedsagelseFactory(match=match, center=world.center_a, brobygger=brobygger_a, status=LS.MOEDT_OP,
                                 tidspunkt=now + timedelta(days=dage - 1, minutes=n), varighed_min=45)
        rf.OpfoelgningFactory(match=match, center=world.center_a, forfalder=i_dag + timedelta(days=dage), type=type_)
    gammel = engines["django"].from_string(_MIN_DAGS_LOEKKER)
    with translation.override(sprog):
        data = forside.min_dag(actor=actor_for(brobygger_a))
        opf, borgere = data["opfoelgninger"].rows, data["borgere"]
        assert len(opf) == 6 and len(borgere) >= 6
        opf[-1].aaben = False  # the 3-month one opens 14 days before it is due: "Kan registreres fra …" as if not yet
        assert {o.aaben for o in opf} == {True, False} and {o.forfalden for o in opf} == {True, False}
        forventet = gammel.render({"opfoelgninger": opf, "borgere": borgere})
        assert "&lt;b&gt;&amp;&#x27;&quot;" in forventet and "&lt;i&gt;1&lt;/i&gt;" in forventet
        assert f"{_opfoelgninger(opf)}|{_borgere(borgere)}" == forventet


def _postgresql_only():
    from django.db import connection
    if connection.vendor != "postgresql":
        pytest.skip("compiled once for PostgreSQL only: elsewhere a time parameter is adapted to text")


def test_the_overviews_meetings_are_compiled_once_and_read_for_each_now(world, koordinator_a, koordinator_b, brobygger_a,
                                                                       monkeypatch):
    # `_overblik_moeder`: the meetings of the week and those with no outcome, and their counts (the week's, the
    # silence alarm's part and the rest), compiled once per centre and role with a stand-in for now: for each
    # `now` the rows and counts of the selectors given that `now`, nothing compiled; another centre its own
    from django.db import connection

    from brobygning.planner import fetch_together
    from tests.conftest import compiles_from_here
    _postgresql_only()
    lager: dict = {}
    monkeypatch.setattr(forside, "_OVERBLIK_MOEDER", lager)
    now = timezone.now()
    for timer in [-24 * 9, -80, -50, -30, -25, -23, -20, -11, -5, 2, 5, 30, 70, 24 * 6, 24 * 7 + 5, 24 * 9]:
        rf.LedsagelseFactory(match=match_for(world), center=world.center_a, brobygger=brobygger_a,
                             tidspunkt=now + timedelta(hours=timer))
    actor = actor_for(koordinator_a)
    moeder = forside._overblik_moeder(actor=actor)
    for paa in [now, now + timedelta(hours=30), now - timedelta(days=3, minutes=7), now + timedelta(days=8)]:
        kommende = forside._ledsagelser(selectors.upcoming_ledsagelser(actor=actor, now=paa)).order_by("tidspunkt", "pk")
        uden = forside._ledsagelser(selectors.moeder_uden_udfald(actor=actor, now=paa))
        stille_q = selectors.stille_moede_q(paa)
        ventet = ([r.pk for r in kommende[:forside.LISTE]], [r.pk for r in uden[:forside.OPGAVER]],
                  [kommende.count(), uden.filter(stille_q).count(), uden.exclude(stille_q).count()])
        calls = compiles_from_here(monkeypatch)
        rader = fetch_together(connection, [moeder.laesning(paa)])[0]
        antal = selectors.taellinger([(t, None, None) for t in moeder.taellinger(paa)])
        assert forside._overblik_moeder(actor=actor) is moeder and not calls  # kept, nothing compiled
        monkeypatch.undo()
        monkeypatch.setattr(forside, "_OVERBLIK_MOEDER", lager)
        assert ([r.pk for r in rader[0]], [r.pk for r in rader[1]], antal) == ventet, paa
        assert ventet[0] or ventet[1]
    assert len(set(antal)) > 1
    assert forside._overblik_moeder(actor=actor_for(koordinator_b)) is not moeder


def test_the_overviews_retention_warnings_are_compiled_once_for_each_period(world, koordinator_a, monkeypatch):
    # `_overblik_opbevaring`: `retention_warnings` compiled once per centre, role and retention period with a
    # stand-in for now: for each `now` the borgere `retention_warnings` gives for it (the cutoff a time, the
    # extension a date), nothing compiled; a new retention period compiles anew
    from django.db import connection

    from borgere import gdpr
    from borgere.models import Borger
    from brobygning.planner import fetch_together
    from tests.conftest import compiles_from_here
    _postgresql_only()
    lager: dict = {}
    monkeypatch.setattr(forside, "_OVERBLIK_OPBEVARING", lager)
    now = timezone.now()
    for i, dage in enumerate([12 * 30 - 40, 12 * 30 - 25, 12 * 30 - 10, 12 * 30 + 5, 6 * 30, 24 * 30]):
        borger = f.BorgerFactory(center=world.center_a, fornavn=f"Udløber-{i}")
        Borger.objects.filter(pk=borger.pk).update(opdateret=now - timedelta(days=dage))
        gdpr.aktivitet_registreret(borger.pk)
    for dage in (29, 31):  # kept until just before or after the warning's horizon
        borger = f.BorgerFactory(center=world.center_a, opbevar_til=(now + timedelta(days=dage)).date())
        Borger.objects.filter(pk=borger.pk).update(opdateret=now - timedelta(days=24 * 30))
        gdpr.aktivitet_registreret(borger.pk)
    actor = actor_for(koordinator_a)

    def som(borgere):
        return [{k: v for k, v in vars(b).items() if k != "_state"} for b in borgere]

    sete = set()
    for maaneder in (12, 6):
        actor.center.opbevaring_maaneder = maaneder
        opbevaring = forside._overblik_opbevaring(actor=actor)
        for paa in [now, now + timedelta(days=20), now - timedelta(days=30), now + timedelta(days=2, hours=5)]:
            ventet = som(gdpr.retention_warnings(actor=actor, now=paa))
            calls = compiles_from_here(monkeypatch)
            rows = fetch_together(connection, [forside._overblik_opbevaring(actor=actor).laesning(paa)])[0]
            assert not calls  # kept, nothing compiled
            monkeypatch.undo()
            monkeypatch.setattr(forside, "_OVERBLIK_OPBEVARING", lager)
            assert som(rows) == ventet, (maaneder, paa)
            sete.add(tuple(b["fornavn"] for b in ventet))
        assert len(lager) == 1
    assert len(sete) > 3 and opbevaring is not forside._overblik_opbevaring(actor=actor_for(koordinator_a))


@pytest.mark.parametrize("sprog", ["da", "en"])
def test_the_overviews_stale_faellesskaber_are_what_the_include_wrote(world, koordinator_a, sprog):
    # `matching.views.forside._faellesskaber`: the rows `_faellesskab_opgave.html` (and its `_spoerg.html`) write,
    # which the task page still includes: never confirmed or on a date, asked or not (half past midnight: the
    # local date), names with markup escaped; the form's CSRF token and "next"
    import re
    from datetime import date, datetime

    from django.template import engines
    from django.test import RequestFactory
    from django.utils import translation

    from matching.views.forside import _faellesskaber
    sent = timezone.make_aware(datetime(2026, 3, 5, 0, 30))
    for i, (bekraeftet, spurgt) in enumerate([(None, None), (date(2025, 1, 31), sent), (date(2024, 12, 1), None),
                                              (None, sent)]):
        forening = f.ForeningFactory(center=world.center_a, navn=f"F<b>&'\"{i}", bekraeft_sendt=spurgt)
        f.FaellesskabFactory(forening=forening, titel=f"<i>{i}</i>&", sidst_bekraeftet=bekraeftet)
    request = RequestFactory().get("/?a='b'&c")
    with translation.override(sprog):
        rows = list(forside.stale_faellesskaber(actor=actor_for(koordinator_a)).select_related("forening"))
        assert len(rows) >= 4
        skabelon = engines["django"].from_string(
            '{% for f in rows %}{% include "matching/forside/_faellesskab_opgave.html" %}{% endfor %}')
        forventet = skabelon.render({"rows": rows}, request)
        ny = str(_faellesskaber(rows, request))

    def uden_token(html):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "TOKEN", html)
    assert "&lt;i&gt;0&lt;/i&gt;&amp;" in forventet and "?a=&#x27;b&#x27;&amp;c" in forventet
    assert uden_token(forventet).count("TOKEN") == len(rows) == uden_token(ny).count("TOKEN")
    assert ("05.03.2026" if sprog == "da" else "03/05/2026") in forventet
    assert uden_token(ny) == uden_token(forventet)


# The overview's overdue follow-ups and borgere without a brobygger as the template's loops wrote them before
# `matching.views.forside`'s `_forfaldne` and `_uden_brobygger` (issue 15).
_OVERBLIKKETS_LOEKKER = """{% load brobygning_tags %}{% for o in forfaldne %}<li class="list-group-item"><a href="{% pk_url 'matching:match_detail' o.match_id %}">{{ o.match.borger.fornavn }} · {{ o.get_type_display }}</a> <small>{{ o.forfalder|kort_dato }}</small></li>{% endfor %}|{% for b in uden_brobygger %}<li class="list-group-item"><a href="{% pk_url 'borgere:borger_update' b.pk %}">{{ b.fornavn }} {{ b.efternavn }}</a> <small>{{ b.postnummer }}</small></li>{% endfor %}"""


@pytest.mark.parametrize("sprog", ["da", "en"])
def test_the_overviews_follow_ups_and_borgere_are_what_the_loops_wrote(world, koordinator_a, sprog):
    # names with markup escaped, each type of follow-up
    from django.template import engines
    from django.utils import translation

    from matching.views.forside import _forfaldne, _uden_brobygger
    i_dag = timezone.localdate()
    for n, type_ in enumerate([OpfoelgningType.DAGEN_EFTER, OpfoelgningType.EN_MAANED, OpfoelgningType.TRE_MAANEDER]):
        borger = f.BorgerFactory(center=world.center_a, fornavn=f"Å<b>&'\"{n}", efternavn=f"<i>{n}</i>", brobygger=None)
        match = rf.MatchFactory(borger=borger, center=world.center_a, faellesskab=world.faellesskab_a)
        rf.OpfoelgningFactory(match=match, center=world.center_a, forfalder=i_dag - timedelta(days=3 * n), type=type_)
    with translation.override(sprog):
        data = forside.koordinator_overblik(actor=actor_for(koordinator_a))
        forfaldne, uden_brobygger = data["forfaldne"].rows, data["uden_brobygger"]
        assert len(forfaldne) == 3 and len(uden_brobygger) >= 3
        forventet = engines["django"].from_string(_OVERBLIKKETS_LOEKKER).render(
            {"forfaldne": forfaldne, "uden_brobygger": uden_brobygger})
        assert "&lt;b&gt;&amp;&#x27;&quot;" in forventet and "&lt;i&gt;1&lt;/i&gt;" in forventet
        assert f"{_forfaldne(forfaldne)}|{_uden_brobygger(uden_brobygger)}" == forventet


def test_the_overdue_follow_ups_rows_join_the_borger_but_no_faellesskab(world, brobygger_a, koordinator_a,
                                                                        django_assert_num_queries):
    # the overview's overdue follow-ups show the borger's first name, the type and the date (`_forfaldne`,
    # the silence alarm's `_stille_tekster` and `_stille`): their statement joins the match and its borger,
    # not the fællesskab (issue 15: the planner's work for the fourth table, ~0.4 ms at national size), and
    # writing the rows reads nothing more
    from django.db import connections

    from brobygning.markup import escape
    from matching.views.forside import _forfaldne, _stille
    tasks(world, brobygger_a, forside.OPGAVER + 1)
    alias = connections[Match.objects.db].alias
    liste = forside._overblik_dagslister(actor=actor_for(koordinator_a))["forfaldne"]
    sql, _params = liste.hentning.sql(forside.INGEN, alias=alias)
    assert "borgere_borger" in sql and "foreninger_faellesskab" not in sql
    (rows,) = forside.fetch_together(connections[alias], [liste.laesning(alias)])
    assert len(rows) == forside.OPGAVER and all(r.i_del for r in rows)
    with django_assert_num_queries(0):
        forside._stille_tekster([], rows)
        html = _forfaldne(rows) + _stille({"stille_moeder": bounded(Match.objects.none()),
                                           "stille_opfoelgninger": forside.matching.Liste(rows, len(rows))})[
            "stille_opfoelgninger"]
    navn = escape(rows[0].match.borger.fornavn)
    assert f">{navn} · " in html and f"<span>{navn}: " in html  # the overdue row and the silence alarm's


def test_the_months_three_month_figure_is_counted_from_its_own_index(world, koordinator_a):
    # "Stadig med efter 3 måneder" this month (`forside._kpi_tal`): the follow-ups recorded this month
    # with that result, read from `opfoelgning_tre_md_deltager` (matching.0024), not by visiting every
    # follow-up of the centre recorded this month (issue 15: ~660 rows at national size)
    from django.db import connection
    qs = forside._kpi_tal(actor=actor_for(koordinator_a), fra=forside.maanedens_start())["efter_3_md"]
    sql, params = selectors._taelling(qs)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")  # a test's tables are small enough for a scan
            cursor.execute("EXPLAIN " + sql, params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            cursor.execute("RESET enable_seqscan")
        else:
            cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
            plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
    assert "opfoelgning_tre_md_deltager" in plan, plan
