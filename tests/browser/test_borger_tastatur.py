"""Issue 16: the new-borger form can be filled in and sent with the keyboard only, at 1366 px.

Tab moves between fields, typing fills them, Space ticks a box, the arrow keys pick a radio button and
Enter sends; no mouse click is made (the ``browsing`` fixture counts them). Every field the keyboard
stops on shows a visible focus indicator. Every page is axe-checked by the fixture.
"""

import pytest
from playwright.sync_api import expect

from borgere.models import Borger
from brobygning.models import Rolle
from tests import factories as f

from .conftest import Browsing, activate_totp, log_in

pytestmark = pytest.mark.browser

MAX_TABS = 400  # the form has ~100 stops (consent, contact, every interest, the week's slots, ...)

# A visible focus indicator: an outline, or Bootstrap's focus ring (a box-shadow).
FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
  return {name: el.name || "", id: el.id || "", tag: el.tagName.toLowerCase(), type: el.type || "",
          value: el.value || "", text: (el.textContent || "").trim().slice(0, 40),
          visible: outline || (s.boxShadow && s.boxShadow !== "none")};
}"""


@pytest.fixture
def koordinator():
    center = f.CenterFactory(navn="Frivilligcenter Odense", slug="odense")
    user = f.UserFactory(email="tastatur@odense.test", first_name="Karen")
    f.MedlemskabFactory(user=user, center=center, rolle=Rolle.KOORDINATOR)
    return user


def tab_to(b: Browsing, want, what: str) -> dict:
    """Press Tab until the focused element satisfies `want`; it must show a focus indicator."""
    for _ in range(MAX_TABS):
        b.page.keyboard.press("Tab")
        focus = b.page.evaluate(FOCUS)
        if focus and want(focus):
            assert focus["visible"], f"{what} has keyboard focus but no visible focus indicator: {focus}"
            return focus
    pytest.fail(f"Tab never reached {what} in {MAX_TABS} presses", pytrace=False)


def named(name):
    return lambda focus: focus["name"] == name


@pytest.mark.parametrize("viewport", ["desktop"])
def test_new_borger_with_the_keyboard_only(browsing: Browsing, koordinator):
    b, page = browsing, browsing.page
    assert page.viewport_size["width"] == 1366
    log_in(b, koordinator.email, f.PASSWORD)
    activate_totp(b, f.PASSWORD)
    b.goto("/borgere/ny/")
    b.start_counting()

    # The skip link first, then into the form.
    page.keyboard.press("Tab")
    assert page.evaluate(FOCUS)["text"] == "Spring til indhold"
    page.keyboard.press("Enter")

    tab_to(b, named("samtykke"), "the consent box")
    page.keyboard.press("Space")
    expect(page.locator("[name=samtykke]")).to_be_checked()
    tab_to(b, named("samtykke_maade"), "the consent radio buttons")
    for _ in range(5):  # the arrow keys move (and tick) within the group
        if page.locator("[name=samtykke_maade][value=mundtligt]").is_checked():
            break
        page.keyboard.press("ArrowDown")
    expect(page.locator("[name=samtykke_maade][value=mundtligt]")).to_be_checked()

    for name, text in (("fornavn", "Kirsten"), ("efternavn", "Tastesen"), ("telefon", "20 11 22 33"),
                       ("postnummer", "5000"), ("foedselsaar", "1961")):
        tab_to(b, named(name), name)
        page.keyboard.type(text)
    tab_to(b, lambda focus: focus["tag"] == "input" and focus["name"] == "interesser", "the first interest")
    page.keyboard.press("Space")
    expect(page.locator("[name=interesser]:checked")).to_have_count(1)

    tab_to(b, lambda focus: focus["type"] == "submit" and "Gem" in (focus["value"], focus["text"]), "the Gem button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    b.settle()

    borger = Borger.objects.filter(fornavn="Kirsten", efternavn="Tastesen").first()
    if borger is None:
        errors = page.locator(".invalid-feedback, .alert-danger, .errorlist").all_inner_texts()
        pytest.fail(f"Not saved; still on {page.url}. Errors shown: {errors}", pytrace=False)
    # (The skip link's #indhold stays on the URL through the redirect, as browsers keep a fragment.)
    assert page.url.split("#")[0].endswith(f"/borgere/{borger.pk}/")
    assert borger.postnummer.nr == "5000" and borger.foedselsaar == 1961
    assert borger.samtykker.get().maade == "mundtligt"
    assert borger.interesser.count() == 1
    assert b.clicks == 0, b.click_log
    b.finish()
