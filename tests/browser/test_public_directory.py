"""Without logging in: search the public directory, open a fællesskab and send a referral.

Runs at desktop width and at 375 px. Every page is checked with axe-core and for console errors
by the ``browsing`` fixture. Map tiles are switched off (no network in tests); the markers and
the list still work.
"""

import pytest
from playwright.sync_api import expect

from borgere.models import Henvisning
from brobygning.models import TagType
from tests import factories as f

from .conftest import Browsing

pytestmark = pytest.mark.browser


@pytest.fixture
def katalog(settings):
    from django.core.cache import cache

    cache.clear()  # the referral rate limit counts per IP, and every test comes from 127.0.0.1
    settings.MAP_TILE_URL = ""
    center = f.CenterFactory(navn="Frivilligcenter Odense", slug="odense")
    center.telefon = "+4566112233"
    center.save()
    forening = f.ForeningFactory(center=center, navn="Odense Strikkeklub", email="strik@example.org")
    strik = f.FaellesskabFactory(
        forening=forening, titel="Strik og snak", beskrivelse="Vi strikker og drikker kaffe.",
        velkomst="Birthe tager imod dig ved døren og viser dig rundt.", lat=55.396, lng=10.388,
        kategori=f.tag(TagType.KATEGORI, "kreativitet-og-haandvaerk"),
    )
    strik.tilgaengelighed.set([f.tag(TagType.TILGAENGELIGHED, "koerestolsadgang")])
    f.MoedetidFactory(faellesskab=strik, ugedag=0, fra="10:00", til="12:00")
    f.FaellesskabFactory(forening=forening, titel="Gåtur ved åen", beskrivelse="Vi går en rolig tur.")
    return center


def test_search_open_and_refer(browsing: Browsing, katalog):
    b, page = browsing, browsing.page

    b.goto("/c/odense/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Find et fællesskab")
    expect(page.get_by_role("main")).to_be_visible()
    expect(page.get_by_role("link", name="Strik og snak")).to_be_visible()
    expect(page.get_by_role("link", name="Gåtur ved åen")).to_be_visible()
    expect(page.locator("#kort .leaflet-marker-icon").first).to_be_attached()
    expect(page.get_by_role("navigation", name="Hovedmenu")).to_have_count(0)  # no staff navigation

    # The skip link is the first thing the keyboard reaches.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Spring til indhold")).to_be_focused()

    # Free text and a criterion behind "Flere valg", submitted by keyboard.
    page.get_by_label("Søg", exact=True).fill("strik")
    page.locator("summary", has_text="Flere valg").click()
    page.get_by_label("Kørestolsadgang").check()
    with page.expect_navigation():
        page.get_by_label("Søg", exact=True).press("Enter")
    b.settle()
    assert "q=strik" in page.url
    expect(page.get_by_role("link", name="Strik og snak")).to_be_visible()
    expect(page.get_by_role("link", name="Gåtur ved åen")).to_have_count(0)

    b.click_and_wait(page.get_by_role("link", name="Strik og snak"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Strik og snak")
    expect(page.get_by_text("Birthe tager imod dig ved døren")).to_be_visible()
    expect(page.get_by_role("link", name="Tilføj til din kalender (iCal)")).to_be_visible()
    expect(page.get_by_text("strik@example.org")).to_be_visible()

    b.click_and_wait(page.get_by_role("link", name="Henvis til dette fællesskab"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Henvis en borger")
    expect(page.locator("[name=oensker]")).to_have_value("Interesseret i fællesskabet: Strik og snak")
    page.get_by_label("Hvem henviser?").select_option(label="Jobcenter")
    page.locator("[name=henviser_navn]").fill("Hanne Henviser")
    page.locator("[name=henviser_organisation]").fill("Jobcenter Odense")
    page.locator("[name=henviser_email]").fill("hanne@jobcenter.example.org")
    page.locator("[name=fornavn]").fill("Kaj")
    page.locator("[name=telefon]").fill("20304050")
    page.locator("[name=postnummer]").fill("5000")

    # Without consent the form comes back with a Danish error and nothing is saved.
    b.submit("Send henvisning")
    expect(page.get_by_text("Uden samtykke kan vi ikke modtage henvisningen")).to_be_visible()
    assert not Henvisning.objects.exists()

    page.get_by_label("Personen har læst eller fået læst teksten").check()
    b.submit("Send henvisning")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tak for henvisningen")
    assert page.url.endswith("/c/odense/henvisning/tak/")
    henvisning = Henvisning.objects.get()
    assert henvisning.fornavn == "Kaj" and henvisning.center == katalog
    assert henvisning.samtykketekst.version == 1


@pytest.fixture
def inbox(katalog):
    """A referral waiting in the inbox, a koordinator without two-factor login yet, and a brobygger."""
    from borgere.models import Formaal
    from borgere.services import gaeldende_samtykketekst, henvisning_create
    from brobygning.models import Rolle

    koordinator = f.UserFactory(email="koordinator@odense.test", first_name="Karen")
    f.MedlemskabFactory(user=koordinator, center=katalog, rolle=Rolle.KOORDINATOR)
    brobygger = f.UserFactory(email="brobygger@odense.test", first_name="Bo", last_name="Brobygger")
    f.MedlemskabFactory(user=brobygger, center=katalog, rolle=Rolle.BROBYGGER)
    henvisning = henvisning_create(
        center=katalog,
        data={"kilde": f.tag(TagType.HENVISNINGSKILDE, "egen-henvendelse"), "fornavn": "Inge",
              "efternavn": "Indbakke", "telefon": "+4520304050", "foretrukken_kanal": "sms",
              "postnummer": f.postnummer("5000"), "oensker": "Vil gerne synge i kor."},
        samtykketekst=gaeldende_samtykketekst(center_id=katalog.pk, formaal=Formaal.REGISTRERING),
    )
    return koordinator, brobygger, henvisning


def test_koordinator_turns_a_referral_into_a_borger(browsing: Browsing, inbox):
    from borgere.models import Borger, HenvisningStatus

    from .conftest import activate_totp, log_in

    koordinator, brobygger, henvisning = inbox
    b, page = browsing, browsing.page
    log_in(b, koordinator.email, f.PASSWORD)
    activate_totp(b, f.PASSWORD)
    b.goto("/")
    b.click_nav("Henvisninger")
    expect(page.get_by_role("heading", level=1)).to_have_text("Henvisninger")
    b.click_and_wait(page.get_by_role("link", name="Inge Indbakke"))
    expect(page.get_by_text("Vil gerne synge i kor.")).to_be_visible()
    b.click_and_wait(page.get_by_role("link", name="Opret borger"))
    expect(page.locator("[name=fornavn]")).to_have_value("Inge")
    page.locator("[name=brobygger]").select_option(label=str(brobygger))
    b.submit("Gem")
    borger = Borger.objects.get(fornavn="Inge")
    assert page.url.endswith(borger.get_absolute_url())
    assert borger.brobygger == brobygger and borger.samtykker.get().tekst == henvisning.samtykketekst
    henvisning.refresh_from_db()
    assert henvisning.status == HenvisningStatus.OPRETTET


def test_self_referral_hides_the_referrer_fields(browsing: Browsing, katalog):
    b, page = browsing, browsing.page
    b.goto("/c/odense/henvisning/")
    expect(page.locator("[name=henviser_navn]")).to_be_visible()
    page.get_by_label("Hvem henviser?").select_option(label="Egen henvendelse")
    expect(page.locator("[name=henviser_navn]")).to_be_hidden()
    page.locator("[name=fornavn]").fill("Selma")
    page.locator("[name=email]").fill("selma@example.org")
    page.get_by_label("Hvordan vil personen helst kontaktes").select_option(label="E-mail")
    page.locator("[name=oensker]").fill("Jeg vil gerne male.")
    page.get_by_label("Personen har læst eller fået læst teksten").check()
    b.submit("Send henvisning")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tak for henvisningen")
    assert Henvisning.objects.get().er_egen_henvendelse
