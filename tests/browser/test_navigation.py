"""Issue 16: the main navigation and the layout at every width.

* No page scrolls sideways at 375 px (phone) and 1366 px (laptop): `scrollWidth <= innerWidth`.
* Every top-level menu item, and every item in each group, is reachable inside the window at
  992, 1366 and 1920 px (at 992 px behind the toggle), with a visible focus ring on the dark bar.
* A brobygger gets a short menu with no groups.

Every page is checked with axe-core, for console errors and CSP violations by the ``browsing`` fixture.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from brobygning.models import Rolle
from matching.models import Stage
from tests import factories as f
from tests import journey_factories as rf

from .conftest import Browsing, activate_totp, log_in

pytestmark = pytest.mark.browser

NO_SIDEWAYS_SCROLL = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def scene():
    center = f.CenterFactory(navn="Frivilligcenter Sydøstfyn og Omegn med et langt navn", slug="odense")
    koordinator = f.UserFactory(email="nav.koordinator@odense.test", first_name="Karen")
    f.MedlemskabFactory(user=koordinator, center=center, rolle=Rolle.KOORDINATOR)
    brobygger = f.UserFactory(email="nav.brobygger@odense.test", first_name="Bo")
    f.MedlemskabFactory(user=brobygger, center=center, rolle=Rolle.BROBYGGER)
    faellesskab = f.FaellesskabFactory(forening=f.ForeningFactory(center=center), titel="Strik og snak")
    match = rf.MatchFactory(borger__center=center, borger__fornavn="Anna", borger__brobygger=brobygger,
                            center=center, faellesskab=faellesskab, stage=Stage.FORESLAAET)
    rf.OpfoelgningFactory(match=match, forfalder=timezone.localdate() + timedelta(days=1))
    return {"koordinator": koordinator, "brobygger": brobygger, "match": match, "borger": match.borger,
            "faellesskab": faellesskab}


def assert_no_sideways_scroll(b: Browsing) -> None:
    width = b.page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert b.page.evaluate(NO_SIDEWAYS_SCROLL), f"{b.page.url} scrolls sideways: scrollWidth/innerWidth {width}"


def assert_inside_window(b: Browsing, locator, what: str) -> None:
    box = locator.bounding_box()
    width = b.page.evaluate("() => window.innerWidth")
    assert box is not None, f"{what} is not shown"
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, f"{what} is outside the window: {box}"


def test_koordinator_pages_never_scroll_sideways(browsing: Browsing, scene):
    b, page = browsing, browsing.page
    if not b.is_phone:
        page.set_viewport_size({"width": 1366, "height": 800})
    log_in(b, scene["koordinator"].email, f.PASSWORD)
    activate_totp(b, f.PASSWORD)
    match, borger, faellesskab = scene["match"], scene["borger"], scene["faellesskab"]
    for path in ["/", "/borgere/", "/borgere/ny/", f"/borgere/{borger.pk}/", f"/borgere/{borger.pk}/samtale/",
                 "/borgere/henvisninger/", "/anmodninger/", "/matches/", f"/matches/{match.pk}/",
                 f"/matches/{match.pk}/ledsagelse/", "/foreninger/", "/foreninger/faellesskaber/",
                 f"/foreninger/faellesskaber/{faellesskab.pk}/", f"/foreninger/faellesskaber/{faellesskab.pk}/rediger/",
                 "/paamindelser/", "/medlemmer/", "/borgere/samtykketekster/", "/foreninger/import/",
                 "/adgangslog/", "/center/indstillinger/", "/profil/"]:
        b.goto(path)
        assert_no_sideways_scroll(b)
    b.finish()


@pytest.mark.parametrize("viewport", ["desktop"])
def test_every_menu_item_is_reachable_at_992_1366_and_1920(browsing: Browsing, scene):
    b, page = browsing, browsing.page
    log_in(b, scene["koordinator"].email, f.PASSWORD)
    activate_totp(b, f.PASSWORD)
    nav = page.get_by_role("navigation", name="Hovedmenu")
    for width in (992, 1366, 1920):
        page.set_viewport_size({"width": width, "height": 900})
        b.goto("/")
        assert_no_sideways_scroll(b)
        b.open_menu_if_collapsed()
        groups = nav.locator(".hovedmenu > li > .dropdown-toggle")
        expect(groups).to_have_count(5)  # Borgere, Fællesskaber, Forløb, Rapporter, Administration
        tops = nav.locator(".hovedmenu > li > .nav-link, .brugermenu > li > .nav-link")
        for i in range(tops.count()):
            assert_inside_window(b, tops.nth(i), f"menu item {tops.nth(i).inner_text()!r} at {width} px")
        for i in range(groups.count()):
            group = groups.nth(i)
            group.click()
            items = nav.locator(".hovedmenu > li").nth(i + 1).locator(".dropdown-item")
            expect(items.first).to_be_visible()
            for j in range(items.count()):
                assert_inside_window(b, items.nth(j), f"{items.nth(j).inner_text()!r} at {width} px")
            page.keyboard.press("Escape")
        for label in ("Log ud", "Min profil"):
            nav.locator(".brugermenu > li").last.locator(".dropdown-toggle").click()
            assert_inside_window(b, nav.get_by_role("button" if label == "Log ud" else "link", name=label), label)
            page.keyboard.press("Escape")
        assert_no_sideways_scroll(b)

    # The focus ring on the dark bar: keyboard focus on a menu button shows a 3 px outline.
    page.set_viewport_size({"width": 1366, "height": 900})
    b.goto("/")
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the brand
    page.keyboard.press("Tab")  # Overblik
    outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle + ' ' + "
                            "getComputedStyle(document.activeElement).outlineWidth")
    assert outline.startswith("solid 3px"), outline
    b.click_nav("Adgangslog")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    b.finish()


@pytest.mark.parametrize("viewport", ["desktop"])
def test_a_brobygger_gets_a_short_menu(browsing: Browsing, scene):
    b, page = browsing, browsing.page
    log_in(b, scene["brobygger"].email, f.PASSWORD)
    b.goto("/")
    nav = page.get_by_role("navigation", name="Hovedmenu")
    expect(nav.locator(".hovedmenu .dropdown-toggle")).to_have_count(0)
    expect(nav.locator(".hovedmenu > li")).to_have_count(4)  # Min dag, Mine borgere, Fællesskaber, Arrangementer
    expect(nav.get_by_role("link", name="Min dag")).to_be_visible()
    expect(nav.get_by_text("Administration")).to_have_count(0)
    b.click_nav("Mine borgere")
    assert_no_sideways_scroll(b)
    b.finish()
