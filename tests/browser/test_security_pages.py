"""The security pages work under the strict CSP, and the harness reports CSP violations as failures.

A koordinator opens a borger, the art. 15 insight page, the access log and a spot check, edits a
consent text and anonymises a borger. Every page is checked with axe-core, for console errors and
for Content-Security-Policy violations by the ``browsing`` fixture.
"""

import pytest
from playwright.sync_api import expect

from borgere.models import Borger, SamtykkeTekst
from brobygning.models import Rolle
from tests import factories as f

from .conftest import Browsing, activate_totp, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def setup():
    center = f.CenterFactory(navn="Frivilligcenter Odense", slug="odense")
    user = f.UserFactory(email="sikker.koordinator@odense.test", first_name="Karen")
    f.MedlemskabFactory(user=user, center=center, rolle=Rolle.KOORDINATOR)
    borger = f.BorgerFactory(center=center, fornavn="Sikkerhedstest", efternavn="Borger")
    return user, borger


def test_koordinator_uses_the_privacy_pages_under_the_csp(browsing: Browsing, setup):
    user, borger = setup
    b, page = browsing, browsing.page
    log_in(b, user.email, f.PASSWORD)
    activate_totp(b, f.PASSWORD)

    b.goto(f"/borgere/{borger.pk}/")
    b.click_and_wait(page.get_by_role("link", name="Indsigt (art. 15)"))
    expect(page.locator("main")).to_contain_text("Adgange til oplysningerne")

    b.goto("/adgangslog/")
    expect(page.locator("main table")).to_contain_text(f"#{borger.pk}")
    b.goto("/adgangslog/stikproeve/")
    b.click_and_wait(page.get_by_role("button", name="Træk stikprøve"))

    b.goto("/borgere/samtykketekster/maalinger/ny/")
    page.locator("[name=tekst]").fill("En ny tekst om målinger, som borgeren får læst op.")
    b.submit("Gem som ny version")
    assert SamtykkeTekst.objects.filter(formaal="maalinger", version=2).exists()

    b.goto(f"/borgere/{borger.pk}/anonymiser/")
    page.get_by_label("Jeg forstår, at anonymiseringen ikke kan fortrydes.").check()
    b.click_and_wait(page.get_by_role("button", name="Anonymisér nu"))
    assert Borger.objects.get(pk=borger.pk).anonymiseret is not None
    assert b.csp_violations == []
    b.finish()


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_the_harness_fails_on_a_csp_violation(browsing: Browsing, setup):
    """Self-test: an inline script on a real page (served with the real CSP header) is reported."""
    b = browsing
    b.goto("/accounts/login/")
    b.page.evaluate("""() => { const s = document.createElement('script');
        s.textContent = 'window.__injected = 1'; document.body.appendChild(s); }""")
    b.page.wait_for_timeout(200)
    assert b.page.evaluate("() => window.__injected") is None  # blocked by the CSP
    assert b.csp_violations and "script-src" in b.csp_violations[0]
    with pytest.raises(pytest.fail.Exception, match="CSP violation"):
        b.finish()
