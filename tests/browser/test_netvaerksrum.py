"""Issue 14, point 5 in the browser: a koordinator of a centre that shares with the network opens the
network space from the menu, opens a meeting another centre holds and registers a colleague, on a
phone (375 px) and on a desktop. axe-core checks every page (the ``browsing`` fixture)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from brobygning.access import actor_for
from brobygning.models import Rolle
from matching import netvaerksrum
from matching.models import Tilmelding, TilmeldingStatus
from tests import factories as f

from .conftest import Browsing, activate_totp, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def scene():
    odense = f.CenterFactory(navn="Frivilligcenter Odense", slug="odense", deler_med_netvaerk=True)
    aarhus = f.CenterFactory(navn="Frivilligcenter Aarhus", slug="aarhus", deler_med_netvaerk=True)
    koordinator = f.UserFactory(email="net.koordinator@odense.test", first_name="Karen", last_name="Krogh")
    f.MedlemskabFactory(user=koordinator, center=odense, rolle=Rolle.KOORDINATOR)
    kollega = f.UserFactory(email="mette@odense.test", first_name="Mette", last_name="Madsen")
    f.MedlemskabFactory(user=kollega, center=odense, rolle=Rolle.BROBYGGER)
    vaert = f.give_mfa(f.UserFactory(email="k@aarhus.test"))
    f.MedlemskabFactory(user=vaert, center=aarhus, rolle=Rolle.KOORDINATOR)
    moede = netvaerksrum.netvaerksmoede_opret(actor=actor_for(vaert), data={
        "titel": "Netværksmøde i Aarhus", "sted": "Frivillighedens Hus", "kapacitet": 20},
        datoer=[(timezone.now() + timedelta(days=14), 180)])
    netvaerksrum.netvaerksmateriale_opret(actor=actor_for(vaert), data={
        "titel": "Samtaleguide", "link": "https://example.org/guide", "tags": "samtale"})
    return {"koordinator": koordinator, "kollega": kollega, "moede": moede}


def test_a_koordinator_registers_a_colleague_for_a_network_meeting(browsing: Browsing, scene):
    b, page = browsing, browsing.page
    log_in(b, scene["koordinator"].email, f.PASSWORD)
    activate_totp(b, f.PASSWORD)
    b.click_nav("Netværket af centre")
    expect(page.get_by_role("heading", level=1)).to_have_text("Netværket af centre")
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    b.click_and_wait(page.get_by_role("link", name="Netværksmøde i Aarhus"))
    expect(page.get_by_text("Holdes af Frivilligcenter Aarhus")).to_be_visible()
    page.get_by_label("Medarbejder").select_option(label="Mette Madsen")
    b.submit("Tilmeld")
    expect(page.get_by_text("Medarbejderen er tilmeldt.")).to_be_visible()
    expect(page.get_by_role("button", name="Afmeld Mette Madsen")).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    tilmelding = Tilmelding.objects.get(arrangement=scene["moede"])
    assert tilmelding.user == scene["kollega"] and tilmelding.status == TilmeldingStatus.TILMELDT
    b.click_and_wait(page.get_by_role("link", name="Metoder og værktøjer"))
    expect(page.get_by_role("heading", name="Samtaleguide")).to_be_visible()
    b.finish()
