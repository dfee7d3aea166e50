"""Template tags of borgere. `{% load borgere_tags %}`."""

from django import template

from brobygning import access

from ..models import Henvisning, HenvisningStatus

register = template.Library()

# The menu badge counts at most this many referrals and shows "99+" beyond (`MENU_LOFT + 1` rows read).
MENU_LOFT = 99


@register.simple_tag
def nye_henvisninger(actor) -> int:
    """How many new referrals wait in the actor's centre, for a count badge in the menu:
    `{% nye_henvisninger actor as antal %}{% if antal %}…{% if antal > 99 %}99+{% else %}{{ antal }}…`.
    0 for anyone who may not see the inbox (only koordinatorer may). At most one query, bounded."""
    if actor is None or getattr(actor, "medlemskab", None) is None or not access.can(actor, "henvisning", "list"):
        return 0
    qs = access.scope(actor, "henvisning", Henvisning.objects.filter(status=HenvisningStatus.NY))
    return qs.order_by()[:MENU_LOFT + 1].count()
