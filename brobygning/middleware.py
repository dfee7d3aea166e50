from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from .access import actor_for

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


class ActorMiddleware:
    """Puts `request.actor`: the user in their current centre (chosen in the session)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.actor = SimpleLazyObject(lambda: actor_for(request.user, request.session.get(SESSION_CENTER_KEY)))
        return self.get_response(request)


class RequireMfaForKoordinatorMiddleware:
    """Koordinatorer must set up two-factor login before they can do anything else.

    It applies to the person, in every centre: a koordinator somewhere cannot dodge it by switching
    to a centre where they are a brobygger."""

    # /c/ and /api/hsds/: public pages and the public API
    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz", "/i18n/", "/favicon", "/c/", "/api/hsds/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and request.actor.koordinator_anywhere
            and not _has_mfa(request)
        ):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


MFA_SESSION_KEY = "mfa_ok_for"


def _has_mfa(request) -> bool:
    """Whether the user has TOTP set up; remembered in the session once true, to save a query."""
    from allauth.mfa.models import Authenticator

    if request.session.get(MFA_SESSION_KEY) == request.user.pk:
        return True
    if Authenticator.objects.filter(user=request.user, type=Authenticator.Type.TOTP).exists():
        request.session[MFA_SESSION_KEY] = request.user.pk
        return True
    return False
