"""The per-borger forløb summary the reports read (`matching.models.Forloeb`; issue 13 point 7).

`beregn` is the direct computation: over a Borger queryset, each borger's furthest step in the
funnel, first samtale, first attended meeting and first/last WHO-5 and UCLA-3, as correlated
lookups on the borger's own rows (foreign-key indexes). `opdater` stores it for a few borgere (the
services call it through `borgere.gdpr.aktivitet_registreret`, in their transaction); `genberegn`
recomputes a centre, or all, in batches (the nightly safety net, the national dataset, the
migration that created the table), set-based (`_saet`). Both read the one statement of what each
field means (`TRIN`, `FOERSTE`, `MAALINGER`). The reports then aggregate one indexed table.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    Min,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast, Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from borgere.models import Borger, Maaling, MaalingType, Samtale

from .models import Forloeb, Ledsagelse, LedsagelseStatus, Match, MatchOvergang, Stage

# --- The rules, once: what each field means. `beregn` (per borger, correlated lookups) and `_saet`
# (a centre at a time, grouped scans) both read them, so the two ways cannot drift apart.


@dataclass(frozen=True)
class Kilde:
    """Rows that are evidence about a borger: `rows()` and the path from such a row to its borger."""

    rows: Callable[[], QuerySet]
    borger: str

    def for_borger(self) -> QuerySet:
        """The rows of the borger of the outer Borger row (for a correlated subquery)."""
        return self.rows().filter(**{self.borger: OuterRef("pk")})

    def i_center(self, center_id: int) -> QuerySet:
        """The rows of every borger of a centre."""
        return self.rows().filter(**{f"{self.borger}__center_id": center_id})


SAMTALER = Kilde(lambda: Samtale.objects.all(), "borger")
MATCHES = Kilde(lambda: Match.objects.all(), "borger")
LEDSAGELSER = Kilde(lambda: Ledsagelse.objects.all(), "match__borger")
MOEDT_OP = Kilde(lambda: Ledsagelse.objects.filter(status=LedsagelseStatus.MOEDT_OP), "match__borger")


def _overgang(stage: str) -> Kilde:
    return Kilde(lambda: MatchOvergang.objects.filter(til=stage), "match__borger")


# The funnel's steps in order, (name, the rows whose existence shows the borger got there); the
# first has none. A borger's furthest step is the last with evidence: evidence of a later step
# implies the earlier ones, so the funnel never widens.
TRIN = [
    (_("Henvist eller registreret"), None),
    (_("Første samtale"), SAMTALER),
    (_("Match"), MATCHES),
    (_("Første møde planlagt"), LEDSAGELSER),
    (_("Mødte op"), MOEDT_OP),
    (_("Budt velkommen"), _overgang(Stage.BUDT_VELKOMMEN)),
    (_("Deltager efter 1 måned"), _overgang(Stage.AKTIV_1_MD)),
    (_("Deltager efter 3 måneder"), _overgang(Stage.AKTIV_3_MD)),
]


@dataclass(frozen=True)
class Foerste:
    """A first date: the earliest `felt` of the rows of `kilde`, as a date (`dag`: a time's local day)."""

    kilde: Kilde
    felt: str
    dag: bool = False

    def dato(self):
        return TruncDate(self.felt) if self.dag else F(self.felt)


FOERSTE = {
    "foerste_samtale": Foerste(SAMTALER, "dato"),
    "foerste_moede": Foerste(MOEDT_OP, "tidspunkt", dag=True),  # the first meeting the borger came to
}

# WHO-5 and UCLA-3: the first and the last measurement (by date, then as entered) and how many.
MAALINGER = (MaalingType.WHO5, MaalingType.UCLA3)
MAALING_ORDEN = ("dato", "pk")


def trin() -> list[tuple]:
    """The funnel's steps, (name, the direct test over a Borger row); the first has no test."""
    return [(navn, Exists(kilde.for_borger()) if kilde else None) for navn, kilde in TRIN]


def score(type_: str):
    """A Maaling's score in the database: WHO-5 the raw sum × 4 (0–100), UCLA-3 the sum (3–9)."""
    antal = Maaling.ITEMS[type_][0]
    raw = sum((Cast(KeyTextTransform(i, "svar"), IntegerField()) for i in range(1, antal)),
              Cast(KeyTextTransform(0, "svar"), IntegerField()))
    return raw * Value(4) if type_ == MaalingType.WHO5 else raw


FELTER = ("naaet", *FOERSTE, *(f"{t}_{n}" for t in MAALINGER for n in ("foer", "efter", "antal")))


def beregn(qs):
    """`qs` (Borgere) with FELTER computed directly from the borger's own rows."""
    # The furthest step: CASE stops at the first true EXISTS, tested from the last step back.
    naaet = Case(*[When(udtryk, then=Value(i)) for i, (_navn, udtryk) in reversed(list(enumerate(trin())))
                   if udtryk is not None], default=Value(0), output_field=IntegerField())
    foerste = {navn: Subquery(f.kilde.for_borger().order_by(f.felt).annotate(d=f.dato()).values("d")[:1])
               for navn, f in FOERSTE.items()}
    maalinger = {}
    for type_ in MAALINGER:
        rows = Maaling.objects.filter(borger=OuterRef("pk"), type=type_)
        s = score(type_)
        maalinger |= {
            f"{type_}_foer": Subquery(rows.order_by(*MAALING_ORDEN).annotate(s=s).values("s")[:1]),
            f"{type_}_efter": Subquery(rows.order_by(*(f"-{o}" for o in MAALING_ORDEN)).annotate(s=s).values("s")[:1]),
            f"{type_}_antal": Coalesce(Subquery(rows.order_by().values("borger").annotate(c=Count("pk")).values("c")), 0),
        }
    return qs.annotate(naaet=naaet, **foerste, **maalinger)


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
    per-borger lookups of `beregn`, from the same rules (TRIN, FOERSTE, MAALINGER; they must agree:
    tests/matching/test_forloeb.py). A step whose rows also give a first date (a samtale, a meeting
    attended) is read from that date's query, so each source is scanned once."""
    tom = {k: 0 if k == "naaet" or k.endswith("_antal") else None for k in FELTER}
    rows = {pk: dict(tom) for pk in Borger.objects.filter(center_id=center_id).values_list("pk", flat=True)}

    def naaet(borger_ids, step):
        for pk in borger_ids:
            if pk in rows and rows[pk]["naaet"] < step:
                rows[pk]["naaet"] = step

    med_dato: dict[Kilde, list] = {f.kilde: [] for f in FOERSTE.values()}  # borgere with a first date from each
    for navn, f in FOERSTE.items():
        b = f.kilde.borger
        for r in f.kilde.i_center(center_id).values(b).annotate(d=Min(f.dato())).order_by():
            rows[r[b]][navn] = r["d"]
            med_dato[f.kilde].append(r[b])
    for step, (_navn, kilde) in enumerate(TRIN):
        if kilde is None:
            continue
        naaet(med_dato[kilde] if kilde in med_dato else
              kilde.i_center(center_id).values_list(kilde.borger, flat=True).distinct().order_by(), step)
    for type_ in MAALINGER:
        maalinger = (Maaling.objects.filter(borger__center_id=center_id, type=type_).annotate(s=score(type_))
                     .order_by("borger", *MAALING_ORDEN).values_list("borger", "s"))
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
