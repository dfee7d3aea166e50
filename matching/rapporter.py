"""Report figures as `Tabel`s, aggregated in the database (ARCHITECTURE.md, "Rapporter")."""

from django.db.models import Count
from django.utils.translation import gettext as _

from matching.models import Match, Stage
from matching.rapport_tabel import Periode, Tabel


def matches_efter_fase(*, center_ids: list[int], periode: Periode, projekt_id: int | None = None) -> Tabel:
    """Matches created in the period, by the stage they are in now."""
    antal = dict(
        Match.objects.filter(
            center_id__in=center_ids, oprettet__date__gte=periode.fra, oprettet__date__lte=periode.til
        ).values_list("stage").annotate(n=Count("pk")).order_by()
    )
    return Tabel(
        noegle="matches_efter_fase",
        titel=_("Matches oprettet i perioden, efter fase"),
        kolonner=[_("Fase"), _("Antal")],
        raekker=[[label, antal.get(value, 0)] for value, label in Stage.choices],
        taelle_kolonner=frozenset({1}),
    )


def rapport_tabeller(*, center_ids: list[int], periode: Periode, projekt_id: int | None = None) -> list[Tabel]:
    return [matches_efter_fase(center_ids=center_ids, periode=periode, projekt_id=projekt_id)]
