"""Hardening (OWASP ASVS L2): CSP, caching, sessions, passwords, brute force, logs and error pages."""

import logging
import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from brobygning.middleware import LAST_SEEN_KEY, LOGIN_AT_KEY

from . import factories as f

pytestmark = pytest.mark.django_db
BASE_DIR = Path(django_settings.BASE_DIR)


def _csp(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


def test_every_page_has_a_strict_content_security_policy(world, as_koordinator_a, client):
    for response in (client.get(reverse("account_login")),
                     as_koordinator_a.get(reverse("borgere:borger_detail", args=[world.borger_a.pk]))):
        csp = _csp(response)
        assert csp["object-src"] == "object-src 'none'"
        assert csp["base-uri"] == "base-uri 'none'"
        assert csp["frame-ancestors"] == "frame-ancestors 'none'"
        assert csp["script-src"] == "script-src 'self'"
        assert "unsafe-inline" not in response.headers["Content-Security-Policy"]


def test_the_csp_lets_the_public_map_load_its_tiles(world, client, settings):
    """Tiles come from MAP_TILE_URL's host; nothing else outside the site is allowed."""
    csp = _csp(client.get(reverse("foreninger:public_directory", args=[world.center_a.slug])))
    assert csp["img-src"] == "img-src 'self' data: https://tile.openstreetmap.org"


def test_no_template_has_inline_script_or_style():
    """Inline <script>, <style> and style="" would be blocked by the CSP (emails, and the `*_pdf.html`
    templates WeasyPrint renders, are not web pages)."""
    import re

    offenders = []
    for path in (BASE_DIR / "templates").rglob("*.html"):
        if "email" in path.parts or path.name.endswith("_pdf.html"):
            continue
        text = path.read_text()
        for match in re.finditer(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>|<style\b|\sstyle=\"|\son[a-z]+=\"", text):
            offenders.append(f"{path.relative_to(BASE_DIR)}: {match.group(0)}")
    assert offenders == []


def test_pages_with_personal_data_are_not_stored_and_public_prefixes_are_exempt(world, as_koordinator_a, client):
    for response in (as_koordinator_a.get(reverse("borgere:borger_detail", args=[world.borger_a.pk])),
                     as_koordinator_a.get(reverse("matching:forside")), client.get(reverse("account_login"))):
        assert "no-store" in response.headers["Cache-Control"]
    public = client.get("/c/ikke-et-center/")
    assert "no-store" not in public.headers.get("Cache-Control", "")
    assert "no-store" not in client.get("/api/hsds/services").headers.get("Cache-Control", "")


def test_session_ends_after_30_minutes_idle(world, brobygger_a):
    client = Client()
    client.force_login(brobygger_a)
    url = reverse("borgere:borger_detail", args=[world.borger_a.pk])
    assert client.get(url).status_code == 200
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - 31 * 60
    session.save()
    response = client.get(url)
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert client.get(url).status_code == 302  # logged out for good


def test_session_ends_12_hours_after_login_however_active(world, brobygger_a):
    client = Client()
    client.force_login(brobygger_a)
    session = client.session
    session[LOGIN_AT_KEY] = time.time() - 12 * 3600 - 5
    session[LAST_SEEN_KEY] = time.time()
    session.save()
    response = client.get(reverse("matching:forside"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_activity_keeps_the_session_within_the_idle_limit(world, brobygger_a):
    client = Client()
    client.force_login(brobygger_a)
    session = client.session
    session[LAST_SEEN_KEY] = time.time() - 29 * 60
    session.save()
    assert client.get(reverse("matching:forside")).status_code == 200
    assert time.time() - client.session[LAST_SEEN_KEY] < 5  # refreshed


def test_login_gives_a_new_session_key(client, brobygger_a):
    client.get(reverse("account_login"))
    client.session["x"] = 1
    session = client.session
    session["før"] = 1
    session.save()
    before = client.cookies["sessionid"].value
    response = client.post(reverse("account_login"), {"login": brobygger_a.email, "password": f.PASSWORD})
    assert response.status_code == 302
    assert client.cookies["sessionid"].value != before


def test_cookies_are_httponly_and_samesite(settings):
    assert settings.SESSION_COOKIE_HTTPONLY and settings.CSRF_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Lax" and settings.CSRF_COOKIE_SAMESITE == "Lax"


def test_argon2_and_the_password_validators_in_production_settings():
    import brobygning.settings as production

    assert production.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    for weak in ("password123", "1234567890123", "kort"):
        with pytest.raises(ValidationError):
            validate_password(weak)


def test_admin_login_form_is_allauths(client):
    """The admin has no password form of its own: its login sends to allauth's, with allauth's rate
    limits and the two-factor step (issue 11)."""
    admin = f.UserFactory(email="admin-login@x.test", is_staff=True, is_superuser=True)
    url = reverse("admin:login")
    for response in (client.get(url), client.post(url, {"username": admin.email, "password": f.PASSWORD})):
        assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


def test_error_page_is_generic_without_a_stack_trace(world, as_koordinator_a, monkeypatch):
    import borgere.views.borger

    def boom(**kwargs):
        raise RuntimeError("HEMMELIG-STAKSPOR-MARKØR")

    monkeypatch.setattr(borgere.views.borger.selectors, "borger_get", boom)
    as_koordinator_a.raise_request_exception = False
    response = as_koordinator_a.get(reverse("borgere:borger_detail", args=[world.borger_a.pk]))
    html = response.content.decode()
    assert response.status_code == 500
    assert "HEMMELIG-STAKSPOR-MARKØR" not in html and "Traceback" not in html and "Der skete en fejl" in html


def test_no_personal_data_in_application_logs_or_urls(world, as_koordinator_a, caplog, locmem_channels):
    """A journey with distinctive marker values; the captured log records must not contain them."""
    markers = {"fornavn": "Qzxmarkørfornavn", "efternavn": "Qzxmarkørefternavn",
               "email": "qzxmarker@borger.test", "telefon": "+4520123987"}
    caplog.set_level(logging.DEBUG)
    data = {**markers, "foretrukken_kanal": "sms", "postnummer": "5000", "oensket_rolle": "deltager",
            "max_afstand_km": 10, "status": "ny", "noter": "Qzxmarkørnote", **f.samtykke_data(world.center_a)}
    response = as_koordinator_a.post(reverse("borgere:borger_create"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "Qzx" not in response.url and "qzx" not in response.url
    detail = as_koordinator_a.get(response.url)
    assert detail.status_code == 200
    as_koordinator_a.post(reverse("borgere:borger_list"), {"q": "Qzxmarkørfornavn"})
    as_koordinator_a.get(reverse("borgere:borger_list"))
    as_koordinator_a.post(reverse("account_login"), {"login": "qzxmarker@borger.test", "password": "x"})
    text = "\n".join(f"{r.getMessage()} {r.args!r}" for r in caplog.records)
    for value in [*markers.values(), "Qzxmarkørnote"]:
        assert value not in text
    assert "Qzx" not in detail.request["PATH_INFO"]


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    # Not the test process's own switches (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE).
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(DEBUG="false", SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS="brobygning.example.dk",
               STATIC_ROOT=str(tmp_path), DJANGO_SETTINGS_MODULE="brobygning.settings",  # not the test settings
               EMAIL_URL="smtp+tls://brobygning:x@smtp.example.dk:587", SMS_URL="https://sms.example.dk/api/sms")
    result = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_error_reports_hold_no_post_values_or_local_variables(rf):
    import sys as _sys

    from django.views.debug import ExceptionReporter

    request = rf.post("/borgere/ny/", {"fornavn": "Rapportmarkør", "noter": "Rapportnote"})
    borger_navn = "Lokalmarkør"  # noqa: F841 - a local variable the report must not show
    try:
        raise RuntimeError("fejl")
    except RuntimeError:
        report = ExceptionReporter(request, *_sys.exc_info()).get_traceback_text()
    assert "Rapportmarkør" not in report and "Rapportnote" not in report and "Lokalmarkør" not in report
    assert "fornavn" in report  # the field names are kept, to help debugging


def test_page_titles_hold_no_markup():
    """A <title> is plain text: markup in a title block is a misplaced piece of the page."""
    import re

    offenders = [str(path.relative_to(BASE_DIR)) for path in (BASE_DIR / "templates").rglob("*.html")
                 for block in re.findall(r"{% block title %}(.*?){% endblock %}", path.read_text(), flags=re.S)
                 if "<" in block]
    assert offenders == []
