"""Issue 12, point 5 in the browser: a host answers "Kom Anna?" on a phone (375 px) from the link in
the e-mail, as the outbox rendered it. axe-core checks every page touched (the ``browsing`` fixture)."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from brobygning.paamindelser import dispatch_due
from matching import paamindelser
from matching.models import LedsagelseStatus, Moedesvar, Stage, VaertRapport
from tests import journey_factories as rf

from .conftest import Browsing

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_host_answers_from_the_email_link_on_a_phone(browsing: Browsing, mailoutbox):
    when = timezone.now() - timedelta(hours=3)
    ledsagelse = rf.planned_ledsagelse(when=when, kanal="email", varighed_min=120)
    paamindelser.sync_ledsagelse(ledsagelse, now=when - timedelta(days=2))  # planned two days before
    dispatch_due()
    [message] = [m for m in mailoutbox if m.to == ["hanne@forening.test"]]
    assert message.subject == "Kom Anna til Strik og snak?"
    # The JA button of the HTML part, as the host taps it.
    ja = re.search(r'href="([^"]+\?svar=ja)"', message.alternatives[0][0]).group(1).replace("&amp;", "&")
    parts = urlsplit(ja)
    b, page = browsing, browsing.page
    assert b.is_phone and page.viewport_size["width"] == 375

    b.goto(f"{parts.path}?{parts.query}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Kom Anna?")
    expect(page.get_by_label("Ja, kom")).to_be_checked()
    assert Moedesvar.objects.get(ledsagelse=ledsagelse, modtager="vaert").besvaret is None  # opening the link changed nothing
    page.get_by_label("Vil du fortælle brobyggeren mere? (valgfrit)").fill("Hun fandt hurtigt ind i snakken")
    b.submit("Send svar")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tak for dit svar")

    ledsagelse.refresh_from_db()
    assert (ledsagelse.status, ledsagelse.vaert_rapport) == (LedsagelseStatus.MOEDT_OP, VaertRapport.KOM)
    assert ledsagelse.match.__class__.objects.get(pk=ledsagelse.match_id).stage == Stage.BUDT_VELKOMMEN
    assert Moedesvar.objects.get(ledsagelse=ledsagelse, modtager="vaert").kommentar == "Hun fandt hurtigt ind i snakken"

    # The same link again: used, a clear page, nothing changed.
    response = page.goto(b.url(f"{parts.path}?{parts.query}"))
    assert response.status == 410
    page.wait_for_function("() => window.__axeDone === true")
    # Chromium logs every 4xx document as a console error; this one is the expected answer.
    b.console_errors = [e for e in b.console_errors if "status of 410" not in e]
    b.settle()
    expect(page.get_by_role("heading", level=1)).to_have_text("Du har allerede svaret")
    b.finish()
    assert len(b.checked_urls) == 3, b.checked_urls
