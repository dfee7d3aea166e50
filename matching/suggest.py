"""Matching, end to end: borger → stage 1 (database) → stage 2 (pure) → suggestions.

The caller has already checked access. On PostgreSQL one call is one round trip, whatever N and K (two
when it meets candidates the process has not seen as they are now, `candidate_cache`), with these reads:

1. the borger's tags, earlier matches and postal-code coordinates, with the version of the reference data
   the process holds (the tag table, the postal codes' places: `candidate_cache`) (one UNION; what the
   instance already has loaded is left out), unless read already (`kontekst_for`, which sends a page's
   other reads with it, or first, to check a consent);
2. stage 1: the KNN candidates with their tags, meeting times and what a suggestion shows (title,
   forening name), so the winners need no query of their own, and their welcome scores, all remembered
   by row version (`med_borgerens_kontekst`, `candidate_cache`; `med_velkomst`, matching/velkomst.py).
   Its statement reads the borger's matches and accessibility needs itself, and is given their postal code's
   place as the process holds it (else reads that too), so it need not wait for 1.

SQLite fetches the candidates' details separately, and may look twice when its bounding box holds
fewer than N rows, then reads the welcome scores of the top candidates: at most 5.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db import connection
from django.urls import reverse
from django.utils import timezone

from borgere.models import Borger, Samtykke, alder_fra_foedselsaar
from brobygning.models import Frivilligcenter, Postnummer, Tag
from brobygning.planner import Laesning, fetch_together

from . import candidate_cache, engine, velkomst
from .candidates import (
    DEFAULT_N,
    candidates_og_velkomst,
    effective_role,
    med_borgerens_kontekst,
    skjult_af_behov,
)
from .models import Match


@dataclass(slots=True)
class Suggestion:
    faellesskab_id: int
    titel: str
    forening_navn: str
    score: int  # 0–100
    reasons: list[str]  # Danish (or the active language), most telling first
    caveat: str | None  # the main reason it is not a perfect fit, if any
    distance_km: float
    parts: dict[str, float] = field(default_factory=dict)  # points per part, for the curious
    caveats: list[str] = field(default_factory=list)  # every shortfall, costliest first
    skjult: list[str] = field(default_factory=list)  # why it is normally hidden (only with vis_skjulte)

    @property
    def url(self) -> str:
        return reverse("foreninger:faellesskab_detail", args=[self.faellesskab_id])

    @property
    def vurdering(self) -> str:
        """The score in words ("Passer godt"), which the page shows instead of the number."""
        return engine.vurdering(self.score)


@dataclass
class Forslagsresultat:
    forslag: list[Suggestion]
    skjulte: list[tuple[str, int]]  # (why, how many fællesskaber), most first: "ingen ledige pladser", 2

    @property
    def antal_skjulte(self) -> int:
        return sum(n for _tekst, n in self.skjulte)


_TAG_FIELDS = {"i": "interesser", "u": "udfordringer", "b": "barrierer", "t": "tilgaengelighedsbehov"}


@dataclass
class _Context:
    tags: dict[str, list[tuple[str, str]]]  # tag field → [(slug, navn)]
    exclude: frozenset[int]  # fællesskaber with any match for this borger
    origin: tuple[float, float] | None  # the postal code's lat/lng
    interval_uger: int | None = None  # the centre's "Er det stadig korrekt?" interval (freshness)
    samtykke: bool = True  # the borger's current consent to the purpose asked for (`samtykke=`), if asked
    ekstra: list = field(default_factory=list)  # the results of `ekstra=` reads sent with it


def kontekst_for(borger: Borger, *, samtykke: str | None = None, ekstra: Sequence[Laesning] = ()) -> _Context:
    """What `forslag_for` reads first about the borger (`kontekst=`), with a page's other reads that do
    not depend on the search (`ekstra`, e.g. the filter form's choices; their results in `.ekstra`) in
    the same round trip (issue 15)."""
    return _borger_context(borger, interval=True, samtykke=samtykke, ekstra=ekstra)


def _cached_tags(borger: Borger) -> dict[str, list[tuple[str, str]]] | None:
    cache = getattr(borger, "_prefetched_objects_cache", {})
    if all(name in cache for name in _TAG_FIELDS.values()):
        return {name: [(t.slug, t.navn) for t in cache[name]] for name in _TAG_FIELDS.values()}
    return None


def _cached_origin(borger: Borger) -> tuple[float, float] | None:
    pn = borger._state.fields_cache.get("postnummer")
    return (pn.lat, pn.lng) if pn is not None else None


def _borger_context(borger: Borger, *, tags: bool = True, matches: bool = True, origin: bool = True,
                    interval: bool = False, samtykke: str | None = None, ekstra: Sequence[Laesning] = ()) -> _Context:
    """The borger's tags, earlier matches, postal-code coordinates and centre's interval, in one query;
    with `samtykke` (a purpose), also whether the borger's consent to it is current.

    What is already loaded on the instance (prefetched tags, the postal code) is not fetched again.
    `ekstra`: other reads sent in the same round trip (`fetch_together`); their results in `ctx.ekstra`.
    """
    out, laesning = _kontekst_laesning(borger, tags=tags, matches=matches, origin=origin, interval=interval,
                                       samtykke=samtykke)
    if laesning is None:
        out.ekstra = fetch_together(connection, list(ekstra)) if ekstra else []
    else:
        _out, *out.ekstra = fetch_together(connection, [laesning, *ekstra])
    return out


def _kontekst_laesning(borger: Borger, *, tags: bool = True, matches: bool = True, origin: bool = True,
                       interval: bool = False, samtykke: str | None = None,
                       tag_ider: bool = False) -> tuple[_Context, Laesning | None]:
    """`_borger_context`'s read, unsent: the context as far as the instance has it loaded, and the read that
    fills in the rest (its `parse` fills and returns that context); None when nothing is left to read.
    Plain SQL: the ORM takes longer to compile a union like this than the database takes to run it.
    `tag_ider`: the tags as ids, without their slugs and names, and the reference data's version with them (a row
    of kind "V": `stamdata_version`), for a caller that fills the context in itself (`_fyld(…, navne=…)`) from the
    tag table stage 1's candidates hold for that version (`candidate_cache`): the join cost a third of the read,
    and the version is one row where the table is a hundred (issue 15)."""
    cached_tags = _cached_tags(borger) if tags else {name: [] for name in _TAG_FIELDS.values()}
    cached_origin = _cached_origin(borger)
    null_lat_lng = "CAST(NULL AS double precision), CAST(NULL AS double precision)"
    null_num = f"CAST(NULL AS bigint), {null_lat_lng}"
    parts, params = [], []
    if tag_ider:  # first: its columns' types are the union's
        parts.append(f"SELECT 'V', CAST(NULL AS text), CAST(NULL AS text), v.version, {null_lat_lng} "  # noqa: S608
                     f"FROM {candidate_cache.VERSION_TABLE} v")
    if cached_tags is None and tag_ider:
        parts += [f"SELECT '{kind}', NULL, NULL, tag_id, {null_lat_lng} FROM "  # noqa: S608
                  f"{getattr(Borger, name).through._meta.db_table} WHERE borger_id = %s" for kind, name in _TAG_FIELDS.items()]
        params += [borger.pk] * len(_TAG_FIELDS)
    elif cached_tags is None:  # the four kinds' links, then one join to the tags (cheaper to plan than four)
        links = " UNION ALL ".join(
            f"SELECT '{kind}' AS k, tag_id FROM {getattr(Borger, name).through._meta.db_table} "  # noqa: S608
            "WHERE borger_id = %s" for kind, name in _TAG_FIELDS.items())
        parts.append(f"SELECT x.k, t.slug, t.navn, {null_num} FROM ({links}) x "  # noqa: S608
                     f"JOIN {Tag._meta.db_table} t ON t.id = x.tag_id")
        params += [borger.pk] * len(_TAG_FIELDS)
    if matches:
        parts.append(f"SELECT 'x', NULL, NULL, m.faellesskab_id, NULL, NULL FROM {Match._meta.db_table} m "  # noqa: S608
                     "WHERE m.borger_id = %s")
        params.append(borger.pk)
    if origin and cached_origin is None:
        parts.append(f"SELECT 'p', NULL, NULL, NULL, p.lat, p.lng FROM {Postnummer._meta.db_table} p "  # noqa: S608
                     "WHERE p.nr = %s")
        params.append(borger.postnummer_id)
    cached_center = borger._state.fields_cache.get("center")
    cached_interval = cached_center.bekraeft_interval_uger if cached_center is not None else None
    if interval and cached_interval is None:
        parts.append(f"SELECT 'c', NULL, NULL, c.bekraeft_interval_uger, NULL, NULL "  # noqa: S608
                     f"FROM {Frivilligcenter._meta.db_table} c WHERE c.id = %s")
        params.append(borger.center_id)
    if samtykke is not None:  # `borgere.services.har_samtykke`'s rule: a consent to the purpose not withdrawn
        parts.append(f"SELECT 's', NULL, NULL, s.id, NULL, NULL FROM {Samtykke._meta.db_table} s "  # noqa: S608
                     "WHERE s.borger_id = %s AND s.formaal = %s AND s.tilbagekaldt IS NULL")
        params += [borger.pk, samtykke]
    out = _Context(tags=cached_tags or {name: [] for name in _TAG_FIELDS.values()}, exclude=frozenset(),
                   origin=cached_origin, interval_uger=cached_interval, samtykke=samtykke is None)
    if not parts:
        return out, None
    sql = " UNION ALL ".join(parts)
    return out, Laesning(sql, params, lambda rows, _connection: _fyld(out, rows))


def stamdata_version(rows) -> int:
    """The reference data's version (`candidate_cache`), from the rows of `_kontekst_laesning(tag_ider=True)`."""
    return next(tag_id for kind, _slug, _navn, tag_id, _lat, _lng in rows if kind == "V")


def _fyld(out: _Context, rows, *, navne: dict[int, tuple[str, str]] | None = None) -> _Context:
    """`out` with the rows of `_kontekst_laesning`'s read; with `tag_ider` there, `navne` (tag id → slug and
    name) names the tags. A tag deleted between the two reads is left out."""
    exclude = set()
    for kind, slug, navn, fid, lat, lng in rows:
        if kind == "x":
            exclude.add(fid)
        elif kind == "c":
            out.interval_uger = fid
        elif kind == "s":
            out.samtykke = True
        elif kind == "p":
            out.origin = (lat, lng)
        elif kind == "V":  # the reference data's version (`tag_ider`)
            continue
        elif slug is not None:
            out.tags[_TAG_FIELDS[kind]].append((slug, navn))
        elif navne is not None and fid in navne:
            out.tags[_TAG_FIELDS[kind]].append(navne[fid])
    out.exclude = frozenset(exclude)
    return out


def profil_for(borger: Borger, *, rolle: str | None = None, tags: dict[str, list[tuple[str, str]]] | None = None,
               today: date | None = None) -> engine.BorgerProfil:
    """Stage 2's view of the borger, their age as of `today` (default: today). `tags` as from `_borger_context`;
    fetched (one query) if not given."""
    if tags is None:
        tags = _borger_context(borger, matches=False, origin=False).tags
    return engine.BorgerProfil(
        alder=alder_fra_foedselsaar(borger.foedselsaar, today),
        alder_usikker=borger.alder_usikker,
        rolle=effective_role(borger, rolle),
        max_afstand_km=float(borger.max_afstand_km or 10),
        interesser=frozenset(slug for slug, _n in tags["interesser"]),
        udfordringer=frozenset(slug for slug, _n in tags["udfordringer"]),
        barrierer=frozenset(slug for slug, _n in tags["barrierer"]),
        tilgaengelighedsbehov=frozenset(slug for slug, _n in tags["tilgaengelighedsbehov"]),
        tilgaengelighed=frozenset(borger.tilgaengelighed or ()),
        tag_navne={slug: navn for rows in tags.values() for slug, navn in rows},
    )


def excluded_ids(borger: Borger) -> frozenset[int]:
    """Fællesskaber the borger has any match with: ended or declined (afsluttet), or still open."""
    return _borger_context(borger, tags=False, origin=False).exclude


def suggestions_for(borger: Borger, *, max_km: float | None = None, kategori_id: int | None = None,
                    rolle: str | None = None, k: int = engine.DEFAULT_K, n: int = DEFAULT_N,
                    today: date | None = None) -> list[Suggestion]:
    """The top `k` fællesskaber for the borger, best first, with reasons (see `forslag_for`)."""
    return forslag_for(borger, max_km=max_km, kategori_id=kategori_id, rolle=rolle, k=k, n=n, today=today,
                       tael_skjulte=False).forslag


def forslag_for(borger: Borger, *, max_km: float | None = None, kategori_id: int | None = None,
                rolle: str | None = None, k: int = engine.DEFAULT_K, n: int = DEFAULT_N,
                today: date | None = None, vis_skjulte: bool = False, tael_skjulte: bool = True,
                samtykke: str | None = None, kontekst: _Context | None = None) -> Forslagsresultat | None:
    """The top `k` fællesskaber for the borger, best first, with reasons, and how many were hidden.

    `max_km` is a hard cut (a search filter); the borger's own max distance only lowers the score.
    `rolle` ("deltager"/"frivillig"/"begge") overrides the borger's wished role for this search.
    `n` is how many nearest candidates stage 1 hands to stage 2.

    What is hidden is counted per reason ("2 skjult: ingen ledige pladser"): full ones among the N
    candidates by stage 2; for a borger with accessibility needs, which stage 1 filters on so its N
    candidates stay usable, one more query counts those within the max distance that lack a need
    (`tael_skjulte`; `suggestions_for` leaves it out and keeps to 1 query). `vis_skjulte` ranks
    the hidden ones too, marked: stage 1 then leaves the needs to stage 2.

    `samtykke`: a purpose the borger must have consented to (`borgere.services.har_samtykke`), checked
    in the borger's query; None, and nothing else read, when they have not.
    `kontekst`: that first read, done already by `kontekst_for` with the same `samtykke`.
    `today`: the day it is judged as of (default today): the borger's age and freshness, and on PostgreSQL the
    meetings' end dates in stage 1 too.
    """
    postgresql = connection.vendor == "postgresql"
    today = today or timezone.localdate()
    laesning = None
    if kontekst is not None:
        ctx = kontekst
    elif postgresql and samtykke is None:  # read with the candidates, in their round trip (below)
        # The postal code's place only for the hidden count: the candidates' statement is given it or reads it.
        ctx, laesning = _kontekst_laesning(borger, interval=True, origin=tael_skjulte, tag_ider=True)
    else:  # a consent to check comes first: nothing is matched without it
        ctx = _borger_context(borger, interval=True, samtykke=samtykke)
    if not ctx.samtykke:
        return None
    if postgresql:
        # The candidates' statement reads the borger's matches and needs itself (and the postal code's place, unless
        # the process holds it), so it need not wait for the context, which comes in the same round trip when it
        # is not read yet (issue 15).
        rows, tags, kandidater, velkomst_scores = med_borgerens_kontekst(
            borger, (laesning.sql, laesning.params, stamdata_version) if laesning else None, n=n, max_km=max_km,
            kategori_id=kategori_id, rolle=effective_role(borger, rolle), behov=not vis_skjulte, origin=ctx.origin,
            today=today)
        if laesning:
            ctx = _fyld(ctx, rows, navne=tags)
        profil = profil_for(borger, rolle=rolle, tags=ctx.tags, today=today)
    else:
        profil = profil_for(borger, rolle=rolle, tags=ctx.tags, today=today)
        kandidater, velkomst_scores = candidates_og_velkomst(
            borger, n=n, max_km=max_km, kategori_id=kategori_id, rolle=profil.rolle, exclude_ids=ctx.exclude,
            needs=() if vis_skjulte else profil.tilgaengelighedsbehov, origin=ctx.origin)
    return _forslag(borger, ctx, profil, kandidater, velkomst_scores, max_km=max_km, kategori_id=kategori_id, k=k,
                    today=today, vis_skjulte=vis_skjulte, tael_skjulte=tael_skjulte)


def _forslag(borger: Borger, ctx: _Context, profil: engine.BorgerProfil, kandidater, velkomst_scores, *, max_km,
             kategori_id, k, today, vis_skjulte, tael_skjulte) -> Forslagsresultat:
    """Stage 2 and the hidden counts, once the context and the candidates are read (`forslag_for`)."""
    exclude = ctx.exclude
    needs = profil.tilgaengelighedsbehov
    fresh_days = 7 * (ctx.interval_uger or engine.FRESH_DAYS // 7)
    # Points per part, reasons and caveats only for the k shown, once the welcome score has picked them (below):
    # a few more ranked where it may lift one in from just below (not when no candidate has one: `velkomst_scores`).
    ekstra = VELKOMST_EKSTRA if velkomst_scores is None or velkomst_scores else 0
    result = engine.rank_forklaret(profil, kandidater, exclude=exclude, k=max(k, 0) + ekstra,
                                   today=today, fresh_days=fresh_days, vis_skjulte=vis_skjulte, forklar=False)
    counts, tekster = dict(result.skjulte), dict(result.tekster)
    if tael_skjulte and needs and not vis_skjulte:
        radius = max_km if max_km is not None else profil.max_afstand_km
        for slug, count in skjult_af_behov(borger, radius_km=radius, kategori_id=kategori_id, rolle=profil.rolle,
                                           exclude_ids=exclude, needs=needs, origin=ctx.origin).items():
            if count:
                counts[f"behov:{slug}"] = count
                tekster[f"behov:{slug}"] = engine.skjult_tekst(f"behov:{slug}", profil.tag_navne)
    skjulte = sorted(((tekster[key], count) for key, count in counts.items()), key=lambda row: (-row[1], row[0]))
    # The welcome score (±VELKOMST_VAEGT) may lift one of the few more than k ranked in; only the k shown are
    # explained and made suggestions.
    vist = med_velkomst(result.forslag, center_id=borger.center_id, scores=velkomst_scores)[:max(k, 0)]
    forklaringer = engine.forklar(profil, [f.kandidat for _score, f, _v, _p in vist], today=today,
                                  fresh_days=fresh_days, fraktioner=[f.fraktioner for _score, f, _v, _p in vist])
    forslag = []
    for (score, f, v, points), (parts, reasons, caveats) in zip(vist, forklaringer, strict=True):
        if v is not None:  # the welcome score's points and reason after the engine's
            parts["velkomst"] = points
            reasons.append(velkomst.begrundelse(v))
        kand = f.kandidat
        forslag.append(Suggestion(faellesskab_id=kand.id, titel=kand.titel, forening_navn=kand.forening_navn,
                                  score=score, reasons=reasons, caveat=caveats[0] if caveats else None,
                                  distance_km=kand.distance_km, parts=parts, caveats=caveats, skjult=f.skjult))
    return Forslagsresultat(forslag=forslag, skjulte=skjulte)


VELKOMST_EKSTRA = 10


def med_velkomst(forslag: list[engine.Forslag], *, center_id: int,
                 scores: dict[int, velkomst.Velkomstscore] | None = None) -> list[tuple]:
    """The welcome score as a soft signal, outside `engine.WEIGHTS` (ARCHITECTURE.md, "Velkomstscore"):
    a fællesskab whose newcomers stay gains up to `velkomst.VELKOMST_VAEGT` points, one whose
    newcomers leave loses as many, with the reason "7 af 9 nye er blevet". Only with at least
    `velkomst.MIN_N` newcomers with a known outcome. One query (none when stage 1 read the scores
    already: `scores`, as `velkomst.for_faellesskaber` gives them for at least these suggestions).
    Returns (score with the points, the ranked suggestion, its welcome score or None, the points), sorted as
    `engine.rank` sorts."""
    if scores is None:
        scores = velkomst.for_faellesskaber(center_id, [f.id for f in forslag])
    if not scores:  # (the usual case: `forslag` is sorted already)
        return [(f.score, f, None, 0.0) for f in forslag]
    ud = []
    for f in forslag:
        v = scores.get(f.id)
        if v is None:
            ud.append((f.score, f, None, 0.0))
        else:
            points = velkomst.justering(v)
            ud.append((max(0, min(100, round(f.score + points))), f, v, points))
    ud.sort(key=lambda row: (-row[0], row[1].kandidat.distance_km, row[1].id))
    return ud
