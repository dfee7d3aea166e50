import time

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import logout
from django.contrib.auth.middleware import AuthenticationMiddleware as DjangosAuthenticationMiddleware
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import sessions
from .access import actor_for
from .adgangslog import Collect, H, log
from .auth import laest_med_sessionen

SESSION_CENTER_KEY = "center_id"


class DanishUnlessChosenMiddleware:
    """Danish unless the user picks another language in the footer (a cookie).

    Runs before LocaleMiddleware and hides the browser's Accept-Language, so an English-language
    browser at a Danish frivilligcenter still shows the Danish UI.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)


class AuthenticationMiddleware(DjangosAuthenticationMiddleware):
    """Django's: `request.user`, loaded when first used by `auth.get_user` (the session's user id, the
    backend it names, the session's hash checked against the user's password). Around that one call
    the memberships read in the session's round trip are offered to the backend (`brobygning.sessions`:
    used only for the user they were read for), and afterwards the session's user is remembered for its
    next request."""

    def process_request(self, request):
        super().process_request(request)
        request.user = SimpleLazyObject(lambda: _user(request))


def _user(request):
    if not hasattr(request, "_cached_user"):  # as django.contrib.auth.middleware.get_user
        with laest_med_sessionen(request.session):
            request._cached_user = auth.get_user(request)
        if request._cached_user.is_authenticated:
            sessions.husk_bruger(request.session.session_key, request._cached_user.pk)
    return request._cached_user


class ActorMiddleware:
    """Puts `request.actor`: the user in their current centre (chosen in the session)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = SimpleLazyObject(lambda: actor_for(request.user, request.session.get(SESSION_CENTER_KEY)))
        return self.get_response(request)


class RequireMfaForKoordinatorMiddleware:
    """Koordinatorer, network users and staff (who reach the admin), log in with two factors.

    Without TOTP they must set it up before they can do anything else. With TOTP, a session must have
    passed the two-factor step of this login (allauth records the methods used in the session); a
    session logged in with the password alone (an old session, or any way round allauth's login
    stages) is logged out and sent to log in again, on every path. It applies to the person, in every
    centre: a koordinator somewhere cannot dodge it by switching to a centre where they are a
    brobygger."""

    # /c/ and /api/hsds/: public pages and the public API
    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz", "/i18n/", "/favicon", "/c/", "/api/hsds/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if not user.is_authenticated or _passed_mfa(request) or not _must_use_mfa(request):
            return self.get_response(request)
        if _has_totp(user):
            logout(request)
            messages.info(request, _("Log ind igen med din kode fra to-trins-login."))
            return redirect(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
        if not request.path.startswith(self.ALLOWED_PREFIXES):
            return redirect(reverse("mfa_activate_totp"))
        response = self.get_response(request)
        if request.method == "POST" and request.path == reverse("mfa_activate_totp") and _has_totp(user):
            # Set up in this request: the activation checked a code from the new authenticator.
            request.session[MFA_SESSION_KEY] = user.pk
        return response


MFA_SESSION_KEY = "mfa_bestaaet"  # the user whose login in this session passed the two-factor step


def _must_use_mfa(request) -> bool:
    user = request.user
    return user.is_staff or user.is_superuser or user.netvaerksadgang or request.actor.koordinator_anywhere


def _passed_mfa(request) -> bool:
    """Whether this session's login passed the two-factor step; remembered in the session once true."""
    if request.session.get(MFA_SESSION_KEY) == request.user.pk:
        return True
    if any(record.get("method") == "mfa" for record in get_authentication_records(request, request.user)):
        request.session[MFA_SESSION_KEY] = request.user.pk
        return True
    return False


def _has_totp(user) -> bool:
    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class AccessLogMiddleware:
    """Collects the request's access-log entries and writes them in one INSERT; logs refusals.

    A 403 or 404 raised while a logged-in user asks for something is a refused authorisation."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with Collect() as collect:
            request._adgangslog = collect
            return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        collect = getattr(request, "_adgangslog", None)
        if collect is not None and request.resolver_match is not None:
            collect.set_view(request.resolver_match.url_name or "")

    def process_exception(self, request, exception):
        if isinstance(exception, PermissionDenied | Http404) and request.user.is_authenticated:
            actor = request.actor
            log(actor=actor, handling=H.AFVIST, kriterium=f"{request.method} {request.path}"[:300],
                formaal="403" if isinstance(exception, PermissionDenied) else "404")


LOGIN_AT_KEY = "logget_ind"
LAST_SEEN_KEY = "sidst_aktiv"


class SessionTimeoutMiddleware:
    """Logs out after SESSION_IDLE_SECONDS without a request, or SESSION_ABSOLUTE_SECONDS after login.

    The last-seen time is written back at most once a minute, so most requests save no session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            started = request.session.setdefault(LOGIN_AT_KEY, now)
            last_seen = request.session.get(LAST_SEEN_KEY, now)
            if now - started > settings.SESSION_ABSOLUTE_SECONDS or now - last_seen > settings.SESSION_IDLE_SECONDS:
                logout(request)
                return redirect(f"{reverse('account_login')}?{urlencode({'next': request.path})}")
            if now - last_seen >= 60 or LAST_SEEN_KEY not in request.session:
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every page except the public ones (CACHEABLE_PATH_PREFIXES)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(settings.CACHEABLE_PATH_PREFIXES):
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
        return response
