"""Stage 2 of matching: a pure function over dataclasses (ARCHITECTURE.md, "Matching").

No database access and no ORM here. Stage 1 (`matching.candidates`) hands over a list of
`Kandidat`; `rank()` drops the hard-filtered ones, scores the rest 0–100 from named parts, and
returns the top K with Danish reasons and, where there is one, the main reason it is not a
perfect fit (`caveat`).

Everything a centre might want to tune is in the three tables at the top: `WEIGHTS`,
`BARRIER_PREFERS` and `KATEGORI_INTERESSER`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Set
from dataclasses import dataclass, field
from datetime import date
from operator import itemgetter, mul
from typing import NamedTuple

from django.utils.formats import number_format
from django.utils.translation import get_language, gettext, gettext_noop, ngettext

from brobygning.availability import DAYPARTS, SLOTS

# --- The tables to read and change --------------------------------------------------------------

# Points per part; they add up to 100. A part earns weight × fraction, the fraction being 0–1
# (the distance part goes below 0 beyond the borger's max distance, see `_afstand`).
WEIGHTS: dict[str, int] = {
    "interesser": 34,  # shared interests (partial credit when only the category relates)
    "maalgrupper": 12,  # the fællesskab's target groups include the borger's challenges (udfordringer)
    "afstand": 14,  # near is full credit; smooth decay up to the max; strong penalty beyond it
    "tider": 14,  # one meeting time falls in a weekday × daypart the borger can; none: a penalty
    "hyppighed": 6,  # how often the best fitting meeting is: weekly full, every other week, monthly
    "vaertsskab": 8,  # inclusion-ready forening (60 %) and a named host (40 %)
    "barrierer": 6,  # features that help with the borger's barriers (BARRIER_PREFERS); the price
    "friskhed": 3,  # full when confirmed within the centre's interval, 0 when stale or never
    "kapacitet": 3,  # free places; unknown/unlimited is fine, 1–2 a little less. 0 is hidden (SKJULT)
}

# A meeting's frequency (Moedetid.frekvens) → the fraction of the frequency part.
HYPPIGHED: dict[str, float] = {"WEEKLY": 1.0, "BIWEEKLY": 0.6, "MONTHLY": 0.25}

# Penalties below zero, in points (a part's fraction goes negative, as distance does beyond the max):
TID_STRAF = 45  # no meeting time fits the borger at all: she cannot attend as things are
PRIS_STRAF = 15  # the borger has an economy barrier and the price is above LAV_PRIS
LAV_PRIS = 150  # kr.: at or under this, the price is no barrier for a borger with an economy barrier
OEKONOMI = "oekonomi-kontingent"  # the economy barrier's slug

# Words for the score, best first: (at least this score, the words).
VURDERINGER: tuple[tuple[int, str], ...] = (
    (80, gettext_noop("Passer meget godt")),
    (65, gettext_noop("Passer godt")),
    (45, gettext_noop("Passer rimeligt")),
    (0, gettext_noop("Passer svagt")),
)

# A borger's barrier (slug) → the fællesskab features (tilgængelighed slugs) that help with it.
# One feature is enough to count the barrier as met. Hard accessibility *needs* are not here:
# they are the borger's own tilgængelighed tags and must all be present (see `hard_filter`).
BARRIER_PREFERS: dict[str, tuple[str, ...]] = {
    "nervoes-for-nye-steder": ("fast-vaert-tager-imod", "smaa-hold"),
    "behov-for-fast-kontaktperson": ("fast-vaert-tager-imod",),
    "ingen-erfaring-med-foreningsliv": ("fast-vaert-tager-imod",),
    "lav-energi-og-traethed": ("intet-krav-om-fremmoede-hver-gang", "stille-rum-eller-pauserum"),
    "transport-og-afstand": ("taet-paa-offentlig-transport",),
    "oekonomi-kontingent": ("gratis-eller-lav-pris",),
    "sprog": ("tolk-eller-engelsktalende",),
    "fysisk-funktionsnedsaettelse": ("koerestolsadgang", "handicaptoilet"),
    "hoerenedsaettelse": ("teleslynge",),
    # "tidspunkter" has no feature: the schedule part already scores it.
}

# A category (slug) → interests (slugs) it relates to, for partial credit when no interest tag is
# shared. Categories not listed fall back to comparing words of the names (see `_kategori_relates`).
KATEGORI_INTERESSER: dict[str, frozenset[str]] = {
    "bevaegelse-og-sport": frozenset({"gaature", "loeb", "fodbold", "yoga", "svoemning", "cykling", "dans"}),
    "natur-og-friluftsliv": frozenset({"natur", "gaature", "fiskeri", "cykling"}),
    "kreativitet-og-haandvaerk": frozenset({"strik", "maling", "keramik", "traearbejde", "syning", "fotografi"}),
    "musik-og-sang": frozenset({"sang-og-kor", "musik", "dans"}),
    "kultur-kunst-og-litteratur": frozenset({"laesning", "skrivning", "historie", "film", "maling"}),
    "mad-og-spisefaellesskaber": frozenset({"madlavning", "faellesspisning"}),
    "spil-og-hobby": frozenset({"braetspil", "kortspil", "fotografi", "fiskeri"}),
    "samtale-og-netvaerksgrupper": frozenset({"faellesspisning"}),
    "sprogcafe-og-laering": frozenset({"sprog", "laesning", "skrivning"}),
    "have-og-groenne-faellesskaber": frozenset({"havearbejde", "natur"}),
    "dyr": frozenset({"hunde"}),
    "digital-hjaelp-og-it": frozenset({"computer"}),
    "frivilligt-arbejde": frozenset({"frivilligt-arbejde"}),
}

NEAR_SHARE = 0.25  # within this share of the borger's max distance: full distance credit
AT_MAX = 0.6  # distance fraction exactly at the max distance
FAR_FLOOR = -1.0  # the distance fraction approaches this far beyond the max (−25 points)
FAR_DECAY = 2.0  # how fast it gets there (per multiple of the max distance)
FRESH_DAYS = 56  # 8 weeks, the default interval a centre asks foreninger "Er det stadig korrekt?"
# Full freshness within the centre's interval (N weeks); none once the entry is stale (2 × N weeks),
# so stale entries rank lower. `rank(..., fresh_days=7 * N)` passes the centre's own N.
DEFAULT_K = 20

_DAYPART_ORDER = {code: i for i, (code, *_rest) in enumerate(DAYPARTS)}
_SLOT_LABELS = dict(SLOTS)


# --- Input and output ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BorgerProfil:
    """What matching needs to know about the borger. Tag sets hold slugs."""

    alder: int | None = None  # the age the borger has surely reached (see `alder_usikker`)
    alder_usikker: bool = False  # only the birth year is known: the borger may be one year older
    rolle: str = "deltager"  # "deltager", "frivillig" or "begge"
    max_afstand_km: float = 10.0
    interesser: frozenset[str] = frozenset()
    udfordringer: frozenset[str] = frozenset()  # challenges / target groups, as the fællesskaber's maalgrupper
    barrierer: frozenset[str] = frozenset()
    tilgaengelighedsbehov: frozenset[str] = frozenset()
    tilgaengelighed: frozenset[str] = frozenset()  # slot codes like "0-aften"
    tag_navne: Mapping[str, str] = field(default_factory=dict, compare=False)  # slug → name, for reasons


@dataclass(slots=True)  # not frozen: stage 1 builds hundreds per call and frozen __init__ is ~3× slower
class Kandidat:
    """One fællesskab from stage 1, with everything stage 2 needs. Treat it as read-only."""

    id: int
    distance_km: float
    alder_min: int | None = None
    alder_max: int | None = None
    for_deltagere: bool = True
    for_frivillige: bool = False
    interesser: Set[str] = frozenset()  # any set: stage 1 hands over plain sets, tests frozensets
    maalgrupper: Set[str] = frozenset()  # target groups (udfordring tags)
    tilgaengelighed: Set[str] = frozenset()
    kategori: str | None = None  # slug
    slots: Set[str] = frozenset()  # weekday × daypart of each meeting's start, e.g. "1-eftermiddag"
    frekvenser: Mapping[str, str] = field(default_factory=dict)  # slot → Moedetid.frekvens; missing: weekly
    inklusionsparat: bool = False
    vaert_navn: str = ""
    sidst_bekraeftet: date | None = None
    kapacitet: int | None = None  # None: no limit given
    pris: float = 0.0  # kr., as the fællesskab states it
    titel: str = ""  # for display only; stage 2 never reads these two
    forening_navn: str = ""
    tag_navne: Mapping[str, str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def har_vaert(self) -> bool:
        return bool(self.vaert_navn.strip())


@dataclass(slots=True)  # not frozen, as `Kandidat`: each ranking builds a few dozen (issue 15)
class Forslag:
    """One ranked suggestion: the candidate, its score, the points per part, and why."""

    kandidat: Kandidat
    score: int
    parts: dict[str, float]  # points per part (can be negative for distance)
    reasons: list[str]
    caveat: str | None  # the costliest shortfall (the first of `caveats`)
    caveats: list[str] = field(default_factory=list)  # every shortfall, costliest first
    skjult: list[str] = field(default_factory=list)  # why it is normally hidden (shown on request only)
    fraktioner: tuple = ()  # each part's fraction, in the order of `PARTS` (for `forklar`)

    @property
    def id(self) -> int:
        return self.kandidat.id

    @property
    def vurdering(self) -> str:
        return vurdering(self.score)


def vurdering(score: int) -> str:
    """The score in words, for a koordinator: "Passer godt" rather than "64"."""
    for lowest, words in VURDERINGER:
        if score >= lowest:
            return gettext(words)
    return gettext(VURDERINGER[-1][1])


@dataclass
class Resultat:
    """What `rank_forklaret` found: the suggestions, and how many were hidden, per reason."""

    forslag: list[Forslag]
    skjulte: dict[str, int]  # reason key ("fuld", "behov:<slug>") → how many fællesskaber
    tekster: dict[str, str]  # reason key → Danish text, e.g. "kræver kørestolsadgang"


# --- Hard filters -------------------------------------------------------------------------------


def role_offered(rolle: str, k: Kandidat) -> bool:
    if rolle == "frivillig":
        return k.for_frivillige
    if rolle == "begge":
        return k.for_deltagere or k.for_frivillige
    return k.for_deltagere


def alder_ok(b: BorgerProfil, k: Kandidat) -> bool:
    """The participants' age range. With only a birth year the borger may be one year older than
    `alder`: only a borger who is surely outside the range is left out."""
    if b.alder is None:
        return True
    oldest = b.alder + (1 if b.alder_usikker else 0)
    if k.alder_min is not None and oldest < k.alder_min:
        return False
    return k.alder_max is None or b.alder <= k.alder_max


def tilbudt(b: BorgerProfil, k: Kandidat) -> bool:
    """The role the borger seeks is offered. Where a fællesskab seeks participants, its age range is
    theirs and never stops a volunteer (a lektiecafé for 13–25-year-olds wants adult volunteers);
    where it seeks only volunteers (a volunteer role), the age range is the volunteers'."""
    as_participant = k.for_deltagere and alder_ok(b, k)
    as_volunteer = k.for_frivillige and (k.for_deltagere or alder_ok(b, k))
    if b.rolle == "frivillig":
        return as_volunteer
    if b.rolle == "begge":
        return as_participant or as_volunteer
    return as_participant


def skjult_grunde(b: BorgerProfil, k: Kandidat) -> list[str]:
    """Why a fællesskab the borger could otherwise be offered is hidden: keys "fuld" (no free
    places) and "behov:<slug>" (an accessibility need it does not meet). Empty: not hidden.
    The suggestions page counts these and can show them on request."""
    behov = b.tilgaengelighedsbehov
    out = [f"behov:{slug}" for slug in sorted(behov - k.tilgaengelighed)] if behov else []
    if k.kapacitet is not None and k.kapacitet <= 0:
        out.append("fuld")
    return out


def skjult_tekst(key: str, navne: Mapping[str, str]) -> str:
    """The Danish text for a hidden reason, e.g. "kræver kørestolsadgang"."""
    if key == "fuld":
        return gettext("ingen ledige pladser")
    slug = key.partition(":")[2]
    return gettext("har ikke %(behov)s, som borgeren har brug for") % {
        "behov": navne.get(slug, slug.replace("-", " ")).lower()}


def hard_filter(b: BorgerProfil, k: Kandidat, exclude: frozenset[int] | set[int] = frozenset()) -> bool:
    """True if the candidate may be suggested at all (not hidden, see `skjult_grunde`)."""
    if k.id in exclude or not tilbudt(b, k):
        return False
    return not skjult_grunde(b, k)


# --- The parts: each a fraction (0–1; distance, meeting times and barriers may go below 0) ------
# `_Borger` holds what is derived from the borger once per `rank()` call, and `_fraktioner` works out
# all nine parts of a candidate in one call, so the loop over a few hundred candidates stays cheap
# (issue 15: a function per part made the ranking half as fast again; PERFORMANCE.md, "Session 19").

class Fraktioner(NamedTuple):
    """Each part's fraction, in the order `_fraktioner` gives them (a plain tuple there: the ranking's loop
    unpacks it), by name for the reasons and caveats."""

    interesser: float
    maalgrupper: float
    afstand: float
    tider: float
    hyppighed: float
    vaertsskab: float
    barrierer: float
    friskhed: float
    kapacitet: float


PARTS = Fraktioner._fields


class _Borger:
    __slots__ = ("b", "interesser", "n_interesser", "max_km", "tider", "barrier_sets", "mapped", "barrier_par",
                 "hjaelp", "today",
                 "fresh_days", "stale_days", "oekonomi", "n_barrierer", "kategorier", "tekster")

    def __init__(self, b: BorgerProfil, today: date, fresh_days: int = FRESH_DAYS):
        self.b = b
        self.interesser = b.interesser
        self.n_interesser = len(b.interesser)
        self.max_km = max(float(b.max_afstand_km), 0.1)
        self.tider = b.tilgaengelighed
        # The economy barrier is read against the price, not a tag (see "barrierer" in `_fraktioner`).
        self.oekonomi = OEKONOMI in b.barrierer
        self.mapped = sorted(s for s in b.barrierer if s in BARRIER_PREFERS and s != OEKONOMI)
        self.barrier_sets = [frozenset(BARRIER_PREFERS[s]) for s in self.mapped]
        self.barrier_par = tuple(zip(self.mapped, self.barrier_sets, strict=True))  # (slug, what helps with it)
        self.hjaelp = frozenset().union(*self.barrier_sets)  # what helps with any of them
        self.n_barrierer = len(self.mapped) + self.oekonomi
        self.today = today
        self.fresh_days = max(int(fresh_days), 1)
        self.stale_days = 2 * self.fresh_days
        self.kategorier: dict[tuple, bool] = {}  # `_kategori_relates` by (category, its name), as asked
        self.tekster: dict[tuple, str] = {}  # a caveat's text by the unmet barriers' slugs, as asked


def _kategori_relates(b: BorgerProfil, k: Kandidat) -> bool:
    if not k.kategori or not b.interesser:
        return False
    related = KATEGORI_INTERESSER.get(k.kategori)
    if related is not None:
        return bool(related & b.interesser)
    # A category someone added in the admin: does an interest name start a word of its name?
    words = k.tag_navne.get(k.kategori, k.kategori.replace("-", " ")).lower().replace(",", " ").split()
    for slug in b.interesser:
        name = b.tag_navne.get(slug, slug).lower()
        if len(name) >= 4 and any(word.startswith(name) for word in words):
            return True
    return False


def _fraktioner(c: _Borger, k: Kandidat) -> tuple[float, ...]:
    """The fraction of each part for candidate `k`, in the order of `PARTS`."""
    # interesser: every interest of the borger's shared is full, one 60 %, each more 20 %; none shared,
    # 30 % if the category relates to them. No interests known: neutral.
    n = c.n_interesser
    if not n:
        interesser = 0.5
    elif not c.interesser.isdisjoint(k.interesser):  # (cheaper than counting what most do not share)
        shared = len(c.interesser & k.interesser)
        interesser = 1.0 if shared >= n else min(1.0, 0.6 + 0.2 * (shared - 1))
    else:
        # The same for every candidate of a category (and its name): worked out once per call.
        key = (k.kategori, k.tag_navne.get(k.kategori))
        relates = c.kategorier.get(key)
        if relates is None:
            relates = c.kategorier[key] = _kategori_relates(c.b, k)
        interesser = 0.3 if relates else 0.0
    # maalgrupper: aimed at one of the borger's challenges; open to all, aimed at nobody in particular,
    # 30 %. Nothing to aim at (as with no barriers): full.
    udfordringer = c.b.udfordringer
    if not udfordringer:
        maalgrupper = 1.0
    elif not k.maalgrupper:
        maalgrupper = 0.3
    else:
        maalgrupper = 0.0 if udfordringer.isdisjoint(k.maalgrupper) else 1.0
    # afstand: full within NEAR_SHARE of the borger's max distance, a smooth decay to AT_MAX at it, then
    # a strong penalty beyond it, towards FAR_FLOOR.
    r = k.distance_km / c.max_km
    if r <= NEAR_SHARE:
        afstand = 1.0
    elif r <= 1.0:
        afstand = 1.0 - (1.0 - AT_MAX) * (r - NEAR_SHARE) / (1.0 - NEAR_SHARE)
    else:
        afstand = FAR_FLOOR + (AT_MAX - FAR_FLOOR) * math.exp(-FAR_DECAY * (r - 1.0))
    # tider: one meeting time the borger can come to is all she needs, and a second never lowers the
    # score; none is a penalty (TID_STRAF points below zero): she cannot come as things are. Unknown on
    # either side: neutral. hyppighed: how often the best fitting meeting is (any, if none fits).
    slots = k.slots
    if not slots:
        tider = hyppighed = 0.5
    else:
        if not c.tider:
            tider, fitting = 0.5, slots
        elif fitting := slots & c.tider:
            tider = 1.0
        else:
            tider, fitting = -TID_STRAF / WEIGHTS["tider"], slots
        if len(fitting) == 1:  # the usual case, without a generator
            hyppighed = HYPPIGHED.get(k.frekvenser.get(next(iter(fitting)), "WEEKLY"), 1.0)
        else:
            hyppighed = max(HYPPIGHED.get(k.frekvenser.get(slot, "WEEKLY"), 1.0) for slot in fitting)
    # vaertsskab: an inclusion-ready forening 60 %, a named host 40 %.
    vaertsskab = (0.6 if k.inklusionsparat else 0.0) + (0.4 if k.vaert_navn and not k.vaert_navn.isspace() else 0.0)
    # barrierer: the share of the borger's barriers the fællesskab helps with (BARRIER_PREFERS). The
    # economy barrier is met by a price at or under LAV_PRIS; above it, PRIS_STRAF points come off besides.
    if not c.n_barrierer:
        barrierer = 1.0  # nothing to accommodate
    else:
        tilg, met = k.tilgaengelighed, 0
        for features in c.barrier_sets:
            if not features.isdisjoint(tilg):
                met += 1
        dyrt = c.oekonomi and k.pris > LAV_PRIS  # `_for_dyrt`, without the call
        if c.oekonomi and not dyrt:
            met += 1
        barrierer = met / c.n_barrierer - (PRIS_STRAF / WEIGHTS["barrierer"] if dyrt else 0.0)
    # friskhed: full when confirmed within the centre's interval, none once stale (twice it) or never.
    if k.sidst_bekraeftet is None:
        friskhed = 0.0
    else:
        days = (c.today - k.sidst_bekraeftet).days
        if days >= c.stale_days:
            friskhed = 0.0
        elif days <= c.fresh_days:
            friskhed = 1.0
        else:
            friskhed = (c.stale_days - days) / (c.stale_days - c.fresh_days)
    # kapacitet: free places; unknown or unlimited is full, 1–2 a little less. None free is hidden
    # (`skjult_grunde`).
    kap = k.kapacitet
    kapacitet = 1.0 if kap is None else 0.0 if kap <= 0 else 0.7 if kap <= 2 else 1.0
    return interesser, maalgrupper, afstand, tider, hyppighed, vaertsskab, barrierer, friskhed, kapacitet


def _for_dyrt(c: _Borger, k: Kandidat) -> bool:
    return c.oekonomi and k.pris > LAV_PRIS


def fractions(b: BorgerProfil, k: Kandidat, today: date, fresh_days: int = FRESH_DAYS) -> dict[str, float]:
    return Fraktioner._make(_fraktioner(_Borger(b, today, fresh_days), k))._asdict()


def score_parts(b: BorgerProfil, k: Kandidat, today: date, weights: Mapping[str, float] = WEIGHTS,
                fresh_days: int = FRESH_DAYS):
    """(score 0–100, fraction per part, points per part)."""
    fr = fractions(b, k, today, fresh_days)
    parts = {name: weights.get(name, 0) * frac for name, frac in fr.items()}
    return _clamp(sum(parts.values())), fr, parts


def _clamp(total: float) -> int:
    return max(0, min(100, round(total)))


# --- Reasons, in Danish -------------------------------------------------------------------------


class _Memo(dict):
    """gettext, the slots' labels and distances remembered for one language (`_memo`): the same few
    texts recur for every suggestion of every borger (issue 15: ~40 % of the explanations' cost).

    A dict of the texts by msgid, called as `_(...)` so makemessages still finds the Danish msgids: the call
    is the dict's own lookup, and a msgid not there yet is translated (`__missing__`). A text that depends
    on more than the language carries that in its key (`km`, the far-away caveat's distance).
    """

    __slots__ = ()
    __call__ = dict.__getitem__

    def __missing__(self, msgid: str) -> str:
        text = self[msgid] = gettext(msgid)
        return text

    def label(self, code: str) -> str:
        key = ("slot", code)
        text = self.get(key)
        if text is None:
            text = self[key] = str(_SLOT_LABELS.get(code, code))
        return text

    def pladser(self, antal: int) -> str:
        """"3 ledige pladser": ngettext, remembered below 1,000 places (it cost more than the rest of the reasons)."""
        key = ("pladser", antal)
        text = self.get(key)
        if text is None:
            text = ngettext("%(antal)d ledig plads", "%(antal)d ledige pladser", antal) % {"antal": antal}
            if antal < 1000:
                self[key] = text
        return text

    def km(self, km: float) -> str:
        """`format_km(km)`; below 1,000 km, where no thousands separator can enter, remembered."""
        if km >= 1000:
            return format_km(km)
        key = ("km", 1, round(km, 1)) if km < 10 else ("km", 0, round(km))  # 9.96 is "10,0", 10.4 is "10"
        text = self.get(key)
        if text is None:
            text = self[key] = format_km(km)
        return text


_MEMOER: dict[str | None, _Memo] = {}


def _memo() -> _Memo:
    """The active language's `_Memo`, kept for the process (its texts are bounded: the engine's msgids,
    21 slots, distances under 1,000 km, numbers of places under 1,000)."""
    language = get_language()
    memo = _MEMOER.get(language)
    if memo is None:
        memo = _MEMOER[language] = _Memo()
    return memo


def format_km(km: float) -> str:
    """'2,4' (one decimal under 10 km, whole km above), with the active language's separator."""
    if km < 10:
        return number_format(max(round(km, 1), 0.1), decimal_pos=1)
    return number_format(round(km), decimal_pos=0)


def _names(slugs: Iterable[str], navne: Mapping[str, str]) -> str:
    return ", ".join(sorted(navne.get(s, s.replace("-", " ")).lower() for s in slugs))


def _slot_sort_key(code: str):
    day, _sep, part = code.partition("-")
    return int(day) if day.isdigit() else 99, _DAYPART_ORDER.get(part, 99)


def _reasons(c: _Borger, k: Kandidat, fr: Fraktioner, _: _Memo) -> list[str]:
    b = c.b
    out: list[str] = []
    shared = b.interesser & k.interesser
    if shared:
        out.append(_("Fælles interesser: %(interesser)s") % {"interesser": _names(shared, b.tag_navne)})
    elif fr.interesser > 0 and b.interesser and k.kategori:
        navn = k.tag_navne.get(k.kategori, k.kategori.replace("-", " ")).lower()
        out.append(_("Kategorien %(kategori)s ligger tæt på borgerens interesser") % {"kategori": navn})
    maal = b.udfordringer & k.maalgrupper
    if maal:
        out.append(_("Rettet mod: %(maalgrupper)s") % {"maalgrupper": _names(maal, b.tag_navne)})
    if k.distance_km <= b.max_afstand_km:
        out.append(_("%(km)s km væk") % {"km": _.km(k.distance_km)})
    if fr.tider >= 1.0:
        fitting = k.slots & b.tilgaengelighed
        best = max(HYPPIGHED.get(k.frekvenser.get(slot, "WEEKLY"), 1.0) for slot in fitting)
        first = min((slot for slot in fitting if HYPPIGHED.get(k.frekvenser.get(slot, "WEEKLY"), 1.0) == best),
                    key=_slot_sort_key)
        frekvens = k.frekvenser.get(first, "WEEKLY")
        if frekvens == "WEEKLY":
            out.append(_("%(tidspunkt)s passer") % {"tidspunkt": _.label(first)})
        else:
            out.append(_("%(tidspunkt)s passer (%(hyppighed)s)")
                       % {"tidspunkt": _.label(first), "hyppighed": _hyppighed_navn(frekvens, _)})
    if k.inklusionsparat:
        out.append(_("Foreningen er klædt på til at tage imod nye"))
    if k.vaert_navn and not k.vaert_navn.isspace():  # `har_vaert`, without the call
        out.append(_("Fast vært: %(navn)s") % {"navn": k.vaert_navn.split()[0]})
    if not c.hjaelp.isdisjoint(k.tilgaengelighed):  # (`_names` sorts them)
        out.append(_("Tager hensyn til borgerens barrierer: %(hensyn)s")
                   % {"hensyn": _names(c.hjaelp & k.tilgaengelighed, k.tag_navne)})
    if fr.friskhed >= 1.0:
        out.append(_("Oplysningerne er bekræftet inden for de sidste %(uger)d uger") % {"uger": c.fresh_days // 7})
    if k.kapacitet is not None and k.kapacitet > 0:
        out.append(_.pladser(k.kapacitet))
    if c.oekonomi and not _for_dyrt(c, k):
        out.append(_("Gratis") if k.pris <= 0 else _("Pris: %(pris)s kr.") % {"pris": _kr(k.pris)})
    return out


def _hyppighed_navn(frekvens: str, _: _Memo) -> str:
    if frekvens == "MONTHLY":
        return _("hver måned")
    if frekvens == "BIWEEKLY":
        return _("hver anden uge")
    return _("hver uge")


def _kr(pris: float) -> str:
    return number_format(round(pris), decimal_pos=0, force_grouping=True)


def _caveats(c: _Borger, k: Kandidat, fr: Fraktioner, w: Fraktioner, p: Fraktioner, _: _Memo) -> list[str]:
    """Every shortcoming that counts as a real one, the costliest first (points lost, then a fixed
    order), so "Ingen ledige pladser" cannot hide behind "Længere væk end …". `w`: the weight of each part,
    `p`: its points."""
    b = c.b
    found: list = []  # (points lost, order, text)
    if k.distance_km > b.max_afstand_km:
        max_km = b.max_afstand_km
        text = _.get(("far", max_km))  # the same for every candidate of this distance: formatted once
        if text is None:
            shown = number_format(int(max_km), decimal_pos=0) if float(max_km).is_integer() else format_km(max_km)
            text = _[("far", max_km)] = _("Længere væk end de %(km)s km, borgeren helst vil rejse") % {"km": shown}
        found.append((w.afstand - p.afstand, 7, text))
    if fr.tider < 0:
        found.append((w.tider - p.tider, 6, _("Mødetiderne passer ikke med borgerens tider")))
    if fr.interesser == 0.0:
        found.append((w.interesser - p.interesser, 5, _("Ingen fælles interesser")))
    if k.kapacitet is not None and k.kapacitet <= 0:
        found.append((100, 9, _("Ingen ledige pladser lige nu")))
    if _for_dyrt(c, k):
        found.append((PRIS_STRAF, 8, _("Koster %(pris)s kr., og borgeren har svært ved at betale kontingent")
                      % {"pris": _kr(k.pris)}))
    if b.udfordringer and k.maalgrupper and fr.maalgrupper == 0.0:
        found.append((w.maalgrupper - p.maalgrupper, 4,
                      _("Ikke rettet mod borgerens udfordringer")))
    if fr.hyppighed < 0.5:
        found.append((w.hyppighed - p.hyppighed, 4,
                      _("Mødes kun %(hyppighed)s") % {"hyppighed": _hyppighed_navn("MONTHLY", _)}))
    if k.sidst_bekraeftet is None:
        found.append((w.friskhed - p.friskhed, 3, _("Oplysningerne er aldrig blevet bekræftet")))
    elif (c.today - k.sidst_bekraeftet).days >= c.stale_days:
        found.append((w.friskhed - p.friskhed, 3,
                      _("Oplysningerne er ikke bekræftet i over %(uger)d uger") % {"uger": c.stale_days // 7}))
    if c.mapped:
        tilg = k.tilgaengelighed
        unmet = tuple([s for s, features in c.barrier_par if features.isdisjoint(tilg)])
        if unmet:
            text = c.tekster.get(unmet)  # the same for every candidate that meets none of them: once per call
            if text is None:
                text = c.tekster[unmet] = _("Intet særligt hensyn til: %(barrierer)s") % {
                    "barrierer": _names(unmet, b.tag_navne)}
            found.append((w.barrierer / max(c.n_barrierer, 1), 2, text))
    if fr.vaertsskab == 0.0:
        found.append((w.vaertsskab - p.vaertsskab, 1,
                      _("Ingen fast vært, og foreningen er ikke klædt på til nye")))
    found.sort(key=_TAB, reverse=True)
    return list(map(_TEKST, found))


_TAB, _TEKST = itemgetter(0, 1), itemgetter(2)  # a caveat's (points lost, order), and its text


# --- The entry point ----------------------------------------------------------------------------


_RANG = itemgetter(0, 1, 2)  # (−score, distance, id): best first, ties by distance, then id


def rank(
    borger: BorgerProfil,
    kandidater: Iterable[Kandidat],
    *,
    exclude: frozenset[int] | set[int] = frozenset(),
    k: int = DEFAULT_K,
    today: date | None = None,
    weights: Mapping[str, float] = WEIGHTS,
    fresh_days: int = FRESH_DAYS,
) -> list[Forslag]:
    """The top `k` candidates that pass the hard filters, best first (see `rank_forklaret`)."""
    return rank_forklaret(borger, kandidater, exclude=exclude, k=k, today=today, weights=weights,
                          fresh_days=fresh_days).forslag


def rank_forklaret(
    borger: BorgerProfil,
    kandidater: Iterable[Kandidat],
    *,
    exclude: frozenset[int] | set[int] = frozenset(),
    k: int = DEFAULT_K,
    today: date | None = None,
    weights: Mapping[str, float] = WEIGHTS,
    fresh_days: int = FRESH_DAYS,
    vis_skjulte: bool = False,
    forklar: bool = True,
) -> Resultat:
    """The top `k` candidates, best first, and how many were hidden and why.

    `exclude` holds fællesskab ids the borger must not be offered: ones with an ended
    ("afsluttet") match, i.e. declined or ended before, and ones with an open match already.
    Those and the ones whose role or age range do not fit are left out silently. The ones hidden
    for a reason a koordinator may want to overrule (`skjult_grunde`: no free places, an unmet
    accessibility need) are counted per reason, and ranked as well when `vis_skjulte` is set,
    each marked with why it is normally hidden.
    Ties are broken by distance, then id, so the order is deterministic.
    `forklar=False` leaves the points per part, reasons and caveats out (empty), for a caller that shows
    only some of the top k and explains those with `forklar` (the suggestions: matching/suggest.py).
    """
    c = _Borger(borger, today or date.today(), fresh_days)
    vaegte = _vaegte(weights)
    w0, w1, w2, w3, w4, w5, w6, w7, w8 = vaegte
    scored = []
    skjulte: dict[str, int] = {}
    behov = borger.tilgaengelighedsbehov
    for kand in kandidater:
        if kand.id in exclude or not tilbudt(borger, kand):
            continue
        # `skjult_grunde` only where one applies: most candidates meet every need and have room (issue 15).
        kap = kand.kapacitet
        if (behov and not behov <= kand.tilgaengelighed) or (kap is not None and kap <= 0):
            for key in skjult_grunde(borger, kand):
                skjulte[key] = skjulte.get(key, 0) + 1
            if not vis_skjulte:
                continue
        fr = _fraktioner(c, kand)
        f0, f1, f2, f3, f4, f5, f6, f7, f8 = fr
        # Written out, and clamped as `_clamp` does: a loop over the nine pairs, `sum(map(mul, ...))` or a
        # call cost more than the sum itself.
        score = round(w0 * f0 + w1 * f1 + w2 * f2 + w3 * f3 + w4 * f4 + w5 * f5 + w6 * f6 + w7 * f7 + w8 * f8)
        scored.append((0 if score < 0 else -100 if score > 100 else -score, kand.distance_km, kand.id, kand, fr))  # _clamp
    scored.sort(key=_RANG)
    top = scored[:max(k, 0)]
    # Details and texts for the top k only.
    memo = _memo()
    navne = {**borger.tag_navne}
    tekster = {key: skjult_tekst(key, navne) for key in skjulte}
    out = []
    for neg_score, _d, _id, kand, fr in top:
        # Only a candidate counted as hidden above has a reason to be (`vis_skjulte`).
        skjult = [tekster[key] for key in skjult_grunde(borger, kand)] if skjulte else []
        if not forklar:
            out.append(Forslag(kandidat=kand, score=-neg_score, parts={}, reasons=[], caveat=None, skjult=skjult,
                               fraktioner=fr))
            continue
        f = _forklaring(c, kand, vaegte, memo, fr)
        out.append(Forslag(kandidat=kand, score=-neg_score, parts=f.parts, reasons=f.reasons,
                           caveat=f.caveats[0] if f.caveats else None, caveats=f.caveats, skjult=skjult))
    return Resultat(forslag=out, skjulte=skjulte, tekster=tekster)


class Forklaring(NamedTuple):
    """One candidate explained (`forklar`): the points per part, the reasons and the caveats."""

    parts: dict[str, float]
    reasons: list[str]
    caveats: list[str]


def _vaegte(weights: Mapping[str, float]) -> Fraktioner:
    """Each part's weight, in the order of `PARTS`."""
    return Fraktioner._make(weights.get(name, 0) for name in PARTS)


def _forklaring(c: _Borger, kand: Kandidat, w: Fraktioner, memo, fr: tuple | None = None) -> Forklaring:
    """`fr`: the candidate's fractions, if worked out already (`Forslag.fraktioner`)."""
    fr = Fraktioner._make(fr or _fraktioner(c, kand))
    p = Fraktioner._make(map(mul, w, fr))
    return Forklaring(p._asdict(), _reasons(c, kand, fr, memo), _caveats(c, kand, fr, w, p, memo))


def forklar(borger: BorgerProfil, kandidater: Iterable[Kandidat], *, today: date | None = None,
            weights: Mapping[str, float] = WEIGHTS, fresh_days: int = FRESH_DAYS,
            fraktioner: Iterable[tuple] | None = None) -> list[Forklaring]:
    """The points per part, reasons and caveats of each candidate, as `rank_forklaret` gives them: for
    suggestions ranked with `forklar=False` (no parts, no texts), once the caller knows which it shows
    (for 20, not for the 30 ranked). `fraktioner`: each one's fractions as that ranking worked them out
    (`Forslag.fraktioner`), with the same `today`, `weights` and `fresh_days`."""
    c = _Borger(borger, today or date.today(), fresh_days)
    memo, vaegte = _memo(), _vaegte(weights)
    if fraktioner is None:
        return [_forklaring(c, kand, vaegte, memo) for kand in kandidater]
    return [_forklaring(c, kand, vaegte, memo, fr) for kand, fr in zip(kandidater, fraktioner, strict=True)]


def vurder(profil: BorgerProfil, kandidat: Kandidat, *, today: date | None = None,
           weights: Mapping[str, float] = WEIGHTS, fresh_days: int = FRESH_DAYS) -> Forslag | None:
    """One person against one candidate, explained as in `rank`; None when a hard filter rules it out.

    For ranking many people against one thing (a volunteer role, `matching/frivilligroller.py`),
    where `rank` ranks many things for one person."""
    if not hard_filter(profil, kandidat):
        return None
    f = _forklaring(_Borger(profil, today or date.today(), fresh_days), kandidat, _vaegte(weights), _memo())
    return Forslag(kandidat=kandidat, score=_clamp(sum(f.parts.values())), parts=f.parts, reasons=f.reasons,
                   caveat=f.caveats[0] if f.caveats else None, caveats=f.caveats)
