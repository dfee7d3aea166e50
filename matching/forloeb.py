"""The per-borger forløb summary the reports read (`matching.models.Forloeb`; issue 13 point 7).

`beregn` is the direct computation: over a Borger queryset, each borger's furthest step in the
funnel, first samtale, first attended meeting and first/last WHO-5 and UCLA-3, as correlated
lookups on the borger's own rows (foreign-key indexes). `opdater` stores it for a few borgere (the
services call it through `borgere.gdpr.aktivitet_registreret`, in their transaction); `genberegn`
recomputes a centre, or all, in batches (the nightly safety net, the national dataset, the
migration that created the table). The reports then aggregate one indexed table.
"""

from django.db.models import Case, Count, Exists, IntegerField, Min, OuterRef, Subquery, Value, When
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


def _saet(center_id: int) -> dict[int, dict]:
    """FELTER for every borger of a centre, set-based: one grouped query per source instead of the
    per-borger lookups of `beregn` (which it must agree with; tests/matching/test_forloeb.py). The
    furthest step is the highest step with evidence, as `beregn`'s CASE tested from the last back."""
    rows = {pk: {"naaet": 0, "foerste_samtale": None, "foerste_moede": None, "who5_foer": None, "who5_efter": None,
                 "who5_antal": 0, "ucla3_foer": None, "ucla3_efter": None, "ucla3_antal": 0}
            for pk in Borger.objects.filter(center_id=center_id).values_list("pk", flat=True)}

    def naaet(borger_ids, step):
        for pk in borger_ids:
            if pk in rows and rows[pk]["naaet"] < step:
                rows[pk]["naaet"] = step

    egne = {"borger__center_id": center_id}
    for r in Samtale.objects.filter(**egne).values("borger").annotate(d=Min("dato")).order_by():
        rows[r["borger"]]["foerste_samtale"] = r["d"]
    naaet((pk for pk, r in rows.items() if r["foerste_samtale"]), 1)
    naaet(Match.objects.filter(**egne).values_list("borger", flat=True).distinct().order_by(), 2)
    ledsagelser = Ledsagelse.objects.filter(match__borger__center_id=center_id)
    naaet(ledsagelser.values_list("match__borger", flat=True).distinct().order_by(), 3)
    for r in (ledsagelser.filter(status=LedsagelseStatus.MOEDT_OP).values("match__borger")
              .annotate(d=Min(TruncDate("tidspunkt"))).order_by()):
        rows[r["match__borger"]]["foerste_moede"] = r["d"]
        naaet([r["match__borger"]], 4)
    for step, stage in ((5, Stage.BUDT_VELKOMMEN), (6, Stage.AKTIV_1_MD), (7, Stage.AKTIV_3_MD)):
        naaet(MatchOvergang.objects.filter(match__borger__center_id=center_id, til=stage)
              .values_list("match__borger", flat=True).distinct().order_by(), step)
    for type_ in (MaalingType.WHO5, MaalingType.UCLA3):
        maalinger = (Maaling.objects.filter(**egne, type=type_).annotate(s=score(type_))
                     .order_by("borger", "dato", "pk").values_list("borger", "s"))
        for pk, s in maalinger:
            r = rows[pk]
            if not r[f"{type_}_antal"]:
                r[f"{type_}_foer"] = s
            r[f"{type_}_efter"] = s
            r[f"{type_}_antal"] += 1
    return rows


def genberegn(center_id: int | None = None, *, batch: int = 1000) -> int:
    """Recompute every borger of a centre (or of every centre): the nightly safety net, the national
    dataset and the migration that created the table. Set-based per centre (`_saet`), so the cost is a
    few grouped scans per centre, not a dozen lookups per borger; written `batch` rows at a time."""
    centres = [center_id] if center_id is not None else list(
        Borger.objects.order_by().values_list("center_id", flat=True).distinct())
    total = 0
    for cid in centres:
        now = timezone.now()
        rows = [Forloeb(borger_id=pk, center_id=cid, beregnet=now, **r) for pk, r in _saet(cid).items()]
        for i in range(0, len(rows), batch):
            Forloeb.objects.bulk_create(rows[i:i + batch], update_conflicts=True, unique_fields=["borger"],
                                        update_fields=["center", *FELTER, "beregnet"])
        total += len(rows)
    return total
