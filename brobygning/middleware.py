from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from .access import actor_for
from .models import Medlemskab, Rolle

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

    ALLOWED_PREFIXES = ("/accounts/", "/static/", "/healthz", "/i18n/", "/favicon")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.user.is_authenticated
            and not request.path.startswith(self.ALLOWED_PREFIXES)
            and _is_koordinator_anywhere(request.user)
            and not _has_mfa(request.user)
        ):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


def _is_koordinator_anywhere(user) -> bool:
    return Medlemskab.objects.filter(user=user, aktiv=True, rolle=Rolle.KOORDINATOR).exists()


def _has_mfa(user) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
