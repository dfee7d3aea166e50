"""Report figures as `Tabel`s, aggregated in the database (ARCHITECTURE.md, "Rapporter").

Every figure takes the same criteria: the centres (`center_ids`), the period and, optionally, a
project. Each is a fixed, small number of queries whatever the size of the centre: conditional
`Count`s over one cohort, `Exists` and `Subquery` for the borger's steps, `GROUP BY` for the
breakdowns. No figure loops over rows in Python (the one exception: the quartiles on SQLite, which
has no PERCENTILE_CONT; development and tests only).

The cohort: the borgere whose forløb started in the period (`Borger.oprettet`; archived and
anonymised borgere too, so the denominators stay honest). Events (samtaler, meetings, ended matches)
count when they happened in the period.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.core.cache import cache
from django.db import connections, transaction
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    F,
    FilteredRelation,
    FloatField,
    Func,
    IntegerField,
    Max,
    Q,
    Sum,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from borgere.models import Borger, Henvisning, HenvisningStatus, MaalingType, Samtale
from brobygning.dbrouter import laese_alias
from brobygning.models import User
from matching import forloeb
from matching.models import (
    Afslutningsaarsag,
    Forloeb,
    Ledsagelse,
    LedsagelseStatus,
    Match,
    Stage,
)
from matching.raadgivning import raadgivning_efter_art
from matching.rapport_tabel import Periode, Tabel


@dataclass(frozen=True)
class Landstal:
    aar: int
    tekst: str              # as it is shown (translatable)
    procent: float | None   # when the source gives a number


@dataclass(frozen=True)
class NationaltTal:
    kilde: str
    tal: tuple[Landstal, ...]

    def tekst(self) -> str:
        return "; ".join(f"{t.tekst} ({t.aar})" for t in self.tal)


# The one place for the national loneliness figure the UCLA-3 table is read against: the share of
# adults with a UCLA-3 score of 7 or more ("alvorligt ensomme").
ENSOMHED_NATIONALT = NationaltTal(
    kilde="Statens Institut for Folkesundhed, Danskernes Sundhed",
    tal=(Landstal(2023, gettext_lazy("knap 1 ud af 10 voksne"), None), Landstal(2021, gettext_lazy("12,4 %"), 12.4)),
)

WHO5_GRAENSE = 50     # WHO-5 ≤ 50 suggests poor wellbeing
UCLA3_ENSOM = 7       # UCLA-3 of 7–9: severely lonely, as Danskernes Sundhed counts it
TOP_FORENINGER = 15   # matches by forening: the top N, then one "øvrige" row
TOP_BROBYGGERE = 50   # brobygger activity: the most active N


# --- Building blocks ---------------------------------------------------------------------------


def _fra_til(periode: Periode) -> tuple[datetime, datetime]:
    """The period as aware datetimes [fra, til+1 day), so a datetime column's index is used."""
    tz = timezone.get_current_timezone()
    return (datetime.combine(periode.fra, time.min, tzinfo=tz),
            datetime.combine(periode.til + timedelta(days=1), time.min, tzinfo=tz))


def _kohorte(center_ids, periode: Periode, projekt_id):
    """The borgere whose forløb started in the period (in the project, if one is given)."""
    fra, til = _fra_til(periode)
    qs = Borger.objects.filter(center_id__in=center_ids, oprettet__gte=fra, oprettet__lt=til)
    return qs.filter(projekter=projekt_id) if projekt_id else qs


def _med_forloeb(center_ids, periode: Periode, projekt_id):
    """The cohort joined to its forløb summary (matching/forloeb.py) as `fl`, the join limited to the
    centres' summary rows, so PostgreSQL reads those by the centre's index instead of the whole table.
    A borger with no row yet (no activity) has reached the first step only."""
    return _kohorte(center_ids, periode, projekt_id).annotate(
        fl=FilteredRelation("forloeb", condition=Q(forloeb__center_id__in=center_ids)))


def _projekt(qs, projekt_id, sti: str):
    return qs.filter(**{f"{sti}projekter": projekt_id}) if projekt_id else qs


def _pct(taeller, naevner) -> float | None:
    return round(100 * taeller / naevner, 1) if naevner else None


def _rund(value, cifre=1) -> float | None:
    return None if value is None else round(float(value), cifre)


class DageMellem(Func):
    """Whole days from the second date to the first (both dates)."""

    output_field = IntegerField()
    arity = 2
    template = "(%(expressions)s)"
    arg_joiner = " - "

    def as_sqlite(self, compiler, connection, **extra):
        (a, pa), (b, pb) = (compiler.compile(e) for e in self.get_source_expressions())
        return f"CAST(julianday({a}) - julianday({b}) AS INTEGER)", (*pa, *pb)


class Percentil(Aggregate):
    """PERCENTILE_CONT (PostgreSQL): the continuous percentile `p`, ignoring NULLs."""

    function = "PERCENTILE_CONT"
    name = "Percentil"
    template = "%(function)s(%(p)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, p: float, **extra):
        super().__init__(expression, p=float(p), **extra)


def percentil_cont(sorterede: list, p: float) -> float | None:
    """PERCENTILE_CONT over a sorted list: linear interpolation between the closest ranks."""
    if not sorterede:
        return None
    pos = p * (len(sorterede) - 1)
    lav = int(pos)
    hoej = min(lav + 1, len(sorterede) - 1)
    return sorterede[lav] + (sorterede[hoej] - sorterede[lav]) * (pos - lav)


# --- The funnel --------------------------------------------------------------------------------


def tragt(*, center_ids: list[int], periode: Periode, projekt_id: int | None = None) -> Tabel:
    """Referred → … → still there at 3 months. A borger counts at a step when they reached it or any
    later one (evidence of a later step implies the earlier ones), so the funnel never widens."""
    trin = forloeb.trin()
    # Each borger's furthest step is kept in the forløb summary (matching/forloeb.py); one row per
    # step: GROUP BY over at most 8 groups; a step's count is everyone at it or further.
    pr_trin = dict(_med_forloeb(center_ids, periode, projekt_id).values_list(Coalesce("fl__naaet", 0))
                   .annotate(n=Count("pk")).order_by())
    antal = {f"t{i}": sum(n for t, n in pr_trin.items() if t >= i) for i in range(len(trin))}
    alle = antal["t0"]
    raekker, forrige = [], None
    for i, (navn, _udtryk) in enumerate(trin):
        n = antal[f"t{i}"]
        raekker.append([str(navn), n, _pct(n, forrige) if i else None, _pct(n, alle)])
        forrige = n
    return Tabel(
        noegle="tragt",
        titel=_("Forløbet trin for trin"),
        kolonner=[_("Trin"), _("Borgere"), _("Af forrige trin (%)"), _("Af alle henviste (%)")],
        raekker=raekker,
        taelle_kolonner=frozenset({1}),
        afledte_kolonner=frozenset({2, 3}),
        note=_("Alle borgere, hvis forløb begyndte i perioden, tæller med i nævneren – også dem, der stoppede "
               "undervejs. En borger tæller med på et trin, når vedkommende nåede det eller et senere trin."),
    )


# --- Time to the first meeting -----------------------------------------------------------------


def tid_til_foerste_moede(*, center_ids: list[int], periode: Periode, projekt_id: int | None = None) -> Tabel:
    """Days to the first attended meeting, from the referral and from the first samtale: n, median
    and quartiles (PERCENTILE_CONT on PostgreSQL)."""
    foerste_moede = F("fl__foerste_moede")  # kept in the forløb summary (matching/forloeb.py)
    foerste_samtale = F("fl__foerste_samtale")
    henvist = TruncDate(Coalesce("henvisning__oprettet", "oprettet"))
    qs = _med_forloeb(center_ids, periode, projekt_id).annotate(
        fra_henvisning=DageMellem(foerste_moede, henvist),
        fra_samtale=DageMellem(foerste_moede, foerste_samtale),
    )
    maal = ("fra_henvisning", "fra_samtale")
    if connections[laese_alias()].vendor == "postgresql":
        tal = qs.aggregate(**{k: v for m in maal for k, v in (
            (f"{m}_n", Count(m)), (f"{m}_q1", Percentil(m, 0.25)),
            (f"{m}_median", Percentil(m, 0.5)), (f"{m}_q3", Percentil(m, 0.75)))})
    else:  # SQLite: no PERCENTILE_CONT; the same interpolation over the (development-sized) values
        vaerdier = list(qs.values_list(*maal))
        tal = {}
        for i, m in enumerate(maal):
            dage = sorted(v[i] for v in vaerdier if v[i] is not None)
            tal |= {f"{m}_n": len(dage), f"{m}_q1": percentil_cont(dage, 0.25),
                    f"{m}_median": percentil_cont(dage, 0.5), f"{m}_q3": percentil_cont(dage, 0.75)}
    navne = {"fra_henvisning": _("Fra henvisning"), "fra_samtale": _("Fra første samtale")}
    return Tabel(
        noegle="tid_til_foerste_moede",
        titel=_("Dage til første møde"),
        kolonner=[_("Målt"), _("Borgere (n)"), _("Nedre kvartil"), _("Median"), _("Øvre kvartil")],
        raekker=[[navne[m], tal[f"{m}_n"], _rund(tal[f"{m}_q1"]), _rund(tal[f"{m}_median"]), _rund(tal[f"{m}_q3"])]
                 for m in maal],
        taelle_kolonner=frozenset({1}),
        afledte_kolonner=frozenset({2, 3, 4}),
        note=_("Dage fra henvisningen (eller registreringen) og fra første samtale til det første møde, "
               "borgeren mødte op til. Halvdelen ventede højst medianen; den midterste halvdel ligger "
               "mellem kvartilerne."),
    )


# --- Outcomes, paired before and after ---------------------------------------------------------


def _parret(center_ids, periode, projekt_id, type_: str, graense: Q, ny_graense: Q | None = None) -> dict:
    """One query: the cohort with each borger's first and last measure of `type_` and how many, as the
    forløb summary keeps them (matching/forloeb.py)."""
    qs = _med_forloeb(center_ids, periode, projekt_id).annotate(
        foer=F(f"fl__{type_}_foer"), efter=F(f"fl__{type_}_efter"),
        antal=Coalesce(F(f"fl__{type_}_antal"), 0),
    )
    par = Q(antal__gte=2)
    return qs.aggregate(
        n=Count("pk"),
        med_foer=Count("pk", filter=Q(antal__gte=1)),
        par=Count("pk", filter=par),
        gns_foer=Avg("foer", filter=par, output_field=FloatField()),
        gns_efter=Avg("efter", filter=par, output_field=FloatField()),
        aendring=Avg(F("efter") - F("foer"), filter=par, output_field=FloatField()),
        graense_foer=Count("pk", filter=par & graense),
        graense_efter=Count("pk", filter=par & (ny_graense if ny_graense is not None else graense)),
    )


def udfald_who5(*, center_ids: list[int], periode: Periode, projekt_id: int | None = None) -> Tabel:
    # graense_foer: ≤ 50 before; graense_efter: ≤ 50 before AND above 50 after (moved up).
    t = _parret(center_ids, periode, projekt_id, MaalingType.WHO5, Q(foer__lte=WHO5_GRAENSE),
                Q(foer__lte=WHO5_GRAENSE, efter__gt=WHO5_GRAENSE))
    return Tabel(
        noegle="udfald_who5",
        titel=_("Trivsel før og efter (WHO-5, 0–100)"),
        kolonner=[_("Skala"), _("Borgere i perioden"), _("Med førmåling"), _("Med før- og eftermåling (n)"),
                  _("Svarprocent (%)"), _("Gns. før"), _("Gns. efter"), _("Gns. ændring"),
                  _("≤ 50 før"), _("Heraf over 50 efter"), _("Fra ≤ 50 til over 50 (%)")],
        raekker=[["WHO-5", t["n"], t["med_foer"], t["par"], _pct(t["par"], t["med_foer"]), _rund(t["gns_foer"]),
                  _rund(t["gns_efter"]), _rund(t["aendring"]), t["graense_foer"], t["graense_efter"],
                  _pct(t["graense_efter"], t["graense_foer"])]],
        taelle_kolonner=frozenset({1, 2, 3, 8, 9}),
        afledte_kolonner=frozenset({4, 5, 6, 7, 10}),
        note=_("Parret: hver borgers første og seneste måling; kun borgere med begge tæller i gennemsnittene. "
               "Svarprocent: andel af borgere med en førmåling, som også har en eftermåling. "
               "WHO-5 på 50 eller derunder tyder på nedsat trivsel."),
    )


def udfald_ucla3(*, center_ids: list[int], periode: Periode, projekt_id: int | None = None) -> Tabel:
    t = _parret(center_ids, periode, projekt_id, MaalingType.UCLA3, Q(foer__gte=UCLA3_ENSOM),
                Q(efter__gte=UCLA3_ENSOM))
    return Tabel(
        noegle="udfald_ucla3",
        titel=_("Ensomhed før og efter (UCLA-3, 3–9)"),
        kolonner=[_("Skala"), _("Borgere i perioden"), _("Med førmåling"), _("Med før- og eftermåling (n)"),
                  _("Svarprocent (%)"), _("Gns. før"), _("Gns. efter"), _("Gns. ændring"),
                  _("7 eller mere før"), _("7 eller mere efter"), _("7 eller mere før (%)"),
                  _("7 eller mere efter (%)"), _("Voksne på landsplan")],
        raekker=[["UCLA-3", t["n"], t["med_foer"], t["par"], _pct(t["par"], t["med_foer"]), _rund(t["gns_foer"]),
                  _rund(t["gns_efter"]), _rund(t["aendring"]), t["graense_foer"], t["graense_efter"],
                  _pct(t["graense_foer"], t["par"]), _pct(t["graense_efter"], t["par"]),
                  ENSOMHED_NATIONALT.tekst()]],
        taelle_kolonner=frozenset({1, 2, 3, 8, 9}),
        afledte_kolonner=frozenset({4, 5, 6, 7, 10, 11}),
        note=_("Parret som WHO-5. En score på 7–9 regnes som alvorlig ensomhed. Landstal: %(kilde)s.")
        % {"kilde": ENSOMHED_NATIONALT.kilde},
    )


# --- Matches, referral sources -----------------------------------------------------------------


def _matches(center_ids, periode, projekt_id):
    fra, til = _fra_til(periode)
    qs = Match.objects.filter(center_id__in=center_ids, oprettet__gte=fra, oprettet__lt=til)
    return _projekt(qs, projekt_id, "borger__")


def matches_efter_fase(*, center_ids: list[int], periode: Periode, projekt_id: int | None = None) -> Tabel:
    """Matches created in the period, by the stage they are in now."""
    antal = dict(_matches(center_ids, periode, projekt_id).values_list("stage").annotate(n=Count("pk")).order_by())
    return Tabel(
        noegle="matches_efter_fase",
        titel=_("Matches oprettet i perioden, efter fase"),
        kolonner=[_("Fase"), _("Antal")],
        raekker=[[str(label), antal.get(value, 0)] for value, label in Stage.choices],
        taelle_kolonner=frozenset({1}),
    )


def _moedt_op(center_ids):
    """The match's borger came to its first meeting: membership in the centres' attended meetings,
    which PostgreSQL hashes once (a hashed SubPlan), instead of one lookup per match."""
    return Q(pk__in=Ledsagelse.objects.filter(center_id__in=center_ids, status=LedsagelseStatus.MOEDT_OP)
             .values("match_id"))


def matches_efter_kategori(*, center_ids: list[int], periode: Periode, projekt_id: int | None = None) -> Tabel:
    rows = (_matches(center_ids, periode, projekt_id).values("faellesskab__kategori__navn")
            .annotate(n=Count("pk"), borgere=Count("borger", distinct=True), moedt=Count("pk", filter=_moedt_op(center_ids)))
            .order_by("-n", "faellesskab__kategori__navn"))
    return Tabel(
        noegle="matches_efter_kategori",
        titel=_("Matches efter kategori"),
        kolonner=[_("Kategori"), _("Matches"), _("Borgere"), _("Mødte op til første møde")],
        raekker=[[r["faellesskab__kategori__navn"] or _("Uden kategori"), r["n"], r["borgere"], r["moedt"]]
                 for r in rows],
        taelle_kolonner=frozenset({1, 2, 3}),
        note=_("Matches oprettet i perioden, efter fællesskabets kategori."),
    )


def matches_efter_forening(*, center_ids: list[int], periode: Periode, projekt_id: int | None = None) -> Tabel:
    qs = _matches(center_ids, periode, projekt_id)
    top = list(qs.values("faellesskab__forening_id", "faellesskab__forening__navn")
               .annotate(n=Count("pk"), moedt=Count("pk", filter=_moedt_op(center_ids)))
               .order_by("-n", "faellesskab__forening__navn")[:TOP_FORENINGER + 1])
    raekker = [[r["faellesskab__forening__navn"], r["n"], r["moedt"]] for r in top[:TOP_FORENINGER]]
    if len(top) > TOP_FORENINGER:  # one more than shown: there are others, counted in one query
        vist = [r["faellesskab__forening_id"] for r in top[:TOP_FORENINGER]]
        resten = qs.exclude(faellesskab__forening_id__in=vist).aggregate(
            n=Count("pk"), moedt=Count("pk", filter=_moedt_op(center_ids)), foreninger=Count("faellesskab__forening", distinct=True))
        raekker.append([_("Øvrige %(antal)s foreninger") % {"antal": resten["foreninger"]}, resten["n"], resten["moedt"]])
    return Tabel(
        noegle="matches_efter_forening",
        titel=_("Matches efter forening"),
        kolonner=[_("Forening"), _("Matches"), _("Mødte op til første møde")],
        raekker=raekker,
        taelle_kolonner=frozenset({1, 2}),
        note=_("De %(top)s foreninger med flest matches oprettet i perioden; resten samlet i én række.")
        % {"top": TOP_FORENINGER},
    )


def henvisningskilder(*, center_ids: list[int], periode: Periode, projekt_id: int | None = None) -> Tabel:
    """Referrals received in the period and borgere registered in the period, by source."""
    fra, til = _fra_til(periode)
    henvisninger = _projekt(Henvisning.objects.filter(center_id__in=center_ids, oprettet__gte=fra, oprettet__lt=til),
                            projekt_id, "borger__")
    modtaget = {r["kilde__navn"]: r for r in henvisninger.values("kilde__navn").annotate(
        n=Count("pk"), afvist=Count("pk", filter=Q(status=HenvisningStatus.AFVIST))).order_by()}
    borgere = dict(_kohorte(center_ids, periode, projekt_id).values_list("henvisningskilde__navn")
                   .annotate(n=Count("pk")).order_by())
    navne = sorted(set(modtaget) | set(borgere), key=lambda n: (n is None, n or ""))
    return Tabel(
        noegle="henvisningskilder",
        titel=_("Henvisningskilder"),
        kolonner=[_("Kilde"), _("Henvisninger modtaget"), _("Heraf afvist"), _("Borgere registreret")],
        raekker=[[navn or _("Ikke oplyst"), modtaget.get(navn, {}).get("n", 0), modtaget.get(navn, {}).get("afvist", 0),
                  borgere.get(navn, 0)] for navn in navne],
        taelle_kolonner=frozenset({1, 2, 3}),
        note=_("Henvisninger fra formularen og borgere registreret i perioden, efter hvem der henviste. "
               "Med et projekt valgt tæller kun henvisninger, der blev til en borger i projektet."),
    )


# --- Brobygger activity ------------------------------------------------------------------------


def brobygger_aktivitet(*, center_ids: list[int], periode: Periode, projekt_id: int | None = None) -> Tabel:
    """Samtaler and ledsagelser (meetings that took place or the borger missed) in the period, and
    the hours they took, per brobygger. Staff names only: nothing about the borgere."""
    fra, til = _fra_til(periode)
    samtaler = _projekt(Samtale.objects.filter(center_id__in=center_ids, dato__gte=periode.fra, dato__lte=periode.til),
                        projekt_id, "borger__")
    ledsagelser = _projekt(Ledsagelse.objects.filter(
        center_id__in=center_ids, tidspunkt__gte=fra, tidspunkt__lt=til,
        status__in=[LedsagelseStatus.MOEDT_OP, LedsagelseStatus.UDEBLEV]), projekt_id, "match__borger__")
    # Grouped by the brobygger's id alone (a hash over ~50 groups), the names read afterwards for those
    # few ids: grouping by the joined name columns sorted every event of the period (63,794 samtaler in
    # the largest centre's year, a sort that spilled to disk: PERFORMANCE.md, "Reports computed by a worker").
    s = {r["brobygger_id"]: r for r in samtaler.values("brobygger_id").annotate(n=Count("pk"), m=Sum("varighed_min")).order_by()}
    ls = {r["brobygger_id"]: r for r in ledsagelser.values("brobygger_id").annotate(n=Count("pk"), m=Sum("varighed_min")).order_by()}
    personer = {pk: (fornavn, efternavn, email) for pk, fornavn, efternavn, email in User.objects.filter(
        pk__in=[pk for pk in set(s) | set(ls) if pk is not None]).values_list("pk", "first_name", "last_name", "email")}
    raekker = []
    for pk in set(s) | set(ls):  # one row per brobygger (bounded by the centre's staff), not per event
        fornavn, efternavn, email = personer.get(pk, ("", "", None))
        navn = f"{fornavn} {efternavn}".strip() or email or _("Uden brobygger")
        minutter = (s.get(pk, {}).get("m") or 0) + (ls.get(pk, {}).get("m") or 0)
        raekker.append([navn, s.get(pk, {}).get("n", 0), ls.get(pk, {}).get("n", 0), round(minutter / 60, 1)])
    raekker.sort(key=lambda r: (-r[3], r[0]))
    return Tabel(
        noegle="brobygger_aktivitet",
        titel=_("Brobyggernes aktivitet"),
        kolonner=[_("Brobygger"), _("Samtaler"), _("Ledsagelser"), _("Timer")],
        raekker=raekker[:TOP_BROBYGGERE],
        taelle_kolonner=frozenset({1, 2}),
        afledte_kolonner=frozenset({3}),
        note=_("Timer er samtalernes og ledsagelsernes registrerede varighed. Ledsagelser tæller, når mødet "
               "blev holdt eller borgeren udeblev."),
    )


# --- No-shows and ended matches ----------------------------------------------------------------


def udeblivelser(*, center_ids: list[int], periode: Periode, projekt_id: int | None = None) -> Tabel:
    """First meetings in the period by how they went, and what the host reported."""
    fra, til = _fra_til(periode)
    qs = _projekt(Ledsagelse.objects.filter(center_id__in=center_ids, tidspunkt__gte=fra, tidspunkt__lt=til),
                  projekt_id, "match__borger__")
    antal = dict(qs.values_list("status").annotate(n=Count("pk")).order_by())
    i_alt = sum(antal.values())
    return Tabel(
        noegle="udeblivelser",
        titel=_("Første møder og udeblivelser"),
        kolonner=[_("Udfald"), _("Møder"), _("Andel (%)")],
        raekker=[[str(label), antal.get(value, 0), _pct(antal.get(value, 0), i_alt)]
                 for value, label in LedsagelseStatus.choices],
        taelle_kolonner=frozenset({1}),
        afledte_kolonner=frozenset({2}),
        note=_("Første møder med tidspunkt i perioden. Efter en udeblivelse eller aflysning går matchet "
               "tilbage til 'accepteret', klar til et nyt møde; årsager til at stoppe ses under afsluttede matches."),
    )


def afsluttede_matches(*, center_ids: list[int], periode: Periode, projekt_id: int | None = None) -> Tabel:
    """Matches ended in the period, by reason, before or after the first meeting."""
    fra, til = _fra_til(periode)
    qs = _projekt(Match.objects.filter(center_id__in=center_ids, stage=Stage.AFSLUTTET,
                                       stage_siden__gte=fra, stage_siden__lt=til), projekt_id, "borger__")
    rows = {r["afslutningsaarsag"]: r for r in qs.values("afslutningsaarsag").annotate(
        n=Count("pk"), efter=Count("pk", filter=_moedt_op(center_ids))).order_by()}
    i_alt = sum(r["n"] for r in rows.values())
    valg = list(Afslutningsaarsag.choices) + ([("", _("Ikke oplyst"))] if "" in rows else [])
    raekker = []
    for value, label in valg:
        r = rows.get(value, {"n": 0, "efter": 0})
        raekker.append([str(label), r["n"], r["n"] - r["efter"], r["efter"], _pct(r["n"], i_alt)])
    return Tabel(
        noegle="afsluttede_matches",
        titel=_("Afsluttede matches efter årsag"),
        kolonner=[_("Årsag"), _("Afsluttet"), _("Før første møde"), _("Efter første møde"), _("Andel (%)")],
        raekker=raekker,
        taelle_kolonner=frozenset({1, 2, 3}),
        afledte_kolonner=frozenset({4}),
        note=_("Matches afsluttet i perioden. 'Efter første møde': borgeren mødte op til det første møde."),
    )


RAPPORTER = (tragt, tid_til_foerste_moede, udfald_who5, udfald_ucla3, matches_efter_fase, matches_efter_kategori,
             matches_efter_forening, henvisningskilder, brobygger_aktivitet, udeblivelser, afsluttede_matches,
             raadgivning_efter_art)


# A computed report is current this long per centre(s), criteria and language, and only while nothing
# in the centres' forløb summary changed since (any write through the services changes it). The page
# never computes a report itself (PERFORMANCE.md, "Reports computed by a worker"): it shows the last
# computation with its time and queues a new one when that is not current or on "Beregn igen".
RAPPORT_CACHE_SEKUNDER = 600
# The last computation is kept (and shown, with its time, while a newer one is computed) this long.
RAPPORT_GEMMES_SEKUNDER = 7 * 24 * 3600
# A queued computation counts as under way this long; a worker that died or failed frees the criteria
# after it, and the next visit queues again.
RAPPORT_BEREGNES_SEKUNDER = 300


@dataclass(frozen=True)
class Beregning:
    tabeller: list[Tabel]
    beregnet: datetime
    noegle: str = ""  # the cache key it is kept under: with `beregnet`, which computation this is
    seneste: datetime | None = None  # the newest change to the centres' forløb summary it saw

    def aktuel(self, seneste: datetime | None) -> bool:
        """Current: nothing in the forløb summary changed since, and younger than RAPPORT_CACHE_SEKUNDER."""
        return (self.seneste == seneste
                and timezone.now() - self.beregnet < timedelta(seconds=RAPPORT_CACHE_SEKUNDER))


@dataclass(frozen=True)
class Status:
    """What the page shows for some criteria: the last computation (None if there is none) and whether
    it is current; `beregnes`: a computation is queued or under way."""

    noegle: str
    gemt: Beregning | None
    aktuel: bool
    beregnes: bool


def _noegle(center_ids, periode: Periode, projekt_id, sprog: str) -> str:
    return "rapport:v2:" + hashlib.sha256(repr((sorted(center_ids), periode.fra, periode.til, projekt_id, sprog))
                                          .encode()).hexdigest()


def _beregnes_noegle(noegle: str) -> str:
    return noegle + ":beregnes"


def seneste_aendring(center_ids: list[int]) -> datetime | None:
    """The newest change to the centres' forløb summary (one query on the (center, beregnet) index)."""
    return Forloeb.objects.using(laese_alias()).filter(center_id__in=center_ids).aggregate(m=Max("beregnet"))["m"]


def rapport_status(*, center_ids: list[int], periode: Periode, projekt_id: int | None = None) -> Status:
    """One query (the newest forløb change) and one cache read: no figure is computed here."""
    noegle = _noegle(center_ids, periode, projekt_id, get_language())
    gemt = cache.get_many([noegle, _beregnes_noegle(noegle)])
    beregning = gemt.get(noegle)
    aktuel = beregning is not None and beregning.aktuel(seneste_aendring(center_ids))
    return Status(noegle, beregning, aktuel, _beregnes_noegle(noegle) in gemt)


def bestil_beregning(status: Status) -> bool:
    """Mark the criteria as being computed; False when a computation is already under way (then the
    caller queues nothing). The caller queues the task (`matching.tasks.beregn_rapport`)."""
    return cache.add(_beregnes_noegle(status.noegle), True, RAPPORT_BEREGNES_SEKUNDER)


def beregn(*, center_ids: list[int], periode: Periode, projekt_id: int | None = None,
           sprog: str | None = None) -> Beregning:
    """Compute every figure now and keep the result as the last computation for these criteria (the
    worker's task, and an export or the network view with no current computation). In `sprog`, the
    language of the page that asked: titles and labels are translated as they are computed."""
    sprog = sprog or get_language()
    noegle = _noegle(center_ids, periode, projekt_id, sprog)
    with translation.override(sprog):
        seneste = seneste_aendring(center_ids)  # before the figures: a write meanwhile makes it stale, never lost
        tabeller = rapport_tabeller(center_ids=center_ids, periode=periode, projekt_id=projekt_id)
    beregning = Beregning(tabeller, timezone.now(), noegle, seneste)
    cache.set(noegle, beregning, RAPPORT_GEMMES_SEKUNDER)
    cache.delete(_beregnes_noegle(noegle))
    return beregning


def rapport_beregning(*, center_ids: list[int], periode: Periode, projekt_id: int | None = None,
                      igen: bool = False) -> Beregning:
    """Every figure, now: the current computation when there is one (see `Beregning.aktuel`), else
    computed here and kept, so the page shows it next. For the exports (a download may take a
    second; it gives the numbers the page shows whenever the page's figures are current) and the
    network view; the report page itself never waits for a computation (`rapport_status`)."""
    status = rapport_status(center_ids=center_ids, periode=periode, projekt_id=projekt_id)
    if not igen and status.aktuel:
        return status.gemt
    return beregn(center_ids=center_ids, periode=periode, projekt_id=projekt_id)


def rapport_tabeller(*, center_ids: list[int], periode: Periode, projekt_id: int | None = None) -> list[Tabel]:
    """Every figure, read in one transaction on the connection reads use (the read replica inside
    `brobygning.dbrouter.paa_replika()`). On PostgreSQL with JIT off: these are many short aggregate
    queries, where compiling each plan costs more than it saves (PERFORMANCE.md, "Rapporter")."""
    alias = laese_alias()
    with transaction.atomic(using=alias):
        if connections[alias].vendor == "postgresql":
            with connections[alias].cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        return [rapport(center_ids=center_ids, periode=periode, projekt_id=projekt_id) for rapport in RAPPORTER]
