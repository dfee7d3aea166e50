"""Helpers for the public pages (no login): language by URL, cacheable responses.

Public pages choose their language from the `sprog` GET parameter (Danish by default), never from a
cookie, so a shared cache can store them: the response depends on the URL alone. `public_page`
marks the response, and `PublicCacheMiddleware` (outside the session middleware) removes the
`Vary: Cookie` the session middleware adds whenever the user was looked up.
"""

from functools import wraps

from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_cache_control

PUBLIC_ATTR = "brobygning_public_cache"


def public_language(request) -> str:
    lang = request.GET.get("sprog", "")
    return lang if lang in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def public_page(max_age: int | None = None, *, cacheable: bool = True):
    """Render the view in the URL's language; mark a 200 response as publicly cacheable."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            lang = public_language(request)
            with translation.override(lang):
                request.LANGUAGE_CODE = lang
                response = view(request, *args, **kwargs)
                if hasattr(response, "render") and not response.is_rendered:
                    response.render()
            response.headers["Content-Language"] = lang
            if not cacheable:
                # A form may be shown again with what someone typed: never stored by a cache.
                patch_cache_control(response, private=True, no_store=True)
            elif response.status_code == 200 and request.method in ("GET", "HEAD"):
                patch_cache_control(response, public=True,
                                    max_age=settings.PUBLIC_CACHE_SECONDS if max_age is None else max_age)
                setattr(response, PUBLIC_ATTR, True)
            return response

        return wrapper

    return decorator


class PublicCacheMiddleware:
    """Keeps public pages shareable: no `Vary: Cookie` on a response that does not depend on cookies.

    Must sit before (outside) SessionMiddleware. A response that sets a cookie anyway is made private.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(response, PUBLIC_ATTR, False):
            if response.cookies:
                response.headers["Cache-Control"] = "private, no-cache"
            elif response.has_header("Vary"):
                rest = [v.strip() for v in response["Vary"].split(",") if v.strip().lower() != "cookie"]
                if rest:
                    response["Vary"] = ", ".join(rest)
                else:
                    del response.headers["Vary"]
        return response
