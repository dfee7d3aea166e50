"""The report figures (matching/rapporter.py) on fixed data, with the expected values worked out by
hand below, and the Rapporter page (matching:rapport)."""

import json
from dataclasses import dataclass
from datetime import date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from borgere.models import Borger, Formaal, Henvisning, HenvisningStatus, Maaling, Projekt, Samtale
from borgere.services import gaeldende_samtykketekst
from brobygning.models import Tag, TagType
from matching import forloeb, rapporter
from matching.models import Afslutningsaarsag, LedsagelseStatus, Match, MatchOvergang, Stage
from matching.rapport_tabel import Periode
from matching.rapporter import ENSOMHED_NATIONALT, percentil_cont, rapport_tabeller

from .. import factories as f
from .. import journey_factories as rf

pytestmark = pytest.mark.django_db

MARTS = Periode(date(2026, 3, 1), date(2026, 3, 31))
FEBRUAR = Periode(date(2026, 2, 1), date(2026, 2, 28))


def _kl(d: date, hour=10):
    return datetime(d.year, d.month, d.day, hour, tzinfo=timezone.get_current_timezone())


@dataclass
class Data:
    center_ids: list
    center_b_ids: list
    projekt: Projekt
    kilde_job: Tag
    kilde_egen: Tag
    kategori: Tag


def _borger(center, oprettet: date, **kw):
    borger = f.BorgerFactory(center=center, **kw)
    Borger.objects.filter(pk=borger.pk).update(oprettet=_kl(oprettet, 12))
    return borger


def _match(borger, faellesskab, oprettet: date, stage, overgange=(), **kw):
    match = rf.MatchFactory(borger=borger, center=borger.center, faellesskab=faellesskab, stage=stage, **kw)
    Match.objects.filter(pk=match.pk).update(oprettet=_kl(oprettet))
    for til in overgange:
        MatchOvergang.objects.create(match=match, til=til)
    return match


def _moede(match, dag: date, status, brobygger, varighed=120):
    return rf.LedsagelseFactory(match=match, center=match.center, tidspunkt=_kl(dag), status=status,
                                brobygger=brobygger, varighed_min=varighed)


def _samtale(borger, dag: date, brobygger, varighed):
    return Samtale.objects.create(center=borger.center, borger=borger, dato=dag, brobygger=brobygger,
                                  varighed_min=varighed)


def _maaling(borger, type_, svar, dag: date):
    return Maaling.objects.create(center=borger.center, borger=borger, type=type_, svar=svar, dato=dag)


@pytest.fixture
def data(world, brobygger_a, brobygger_a2):
    """Centre A, March 2026 (worked out in the tests below):

    b1  referred 5 March (jobcenter), samtale 12/3, match → attended 20/3 → still there at 3 months
        WHO-5 40 → 60, UCLA-3 8 → 5; in the project
    b2  registered 10/3 (egen henvendelse), samtale 11/3, match → attended 30/3 → still there at 1 month
        WHO-5 56 → 48, UCLA-3 7 → 7; in the project
    b3  samtale 15/3, match to another forening: a meeting cancelled 18/3, a no-show 22/3, ended
        28/3 (borgeren sagde nej); WHO-5 20 before only
    b4  samtale 20/3, no match
    b5, b6  registered, nothing more
    b7  registered in February, match ended 29/3 after attending in February (outside the cohort)
    and in centre B one borger with a samtale and a match in March.
    """
    a, b = world.center_a, world.center_b
    mette, ole = brobygger_a, brobygger_a2
    mette.first_name, mette.last_name = "Mette", "Brobygger"
    mette.save()
    ole.first_name, ole.last_name = "Ole", "Hansen"
    ole.save()
    kategori = Tag.objects.filter(type=TagType.KATEGORI).order_by("pk").first()
    fa = world.faellesskab_a
    fa.kategori = kategori
    fa.save()
    fa2 = f.FaellesskabFactory(forening=world.forening_a2, titel="Gåtur", kategori=None)
    job = f.tag(TagType.HENVISNINGSKILDE, "jobcenter")
    egen = f.tag(TagType.HENVISNINGSKILDE, "egen-henvendelse")
    projekt = Projekt.objects.create(center=a, navn="Velkommen ind", bevillingsgiver="VELUX FONDEN",
                                     fra=date(2026, 1, 1), til=date(2026, 12, 31), maal_antal=150)

    marts10 = date(2026, 3, 10)
    b1 = _borger(a, marts10, henvisningskilde=job, brobygger=mette)
    b2 = _borger(a, marts10, henvisningskilde=egen, brobygger=mette)
    b3 = _borger(a, marts10, brobygger=ole)
    b4 = _borger(a, marts10, brobygger=ole)
    _borger(a, marts10)
    _borger(a, marts10)
    b7 = _borger(a, date(2026, 2, 1))
    world.borger_a.delete()  # the world's borger was registered today: not part of these figures
    for borger in (b1, b2):
        borger.projekter.add(projekt)

    tekst = gaeldende_samtykketekst(center_id=a.pk, formaal=Formaal.REGISTRERING)
    h1 = Henvisning.objects.create(center=a, fornavn="H", telefon="+4520304050", kilde=job, henviser_navn="X",
                                   henviser_email="x@x.dk", henviser_organisation="Jobcentret", samtykketekst=tekst,
                                   status=HenvisningStatus.OPRETTET, borger=b1)
    h2 = Henvisning.objects.create(center=a, fornavn="I", telefon="+4520304051", kilde=job, henviser_navn="X",
                                   henviser_email="x@x.dk", henviser_organisation="Jobcentret", samtykketekst=tekst,
                                   status=HenvisningStatus.AFVIST, afvist_grund="Bor uden for kommunen")
    Henvisning.objects.filter(pk=h1.pk).update(oprettet=_kl(date(2026, 3, 5)))
    Henvisning.objects.filter(pk=h2.pk).update(oprettet=_kl(date(2026, 3, 6)))

    _samtale(b1, date(2026, 3, 12), mette, 45)
    _samtale(b2, date(2026, 3, 11), mette, 30)
    _samtale(b3, date(2026, 3, 15), ole, 60)
    _samtale(b4, date(2026, 3, 20), ole, 42)
    _samtale(b7, date(2026, 2, 2), ole, 45)

    velkommen = [Stage.FORESLAAET, Stage.ACCEPTERET, Stage.MOEDE_PLANLAGT, Stage.LEDSAGET, Stage.BUDT_VELKOMMEN]
    m1 = _match(b1, fa, date(2026, 3, 13), Stage.AKTIV_3_MD, velkommen + [Stage.AKTIV_1_MD, Stage.AKTIV_3_MD])
    m2 = _match(b2, fa, date(2026, 3, 14), Stage.AKTIV_1_MD, velkommen + [Stage.AKTIV_1_MD])
    m3 = _match(b3, fa2, date(2026, 3, 16), Stage.AFSLUTTET, [Stage.FORESLAAET, Stage.AFSLUTTET],
                afslutningsaarsag=Afslutningsaarsag.BORGER_SAGDE_NEJ)
    m7 = _match(b7, fa, date(2026, 2, 3), Stage.AFSLUTTET, [Stage.LEDSAGET, Stage.AFSLUTTET],
                afslutningsaarsag=Afslutningsaarsag.PASSEDE_IKKE)
    Match.objects.filter(pk=m3.pk).update(stage_siden=_kl(date(2026, 3, 28)))
    Match.objects.filter(pk=m7.pk).update(stage_siden=_kl(date(2026, 3, 29)))
    _moede(m1, date(2026, 3, 20), LedsagelseStatus.MOEDT_OP, mette, 120)
    _moede(m2, date(2026, 3, 30), LedsagelseStatus.MOEDT_OP, mette, 75)
    _moede(m3, date(2026, 3, 18), LedsagelseStatus.AFLYST, ole, 120)
    _moede(m3, date(2026, 3, 22), LedsagelseStatus.UDEBLEV, ole, 60)
    _moede(m7, date(2026, 2, 15), LedsagelseStatus.MOEDT_OP, ole, 120)

    foer, efter = date(2026, 3, 12), date(2026, 6, 1)
    _maaling(b1, "who5", [2, 2, 2, 2, 2], foer)
    _maaling(b1, "who5", [3, 3, 3, 3, 3], efter)
    _maaling(b1, "ucla3", [3, 3, 2], foer)
    _maaling(b1, "ucla3", [2, 2, 1], efter)
    _maaling(b2, "who5", [3, 3, 3, 3, 2], foer)
    _maaling(b2, "who5", [2, 2, 2, 3, 3], efter)
    _maaling(b2, "ucla3", [3, 2, 2], foer)
    _maaling(b2, "ucla3", [3, 3, 1], efter)
    _maaling(b3, "who5", [1, 1, 1, 1, 1], foer)

    # Centre B: must never show up in centre A's figures.
    bb = _borger(b, marts10, postnummer=f.postnummer("8600"))
    _samtale(bb, date(2026, 3, 12), None, 45)
    mb = _match(bb, world.faellesskab_b, date(2026, 3, 13), Stage.LEDSAGET, [Stage.LEDSAGET])
    _moede(mb, date(2026, 3, 20), LedsagelseStatus.MOEDT_OP, f.UserFactory(), 120)
    _maaling(bb, "who5", [0, 0, 0, 0, 0], foer)
    _maaling(bb, "who5", [5, 5, 5, 5, 5], efter)

    # These rows were written straight to the tables, past the services that keep the forløb summary
    # the reports read (matching/forloeb.py): recompute it, as the nightly task does.
    forloeb.genberegn()
    return Data([a.pk], [b.pk], projekt, job, egen, kategori)


def _tabel(data, navn, periode=MARTS, center_ids=None, projekt_id=None):
    return getattr(rapporter, navn)(center_ids=center_ids or data.center_ids, periode=periode, projekt_id=projekt_id)


def test_tragt(data):
    t = _tabel(data, "tragt")
    assert [r[1:] for r in t.raekker] == [
        [6, None, 100.0],
        [4, 66.7, 66.7],    # b1–b4 had a samtale
        [3, 75.0, 50.0],    # b1–b3 were matched
        [3, 100.0, 50.0],   # each had a first meeting planned
        [2, 66.7, 33.3],    # b1 and b2 came
        [2, 100.0, 33.3],
        [2, 100.0, 33.3],
        [1, 50.0, 16.7],    # b1 still there at 3 months
    ]
    assert t.taelle_kolonner == {1} and t.afledte_kolonner == {2, 3}


def test_tragt_per_projekt_periode_og_center(data):
    i_projektet = _tabel(data, "tragt", projekt_id=data.projekt.pk)
    assert [r[1] for r in i_projektet.raekker] == [2, 2, 2, 2, 2, 2, 2, 1]
    februar = _tabel(data, "tragt", periode=FEBRUAR)  # b7 only
    assert [r[1] for r in februar.raekker] == [1, 1, 1, 1, 1, 0, 0, 0]
    center_b = _tabel(data, "tragt", center_ids=data.center_b_ids)
    assert [r[1] for r in center_b.raekker] == [1, 1, 1, 1, 1, 0, 0, 0]


def test_percentil_cont_interpolerer_som_postgresql():
    assert percentil_cont([], 0.5) is None
    assert percentil_cont([7], 0.25) == 7
    assert percentil_cont([15, 20], 0.25) == 16.25
    assert percentil_cont([1, 2, 3, 4], 0.5) == 2.5


def test_tid_til_foerste_moede(data):
    t = _tabel(data, "tid_til_foerste_moede")
    # From referral: b1 5/3 → 20/3 = 15 days (the referral, not the registration), b2 10/3 → 30/3 = 20.
    # From the first samtale: b1 12/3 → 20/3 = 8, b2 11/3 → 30/3 = 19.
    assert t.raekker[0][1:] == [2, 16.2, 17.5, 18.8]      # 16.25 and 18.75, rounded to one decimal
    assert t.raekker[1][1:] == [2, 10.8, 13.5, 16.2]      # 10.75, 13.5, 16.25
    assert t.taelle_kolonner == {1} and t.afledte_kolonner == {2, 3, 4}


def test_udfald_who5_parret(data):
    (raekke,) = _tabel(data, "udfald_who5").raekker
    # 6 in the cohort; b1–b3 measured before; b1 (40 → 60) and b2 (56 → 48) before and after: 2 of 3.
    # Means 48 → 54, change (20 − 8) / 2 = 6; of those ≤ 50 before (b1), b1 rose above 50: 1 of 1.
    assert raekke == ["WHO-5", 6, 3, 2, 66.7, 48.0, 54.0, 6.0, 1, 1, 100.0]


def test_udfald_ucla3_parret_og_landstal(data):
    t = _tabel(data, "udfald_ucla3")
    (raekke,) = t.raekker
    # b1 8 → 5, b2 7 → 7: means 7.5 → 6.0, change −1.5; ≥ 7 before 2 of 2, after 1 of 2.
    assert raekke[:12] == ["UCLA-3", 6, 2, 2, 100.0, 7.5, 6.0, -1.5, 2, 1, 100.0, 50.0]
    assert raekke[12] == ENSOMHED_NATIONALT.tekst()
    assert "12,4 %" in raekke[12] and "2021" in raekke[12] and "2023" in raekke[12]
    assert ENSOMHED_NATIONALT.kilde in t.note


def test_udfald_per_projekt(data):
    (raekke,) = _tabel(data, "udfald_who5", projekt_id=data.projekt.pk).raekker
    assert raekke == ["WHO-5", 2, 2, 2, 100.0, 48.0, 54.0, 6.0, 1, 1, 100.0]
    (i_b,) = _tabel(data, "udfald_who5", center_ids=data.center_b_ids).raekker
    assert i_b[1:8] == [1, 1, 1, 100.0, 0.0, 100.0, 100.0]


def test_matches(data):
    fase = {r[0]: r[1] for r in _tabel(data, "matches_efter_fase").raekker}
    assert fase[Stage.AKTIV_3_MD.label] == 1 and fase[Stage.AKTIV_1_MD.label] == 1
    assert fase[Stage.AFSLUTTET.label] == 1 and sum(fase.values()) == 3
    kategori = _tabel(data, "matches_efter_kategori").raekker
    assert kategori == [[data.kategori.navn, 2, 2, 2], ["Uden kategori", 1, 1, 0]]
    forening = _tabel(data, "matches_efter_forening").raekker
    assert forening == [["Odense Strikkeklub", 2, 2], ["Odense Gå-klub", 1, 0]]
    assert _tabel(data, "matches_efter_forening", projekt_id=data.projekt.pk).raekker == [["Odense Strikkeklub", 2, 2]]


def test_matches_efter_forening_samler_resten(data, world, monkeypatch):
    monkeypatch.setattr(rapporter, "TOP_FORENINGER", 1)
    assert _tabel(data, "matches_efter_forening").raekker == [["Odense Strikkeklub", 2, 2], ["Øvrige 1 foreninger", 1, 0]]


def test_henvisningskilder(data):
    raekker = {r[0]: r[1:] for r in _tabel(data, "henvisningskilder").raekker}
    assert raekker == {data.kilde_job.navn: [2, 1, 1], data.kilde_egen.navn: [0, 0, 1], "Ikke oplyst": [0, 0, 4]}
    i_projektet = {r[0]: r[1:] for r in _tabel(data, "henvisningskilder", projekt_id=data.projekt.pk).raekker}
    assert i_projektet == {data.kilde_job.navn: [1, 0, 1], data.kilde_egen.navn: [0, 0, 1]}


def test_brobygger_aktivitet(data):
    t = _tabel(data, "brobygger_aktivitet")
    # Mette: samtaler 45 + 30, meetings 120 + 75 = 270 min = 4.5 h. Ole: samtaler 60 + 42, the no-show
    # 60 (the cancelled meeting does not count) = 162 min = 2.7 h.
    assert t.raekker == [["Mette Brobygger", 2, 2, 4.5], ["Ole Hansen", 2, 1, 2.7]]
    assert _tabel(data, "brobygger_aktivitet", projekt_id=data.projekt.pk).raekker == [["Mette Brobygger", 2, 2, 4.5]]
    assert t.afledte_kolonner == {3}


def test_udeblivelser(data):
    raekker = {r[0]: r[1:] for r in _tabel(data, "udeblivelser").raekker}
    assert raekker == {"Planlagt": [0, 0.0], "Mødte op": [2, 50.0], "Mødte ikke op": [1, 25.0], "Aflyst": [1, 25.0]}


def test_afsluttede_matches(data):
    raekker = {r[0]: r[1:] for r in _tabel(data, "afsluttede_matches").raekker}
    assert raekker[Afslutningsaarsag.BORGER_SAGDE_NEJ.label] == [1, 1, 0, 50.0]
    assert raekker[Afslutningsaarsag.PASSEDE_IKKE.label] == [1, 0, 1, 50.0]
    assert raekker[Afslutningsaarsag.FLYTTET.label] == [0, 0, 0, 0.0]


def test_rapport_tabeller_har_alle_figurer(data):
    noegler = [t.noegle for t in rapport_tabeller(center_ids=data.center_ids, periode=MARTS)]
    assert noegler == ["tragt", "tid_til_foerste_moede", "udfald_who5", "udfald_ucla3", "matches_efter_fase",
                       "matches_efter_kategori", "matches_efter_forening", "henvisningskilder",
                       "brobygger_aktivitet", "udeblivelser", "afsluttede_matches", "raadgivning_efter_art"]
    for t in rapport_tabeller(center_ids=data.center_ids, periode=MARTS):
        bredde = len(t.kolonner)
        assert all(len(r) == bredde for r in t.raekker), t.noegle
        assert max(t.taelle_kolonner | t.afledte_kolonner, default=-1) < bredde


def test_tom_periode(data):
    tom = Periode(date(2020, 1, 1), date(2020, 1, 31))
    for t in rapport_tabeller(center_ids=data.center_ids, periode=tom):
        for r in t.raekker:
            assert all(c in (0, None) or isinstance(c, str) for c in r), t.noegle


# --- The page ----------------------------------------------------------------------------------


def _url(**query):
    return reverse("matching:rapport") + "?" + "&".join(f"{k}={v}" for k, v in query.items())


def test_side_viser_graf_og_tabel_med_samme_tal(data, as_koordinator_a):
    response = as_koordinator_a.get(_url(fra="2026-03-01", til="2026-03-31"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'src="/static/vendor/chartjs/chart.umd.min.js"' in html or "chart.umd.min.js" in html
    assert "<script>" not in html  # no inline script (CSP): data only through json_script
    figurer = {fig["tabel"].noegle: fig for fig in response.context["figurer"]}
    tragt = figurer["tragt"]
    assert tragt["graf"]["datasets"][0]["data"] == [6, 4, 3, 3, 2, 2, 2, 1]
    assert f'id="{tragt["graf_id"]}"' in html
    assert '<th scope="col"' in html and '<th scope="row"' in html and '<caption id="tragt-caption">' in html
    ucla = figurer["udfald_ucla3"]["graf"]
    assert ucla["datasets"][0]["data"] == [100.0, 50.0, 12.4]
    # The json_script payload parses back to the same chart data.
    start = html.index(f'id="{tragt["graf_id"]}"')
    payload = html[html.index(">", start) + 1:html.index("</script>", start)]
    assert json.loads(payload) == json.loads(json.dumps(tragt["graf"]))
    # The exports keep the page's criteria: the whole report as PDF, and each table as CSV.
    assert reverse("matching:eksport_pdf") + "?fra=2026-03-01&amp;til=2026-03-31" in html
    assert reverse("matching:eksport_csv") + "?fra=2026-03-01&amp;til=2026-03-31&amp;tabel=tragt" in html


def test_side_projektfilter(data, as_koordinator_a):
    response = as_koordinator_a.get(_url(fra="2026-03-01", til="2026-03-31", projekt=data.projekt.pk))
    figurer = {fig["tabel"].noegle: fig for fig in response.context["figurer"]}
    assert figurer["tragt"]["tabel"].raekker[0][1] == 2
    assert response.context["kriterier"].projekt_id == data.projekt.pk


def test_side_afviser_andet_centers_projekt(data, world, as_koordinator_b):
    response = as_koordinator_b.get(_url(fra="2026-03-01", til="2026-03-31", projekt=data.projekt.pk))
    assert response.status_code == 200
    # Not a choice in centre B: the form refuses it, and the page falls back to the year so far.
    assert response.context["form"].errors["projekt"]
    assert response.context["kriterier"].projekt_id is None
    figurer = {fig["tabel"].noegle: fig for fig in response.context["figurer"]}
    assert figurer["tragt"]["tabel"].raekker[0][1] == 2  # centre B's own two borgere only


def _figurer_renderet(response) -> bool:
    return "matching/rapport/_figurer.html" in [t.name for t in response.templates]


def test_figurerne_gemmes_som_html_med_beregningen(data, world, as_koordinator_a):
    """A cached report does not render its figures again (PERFORMANCE.md, "Påmindelser and the
    cached report page"): their HTML is kept with the computation, and rendered anew for a new
    computation, a write through the services, or other criteria."""
    url = _url(fra="2026-03-01", til="2026-03-31")
    foerste = as_koordinator_a.get(url)
    assert _figurer_renderet(foerste)
    anden = as_koordinator_a.get(url)
    assert not _figurer_renderet(anden)
    assert anden.context["figurer_html"] == foerste.context["figurer_html"]
    assert '<caption id="tragt-caption">' in anden.content.decode()
    # The export links repeat the criteria: other criteria, other HTML.
    projekt = as_koordinator_a.get(url + f"&projekt={data.projekt.pk}")
    assert _figurer_renderet(projekt) and f"projekt={data.projekt.pk}" in projekt.context["figurer_html"]
    assert _figurer_renderet(as_koordinator_a.get(url + "&beregn=igen"))  # computed anew: rendered anew
    igen = as_koordinator_a.get(url)
    assert not _figurer_renderet(igen) and "beregn=" not in igen.context["figurer_html"]
    # A write through the services shows at once, in the figures too.
    _samtale(_borger(world.center_a, date(2026, 3, 3)), date(2026, 3, 4), None, 30)
    forloeb.genberegn(world.center_a.pk)
    efter = as_koordinator_a.get(url)
    assert _figurer_renderet(efter) and efter.context["figurer_html"] != foerste.context["figurer_html"]
    assert not _figurer_renderet(as_koordinator_a.get(url))


def test_side_kun_for_koordinatorer(data, as_brobygger_a, as_foreningskontakt_a):
    assert as_brobygger_a.get(reverse("matching:rapport")).status_code == 403
    assert as_foreningskontakt_a.get(reverse("matching:rapport")).status_code == 403


def _antal_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_side_antal_queries_afhaenger_ikke_af_data(data, world, as_koordinator_a, django_assert_num_queries):
    url = _url(fra="2026-03-01", til="2026-03-31", beregn="igen")  # computed anew each time, not from the cache
    as_koordinator_a.get(url)  # the session's first request does its own bookkeeping
    foer = _antal_queries(as_koordinator_a, url)
    # Many more borgere, samtaler, matches and foreninger: the same number of queries.
    for _i in range(8):
        borger = _borger(world.center_a, date(2026, 3, 3))
        _samtale(borger, date(2026, 3, 4), None, 30)
        forening = f.ForeningFactory(center=world.center_a)
        m = _match(borger, f.FaellesskabFactory(forening=forening), date(2026, 3, 5), Stage.LEDSAGET, [Stage.LEDSAGET])
        _moede(m, date(2026, 3, 6), LedsagelseStatus.MOEDT_OP, f.UserFactory(), 60)
        _maaling(borger, "who5", [1, 2, 3, 4, 5], date(2026, 3, 4))
    forloeb.genberegn()
    with django_assert_num_queries(foer):
        as_koordinator_a.get(url)
    # The report's own reads: one or two queries per figure (the rest is the session, the actor, the menu).
    # 15 report queries (one per figure; two for sources; three for brobygger activity: samtaler and
    # ledsagelser per brobygger, then their names), the transaction's savepoint and release (+ SET LOCAL
    # jit on PostgreSQL), the project choices, the session, the user with their memberships and the
    # menu's count of new referrals (one query; on PostgreSQL in the session's round trip,
    # brobygning/sessions.py), and the newest forløb change (is the kept report current?).
    # Celery is eager in tests, so the worker's task runs inside the request: + its centre, + the newest
    # forløb change it records with the figures, + the page reading the status again after it.
    # Without eager Celery the page makes none of the computation's queries (`test_siden_venter_…`).
    assert foer == 24  # PostgreSQL: + SET LOCAL jit, − the user's own round trip


def test_side_gemmer_rapporten_og_viser_hvornaar(data, world, as_koordinator_a, brobygger_a):
    url = _url(fra="2026-03-01", til="2026-03-31")
    as_koordinator_a.get(url)
    foerste = _antal_queries(as_koordinator_a, url)
    assert foerste == _antal_queries(as_koordinator_a, url)  # from the cache: no report query
    frisk = as_koordinator_a.get(url + "&beregn=igen")
    assert frisk.status_code == 200 and "Beregnet kl." in frisk.content.decode() and "Beregn igen" in frisk.content.decode()
    # 15 report queries, savepoint, release, and (the task, eager in tests) its centre, its own newest
    # forløb change, and the page's second look at the status
    assert _antal_queries(as_koordinator_a, url + "&beregn=igen") == foerste + 20 + (connection.vendor == "postgresql")
    # A write through the services (here: the nightly recomputation) shows at once, without the button.
    borger = _borger(world.center_a, date(2026, 3, 3))
    _samtale(borger, date(2026, 3, 4), None, 30)
    forloeb.genberegn(world.center_a.pk)
    tragt = {fig["tabel"].noegle: fig for fig in as_koordinator_a.get(url).context["figurer"]}["tragt"]["tabel"]
    assert [r[1] for r in tragt.raekker][:2] == [7, 5]
    # The export reads the same computation as the page.
    csv_svar = as_koordinator_a.get(reverse("matching:eksport_csv") + "?fra=2026-03-01&til=2026-03-31&tabel=tragt")
    assert csv_svar.status_code == 200


# --- Computed by a worker, never inside the request (PERFORMANCE.md, "Reports computed by a worker") --


@pytest.fixture
def uden_worker(settings, monkeypatch):
    """As in production: the page queues the computation (`matching.tasks.beregn_rapport`) for a worker
    instead of running it eagerly. Returns the queue; `_koer` plays the worker."""
    from matching import tasks

    settings.CELERY_TASK_ALWAYS_EAGER = False
    koe = []
    monkeypatch.setattr(tasks.beregn_rapport, "delay", lambda **kw: koe.append(kw))
    return koe


def _koer(koe):
    from matching import tasks

    while koe:
        tasks.beregn_rapport(**koe.pop(0))


def _tragt(response):
    return [r[1] for r in {fig["tabel"].noegle: fig for fig in response.context["figurer"]}["tragt"]["tabel"].raekker]


def test_siden_venter_aldrig_paa_en_beregning(data, world, as_koordinator_a, uden_worker):
    url = _url(fra="2026-03-01", til="2026-03-31")
    status_url = reverse("matching:rapport_status") + "?fra=2026-03-01&til=2026-03-31&beregn=igen"
    # Never computed: the page queues one computation and says so; no figures yet.
    foerste = as_koordinator_a.get(url)
    html = foerste.content.decode()
    assert foerste.status_code == 200 and "Rapporten beregnes …" in html and "Beregnet kl." not in html
    assert "tragt-caption" not in html and 'hx-trigger="every 2s"' in html
    assert uden_worker == [{"center_id": world.center_a.pk, "fra": "2026-03-01", "til": "2026-03-31",
                            "projekt_id": None, "sprog": "da"}]
    # While it is under way: nothing more is queued, not even by "Beregn igen", and the status says 204.
    assert "Rapporten beregnes …" in as_koordinator_a.get(url + "&beregn=igen").content.decode()
    assert len(uden_worker) == 1
    assert as_koordinator_a.get(status_url, HTTP_HX_REQUEST="true").status_code == 204
    # The worker computes it: the status sends the page to the figures, without `beregn` (no new queueing).
    _koer(uden_worker)
    svar = as_koordinator_a.get(status_url, HTTP_HX_REQUEST="true")
    assert svar.status_code == 200 and svar["HX-Redirect"] == url
    assert as_koordinator_a.get(status_url)["Location"] == url  # without htmx: a plain redirect
    klar = as_koordinator_a.get(url)
    html = klar.content.decode()
    assert "Beregnet kl." in html and "Beregn igen" in html and "Rapporten beregnes …" not in html
    assert _tragt(klar) == [6, 4, 3, 3, 2, 2, 2, 1] and not uden_worker
    # A write through the services: the page shows the last figures with their time while a worker
    # computes the new ones, and queues exactly one computation.
    _samtale(_borger(world.center_a, date(2026, 3, 3)), date(2026, 3, 4), None, 30)
    forloeb.genberegn(world.center_a.pk)
    gammel = as_koordinator_a.get(url)
    html = gammel.content.decode()
    assert "Rapporten beregnes …" in html and "forrige beregning" in html and "Beregnet kl." in html
    assert "Beregn igen" not in html and len(uden_worker) == 1
    assert gammel.context["figurer_html"] == klar.context["figurer_html"]  # the same figures, 6 borgere
    _koer(uden_worker)
    ny = as_koordinator_a.get(url)
    assert _tragt(ny)[:2] == [7, 5]
    # "Beregn igen" on current figures: they stay on the page while the new computation is queued.
    igen = as_koordinator_a.get(url + "&beregn=igen")
    assert "Rapporten beregnes …" in igen.content.decode() and len(uden_worker) == 1
    assert igen.context["figurer_html"] == ny.context["figurer_html"]


def test_siden_med_en_koe_laver_ingen_af_beregningens_queries(data, world, as_koordinator_a, uden_worker):
    """What the koordinator waits for on "Beregn igen": the page's own reads, none of the report's."""
    url = _url(fra="2026-03-01", til="2026-03-31")
    as_koordinator_a.get(url)
    _koer(uden_worker)
    cached = _antal_queries(as_koordinator_a, url)
    # session, user with memberships and the menu's count, the project choices, the newest forløb change
    assert cached == 4 - (connection.vendor == "postgresql")  # the user read with the session there
    assert _antal_queries(as_koordinator_a, url + "&beregn=igen") == cached and len(uden_worker) == 1
    assert _antal_queries(as_koordinator_a, url + "&beregn=igen") == cached and len(uden_worker) == 1


def test_eksport_uden_aktuel_beregning_beregner_selv(data, world, as_koordinator_a, uden_worker):
    """An export does not wait for the worker: with no current computation it computes one (and keeps
    it, so the page shows the same numbers next)."""
    svar = as_koordinator_a.get(reverse("matching:eksport_csv") + "?fra=2026-03-01&til=2026-03-31&tabel=tragt")
    assert svar.status_code == 200 and not uden_worker
    side = as_koordinator_a.get(_url(fra="2026-03-01", til="2026-03-31"))
    assert "Rapporten beregnes …" not in side.content.decode() and _tragt(side) == [6, 4, 3, 3, 2, 2, 2, 1]
    assert not uden_worker


def test_brobygger_aktivitet_uden_brobygger(data, world):
    """Samtaler with no brobygger are one row, "Uden brobygger" (it read "None None" before the
    figure grouped by id alone)."""
    _samtale(_borger(world.center_a, date(2026, 3, 3)), date(2026, 3, 4), None, 30)
    assert ["Uden brobygger", 1, 0, 0.5] in _tabel(data, "brobygger_aktivitet").raekker
