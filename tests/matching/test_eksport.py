"""Exports of the report tables (matching/eksport.py): CSV, XLSX and the funder PDF, suppressed
and written to the access log with their criteria."""

import csv
import io
from datetime import date

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from weasyprint.formatting_structure import boxes

from borgere.models import Projekt
from brobygning.models import Adgangslog
from matching import eksport, pdf
from matching.models import Stage
from matching.rapport_kriterier import rapport_kriterier
from matching.rapport_tabel import Tabel
from matching.rapporter import matches_efter_fase
from matching.undertrykkelse import skjult

from .. import factories as f
from .. import journey_factories as rf
from .test_undertrykkelse import tjek_ingen_smaa

pytestmark = pytest.mark.django_db

NOEGLE = "matches_efter_fase"
SKJULT = skjult()


def tjek_eksporterede_raekker(raekker: list[list], tabel: Tabel) -> None:
    """What was parsed back from a file: no count cell reads as 1 to 4 (the checker every export
    test runs)."""
    parsed = Tabel(noegle=tabel.noegle, titel="", kolonner=tabel.kolonner, taelle_kolonner=tabel.taelle_kolonner,
                   raekker=[[int(c) if isinstance(c, str) and c.strip().lstrip("-").isdigit() else c for c in r]
                            for r in raekker])
    tjek_ingen_smaa(parsed)


@pytest.fixture
def data(world):
    """Centre A: 7 matches with a planned meeting, 3 welcomed (under 5), none elsewhere.
    Centre B: 9 welcomed, which centre A's exports must not count."""
    for _i in range(7):
        rf.MatchFactory(borger=f.BorgerFactory(center=world.center_a, fornavn="Xqnavnq"), stage=Stage.MOEDE_PLANLAGT)
    for _i in range(3):
        rf.MatchFactory(borger=f.BorgerFactory(center=world.center_a), stage=Stage.BUDT_VELKOMMEN)
    for _i in range(9):
        rf.MatchFactory(borger=f.BorgerFactory(center=world.center_b), stage=Stage.BUDT_VELKOMMEN)
    return world


def _kriterier_query():
    i_dag = timezone.localdate()
    return {"fra": i_dag.replace(month=1, day=1).isoformat(), "til": i_dag.isoformat()}


def _raekke(raekker, label):
    return next(r for r in raekker if r[0] == str(label))


def test_csv_is_excel_friendly_suppressed_and_centre_scoped(data, as_koordinator_a):
    response = as_koordinator_a.get(reverse("matching:eksport_csv"), {"tabel": NOEGLE, **_kriterier_query()})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"\xef\xbb\xbf")  # the BOM
    raekker = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert raekker[0] == ["Fase", "Antal"]
    assert _raekke(raekker, Stage.MOEDE_PLANLAGT.label) == [str(Stage.MOEDE_PLANLAGT.label), "7"]
    assert _raekke(raekker, Stage.BUDT_VELKOMMEN.label)[1] == SKJULT  # 3 in A; B's 9 not counted
    assert _raekke(raekker, Stage.AKTIV_3_MD.label)[1] == "0"
    tabel = matches_efter_fase(center_ids=[data.center_a.pk], periode=rapport_kriterier({})[1].periode)
    tjek_eksporterede_raekker(raekker[1:], tabel)
    assert b"Xqnavnq" not in response.content


def test_xlsx_opens_with_openpyxl(data, as_koordinator_a):
    response = as_koordinator_a.get(reverse("matching:eksport_xlsx"), {"tabel": NOEGLE, **_kriterier_query()})
    assert response.status_code == 200
    assert response["Content-Type"] == eksport.XLSX_TYPE
    ark = load_workbook(io.BytesIO(response.content))[NOEGLE]
    raekker = [list(r) for r in ark.iter_rows(values_only=True)]
    assert raekker[0][0] == str(matches_efter_fase(center_ids=[], periode=rapport_kriterier({})[1].periode).titel)
    assert raekker[1][:2] == ["Fase", "Antal"]
    assert _raekke(raekker, Stage.MOEDE_PLANLAGT.label)[1] == 7
    assert _raekke(raekker, Stage.BUDT_VELKOMMEN.label)[1] == SKJULT
    tabel = Tabel(noegle=NOEGLE, titel="", kolonner=["Fase", "Antal"], raekker=[], taelle_kolonner=frozenset({1}))
    tjek_eksporterede_raekker([r for r in raekker[2:] if r and len(r) > 1], tabel)


def _tekst(dokument) -> str:
    """The text laid out on the PDF's pages (WeasyPrint's boxes: no PDF parser needed)."""
    dele = []

    def gaa(box):
        if isinstance(box, boxes.TextBox):
            dele.append(box.text)
        for child in getattr(box, "children", []):
            gaa(child)

    for side in dokument.pages:
        gaa(side._page_box)
    return " ".join(dele)


def test_pdf_has_a_title_page_the_tables_and_bars(data, as_koordinator_a, koordinator_a):
    response = as_koordinator_a.get(reverse("matching:eksport_pdf"), _kriterier_query())
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    actor = as_koordinator_a.get(reverse("matching:forside")).wsgi_request.actor
    html = eksport.rapport_html(actor=actor, kriterier=rapport_kriterier(_kriterier_query())[1])
    assert "<svg" in html and "<script" not in html
    dokument = pdf.dokument(html)
    assert len(dokument.pages) >= 2  # the title page, then the tables
    tekst = _tekst(dokument)
    assert "Frivilligcenter Odense" in tekst
    assert str(Stage.MOEDE_PLANLAGT.label) in tekst
    assert SKJULT in tekst
    assert "Xqnavnq" not in tekst


def test_pdf_for_a_project_names_the_project_and_its_funder(data, as_koordinator_a, world):
    projekt = Projekt.objects.create(center=world.center_a, navn="Bro til fællesskab", bevillingsgiver="VELUX FONDEN",
                                     fra=date(2026, 1, 1), til=date(2026, 12, 31), maal_antal=150)
    actor = as_koordinator_a.get(reverse("matching:forside")).wsgi_request.actor
    query = {**_kriterier_query(), "projekt": str(projekt.pk)}
    html = eksport.rapport_html(actor=actor, kriterier=rapport_kriterier(query, projekter=[(projekt.pk, projekt.navn)])[1])
    assert "Bro til fællesskab" in html and "VELUX FONDEN" in html
    assert as_koordinator_a.get(reverse("matching:eksport_pdf"), query).status_code == 200


def test_every_export_is_in_the_access_log_with_its_criteria(data, as_koordinator_a, koordinator_a):
    query = _kriterier_query()
    as_koordinator_a.get(reverse("matching:eksport_csv"), {"tabel": NOEGLE, **query})
    as_koordinator_a.get(reverse("matching:eksport_xlsx"), {"tabel": NOEGLE, **query})
    as_koordinator_a.get(reverse("matching:eksport_pdf"), query)
    entries = list(Adgangslog.objects.filter(handling=Adgangslog.Handling.EKSPORT).order_by("pk"))
    assert [e.kriterium.split(";")[0] for e in entries] == ["eksport=csv", "eksport=xlsx", "eksport=pdf"]
    for e in entries:
        assert e.bruger_id == koordinator_a.pk and e.center_id == data.center_a.pk and e.borger_id is None
        assert f"fra={query['fra']}" in e.kriterium and f"til={query['til']}" in e.kriterium
    assert f"tabel={NOEGLE}" in entries[0].kriterium
    assert "tabel=alle" in entries[2].kriterium
    assert entries[0].visning == "eksport_csv"


@pytest.mark.parametrize("name", ["matching:eksport_csv", "matching:eksport_xlsx", "matching:eksport_pdf"])
def test_only_koordinatorer_export(data, as_brobygger_a, as_foreningskontakt_a, name):
    for client in (as_brobygger_a, as_foreningskontakt_a):
        assert client.get(reverse(name), {"tabel": NOEGLE}).status_code == 403
    assert not Adgangslog.objects.filter(handling=Adgangslog.Handling.EKSPORT).exists()


def test_unknown_table_is_404_and_not_logged(data, as_koordinator_a):
    assert as_koordinator_a.get(reverse("matching:eksport_csv"), {"tabel": "findes_ikke"}).status_code == 404
    assert as_koordinator_a.get(reverse("matching:eksport_xlsx")).status_code == 404
    assert not Adgangslog.objects.filter(handling=Adgangslog.Handling.EKSPORT).exists()


def test_every_table_goes_through_suppression(data, koordinator_a):
    alle = eksport.tabeller(center_ids=[data.center_a.pk], kriterier=rapport_kriterier({})[1])
    assert alle
    for tabel in alle:
        tjek_ingen_smaa(tabel)
        for fil in (eksport.csv_bytes(tabel),):
            raekker = list(csv.reader(io.StringIO(fil.decode("utf-8-sig")), delimiter=";"))
            tjek_eksporterede_raekker([r for r in raekker[1:] if len(r) == len(tabel.kolonner)], tabel)


def test_the_partial_keeps_the_criteria():
    request = RequestFactory().get("/rapporter/", {"fra": "2026-01-01", "til": "2026-06-30", "projekt": "4"})
    tabel = Tabel(noegle=NOEGLE, titel="Matches", kolonner=[], raekker=[])
    html = render_to_string("matching/rapport/_eksport.html", {"tabel": tabel}, request=request)
    assert reverse("matching:eksport_csv") in html and reverse("matching:eksport_xlsx") in html
    for part in ("fra=2026-01-01", "til=2026-06-30", "projekt=4", f"tabel={NOEGLE}"):
        assert part in html
    pdf_link = render_to_string("matching/rapport/_eksport.html", {}, request=request)
    assert reverse("matching:eksport_pdf") in pdf_link and "fra=2026-01-01" in pdf_link
    assert "tabel=alle" in pdf_link and reverse("matching:eksport_xlsx") in pdf_link


NASTY = ["", "2026-02-30", "1900-01-01", "9999-12-31", "x" * 300, "' OR 1=1 --", "\x00", "-1", "0", "NaN",
         NOEGLE, "sammenligning", "../../etc/passwd", "<script>"]


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.dictionaries(st.sampled_from(["fra", "til", "projekt", "tabel", "x"]),
                       st.one_of(st.sampled_from(NASTY), st.text(max_size=30)), max_size=5),
       st.sampled_from(["matching:eksport_csv", "matching:eksport_xlsx"]))
def test_fuzzed_criteria_never_break_an_export(data, as_koordinator_a, query, name):
    response = as_koordinator_a.get(reverse(name), query)
    assert response.status_code in (200, 404)


def test_all_tables_in_one_workbook(data, as_koordinator_a):
    response = as_koordinator_a.get(reverse("matching:eksport_xlsx"), {"tabel": "alle", **_kriterier_query()})
    assert response.status_code == 200
    bog = load_workbook(io.BytesIO(response.content))
    actor = as_koordinator_a.get(reverse("matching:forside")).wsgi_request.actor
    noegler = [t.noegle for t in eksport.tabeller(center_ids=[actor.center_id], kriterier=rapport_kriterier({})[1])]
    assert bog.sheetnames == [n[:31] for n in noegler]
    assert as_koordinator_a.get(reverse("matching:eksport_csv"), {"tabel": "alle"}).status_code == 404
    assert "tabel=alle" in Adgangslog.objects.get(handling=Adgangslog.Handling.EKSPORT).kriterium
