"""The partnership overview (issue 14): partners by kind, sign-on fees against budget, and the
newcomers each partner forening has welcomed, as report `Tabel`s (matching/rapport_tabel.py).
Read by the overview page and its CSV export (`matching/views/partnerskab.py`). Aggregated in the
database: three queries whatever the number of partners.

Two figures of the issue come from the events feature (matching/arrangementer.py): hosts who
completed an inclusion course (`kursus_gennemfoert`, a column below) and upcoming network meetings
(`kommende_netvaerksmoeder`, on the overview page).
"""

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from foreninger.models import Partner, PartnerArt, Partnerskab, PartnerStatus

from .arrangementer import kursus_gennemfoert
from .models import MatchOvergang, Stage
from .rapport_tabel import Periode, Tabel


def partnere_efter_art(*, center_id: int) -> Tabel:
    """Partners by kind: active ones, and all that have not left. Organisations, not people: no suppression."""
    rows = {art: (aktive, i_alt) for art, aktive, i_alt in (
        Partner.objects.filter(center_id=center_id).exclude(status=PartnerStatus.UDTRAADT)
        .values_list("art").annotate(a=Count("pk", filter=Q(status=PartnerStatus.AKTIV)), n=Count("pk"))
        .order_by().values_list("art", "a", "n"))}
    return Tabel(
        noegle="partnere_efter_art",
        titel=_("Partnere efter art"),
        kolonner=[_("Art"), _("Aktive partnere"), _("Partnere i alt (ikke udtrådte)")],
        raekker=[[str(label), *rows.get(value, (0, 0))] for value, label in PartnerArt.choices],
    )


def _kr(beloeb) -> int:
    return int(round(beloeb or 0))


def tilslutning_mod_budget(*, center_id: int) -> Tabel:
    """Per partnership: budget, fees granted and paid, and what is left of the budget."""
    qs = (Partnerskab.objects.filter(center_id=center_id)
          .annotate(bevilget=Sum("partnere__tilslutninger__beloeb"),
                    udbetalt=Sum("partnere__tilslutninger__beloeb",
                                 filter=Q(partnere__tilslutninger__udbetalt__isnull=False)))
          .order_by("navn").values_list("navn", "budget", "tilslutningsloft", "bevilget", "udbetalt")[:200])
    # Whole kroner: the page and the exports show "50000", not a decimal "50000,0".
    raekker = [[navn, _kr(budget), _kr(loft), _kr(bevilget), _kr(udbetalt), _kr(budget - (bevilget or 0))]
               for navn, budget, loft, bevilget, udbetalt in qs]
    return Tabel(
        noegle="tilslutning_mod_budget",
        titel=_("Tilslutningsbeløb mod budget (kr.)"),
        kolonner=[_("Partnerskab"), _("Budget"), _("Loft pr. partner"), _("Bevilget"), _("Udbetalt"),
                  _("Tilbage af budgettet")],
        raekker=raekker,
    )


def nyankomne_pr_partnerforening(*, center_id: int, periode: Periode) -> Tabel:
    """Borgere welcomed (a match reached "budt velkommen") in the period, per partner forening, and the
    forening's hosts and contacts who completed an inclusion course (`arrangementer.kursus_gennemfoert`)."""
    foreninger = list(Partner.objects.filter(center_id=center_id, forening__isnull=False)
                      .exclude(status=PartnerStatus.UDTRAADT)
                      .values_list("forening_id", "forening__navn").distinct().order_by("forening__navn")[:500])
    ids = [fid for fid, _navn in foreninger]
    antal = dict(
        MatchOvergang.objects.filter(
            til=Stage.BUDT_VELKOMMEN, match__center_id=center_id, match__faellesskab__forening_id__in=ids,
            tidspunkt__date__gte=periode.fra, tidspunkt__date__lte=periode.til,
        ).values_list("match__faellesskab__forening_id")
        .annotate(n=Count("match__borger_id", distinct=True)).order_by())
    kursus = kursus_gennemfoert(center_id=center_id, forening_ids=ids)
    return Tabel(
        noegle="nyankomne_pr_partnerforening",
        titel=_("Nye budt velkommen i perioden, pr. partnerforening"),
        kolonner=[_("Forening"), _("Borgere budt velkommen"), _("Værter med inklusionskursus")],
        raekker=[[navn, antal.get(fid, 0), kursus.get(fid, 0)] for fid, navn in foreninger],
        taelle_kolonner=frozenset({1, 2}),
        note=_("Borgere, hvis match nåede fasen 'budt velkommen' i perioden."),
    )


def partnerskab_oversigt(*, center_id: int, periode: Periode) -> list[Tabel]:
    """Every table of the overview, in the page's order. Exports must pass each through the
    suppression of small counts (`undertryk`, see matching/views/partnerskab.py)."""
    return [
        partnere_efter_art(center_id=center_id),
        tilslutning_mod_budget(center_id=center_id),
        nyankomne_pr_partnerforening(center_id=center_id, periode=periode),
    ]
