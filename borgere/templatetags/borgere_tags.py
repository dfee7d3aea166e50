"""Template tags of borgere. `{% load borgere_tags %}`."""

from django import template

from brobygning import access

from ..models import Henvisning, HenvisningStatus
from ..selectors import MENU_LOFT, NYE_HENVISNINGER

register = template.Library()


@register.simple_tag
def nye_henvisninger(actor) -> int:
    """How many new referrals wait in the actor's centre, for a count badge in the menu:
    `{% nye_henvisninger actor as antal %}{% if antal %}…{% if antal > 99 %}99+{% else %}{{ antal }}…`.
    0 for anyone who may not see the inbox (only koordinatorer may). Counted with the user's memberships
    (`selectors.nye_henvisninger_antal`, registered in apps.py), else at most one query, bounded."""
    if actor is None or getattr(actor, "medlemskab", None) is None or not access.can(actor, "henvisning", "list"):
        return 0
    antal = getattr(actor.medlemskab, NYE_HENVISNINGER, None)
    if antal is not None:
        return antal
    qs = access.scope(actor, "henvisning", Henvisning.objects.filter(status=HenvisningStatus.NY))
    return qs.order_by()[:MENU_LOFT + 1].count()
