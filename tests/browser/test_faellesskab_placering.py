"""Issue 16, point 5: the koordinator places a fællesskab by picking a point on the map, never by typing
coordinates; "Fjern præcis placering" puts it back at its postal code.

The map has no tiles here (MAP_TILE_URL empty, as with no tile server, point 9): the marker still shows
on a plain background and a note says so. Runs at 375 px and 1366 px; every page and the picked state
are checked with axe-core, for console errors and CSP violations by the ``browsing`` fixture.
"""

import pytest
from playwright.sync_api import expect

from brobygning.models import Rolle
from tests import factories as f

from .conftest import Browsing, activate_totp, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def scene(settings):
    settings.MAP_TILE_URL = ""
    center = f.CenterFactory(navn="Frivilligcenter Odense", slug="odense")
    koordinator = f.UserFactory(email="kort.koordinator@odense.test", first_name="Karen")
    f.MedlemskabFactory(user=koordinator, center=center, rolle=Rolle.KOORDINATOR)
    faellesskab = f.FaellesskabFactory(forening=f.ForeningFactory(center=center), titel="Strik og snak",
                                       postnummer=f.postnummer("5000"), lat=None, lng=None)
    return koordinator, faellesskab


def test_pick_the_place_on_the_map(browsing: Browsing, scene):
    koordinator, faellesskab = scene
    b, page = browsing, browsing.page
    log_in(b, koordinator.email, f.PASSWORD)
    activate_totp(b, f.PASSWORD)
    edit = f"/foreninger/faellesskaber/{faellesskab.pk}/rediger/"
    b.goto(edit)

    picker = page.locator("#placering")
    expect(picker).to_be_visible()
    # No raw coordinates to type: the fields are hidden, the map fills them.
    expect(page.locator("input[name=lat]")).to_have_attribute("type", "hidden")
    expect(page.locator("input[name=lng]")).to_have_attribute("type", "hidden")
    expect(page.get_by_label("breddegrad")).to_have_count(0)
    # No tiles: a plain background, a note, and the picker still works.
    expect(page.locator("#placering-kort.kort-uden-baggrund")).to_be_visible()
    expect(page.locator("#placering-note")).to_be_visible()
    status = page.locator("#placering-status")
    expect(status).to_have_text("Ingen præcis placering: fællesskabet vises ved postnummeret.")
    fjern = page.get_by_role("button", name="Fjern præcis placering")
    expect(fjern).to_be_hidden()

    # A click on the map places the marker and fills the hidden fields.
    kort = page.locator("#placering-kort")
    box = kort.bounding_box()
    kort.click(position={"x": box["width"] * 0.6, "y": box["height"] * 0.4})
    expect(page.locator("#placering-kort .leaflet-marker-icon")).to_have_count(1)
    expect(status).to_have_text("Fællesskabet vises ved markøren på kortet.")
    expect(fjern).to_be_visible()
    lat, lng = (float(page.locator(f"input[name={n}]").input_value()) for n in ("lat", "lng"))
    b.check_now("placering valgt")
    b.submit("Gem")
    faellesskab.refresh_from_db()
    postnummer = faellesskab.postnummer
    assert (faellesskab.lat, faellesskab.lng) == pytest.approx((lat, lng), abs=1e-6)
    # The map opened at the postal code, so the point is near it (and east/north of its centre).
    assert postnummer.lat < faellesskab.lat < postnummer.lat + 0.05
    assert postnummer.lng < faellesskab.lng < postnummer.lng + 0.1

    # Back on the form the marker is where it was saved; "Fjern" puts the place back at the postal code.
    b.goto(edit)
    expect(page.locator("#placering-kort .leaflet-marker-icon")).to_have_count(1)
    expect(page.locator("input[name=lat]")).to_have_value(str(faellesskab.lat))
    # The keyboard way: "Brug kortets midte" (the map pans with the arrow keys) sets the marker there.
    page.get_by_role("button", name="Brug kortets midte").click()
    centre = float(page.locator("input[name=lat]").input_value())
    assert centre == pytest.approx(faellesskab.lat, abs=1e-4)  # the map opened centred on the saved place
    page.get_by_role("button", name="Fjern præcis placering").click()
    expect(page.locator("#placering-kort .leaflet-marker-icon")).to_have_count(0)
    expect(page.locator("input[name=lat]")).to_have_value("")
    expect(status).to_be_focused()
    expect(status).to_have_text("Ingen præcis placering: fællesskabet vises ved postnummeret.")
    b.check_now("placering fjernet")
    b.submit("Gem")
    faellesskab.refresh_from_db()
    assert faellesskab.lat is None and faellesskab.lng is None
    b.finish()
