"""Issue #4 in the browser, at 375 px and 1366 px, axe-checked on every page by the ``browsing`` fixture.

- A foreningskontakt edits a fællesskab; then the host's core job (issue 16): Nye på vej → "vi tager
  imod" for a newcomer → after the meeting "kom og blev taget godt imod" with one click, its clicks
  counted (docs/KERNEOPGAVER.md).
- A brobygger's day: Min dag, asking to take a waiting borger, logging a samtale, recording a
  follow-up on one screen, and getting a personal calendar link on Min profil.
"""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from borgere.models import Overtagelsesanmodning, Samtale
from brobygning.models import Rolle
from matching.models import Ledsagelse, Opfoelgning, Stage
from tests import factories as f
from tests import journey_factories as rf

from .conftest import Browsing, log_in

pytestmark = pytest.mark.browser

SECRET_SURNAME = "Qvistgaard-Portal"

# Clicks and taps for the host's core job, from the front page (docs/KERNEOPGAVER.md). A change that
# needs more fails here; lower the figure when a change saves one.
VAERT_KLIK = {"desktop": 3, "phone": 4}


@pytest.fixture
def odense():
    center = f.CenterFactory(navn="Frivilligcenter Odense", slug="odense", venteliste_synlig=True)
    brobygger = f.UserFactory(email="mette@odense.test", first_name="Mette", last_name="Brobygger")
    f.MedlemskabFactory(user=brobygger, center=center, rolle=Rolle.BROBYGGER)
    kontakt = f.UserFactory(email="lone@strik.test", first_name="Lone", last_name="Bach")
    forening = f.ForeningFactory(center=center, navn="Odense Strikkeklub")
    f.MedlemskabFactory(user=kontakt, center=center, rolle=Rolle.FORENINGSKONTAKT).foreninger.set([forening])
    faellesskab = f.FaellesskabFactory(forening=forening, titel="Strik og snak", adresse="Vestergade 1",
                                       vaert_navn="Hanne")
    f.MoedetidFactory(faellesskab=faellesskab)
    return center, brobygger, kontakt, faellesskab


def _newcomer(center, brobygger, faellesskab, *, fornavn, when):
    borger = f.BorgerFactory(center=center, fornavn=fornavn, efternavn=SECRET_SURNAME, brobygger=brobygger)
    rf.give_consent(borger, "deling_med_vaert")
    match = rf.MatchFactory(borger=borger, center=center, faellesskab=faellesskab)
    return rf.LedsagelseFactory(match=match, center=center, brobygger=brobygger, tidspunkt=when,
                                velkomstnote=f"{fornavn} glæder sig")


def test_foreningskontakt_journey(browsing: Browsing, odense):
    center, brobygger, kontakt, faellesskab = odense
    coming = _newcomer(center, brobygger, faellesskab, fornavn="Anna", when=timezone.now() + timedelta(days=2))
    came = _newcomer(center, brobygger, faellesskab, fornavn="Bo", when=timezone.now() - timedelta(hours=20))
    b, page = browsing, browsing.page

    log_in(b, kontakt.email, f.PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Hej Lone")

    # Edit the fællesskab: capacity and "open to newcomers".
    b.goto(f"/foreninger/faellesskaber/{faellesskab.pk}/rediger/")
    page.locator("[name=kapacitet]").fill("4")
    b.submit("Gem")
    faellesskab.refresh_from_db()
    assert faellesskab.kapacitet == 4
    assert faellesskab.sidst_bekraeftet == timezone.localdate()  # the forening's own edit confirms it

    # The host's core job, from the front page. Nye på vej: first names and notes only, never the surname.
    b.goto("/")
    b.start_counting()
    b.click_nav("Nye på vej")
    expect(page.get_by_role("heading", level=1)).to_have_text("Nye på vej")
    expect(page.locator("main")).to_contain_text("Anna glæder sig")
    expect(page.locator("main")).not_to_contain_text(SECRET_SURNAME)
    card_anna = page.locator("li.card").filter(has_text="Anna")
    b.click_and_wait(card_anna.get_by_role("button", name="Vi tager imod"))
    expect(page.locator("li.card").filter(has_text="Anna")).to_contain_text("I har bekræftet")
    coming.refresh_from_db()
    assert coming.vaert_bekraeftet is not None

    card_bo = page.locator("li.card").filter(has_text="Bo glæder sig")
    b.click_and_wait(card_bo.get_by_role("button", name="Kom og blev taget godt imod"))
    # Reported and over: it moves from the cards to "Tidligere" (issue 16).
    expect(page.locator("li.card").filter(has_text="Bo glæder sig")).to_have_count(0)
    expect(page.get_by_role("heading", name="Tidligere")).to_be_visible()
    came = Ledsagelse.objects.select_related("match").get(pk=came.pk)
    assert came.match.stage == Stage.BUDT_VELKOMMEN
    b.assert_clicks_at_most("The host's core job", VAERT_KLIK)
    b.finish()


def test_brobygger_day(browsing: Browsing, odense):
    center, brobygger, _kontakt, faellesskab = odense
    borger = f.BorgerFactory(center=center, fornavn="Karin", efternavn="Holm", brobygger=brobygger)
    f.BorgerFactory(center=center, fornavn="Venter", efternavn=SECRET_SURNAME, brobygger=None)
    match = rf.MatchFactory(borger=borger, center=center, faellesskab=faellesskab, stage=Stage.LEDSAGET)
    opfoelgning = rf.OpfoelgningFactory(match=match, center=center, forfalder=timezone.localdate())
    b, page = browsing, browsing.page

    log_in(b, brobygger.email, f.PASSWORD)
    expect(page).to_have_title(re.compile("Min dag"))

    # The waiting list: first name and area, and a request to the koordinator.
    b.click_and_wait(page.get_by_role("link", name="Borgere venter på en brobygger"))
    expect(page.locator("main")).to_contain_text("Venter")
    expect(page.locator("main")).not_to_contain_text(SECRET_SURNAME)
    b.click_and_wait(page.get_by_role("button", name="Jeg vil gerne tage Venter"))
    assert Overtagelsesanmodning.objects.filter(brobygger=brobygger).count() == 1

    # A samtale on one screen.
    b.goto(f"/borgere/{borger.pk}/samtale/")
    page.locator("[name=dato]").fill(timezone.localdate().isoformat())
    page.locator("[name=naeste_skridt]").fill("Ringe efter næste møde")
    b.submit("Gem samtale")
    assert Samtale.objects.filter(borger=borger).count() == 1

    # The follow-up due today, from Min dag, on one screen.
    b.goto("/")
    b.click_and_wait(page.locator("section[aria-labelledby=opf-h]").get_by_role("link", name="Registrér"))
    page.get_by_label("Deltager stadig").check()
    b.submit("Gem opfølgning")
    opfoelgning.refresh_from_db()
    assert opfoelgning.udfoert is not None
    match.refresh_from_db()
    assert match.stage == Stage.BUDT_VELKOMMEN

    # Min profil: a personal calendar link.
    b.goto("/profil/")
    b.click_and_wait(page.get_by_role("button", name="Lav et kalenderlink"))
    expect(page.locator("#feed-url")).to_have_value(re.compile(r"/kalender/.{43,}\.ics$"))
    assert Opfoelgning.objects.filter(pk=opfoelgning.pk, udfoert__isnull=False).exists()
    b.finish()
