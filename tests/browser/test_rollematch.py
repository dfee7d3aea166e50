"""A suggested volunteer saved as a match to a role, in the browser (issue 14, "Frivillige til
foreninger"): the koordinator saves and moves it on (desktop); the forening's contact sees the name
of the one who consented and only "En frivillig er på vej" for the one who did not (375 px).
axe-core checks every page, including the open "Afslut" panel (the ``browsing`` fixture)."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from borgere.models import Formaal
from brobygning.access import actor_for
from brobygning.models import Rolle, TagType
from matching import frivilligroller
from matching.models import RolleMatch
from tests import factories as f
from tests import journey_factories as rf

from .conftest import Browsing, activate_totp, log_in, open_browsing

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_rollematch_gemmes_og_foreningen_ser_kun_navne_med_samtykke(browsing: Browsing, new_context, live_server):
    center = f.CenterFactory(navn="Frivilligcenter Odense", slug="odense")
    koordinator = f.UserFactory(email="k.rolle@odense.test")
    f.MedlemskabFactory(user=koordinator, center=center, rolle=Rolle.KOORDINATOR)
    forening = f.ForeningFactory(center=center, navn="Odense Strikkeklub")
    kontakt = f.UserFactory(email="kontakt.rolle@odense.test")
    f.MedlemskabFactory(user=kontakt, center=center, rolle=Rolle.FORENINGSKONTAKT).foreninger.set([forening])
    strik = f.tag(TagType.INTERESSE, "strik")
    k = actor_for(koordinator)
    rolle = frivilligroller.frivilligrolle_create(actor=k, data={
        "forening": forening, "titel": "Strikkeinstruktør", "postnummer": f.postnummer("5000"),
        "tider": ["1-eftermiddag"], "interesser": [strik]})
    mette = f.BorgerFactory(center=center, fornavn="Mette", efternavn="Madsen", oensket_rolle="frivillig")
    mette.interesser.set([strik])
    rf.give_consent(mette, Formaal.DELING_MED_VAERT)
    ulla = f.BorgerFactory(center=center, fornavn="Ulla", efternavn="Udsen", oensket_rolle="frivillig")
    ulla.interesser.set([strik])

    b, page = browsing, browsing.page
    page.context.set_default_timeout(45_000)
    log_in(b, koordinator.email, f.PASSWORD)
    activate_totp(b, f.PASSWORD)
    b.goto(f"/frivilligroller/{rolle.pk}/")
    for navn in ("Mette Madsen", "Ulla Udsen"):
        b.click_and_wait(page.get_by_role("button", name=f"Gem {navn} som match"))
        expect(page.get_by_text("Personen er gemt som match til rollen.")).to_be_visible()
    gemte = page.locator("li.list-group-item").filter(has=page.get_by_role("button", name="Markér som Kontaktet"))
    expect(gemte).to_have_count(2)
    for _ in range(2):
        b.click_and_wait(page.get_by_role("button", name="Markér som Kontaktet").first)
    # Ending needs a reason: the panel holds the choice.
    page.get_by_text("Afslut", exact=True).first.click()
    b.check_now("the end panel open")
    assert set(RolleMatch.objects.values_list("status", flat=True)) == {"kontaktet"}

    phone = open_browsing(new_context, live_server.url, "phone")
    try:
        phone.page.context.set_default_timeout(45_000)
        log_in(phone, kontakt.email, f.PASSWORD)
        phone.goto(f"/frivilligroller/{rolle.pk}/")
        paa_vej = phone.page.locator("h2:has-text('Frivillige på vej') + p + ul")
        expect(paa_vej).to_contain_text("Mette")
        expect(paa_vej).to_contain_text("En frivillig er på vej")
        tekst = phone.page.locator("main").inner_text()
        assert "Ulla" not in tekst and "Madsen" not in tekst and "Markér som" not in tekst
        phone.finish()
    finally:
        phone.page.context.close()
    assert RolleMatch.objects.filter(status="kontaktet", status_siden__lte=timezone.now()).count() == 2
    b.finish()
