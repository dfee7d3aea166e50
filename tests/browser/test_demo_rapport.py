"""Issue 13, "Done when", on the `make run` demo data (`seed_demo`): a koordinator produces a funder
report for a project and a period, as a PDF and as an XLSX, by clicking (desktop). The test counts
the clicks and typed fields from the front page to both files, opens the XLSX with openpyxl and
checks the PDF has pages. Every page is checked with axe-core (the ``browsing`` fixture)."""

import re
import zlib
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from openpyxl import load_workbook
from playwright.sync_api import expect

from borgere.models import Projekt

from .conftest import Browsing, activate_totp, log_in

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "brobygning-demo"  # published on purpose (seed_demo)
# From the front page to both files: Rapporter menu (2), project (1), period from/to (2), Vis (1),
# PDF (1), XLSX (1): a count of actions, not a time.
MAX_HANDLINGER = 8


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", force=True, stdout=StringIO())
    return Projekt.objects.get(center__slug="odense", navn="Fællesskab for alle")


def sider(pdf: bytes) -> int:
    """Page objects in the PDF (no PDF library in the lock): `/Type /Page`, not `/Pages`, in the file
    and in its compressed object streams (WeasyPrint writes PDF 1.7 with object streams)."""
    dele = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.DOTALL):
        try:
            dele.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return sum(len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", del_)) for del_ in dele)


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_bevillingsrapport_som_pdf_og_xlsx_paa_demodata(browsing: Browsing, demo, tmp_path):
    b, page = browsing, browsing.page
    projekt = demo
    page.context.set_default_timeout(45_000)  # seeded demo data on a shared machine: slower than the fixtures
    log_in(b, "koordinator@odense.demo", DEMO_PASSWORD)
    activate_totp(b, DEMO_PASSWORD)
    b.goto("/")
    handlinger = 0

    b.click_nav("Rapporter")  # the menu group, then its link
    handlinger += 2
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapporter")
    page.get_by_label("Projekt", exact=True).select_option(label=projekt.navn)
    handlinger += 1
    fra, til = projekt.fra, timezone.localdate()
    page.locator("input[name=fra]").fill(fra.isoformat())
    page.locator("input[name=til]").fill(til.isoformat())
    handlinger += 2
    b.click_and_wait(page.get_by_role("button", name="Vis"))
    handlinger += 1
    assert f"projekt={projekt.pk}" in page.url and f"fra={fra.isoformat()}" in page.url
    # The project's borgere (every other demo borger) were referred this year: the funnel's first step.
    foerste = page.locator("table[data-tabel=tragt] tbody tr").first.locator("td").first
    expect(foerste).not_to_have_text("0")

    with page.expect_download() as hentet:
        page.get_by_role("link", name="Hent rapporten som PDF").click()
    handlinger += 1
    pdf = hentet.value
    assert pdf.suggested_filename.endswith(".pdf")
    pdf_data = (tmp_path / "rapport.pdf")
    pdf.save_as(pdf_data)
    data = pdf_data.read_bytes()
    assert data.startswith(b"%PDF") and sider(data) >= 2, sider(data)

    with page.expect_download() as hentet:
        page.get_by_role("link", name="Alle tabeller som Excel (XLSX)").click()
    handlinger += 1
    xlsx = hentet.value
    assert xlsx.suggested_filename.endswith(".xlsx")
    xlsx_sti = tmp_path / "rapport.xlsx"
    xlsx.save_as(xlsx_sti)
    bog = load_workbook(xlsx_sti, read_only=True)
    assert "tragt" in bog.sheetnames and len(bog.sheetnames) >= 5
    tragt = list(bog["tragt"].iter_rows(values_only=True))
    assert tragt[0][0] and tragt[1][0]  # the title, then the header row
    assert len(tragt) > 3

    assert handlinger <= MAX_HANDLINGER, handlinger
    print(f"Funder report on demo data: {handlinger} clicks/fields from the front page to PDF and XLSX")
    b.finish()
