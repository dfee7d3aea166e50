"""Issue 14, "Done when", on the `make run` demo data (`seed_demo`): a koordinator creates an
inclusion course and registers three foreningskontakter; one cancels and the waiting list moves up;
attendance is taken on a phone (375 px) by the brobygger who helps run the course; the partnership
overview shows the trained hosts and the fees. Desktop for the koordinator. Every page is checked
with axe-core, for console errors and CSP violations (the ``browsing`` fixture, conftest.py)."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from brobygning.models import User
from foreninger.models import Partner
from matching.models import Arrangement, ArrangementDato, Fremmoede, TilmeldingStatus

from .conftest import Browsing, activate_totp, log_in, open_browsing

pytestmark = pytest.mark.browser

DEMO_PASSWORD = "brobygning-demo"  # published on purpose (seed_demo)
KURSUS = "Inklusionskursus for værter i partnerskabet"


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", force=True, stdout=StringIO())
    partnere = list(Partner.objects.filter(center__slug="odense", forening__isnull=False)
                    .select_related("forening").order_by("pk"))
    return {"foerste": partnere[0].forening, "anden": partnere[1].forening,
            "kontakt": User.objects.get(email="forening@odense.demo")}


def registrer_anden(b: Browsing, navn: str, email: str, forening: str) -> None:
    page = b.page
    b.click_and_wait(page.get_by_role("link", name="Tilmeld en person"))
    form = page.locator("form").filter(has=page.locator("input[name=hvem][value=anden]"))
    form.locator("input[name=navn]").fill(navn)
    form.locator("input[name=email]").fill(email)
    form.locator("select[name=forening]").select_option(label=forening)
    b.click_and_wait(form.get_by_role("button", name="Tilmeld"))
    expect(page.locator(".alert-success, .messages")).to_contain_text("Tilmeldingen er gemt")


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_inklusionskursus_til_partnerskabet_paa_demodata(browsing: Browsing, demo, new_context, live_server):
    b, page = browsing, browsing.page
    foerste, anden, kontakt = demo["foerste"], demo["anden"], demo["kontakt"]
    assert b.viewport == "desktop"
    page.context.set_default_timeout(45_000)  # seeded demo data on a shared machine: slower than the fixtures

    # The koordinator creates an inclusion course with two places; the demo brobygger helps run it.
    log_in(b, "koordinator@odense.demo", DEMO_PASSWORD)
    activate_totp(b, DEMO_PASSWORD)
    b.click_nav("Arrangementer")
    b.click_and_wait(page.get_by_role("link", name="Nyt arrangement"))
    page.locator("select[name=type]").select_option(label="Inklusionskursus")
    page.locator("input[name=titel]").fill(KURSUS)
    page.locator("input[name=sted]").fill("Frivilligcentret, mødelokale 2")
    page.locator("input[name=kapacitet]").fill("2")
    start = timezone.localtime(timezone.now() + timedelta(days=2)).replace(hour=19, minute=0)
    page.locator("input[name=start]").fill(start.strftime("%Y-%m-%dT%H:%M"))
    brobygger = User.objects.get(email="brobygger@odense.demo")
    page.get_by_label(brobygger.get_full_name()).check()
    b.submit("Gem")
    expect(page.get_by_role("heading", level=1)).to_have_text(KURSUS)
    arrangement = Arrangement.objects.get(titel=KURSUS)

    # Three foreningskontakter: the demo contact (a login), and two contacts of partner foreninger by name.
    b.click_and_wait(page.get_by_role("link", name="Tilmeld en person"))
    # Foreningskontakter are found by a name search (POSTed, so no name in the URL), then registered.
    soeg = page.locator("form").filter(has=page.locator("input[name=hvem][value=soeg_kontakt]"))
    soeg.locator("input[name=q_kontakt]").fill(kontakt.get_full_name())
    b.click_and_wait(soeg.get_by_role("button", name="Søg", exact=True))
    fundet = page.locator("li.list-group-item").filter(has_text=kontakt.get_full_name())
    b.click_and_wait(fundet.get_by_role("button", name="Tilmeld"))
    registrer_anden(b, "Hanne Vært", "hanne.vaert@example.org", anden.navn)
    registrer_anden(b, "Ole Olsen", "ole.olsen@example.org", foerste.navn)
    expect(page.get_by_role("heading", name="Tilmeldte (2)")).to_be_visible()
    expect(page.get_by_role("heading", name="Venteliste (1)")).to_be_visible()
    assert arrangement.tilmeldinger.get(navn="Ole Olsen").status == TilmeldingStatus.VENTELISTE

    # Hanne cancels (she rang the centre); Ole moves up from the waiting list.
    hanne = page.locator("li.list-group-item").filter(has_text="Hanne Vært")
    b.click_and_wait(hanne.get_by_role("button", name="Afmeld"))
    expect(page.get_by_role("heading", name="Venteliste (0)")).to_be_visible()
    expect(page.get_by_role("heading", name="Tilmeldte (2)")).to_be_visible()
    assert arrangement.tilmeldinger.get(navn="Ole Olsen").status == TilmeldingStatus.TILMELDT

    # At the door: the brobygger takes attendance on a phone, one tap per person.
    phone = open_browsing(new_context, live_server.url, "phone")
    try:
        assert phone.page.viewport_size["width"] == 375
        phone.page.context.set_default_timeout(45_000)
        log_in(phone, brobygger.email, DEMO_PASSWORD)
        phone.click_nav("Arrangementer")
        phone.click_and_wait(phone.page.get_by_role("link", name=KURSUS))
        phone.click_and_wait(phone.page.get_by_role("link", name="Tag fremmøde"))
        for navn in (kontakt.get_full_name(), "Ole Olsen"):
            phone.page.get_by_role("button", name=navn, exact=True).click()
            expect(phone.page.get_by_role("button", name=f"✓ {navn} (mødt – tryk for at fortryde)")).to_be_visible()
        phone.check_now("after the taps")
        phone.finish()
    finally:
        phone.page.context.close()
    assert Fremmoede.objects.filter(dato__arrangement=arrangement, moedt=True).count() == 2

    # The evening passes (the date is moved back, as if the course had been held): the course is completed.
    ArrangementDato.objects.filter(arrangement=arrangement).update(start=timezone.now() - timedelta(hours=3))

    # The partnership overview: the fees (demo data) and the two trained hosts of the first partner forening.
    b.click_nav("Partnerskabet i tal")
    gebyrer = page.locator("section#tilslutning_mod_budget tbody tr").first
    expect(gebyrer.locator("td").nth(3)).to_have_text("50000")  # granted: 20,000 + 30,000 kr., whole kroner
    expect(gebyrer.locator("td").nth(4)).to_have_text("20000")  # paid
    vaerter = page.locator("section#nyankomne_pr_partnerforening tbody tr")
    expect(vaerter.filter(has_text=foerste.navn).locator("td").nth(2)).to_have_text("2")
    expect(vaerter.filter(has_text=anden.navn).locator("td").nth(2)).to_have_text("0")
    b.finish()
