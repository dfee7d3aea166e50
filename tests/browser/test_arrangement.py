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


def _ved_doeren(type_: str, titel: str):
    """An event starting in ten minutes, run by the brobygger Mette, with three people registered."""
    center = f.CenterFactory(navn="Frivilligcenter Odense", slug="odense", email="kontakt@odense.test")
    koordinator = f.UserFactory(email="k@odense.test")
    f.MedlemskabFactory(user=koordinator, center=center, rolle=Rolle.KOORDINATOR)
    brobygger = f.UserFactory(email="mette@odense.test", first_name="Mette")
    f.MedlemskabFactory(user=brobygger, center=center, rolle=Rolle.BROBYGGER)
    k = actor_for(koordinator)
    arrangement = services.arrangement_create(actor=k, data={
        "type": type_, "titel": titel, "sted": "Mødelokale 1", "kapacitet": 10,
        "ansvarlige": [brobygger]}, datoer=[(timezone.now() + timedelta(minutes=10), 120)])
    for navn in ("Hanne Vært", "Ole Olsen", "Birgit Berg"):
        services.tilmelding_opret(actor=k, arrangement=arrangement, navn=navn,
                                  email=navn.split()[0].lower() + "@x.test")
    dato = arrangement.datoer.get()
    return brobygger, arrangement, dato


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_taking_attendance_on_a_phone(browsing: Browsing):
    brobygger, arrangement, dato = _ved_doeren("inklusionskursus", "Inklusionskursus")

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


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_attendance_taps_wait_offline_and_are_saved_when_back_online(browsing: Browsing):
    """The network goes at the door: taps are kept in the browser ("2 afventer forbindelse") and sent
    when it returns; the server records each state once."""
    brobygger, arrangement, dato = _ved_doeren("workshop", "Workshop")

    b, page = browsing, browsing.page
    assert b.is_phone and page.viewport_size["width"] == 375
    log_in(b, brobygger.email, f.PASSWORD)
    b.goto(f"/arrangementer/datoer/{dato.pk}/fremmoede/")
    status = page.get_by_role("status")
    expect(status).to_be_hidden()

    page.context.set_offline(True)
    page.get_by_role("button", name="Ole Olsen").click()
    expect(page.get_by_role("button", name="✓ Ole Olsen (afventer forbindelse)")).to_be_visible()
    expect(status).to_have_text("1 afventer forbindelse")
    page.get_by_role("button", name="Hanne Vært").click()
    # tapped twice more: undone and tapped again; the last state wins
    page.get_by_role("button", name="✓ Hanne Vært (afventer forbindelse)").click()
    page.get_by_role("button", name="Hanne Vært (afventer forbindelse)", exact=True).click()
    expect(status).to_have_text("2 afventer forbindelse")
    assert not Fremmoede.objects.filter(dato=dato, moedt=True).exists()  # nothing reached the server
    b.check_now("offline, two taps waiting")

    page.context.set_offline(False)
    expect(page.get_by_role("button", name="✓ Ole Olsen (mødt – tryk for at fortryde)")).to_be_visible()
    expect(page.get_by_role("button", name="✓ Hanne Vært (mødt – tryk for at fortryde)")).to_be_visible()
    expect(status).to_be_hidden()
    came = set(Fremmoede.objects.filter(dato=dato, moedt=True).values_list("tilmelding__navn", flat=True))
    assert came == {"Ole Olsen", "Hanne Vært"}
    b.check_now("back online, taps saved")
    # online again, a tap goes straight through htmx
    page.get_by_role("button", name="Birgit Berg").click()
    expect(page.get_by_role("button", name="✓ Birgit Berg (mødt – tryk for at fortryde)")).to_be_visible()
    b.finish()
