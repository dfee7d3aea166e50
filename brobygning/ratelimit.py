"""Counting attempts per client in the Django cache (Redis in production, so it holds across processes).

Used by the public referral form and by the Django admin's login throttle.
"""

from django.conf import settings
from django.core.cache import cache


def client_ip(request) -> str:
    """The client's address. Behind a proxy, set NUM_PROXIES to trust that many X-Forwarded-For hops."""
    proxies = settings.NUM_PROXIES
    if proxies:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def count_attempt(key: str, period: int) -> int:
    """Count one attempt under `key` in a fixed window of `period` seconds; the count so far."""
    if cache.add(key, 1, timeout=period):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=period)
        return 1


def rate_limited(request, action: str, *, limit: int, period: int) -> bool:
    """Count one attempt at `action` from the client's IP; True once more than `limit` in `period` s."""
    return count_attempt(f"ratelimit:{action}:{client_ip(request)}", period) > limit
