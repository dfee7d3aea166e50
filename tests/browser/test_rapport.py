"""The Rapporter page in the browser (issue 13): each chart is drawn from the same numbers as the
table next to it, at desktop width and at 375 px. Every page is checked with axe-core, for console
errors and for CSP violations by the ``browsing`` fixture (see conftest.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from borgere.models import Projekt, Samtale
from brobygning.models import Rolle
from tests import factories as f

from .conftest import Browsing, activate_totp, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def koordinator():
    center = f.CenterFactory(navn="Frivilligcenter Odense", slug="odense")
    user = f.UserFactory(email="rapport.koordinator@odense.test", first_name="Karen")
    f.MedlemskabFactory(user=user, center=center, rolle=Rolle.KOORDINATOR)
    projekt = Projekt.objects.create(center=center, navn="Velkommen ind", bevillingsgiver="VELUX FONDEN",
                                     fra=timezone.localdate().replace(month=1, day=1),
                                     til=timezone.localdate() + timedelta(days=200), maal_antal=150)
    for i in range(3):
        borger = f.BorgerFactory(center=center)
        Samtale.objects.create(center=center, borger=borger, brobygger=user, varighed_min=60)
        if i < 2:
            borger.projekter.add(projekt)
    return user, projekt


def test_rapport_graf_og_tabel_viser_de_samme_tal(browsing: Browsing, koordinator):
    user, projekt = koordinator
    b, page = browsing, browsing.page
    log_in(b, user.email, f.PASSWORD)
    activate_totp(b, f.PASSWORD)

    b.goto(f"/projekter/{projekt.pk}/")
    b.click_and_wait(page.get_by_role("link", name="Rapport for projektet"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapporter")
    tragt = page.locator("table[data-tabel=tragt]")
    expect(tragt.locator("tbody tr").first.locator("td").first).to_have_text("2")  # the project's two borgere

    b.goto("/rapporter/")
    for noegle in ("tragt", "brobygger_aktivitet", "udeblivelser"):
        graf = page.evaluate(
            """(noegle) => { const c = document.querySelector(`canvas[data-graf="graf-data-${noegle}"]`);
                             const chart = Chart.getChart(c);
                             return {labels: chart.data.labels, data: chart.data.datasets[0].data}; }""", noegle)
        raekker = page.locator(f"table[data-tabel={noegle}] tbody tr")
        labels = raekker.locator("th").all_inner_texts()
        assert graf["labels"] == labels, noegle
        # The first value column of the chart is a column of the table, row by row.
        kolonner = {"tragt": 0, "brobygger_aktivitet": 2, "udeblivelser": 0}[noegle]
        vaerdier = [r.locator("td").nth(kolonner).inner_text() for r in raekker.all()]
        assert graf["data"] == [float(v.replace(",", ".")) for v in vaerdier], noegle
    b.finish()
