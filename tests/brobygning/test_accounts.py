"""Logging in, password reset, closed sign-up, two-factor login for koordinatorer, and Danish error pages."""

import re
import time

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from borgere.models import Borger
from brobygning import access
from brobygning.access import actor_for
from brobygning.models import Rolle

from .. import factories as f

pytestmark = pytest.mark.django_db

WRONG_PASSWORD_DA = "Den angivne emailadresse og/eller adgangskode er ikke korrekt."
TOO_MANY_ATTEMPTS_DA = "Der er for mange mislykkede logonforsøg. Prøv igen senere."


@pytest.fixture(autouse=True)
def _clean_cache():
    # Rate limits and used TOTP codes live in the cache, which outlives a single test.
    cache.clear()
    yield
    cache.clear()


def totp_code(secret: str) -> str:
    """The current RFC 6238 code for a base32 secret, as an authenticator app would show it."""
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def koordinator_without_mfa(center, email="ny-koordinator@a.test"):
    user = f.UserFactory(email=email)
    f.MedlemskabFactory(user=user, center=center, rolle=Rolle.KOORDINATOR)
    return user


def password_login(client, user, password=f.PASSWORD):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


def open_activation_page(client, user):
    """GET the TOTP activation page. allauth asks for the password again first (MFA_REAUTHENTICATION_REQUIRED)."""
    url = reverse("mfa_activate_totp")
    response = client.get(url)
    if response.status_code == 302 and response.url.startswith(reverse("account_reauthenticate")):
        page = client.get(response.url)
        assert page.status_code == 200
        html = assert_no_template_errors(page)
        assert "Bekræft din identitet" in html
        assert re.search(r'<label[^>]+for="id_password"', html)
        done = client.post(response.url, {"password": f.PASSWORD})
        assert done.status_code == 302 and done.url == url
        response = client.get(url)
    return response


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


def assert_no_template_errors(response):
    html = response.content.decode()
    assert "TemplateSyntaxError" not in html
    assert html.count("<h1") == 1, "each page has exactly one h1"
    return html


# --- Logging in ----------------------------------------------------------------------------------


def test_login_page_is_danish_and_uses_site_layout(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    html = assert_no_template_errors(response)
    assert "base.html" in [t.name for t in response.templates]
    assert '<html lang="da">' in html
    assert "Log ind" in html
    assert 'type="email"' in html and 'name="login"' in html
    # Every visible input has a label tied to it.
    assert re.search(r'<label[^>]+for="id_login"', html)
    assert re.search(r'<label[^>]+for="id_password"', html)
    assert "form-control" in html and "btn btn-primary" in html
    assert reverse("account_reset_password") in html
    # No public sign-up.
    assert reverse("account_signup") not in html


def test_brobygger_logs_in_with_email_and_password(client, brobygger_a):
    response = password_login(client, brobygger_a)
    assert response.status_code == 302
    assert response.url == reverse("matching:forside")
    assert logged_in_user_id(client) == str(brobygger_a.pk)
    assert client.get("/").status_code == 200


def test_wrong_password_shows_danish_error_and_does_not_log_in(client, brobygger_a):
    response = password_login(client, brobygger_a, password="forkert-adgangskode")
    assert response.status_code == 200
    html = response.content.decode()
    assert WRONG_PASSWORD_DA in html
    assert "alert-danger" in html
    assert logged_in_user_id(client) is None


def test_failed_logins_are_rate_limited(client, brobygger_a, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/key"}
    for _ in range(3):
        response = password_login(client, brobygger_a, password="forkert-adgangskode")
        assert WRONG_PASSWORD_DA in response.content.decode()
    # Even the right password is refused now.
    response = password_login(client, brobygger_a)
    assert response.status_code == 200
    assert TOO_MANY_ATTEMPTS_DA in response.content.decode()
    assert logged_in_user_id(client) is None


def test_one_client_behind_the_proxy_cannot_lock_out_the_others(brobygger_a, settings):
    """Behind one proxy (NUM_PROXIES=1) allauth's limits count per client in X-Forwarded-For, not per proxy."""
    settings.NUM_PROXIES = 1
    proxy = "10.0.0.1"  # every request arrives from the proxy's address
    attacker = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.9")
    for n in range(12):  # allauth allows 10 failed logins a minute per address
        attacker.post(reverse("account_login"), {"login": f"gaet-{n}@a.test", "password": "forkert-adgangskode"})
    locked = attacker.post(reverse("account_login"), {"login": "gaet-x@a.test", "password": "forkert-adgangskode"})
    assert TOO_MANY_ATTEMPTS_DA in locked.content.decode()  # the attacker's own address is stopped

    colleague = Client(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="198.51.100.7")
    response = password_login(colleague, brobygger_a)
    assert response.status_code == 302, "locked out by another client's failed logins"
    assert logged_in_user_id(colleague) == str(brobygger_a.pk)


def test_sign_up_is_closed(client):
    response = client.get(reverse("account_signup"))
    assert response.status_code == 200
    html = assert_no_template_errors(response)
    assert "Ingen offentlig oprettelse" in html
    assert 'name="password1"' not in html

    client.post(
        reverse("account_signup"),
        {"email": "fremmed@example.org", "password1": "Meget-hemmelig-42", "password2": "Meget-hemmelig-42"},
    )
    assert not get_user_model().objects.filter(email="fremmed@example.org").exists()
    assert logged_in_user_id(client) is None


def test_logout_asks_for_confirmation_and_logs_out(client, brobygger_a):
    client.force_login(brobygger_a)
    response = client.get(reverse("account_logout"))
    assert response.status_code == 200
    assert "Er du sikker på, at du vil logge ud?" in assert_no_template_errors(response)
    client.post(reverse("account_logout"))
    assert logged_in_user_id(client) is None


# --- Password reset and change -------------------------------------------------------------------


def test_password_reset_sends_one_danish_email_with_a_working_link(client, brobygger_a):
    page = client.get(reverse("account_reset_password"))
    assert page.status_code == 200
    assert "Nulstil adgangskode" in assert_no_template_errors(page)

    response = client.post(reverse("account_reset_password"), {"email": brobygger_a.email})
    assert response.status_code == 302
    assert response.url == reverse("account_reset_password_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [brobygger_a.email]
    assert "Nulstil din adgangskode" in message.subject
    assert "vælge en ny adgangskode" in message.body
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", message.body).group(0)

    done = client.get(response.url)
    assert done.status_code == 200
    assert "Tjek din e-mail" in assert_no_template_errors(done)

    # The link leads to a form for the new password; allauth hides the key behind a redirect.
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    assert response.status_code == 200
    html = assert_no_template_errors(response)
    assert "Vælg ny adgangskode" in html
    assert 'name="password1"' in html and 'name="password2"' in html
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    new_password = "Ny-adgangskode-2024!"
    response = client.post(form_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302
    done = client.get(response.url)
    assert "Adgangskoden er ændret" in assert_no_template_errors(done)

    other = Client()
    assert password_login(other, brobygger_a, password=new_password).status_code == 302
    assert logged_in_user_id(other) == str(brobygger_a.pk)


def test_password_reset_with_used_or_bad_key_is_explained(client, brobygger_a):
    response = client.get("/accounts/password/reset/key/1-ugyldig/", follow=True)
    assert response.status_code == 200
    assert "Ugyldigt link" in assert_no_template_errors(response)


def test_password_reset_for_unknown_email_does_not_reveal_existence(client, brobygger_a):
    known = client.post(reverse("account_reset_password"), {"email": brobygger_a.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "ukendt@example.org"})
    # Same answer either way.
    assert unknown.status_code == known.status_code == 302
    assert unknown.url == known.url == reverse("account_reset_password_done")
    # No reset link goes anywhere for the unknown address (allauth may tell that address no account exists).
    for message in mail.outbox:
        if message.to == ["ukendt@example.org"]:
            assert "/password/reset/key/" not in message.body
            assert "/accounts/signup" not in message.body
    assert sum("/password/reset/key/" in m.body for m in mail.outbox) == 1


def test_password_change_page_renders(client, brobygger_a):
    client.force_login(brobygger_a)
    response = client.get(reverse("account_change_password"))
    assert response.status_code == 200
    html = assert_no_template_errors(response)
    assert "Skift adgangskode" in html
    assert re.search(r'<label[^>]+for="id_oldpassword"', html)


# --- Two-factor login for koordinatorer ----------------------------------------------------------


def test_koordinator_without_mfa_is_sent_to_activation(client, center_a):
    user = koordinator_without_mfa(center_a)
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")
    # They can still log out.
    assert client.get(reverse("account_logout")).status_code == 200


def test_koordinator_without_mfa_can_open_activation_page(client, center_a):
    user = koordinator_without_mfa(center_a)
    client.force_login(user)
    response = open_activation_page(client, user)
    assert response.status_code == 200
    html = assert_no_template_errors(response)
    secret = response.context["form"].secret
    assert "Sæt to-trins-login op" in html
    assert "data:image/svg+xml;base64," in html  # the QR code
    assert f'value="{secret}"' in html  # the secret as text
    assert re.search(r'<label[^>]+for="authenticator_secret"', html)
    assert re.search(r'<label[^>]+for="id_code"', html)


def test_brobygger_without_mfa_is_not_redirected(client, brobygger_a):
    client.force_login(brobygger_a)
    response = client.get("/")
    assert response.status_code == 200


def test_koordinator_with_mfa_is_not_redirected(client, koordinator_a):
    f.log_in(client, koordinator_a)
    response = client.get("/")
    assert response.status_code == 200


def test_koordinator_activates_totp_and_gets_in(client, center_a):
    user = koordinator_without_mfa(center_a)
    password_login(client, user)
    assert client.get("/").url == reverse("mfa_activate_totp")

    page = open_activation_page(client, user)
    assert page.status_code == 200
    secret = page.context["form"].secret

    wrong_code = "000000" if totp_code(secret) != "000000" else "111111"
    wrong = client.post(reverse("mfa_activate_totp"), {"code": wrong_code})
    assert wrong.status_code == 200
    assert "Forkert kode." in wrong.content.decode()
    assert not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()

    # allauth shows the new recovery codes right away.
    codes = client.get(response.url)
    assert codes.status_code == 200
    html = assert_no_template_errors(codes)
    assert "Gendannelseskoder" in html
    assert re.search(r'<label[^>]+for="recovery_codes"', html)

    index = client.get(reverse("mfa_index"))
    assert index.status_code == 200
    assert "To-trins-login" in assert_no_template_errors(index)

    home = client.get("/")
    assert home.status_code == 200


def test_login_with_totp_asks_for_code(client, center_a):
    user = koordinator_without_mfa(center_a)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)

    response = password_login(client, user)
    assert response.status_code == 302
    assert response.url == reverse("mfa_authenticate")
    assert logged_in_user_id(client) is None

    page = client.get(reverse("mfa_authenticate"))
    assert page.status_code == 200
    html = assert_no_template_errors(page)
    assert "To-trins-login" in html
    assert re.search(r'<label[^>]+for="id_code"', html)

    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)


# --- Two-factor login cannot be skipped (issue 11) ------------------------------------------------


def staff_koordinator_with_totp(center):
    user = koordinator_without_mfa(center, email="admin-koordinator@a.test")
    user.is_staff = True
    user.save()
    TOTP.activate(user, generate_totp_secret())
    return user


def test_admin_login_with_password_only_does_not_get_in(client, center_a):
    """The admin's login form was a way round allauth's two-factor step."""
    user = staff_koordinator_with_totp(center_a)
    response = client.post(reverse("admin:login"), {"username": user.email, "password": f.PASSWORD,
                                                    "next": "/admin/"})
    assert logged_in_user_id(client) is None
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    # Through allauth's login, the password leads to the code, not in.
    response = client.post(f"{reverse('account_login')}?next=/admin/", {"login": user.email, "password": f.PASSWORD})
    assert response.status_code == 302 and response.url == reverse("mfa_authenticate")
    assert logged_in_user_id(client) is None
    for path in ("/admin/", reverse("borgere:borger_list")):  # to a login page, never in
        response = client.get(path)
        assert response.status_code == 302 and "/login/" in response.url, path


def test_password_only_session_of_a_koordinator_with_totp_is_logged_out(client, koordinator_a):
    """A session that logged in with the password but never did the two-factor step gets nowhere."""
    client.force_login(koordinator_a)  # has TOTP (give_mfa); the session records only the password
    session = client.session
    session["account_authentication_methods"] = [{"method": "password", "at": time.time()}]
    session["account_authentication_methods_user"] = str(koordinator_a.pk)
    session.save()
    response = client.get(reverse("borgere:borger_list"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert logged_in_user_id(client) is None
    # Not through allauth's pages either (where it could switch two-factor login off).
    client.force_login(koordinator_a)
    response = client.get(reverse("mfa_index"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))
    assert logged_in_user_id(client) is None
    # After the full login it works.
    f.log_in(client, koordinator_a)
    assert client.get(reverse("borgere:borger_list")).status_code == 200


def test_staff_without_totp_must_set_it_up_before_the_admin(client):
    superuser = f.UserFactory(email="superbruger@x.test", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")


def test_superuser_without_membership_sees_no_centre_data(world):
    """createsuperuser gives the admin, not a centre: without a membership, no borger is visible."""
    superuser = f.give_mfa(f.UserFactory(email="superbruger@x.test", is_staff=True, is_superuser=True))
    client = f.client_logged_in(superuser)
    assert client.get(reverse("borgere:borger_list")).status_code == 403
    assert client.get(reverse("borgere:borger_detail", args=[world.borger_a.pk])).status_code in (403, 404)
    actor = actor_for(superuser)
    assert actor.medlemskab is None
    assert not access.scope(actor, "borger", Borger.objects.all()).exists()
    assert not access.can(actor, "borger", "view", world.borger_a)


# --- Error pages ---------------------------------------------------------------------------------


def test_404_page_is_danish(client, settings):
    settings.DEBUG = False
    response = client.get("/denne-side-findes-ikke/")
    assert response.status_code == 404
    html = assert_no_template_errors(response)
    assert "Siden findes ikke" in html
    assert "Traceback" not in html


def test_403_page_is_danish(client, brobygger_a, settings):
    settings.DEBUG = False
    client.force_login(brobygger_a)
    response = client.get(reverse("brobygning:invitation_create"))  # only koordinatorer invite
    assert response.status_code == 403
    html = assert_no_template_errors(response)
    assert "Ingen adgang" in html
    assert "Traceback" not in html


def test_500_page_is_self_contained():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")  # no request, no context processors
    assert "Der skete en fejl" in html
    assert "<h1>" in html and html.count("<h1") == 1
    assert 'href="/"' in html


def test_user_without_centre_is_told_to_contact_koordinator(client):
    user = f.UserFactory(email="uden-center@example.org")
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 403
    assert (
        "Du er ikke tilknyttet et frivilligcenter endnu. Kontakt din koordinator."
        in response.content.decode()
    )


def test_login_message_is_good_danish_and_no_second_password_right_after_login(client, brobygger_a, settings):
    """Issue 16: "Du er logget ind som …", and setting up two-step login right after logging in does
    not ask for the password again; once the timeout has passed, it does."""
    response = password_login(client, brobygger_a)
    page = client.get(response.url).content.decode()
    assert "Du er logget ind som" in page and "succesfuldt" not in page
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 200
    settings.ACCOUNT_REAUTHENTICATION_TIMEOUT = 0
    response = client.get(reverse("mfa_activate_totp"))
    assert response.status_code == 302 and response.url.startswith(reverse("account_reauthenticate"))
