"""The welcome score per fællesskab (issue 13; ARCHITECTURE.md, "Velkomstscore").

How many of the newcomers the centre sends a fællesskab are still there after 3 months, smoothed
with a Beta prior so that 1 of 1 is not 100 %, and how often newcomers come to the first meeting.

- The unit is a match's 3-month follow-up whose due date has passed and whose outcome is known:
  recorded, or the match ended (which counts as not staying). Open matches whose 3-month follow-up
  nobody has recorded yet are left out rather than guessed.
- `score = (blevet + m·p0) / (n + m)`: a Beta(m·p0, m·(1−p0)) prior with `m = PRIOR_VAEGT`
  pseudo-newcomers. `p0` is the centre's own share once it has `EGEN_PRIOR_MIN` newcomers with a
  known outcome, else `STANDARD_ANDEL`.
- Computed in the database, one grouped query per centre, by the nightly beat task
  (`matching.tasks.beregn_velkomst`); the rows are a summary table (`Velkomstscore`), never
  computed per page view.

Matching reads it as a soft signal outside `engine.WEIGHTS` (`justering`, `matching/suggest.py`).
"""

from __future__ import annotations

import functools

from django.db import connections, transaction
from django.db.models import Count, F, Min, Q, Sum
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from brobygning import access
from brobygning.models import Frivilligcenter

from .models import LedsagelseStatus, Match, OpfoelgningType, Resultat, Stage, Velkomstscore

PRIOR_VAEGT = 4  # pseudo-newcomers in the prior: 1 of 1 gives (1 + 2) / 5 = 60 % with p0 = 50 %
STANDARD_ANDEL = 0.5  # the prior's mean before the centre has its own figure
EGEN_PRIOR_MIN = 20  # newcomers with a known outcome before the centre's own share is the prior

# Matching: a bounded adjustment in points, outside engine.WEIGHTS (which add up to 100). A score
# SPAEND or more above the centre's prior earns +VELKOMST_VAEGT, as far below −VELKOMST_VAEGT,
# linear between; only with at least MIN_N newcomers with a known outcome.
VELKOMST_VAEGT = 6
SPAEND = 0.25
MIN_N = 3

# The koordinator's list of foreninger that would benefit from an inclusion course: fællesskaber
# with at least KURSUS_MIN_N newcomers whose smoothed score is KURSUS_UNDER or more below the prior.
KURSUS_MIN_N = 5
KURSUS_UNDER = 0.10


def udglat(blevet: int, n: int, prior: float, vaegt: int = PRIOR_VAEGT) -> float:
    """The posterior mean of the Beta prior after `blevet` of `n`."""
    return (blevet + vaegt * prior) / (n + vaegt)


def _grupper(center_id: int, i_dag):
    """One grouped query: per fællesskab, the newcomers with a known 3-month outcome, those who
    stayed, and the first meetings with an outcome and those the newcomer came to."""
    tre = Q(opfoelgninger__type=OpfoelgningType.TRE_MAANEDER, opfoelgninger__forfalder__lte=i_dag)
    registreret = Q(opfoelgninger__udfoert__isnull=False)
    return (Match.objects.filter(center_id=center_id).order_by().values("faellesskab_id").annotate(
        n=Count("opfoelgninger", filter=tre & (registreret | Q(stage=Stage.AFSLUTTET)), distinct=True),
        blevet=Count("opfoelgninger", filter=tre & registreret
                     & Q(opfoelgninger__resultat=Resultat.DELTAGER_STADIG), distinct=True),
        moeder=Count("ledsagelser", distinct=True, filter=Q(
            ledsagelser__status__in=[LedsagelseStatus.MOEDT_OP, LedsagelseStatus.UDEBLEV])),
        moedt_op=Count("ledsagelser", filter=Q(ledsagelser__status=LedsagelseStatus.MOEDT_OP), distinct=True),
    ))


def beregn_center(center_id: int, *, now=None) -> int:
    """Rewrite the centre's welcome scores; returns how many fællesskaber have one."""
    now = now or timezone.now()
    rows = list(_grupper(center_id, timezone.localdate(now)))
    i_alt, blevet = sum(r["n"] for r in rows), sum(r["blevet"] for r in rows)
    prior = blevet / i_alt if i_alt >= EGEN_PRIOR_MIN else STANDARD_ANDEL
    scores = [Velkomstscore(center_id=center_id, faellesskab_id=r["faellesskab_id"], n=r["n"], blevet=r["blevet"],
                            prior=prior, score=udglat(r["blevet"], r["n"], prior), moeder=r["moeder"],
                            moedt_op=r["moedt_op"], beregnet=now) for r in rows]
    with transaction.atomic():
        Velkomstscore.objects.bulk_create(
            scores, batch_size=500, update_conflicts=True, unique_fields=["faellesskab"],
            update_fields=["center", "n", "blevet", "prior", "score", "moeder", "moedt_op", "beregnet"])
        Velkomstscore.objects.filter(center_id=center_id, beregnet__lt=now).delete()  # no matches any more
    return len(scores)


def beregn_alle(*, now=None) -> int:
    """Every centre's scores (the nightly task): one grouped query and one upsert per centre."""
    now = now or timezone.now()
    return sum(beregn_center(pk, now=now) for pk in Frivilligcenter.objects.values_list("pk", flat=True))


# --- Reading the scores ---------------------------------------------------------------------------


def for_faellesskaber(center_id: int, ids) -> dict[int, Velkomstscore]:
    """The scores matching may use for these fællesskaber (at least MIN_N newcomers): one query, with
    the columns a suggestion uses, in plain SQL (the ORM's build of it cost more than running it; issue 15)."""
    ids = list(ids)
    if not ids:
        return {}
    sql = (f"SELECT id, faellesskab_id, n, blevet, prior, score FROM {Velkomstscore._meta.db_table} "  # noqa: S608
           f"WHERE center_id = %s AND faellesskab_id IN ({', '.join(['%s'] * len(ids))}) AND n >= %s")
    with connections[Velkomstscore.objects.db].cursor() as cursor:
        cursor.execute(sql, [center_id, *ids, MIN_N])
        rows = cursor.fetchall()
    return {fid: Velkomstscore(pk=pk, center_id=center_id, faellesskab_id=fid, n=n, blevet=blevet, prior=prior,
                               score=score) for pk, fid, n, blevet, prior, score in rows}


def justering(v: Velkomstscore) -> float:
    """Points to add to a suggestion's score: within ±VELKOMST_VAEGT, 0 below MIN_N newcomers."""
    if v.n < MIN_N:
        return 0.0
    return VELKOMST_VAEGT * max(-1.0, min(1.0, (v.score - v.prior) / SPAEND))


def begrundelse(v: Velkomstscore) -> str:
    """The reason text a suggestion shows, e.g. "7 af 9 nye er blevet"."""
    return _begrundelse(get_language()) % {"blevet": v.blevet, "n": v.n}


@functools.cache
def _begrundelse(language: str | None) -> str:
    """`begrundelse`'s text in `language`, translated once (gettext cost more than the rest of the suggestion's
    welcome score; issue 15)."""
    return _("%(blevet)d af %(n)d nye er blevet")


def kursus_q() -> Q:
    """Fællesskaber whose newcomers often leave: enough of them, and well below the centre's share."""
    return Q(n__gte=KURSUS_MIN_N, score__lte=F("prior") - KURSUS_UNDER)


# --- Scoped reads for the pages (the forening's own, the koordinator's course list) ----------------


def velkomst_list(*, actor):
    """The welcome scores the actor may see: a forening its own fællesskaber's, a koordinator the
    centre's; lowest score first. Counts only, no borger: not an access-log read."""
    access.check(actor, "velkomst", "list")
    qs = Velkomstscore.objects.select_related("faellesskab__forening")
    return access.scope(actor, "velkomst", qs).order_by("score", "faellesskab__titel", "pk")


def velkomst_kursus(*, actor):
    """Foreninger that would benefit from an inclusion course: those with fællesskaber whose
    newcomers often leave (`kursus_q`), per forening, most newcomers lost first. Grouped in the
    database; paginate it."""
    access.check(actor, "velkomst", "kursus")
    qs = access.scope(actor, "velkomst", Velkomstscore.objects.filter(kursus_q()))
    return (qs.order_by().values("faellesskab__forening_id", "faellesskab__forening__navn")
            .annotate(faellesskaber=Count("pk"), nye=Sum("n"), stadig=Sum("blevet"), laveste=Min("score"),
                      mistet=Sum(F("n") - F("blevet")))
            .order_by("-mistet", "laveste", "faellesskab__forening__navn"))
