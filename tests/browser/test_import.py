"""A koordinator imports fællesskaber from the CSV template in the browser: upload, preview, confirm.

Every page is checked with axe-core by the ``browsing`` fixture, at desktop width and at 375 px.
"""

import pytest
from playwright.sync_api import expect

from brobygning.models import Rolle
from foreninger.hsds import parse
from foreninger.models import Faellesskab
from tests import factories as f

from .conftest import Browsing, activate_totp, log_in

pytestmark = pytest.mark.browser


def test_import_csv_in_the_browser(browsing: Browsing, tmp_path):
    b, page = browsing, browsing.page
    center = f.CenterFactory(navn="Frivilligcenter Odense", slug="odense")
    user = f.UserFactory(email="import.koordinator@odense.test")
    f.MedlemskabFactory(user=user, center=center, rolle=Rolle.KOORDINATOR)
    values = {"forening_id": "F1", "forening_navn": "Importforeningen", "faellesskab_id": "S1",
              "titel": "Importeret-Strik-MARKOR", "postnummer": "5000", "moedetider": "mandag 17:00-19:00"}
    path = tmp_path / "foreninger.csv"
    path.write_text(",".join(parse.CSV_HEADER) + "\n" + ",".join(values.get(c, "") for c in parse.CSV_HEADER) + "\n",
                    encoding="utf-8")

    log_in(b, user.email, f.PASSWORD)
    activate_totp(b, f.PASSWORD)
    b.click_nav("Import")
    expect(page.get_by_role("heading", level=1)).to_have_text("Importér foreninger og fællesskaber")
    page.get_by_label("Fil").set_input_files(str(path))
    b.submit("Tjek filen")
    expect(page.get_by_text("Importeret-Strik-MARKOR")).to_be_visible()
    assert not Faellesskab.objects.filter(titel="Importeret-Strik-MARKOR").exists()
    b.submit("Importér nu")
    expect(page.get_by_role("heading", name="Resultat")).to_be_visible()
    assert Faellesskab.objects.get(center=center, ekstern_id="S1").moedetider.count() == 1
    b.finish()
