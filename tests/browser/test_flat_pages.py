"""Issue 15: the bounded overview, the match board with its "se alle" link and one stage's paginated
list, checked with axe-core, for console errors and CSP violations by the ``browsing`` fixture."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from brobygning.models import Rolle
from matching.forside import OPGAVER
from matching.models import Stage
from tests import factories as f
from tests import journey_factories as rf

from .conftest import Browsing, activate_totp, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def setup():
    center = f.CenterFactory(navn="Frivilligcenter Odense", slug="odense")
    user = f.UserFactory(email="tavle.koordinator@odense.test", first_name="Karen")
    f.MedlemskabFactory(user=user, center=center, rolle=Rolle.KOORDINATOR)
    faellesskab = f.FaellesskabFactory(forening=f.ForeningFactory(center=center), titel="Strik og snak")
    for i in range(30):
        match = rf.MatchFactory(borger__center=center, borger__fornavn=f"Tavle{i}", center=center,
                                faellesskab=faellesskab, stage=Stage.FORESLAAET)
        rf.OpfoelgningFactory(match=match, forfalder=timezone.localdate() - timedelta(days=2))
    return user


def test_the_overview_and_the_match_board_are_bounded_and_page_through_a_stage(browsing: Browsing, setup):
    b, page = browsing, browsing.page
    log_in(b, setup.email, f.PASSWORD)
    activate_totp(b, f.PASSWORD)

    b.goto("/")
    expect(page.locator("main")).to_contain_text(f"og {30 - OPGAVER} flere")  # a to-do list of OPGAVER rows
    b.goto("/matches/")
    b.click_and_wait(page.get_by_role("link", name="Se alle 30"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Foreslået")
    b.click_and_wait(page.get_by_role("link", name="Næste"))
    expect(page.locator("main")).to_contain_text("Side 2 af 2")
    assert b.csp_violations == []
    b.finish()
