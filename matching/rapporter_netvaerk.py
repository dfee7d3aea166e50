"""The network view's own table: centres side by side (ARCHITECTURE.md, "Rapporter"; SECURITY.md,
"Netværket"). Counts only, aggregated in the database (one grouped query per measure), and always
suppressed before it is shown (matching/undertrykkelse.py)."""

from django.db.models import Count
from django.utils.translation import gettext as _

from borgere.models import Henvisning
from brobygning.models import Frivilligcenter
from matching.models import Match, Stage
from matching.rapport_tabel import Periode, Tabel

# Matches that got at least as far as the first meeting (an ended match may have, too, but its
# stage no longer says so: the count is a floor).
MOEDT_ELLER_LAENGERE = (Stage.LEDSAGET, Stage.BUDT_VELKOMMEN, Stage.AKTIV_1_MD, Stage.AKTIV_3_MD)


def _per_center(qs) -> dict[int, int]:
    return dict(qs.values_list("center_id").annotate(n=Count("pk")).order_by())


def sammenligning(*, center_ids: list[int], periode: Periode) -> Tabel:
    """One row per centre with the key counts of the funnel, and a row for all of them together."""
    i_perioden = {"center_id__in": center_ids, "oprettet__date__gte": periode.fra, "oprettet__date__lte": periode.til}
    henvist = _per_center(Henvisning.objects.filter(**i_perioden))
    matches = Match.objects.filter(**i_perioden)
    alle = _per_center(matches)
    moedt = _per_center(matches.filter(stage__in=MOEDT_ELLER_LAENGERE))
    aktiv = _per_center(matches.filter(stage=Stage.AKTIV_3_MD))
    centre = Frivilligcenter.objects.filter(pk__in=center_ids).order_by("navn").values_list("pk", "navn")
    raekker = [[navn, henvist.get(pk, 0), alle.get(pk, 0), moedt.get(pk, 0), aktiv.get(pk, 0)] for pk, navn in centre]
    if len(raekker) > 1:
        raekker.append([_("Alle centre"), *(sum(r[k] for r in raekker) for k in range(1, 5))])
    return Tabel(
        noegle="sammenligning",
        titel=_("Centrene side om side"),
        kolonner=[_("Center"), _("Henvisninger"), _("Nye matches"), _("Første møde holdt eller længere"),
                  _("Deltager efter 3 måneder")],
        raekker=raekker,
        taelle_kolonner=frozenset({1, 2, 3, 4}),
        note=_("Matches oprettet i perioden, efter den fase de er i nu. Kun centre, der deler med netværket."),
    )
