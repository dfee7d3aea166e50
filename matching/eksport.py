"""Exports of the report tables: CSV and XLSX per table, and the funder report as a PDF
(ARCHITECTURE.md, "Rapporter"). Everything that leaves goes through `undertryk` (no count under
5) and is written to the access log with its criteria (table, period, project), never with
personal data. The centre's koordinator exports their centre; the network user exports the
centres that share with the network (the same functions, other centre ids).
"""

import csv
import importlib
import io
from dataclasses import dataclass, replace

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from borgere.models import Projekt
from borgere.selectors import projekt_get
from brobygning import access, adgangslog
from brobygning.dbrouter import paa_replika
from brobygning.models import Frivilligcenter
from matching.rapport_kriterier import Kriterier
from matching.rapport_tabel import Tabel
from matching.rapporter import rapport_beregning
from matching.rapporter_netvaerk import sammenligning
from matching.undertrykkelse import smaa_celler, undertryk

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_TYPE = "application/pdf"
ALLE = "alle"  # `?tabel=alle`: every table in one workbook (XLSX only)


# --- Projects ------------------------------------------------------------------------------------


def projekt_info(actor, projekt_id: int | None) -> Projekt | None:
    """The chosen project (name, funder, period) for the PDF's title page; None for all borgere."""
    if projekt_id is None:
        return None
    return projekt_get(actor=actor, pk=projekt_id)  # the criteria form took it from the actor's own


# --- Tables --------------------------------------------------------------------------------------


def tabeller(*, center_ids: list[int], kriterier: Kriterier, netvaerk: bool = False) -> list[Tabel]:
    """Every report table for the criteria, suppressed. The network gets the comparison too.
    Read from the replica when there is one (the centre ids, who may be counted, come from the
    primary: a centre that stops sharing is out at once)."""
    with paa_replika():
        # The same computation the page shows (cached for a few minutes): the same numbers.
        alle = rapport_beregning(center_ids=center_ids, periode=kriterier.periode,
                                 projekt_id=kriterier.projekt_id).tabeller
        if netvaerk:
            alle = [*[uden_navne(t) for t in alle], sammenligning(center_ids=center_ids, periode=kriterier.periode)]
    return undertrykte(alle)


# Tables whose rows are named after staff: they stay in their centre, and the network sees one sum.
NAVNGIVNE_TABELLER = frozenset({"brobygger_aktivitet"})


def uden_navne(tabel: Tabel) -> Tabel:
    if tabel.noegle not in NAVNGIVNE_TABELLER or not tabel.raekker:
        return tabel
    summer = [round(sum(r[i] or 0 for r in tabel.raekker), 1) for i in range(1, len(tabel.kolonner))]
    return replace(tabel, raekker=[[_("Alle brobyggere"), *summer]])


def undertrykte(alle: list[Tabel]) -> list[Tabel]:
    """The tables as they may leave the centre: every count under 5 suppressed."""
    ud = [undertryk(t) for t in alle]
    for t in ud:  # belt and braces: nothing with 1-4 ever leaves
        if smaa_celler(t):
            raise AssertionError(f"uundertrykt celle i {t.noegle}")
    return ud


FORMEL_TEGN = ("=", "+", "-", "@", "\t", "\r")


def _sikker(tekst) -> str:
    """A name that starts like a formula (a forening called "=HYPERLINK(…)") stays text in Excel."""
    tekst = str(tekst)
    return f"'{tekst}" if tekst.startswith(FORMEL_TEGN) else tekst


def _tekst(celle) -> str:
    if celle is None:
        return ""
    if isinstance(celle, float):
        return f"{celle:.2f}".replace(".", ",")  # Danish Excel reads a decimal comma
    if isinstance(celle, int):
        return str(celle)
    return _sikker(celle)


def _xlsx_celle(celle):
    if celle is None or (isinstance(celle, int | float) and not isinstance(celle, bool)):
        return celle
    return _sikker(celle)


def csv_bytes(*alle: Tabel) -> bytes:
    """Semicolon-separated, UTF-8 with a BOM: Excel in Danish opens it with the right letters.
    Several tables follow each other, each under its title."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    for tabel in alle:
        if len(alle) > 1:
            writer.writerow([_sikker(tabel.titel)])
        writer.writerow([_sikker(k) for k in tabel.kolonner])
        writer.writerows([_tekst(c) for c in r] for r in tabel.raekker)
        if tabel.note:
            writer.writerow([])
            writer.writerow([_sikker(tabel.note)])
        if len(alle) > 1:
            writer.writerow([])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(alle: list[Tabel]) -> bytes:
    """One sheet per table: the header in bold, the rows, the note under them."""
    bog = Workbook()
    bog.remove(bog.active)
    for tabel in alle:
        ark = bog.create_sheet(tabel.noegle[:31])
        ark.append([_sikker(tabel.titel)])
        ark["A1"].font = Font(bold=True, size=13)
        ark.append([_sikker(k) for k in tabel.kolonner])
        for celle in ark[2]:
            celle.font = Font(bold=True)
        for raekke in tabel.raekker:
            ark.append([_xlsx_celle(c) for c in raekke])
        if tabel.note:
            ark.append([])
            ark.append([_sikker(tabel.note)])
        for i, navn in enumerate(tabel.kolonner):
            ark.column_dimensions[ark.cell(row=2, column=i + 1).column_letter].width = max(12, min(50, len(str(navn)) + 4))
    out = io.BytesIO()
    bog.save(out)
    return out.getvalue()


# --- The access log ------------------------------------------------------------------------------


def _log(*, actor, format: str, kriterier: Kriterier, tabel: str = "", center_ids=None, netvaerk=False) -> None:
    dele = {"eksport": format, "tabel": tabel or "alle", **kriterier.som_log()}
    if netvaerk:
        dele["netvaerk"] = f"{len(center_ids or [])} centre"
    tekst = "; ".join(f"{k}={v}" for k, v in dele.items() if v not in ("", None))
    adgangslog.log(actor=actor, handling=adgangslog.H.EKSPORT, kriterium=tekst)


# --- What the views call -------------------------------------------------------------------------


@dataclass
class Fil:
    navn: str
    type: str
    indhold: bytes


def _omfang(actor, netvaerk: bool) -> list[int]:
    """The centres an export covers: the actor's own (koordinator), or the network's."""
    if netvaerk:
        access.check_netvaerk(actor)
        return access.netvaerk_center_ids()
    access.check(actor, "rapport", "export")
    return [actor.center_id]


def eksporter_tabel(*, actor, kriterier: Kriterier, noegle: str, format: str, netvaerk: bool = False) -> Fil | None:
    """One table as CSV or XLSX, or None when there is no table `noegle`. `ALLE` as XLSX: every
    table, one sheet each (the funder's spreadsheet next to the PDF)."""
    center_ids = _omfang(actor, netvaerk)
    alle = tabeller(center_ids=center_ids, kriterier=kriterier, netvaerk=netvaerk)
    valgte = alle if noegle == ALLE and format == "xlsx" else [t for t in alle if t.noegle == noegle][:1]
    if not valgte:
        return None
    _log(actor=actor, format=format, kriterier=kriterier, tabel=noegle, center_ids=center_ids, netvaerk=netvaerk)
    navn = f"{'netvaerk-' if netvaerk else ''}{noegle}-{kriterier.periode.fra}-{kriterier.periode.til}.{format}"
    if format == "csv":
        return Fil(navn, CSV_TYPE, csv_bytes(valgte[0]))
    return Fil(navn, XLSX_TYPE, xlsx_bytes(valgte))


def eksporter_oversigt(*, actor, alle: list[Tabel], kriterier: Kriterier, navn: str) -> Fil:
    """Another page's tables (the partnership overview) as one CSV: suppressed and logged like the
    report's. The caller has checked access to the page."""
    ud = undertrykte(alle)
    _log(actor=actor, format="csv", kriterier=kriterier, tabel=navn)
    return Fil(f"{navn}-{kriterier.periode.fra}-{kriterier.periode.til}.csv", CSV_TYPE, csv_bytes(*ud))


def soejler(tabel: Tabel) -> list[dict]:
    """A simple bar per row for the PDF (drawn as inline SVG, no script): the first count column.
    A suppressed cell gets no bar, only its "<5"."""
    if not tabel.taelle_kolonner or not tabel.raekker:
        return []
    k = min(tabel.taelle_kolonner)
    tal = [r[k] if isinstance(r[k], int | float) else None for r in tabel.raekker]
    stoerst = max((v for v in tal if v is not None), default=0) or 1
    ud = []
    for i, (r, v) in enumerate(zip(tabel.raekker, tal, strict=True)):
        bredde = round(300 * (v or 0) / stoerst, 1)
        ud.append({"etiket": _tekst(r[0]), "vaerdi": _tekst(r[k]), "bredde": bredde, "tekst_x": bredde + 176,
                   "y": i * 22, "tekst_y": i * 22 + 14, "soejle_y": i * 22 + 3})
    return ud


def rapport_html(*, actor, kriterier: Kriterier, netvaerk: bool = False) -> str:
    """The print-ready report: a title page (centre, project, funder, period), then every table
    with its bar chart. Checks access and logs the export, like the files."""
    center_ids = _omfang(actor, netvaerk)
    alle = tabeller(center_ids=center_ids, kriterier=kriterier, netvaerk=netvaerk)
    _log(actor=actor, format="pdf", kriterier=kriterier, center_ids=center_ids, netvaerk=netvaerk)
    if netvaerk:
        center = _("Netværket: %(antal)s centre, der deler deres tal") % {"antal": len(center_ids)}
        projekt = None
    else:
        center = Frivilligcenter.objects.get(pk=actor.center_id).navn
        projekt = projekt_info(actor, kriterier.projekt_id)
    return render_to_string("matching/eksport/rapport_pdf.html", {
        "center": center, "projekt": projekt, "periode": kriterier.periode, "dannet": timezone.localtime(),
        "tabeller": [{"tabel": t, "soejler": soejler(t), "hoejde": len(t.raekker) * 22 + 4} for t in alle],
    })


def pdf_modul():
    """WeasyPrint takes about two seconds to import, so its module (matching/pdf.py) is loaded on
    the first PDF, not with every process that loads the URLs."""
    return importlib.import_module("matching.pdf")


def eksporter_pdf(*, actor, kriterier: Kriterier, netvaerk: bool = False) -> Fil:
    html = rapport_html(actor=actor, kriterier=kriterier, netvaerk=netvaerk)
    navn = f"{'netvaerk-' if netvaerk else ''}rapport-{kriterier.periode.fra}-{kriterier.periode.til}.pdf"
    return Fil(navn, PDF_TYPE, pdf_modul().pdf_bytes(html))
