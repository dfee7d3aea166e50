"""Issue 14 in the browser: a brobygger who helps run an inclusion course takes attendance at the door
on a phone (375 px), one tap per person (htmx swaps the row; without JavaScript it is a plain form).
axe-core checks the page and the state after the taps (the ``browsing`` fixture)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from brobygning.access import actor_for
from brobygning.models import Rolle
from matching import services
from matching.models import Fremmoede
from tests import factories as f

from .conftest import Browsing, log_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_taking_attendance_on_a_phone(browsing: Browsing):
    center = f.CenterFactory(navn="Frivilligcenter Odense", slug="odense", email="kontakt@odense.test")
    koordinator = f.UserFactory(email="k@odense.test")
    f.MedlemskabFactory(user=koordinator, center=center, rolle=Rolle.KOORDINATOR)
    brobygger = f.UserFactory(email="mette@odense.test", first_name="Mette")
    f.MedlemskabFactory(user=brobygger, center=center, rolle=Rolle.BROBYGGER)
    k = actor_for(koordinator)
    arrangement = services.arrangement_create(actor=k, data={
        "type": "inklusionskursus", "titel": "Inklusionskursus", "sted": "Mødelokale 1", "kapacitet": 10,
        "ansvarlige": [brobygger]}, datoer=[(timezone.now() + timedelta(minutes=10), 120)])
    for navn in ("Hanne Vært", "Ole Olsen", "Birgit Berg"):
        services.tilmelding_opret(actor=k, arrangement=arrangement, navn=navn,
                                  email=navn.split()[0].lower() + "@x.test")
    dato = arrangement.datoer.get()

    b, page = browsing, browsing.page
    assert b.is_phone and page.viewport_size["width"] == 375
    log_in(b, brobygger.email, f.PASSWORD)
    b.goto(f"/arrangementer/{arrangement.pk}/")
    b.click_and_wait(page.get_by_role("link", name="Tag fremmøde"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fremmøde")

    page.get_by_role("button", name="Ole Olsen").click()
    expect(page.get_by_role("button", name="✓ Ole Olsen (mødt – tryk for at fortryde)")).to_be_visible()
    page.get_by_role("button", name="Hanne Vært").click()
    expect(page.get_by_role("button", name="✓ Hanne Vært (mødt – tryk for at fortryde)")).to_be_visible()
    b.check_now("after two taps")
    # A tap undone
    page.get_by_role("button", name="✓ Hanne Vært (mødt – tryk for at fortryde)").click()
    expect(page.get_by_role("button", name="Hanne Vært", exact=True)).to_be_visible()

    came = set(Fremmoede.objects.filter(dato=dato, moedt=True).values_list("tilmelding__navn", flat=True))
    assert came == {"Ole Olsen"}
    # The list after a reload shows what was recorded.
    b.goto(f"/arrangementer/datoer/{dato.pk}/fremmoede/")
    expect(page.get_by_role("button", name="✓ Ole Olsen (mødt – tryk for at fortryde)")).to_be_visible()
    b.finish()
