"""The per-borger forløb summary the reports read (`matching.models.Forloeb`; issue 13 point 7).

`beregn` is the direct computation: over a Borger queryset, each borger's furthest step in the
funnel, first samtale, first attended meeting and first/last WHO-5 and UCLA-3, as correlated
lookups on the borger's own rows (foreign-key indexes). `opdater` stores it for a few borgere (the
services call it through `borgere.gdpr.aktivitet_registreret`, in their transaction); `genberegn`
recomputes a centre, or all, in batches (the nightly safety net, the national dataset, the
migration that created the table). The reports then aggregate one indexed table.
"""

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from borgere.models import Borger, Maaling, MaalingType, Samtale

from .models import Forloeb, Ledsagelse, LedsagelseStatus, Match, MatchOvergang, Stage


def _overgang(*stages):
    return Exists(MatchOvergang.objects.filter(match__borger=OuterRef("pk"), til__in=stages))


def trin() -> list[tuple]:
    """The funnel's steps, (name, the direct test over a Borger row); the first has no test."""
    return [
        (_("Henvist eller registreret"), None),
        (_("Første samtale"), Exists(Samtale.objects.filter(borger=OuterRef("pk")))),
        (_("Match"), Exists(Match.objects.filter(borger=OuterRef("pk")))),
        (_("Første møde planlagt"), Exists(Ledsagelse.objects.filter(match__borger=OuterRef("pk")))),
        (_("Mødte op"), Exists(Ledsagelse.objects.filter(match__borger=OuterRef("pk"),
                                                         status=LedsagelseStatus.MOEDT_OP))),
        (_("Budt velkommen"), _overgang(Stage.BUDT_VELKOMMEN)),
        (_("Deltager efter 1 måned"), _overgang(Stage.AKTIV_1_MD)),
        (_("Deltager efter 3 måneder"), _overgang(Stage.AKTIV_3_MD)),
    ]


def score(type_: str):
    """A Maaling's score in the database: WHO-5 the raw sum × 4 (0–100), UCLA-3 the sum (3–9)."""
    antal = Maaling.ITEMS[type_][0]
    raw = sum((Cast(KeyTextTransform(i, "svar"), IntegerField()) for i in range(1, antal)),
              Cast(KeyTextTransform(0, "svar"), IntegerField()))
    return raw * Value(4) if type_ == MaalingType.WHO5 else raw


FELTER = ("naaet", "foerste_samtale", "foerste_moede", "who5_foer", "who5_efter", "who5_antal",
          "ucla3_foer", "ucla3_efter", "ucla3_antal")


def beregn(qs):
    """`qs` (Borgere) with FELTER computed directly from the borger's own rows."""
    # The furthest step (CASE stops at the first true EXISTS, tested from the last step back):
    # evidence of a later step implies the earlier ones, so the funnel never widens.
    naaet = Case(*[When(udtryk, then=Value(i)) for i, (_navn, udtryk) in reversed(list(enumerate(trin())))
                   if udtryk is not None], default=Value(0), output_field=IntegerField())
    maalinger = {}
    for type_ in (MaalingType.WHO5, MaalingType.UCLA3):
        rows = Maaling.objects.filter(borger=OuterRef("pk"), type=type_)
        s = score(type_)
        maalinger |= {
            f"{type_}_foer": Subquery(rows.order_by("dato", "pk").annotate(s=s).values("s")[:1]),
            f"{type_}_efter": Subquery(rows.order_by("-dato", "-pk").annotate(s=s).values("s")[:1]),
            f"{type_}_antal": Coalesce(Subquery(rows.order_by().values("borger").annotate(c=Count("pk")).values("c")), 0),
        }
    return qs.annotate(
        naaet=naaet,
        foerste_samtale=Subquery(Samtale.objects.filter(borger=OuterRef("pk")).order_by("dato").values("dato")[:1]),
        foerste_moede=Subquery(
            Ledsagelse.objects.filter(match__borger=OuterRef("pk"), status=LedsagelseStatus.MOEDT_OP)
            .order_by("tidspunkt").annotate(d=TruncDate("tidspunkt")).values("d")[:1]),
        **maalinger,
    )


def opdater(borger_ids) -> int:
    """Recompute and store the summary of these borgere (ids, or a queryset of ids): two queries."""
    if isinstance(borger_ids, int):
        borger_ids = [borger_ids]
    now = timezone.now()
    rows = [Forloeb(borger_id=r["pk"], center_id=r["center_id"], beregnet=now, **{k: r[k] for k in FELTER})
            for r in beregn(Borger.objects.filter(pk__in=borger_ids)).values("pk", "center_id", *FELTER)]
    if rows:
        Forloeb.objects.bulk_create(rows, update_conflicts=True, unique_fields=["borger"],
                                    update_fields=["center", *FELTER, "beregnet"])
    return len(rows)


def genberegn(center_id: int | None = None, *, batch: int = 500) -> int:
    """Recompute every borger of a centre (or of the deployment), `batch` at a time, by id. Small
    batches on purpose: from a few thousand borgere on, PostgreSQL swaps the per-borger lookups for
    hashes over the whole tables, three times slower per borger (measured at national size)."""
    qs = Borger.objects.order_by("pk")
    if center_id is not None:
        qs = qs.filter(center_id=center_id)
    last, total = 0, 0
    while ids := list(qs.filter(pk__gt=last).values_list("pk", flat=True)[:batch]):
        total += opdater(ids)
        last = ids[-1]
    return total
