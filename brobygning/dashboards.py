"""The numbers on each role's front page, read through the scoped selectors."""

from borgere.selectors import borger_list
from foreninger.selectors import faellesskab_list, forening_list

from . import access


def overview(*, actor) -> dict:
    tal = {}
    if access.can(actor, "borger", "list"):
        borgere = borger_list(actor=actor)
        tal["borgere"] = borgere.count()
        if actor.is_koordinator:
            tal["uden_brobygger"] = borgere.filter(brobygger__isnull=True).count()
    tal["foreninger"] = forening_list(actor=actor).count()
    tal["faellesskaber"] = faellesskab_list(actor=actor).count()
    return tal
