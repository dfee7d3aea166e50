"""Stage 1 of matching: the nearest N fællesskaber that can be offered at all (ARCHITECTURE.md, "Matching").

Filters in the database: the borger's centre, active (status aktiv, not archived), open to
newcomers, the role offered, optionally a category; and, as stage 2 will anyway, the borger's age,
their accessibility needs and the fællesskaber to leave out (earlier matches), so all N candidates
are usable. Then the nearest N by distance from the borger's postal code. For the suggestions
(`med_borgerens_kontekst`) the statement reads the borger's matches, needs and postal code itself
(`Filter.borger_id`), so the borger's context can go first in the same round trip.

PostgreSQL: cube/earthdistance KNN on a GiST index (migration `matching.0002_earthdistance`):
``ORDER BY ll_to_earth(knn_lat, knn_lng) <-> ll_to_earth(:lat, :lng)``, N rows. An index expression
cannot reach into another table, so the place a fællesskab is measured from, its own coordinates
where it has both, else its postal code's, is kept on its row by the database (``knn_lat``,
``knn_lng``; a trigger, migration ``matching.0020``), and one GiST index on ``(center_id,
ll_to_earth(knn_lat, knn_lng))`` (btree_gist) serves the walk, which reads only the borger's centre.
Until 0020 this was two walks, the second over the postal codes' own index, merged: as much again
in planning and execution (issue 15). The rows of a postal code share its place, so the walk takes
the ties at the Nth distance too (WITH TIES) and keeps the nearest N by distance, then id. The outer
query computes the great-circle distance (the same value as earth_distance(), in plain arithmetic,
which is cheaper). One round trip.

Elsewhere (SQLite): a bounding box around the borger's postal code, 2 × the max distance and at
least 25 km, on the coordinates (own, else the postal code's), then haversine in Python and the
nearest N. If the box holds fewer than N rows and no hard max_km was asked for, one more query
without the box, so both backends return the same set.

The rest of what stage 2 reads of a candidate (its interests, accessibility tags, current meeting
times, age range, host, price, title) the process remembers on PostgreSQL by the row's version, which
the KNN statement sends (``candidate_cache``); the rows it has not seen as they are now are read in
one more statement (the tag ids and meeting codes as arrays the database keeps on each row, migration
``matching.0021``). Elsewhere one more query reads them for all N.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from django.db import connection
from django.db.models import Case, Count, Exists, F, FloatField, OuterRef, Q, Subquery, When
from django.utils import timezone

from borgere.models import Borger, alder_fra_foedselsaar
from brobygning.models import Postnummer, Tag, TagType
from brobygning.planner import fetch_with_random_page_cost
from foreninger.models import Faellesskab, FaellesskabStatus, Moedetid

from . import candidate_cache, moedekoder
from .engine import Kandidat
from .models import Match, Velkomstscore

DEFAULT_N = 200
EARTH_RADIUS_KM = 6378.168  # the radius earthdistance's earth() uses, so both backends agree
MIN_BOX_KM = 25.0

# SQLite's rows: id, distance_km, alder_min, alder_max, for_deltagere, for_frivillige, kategori slug,
# kategori navn, inklusionsparat, vaert_navn, sidst_bekraeftet, kapacitet, titel, forening navn, pris.
# PostgreSQL's: id, distance_km and the row's version (`_knn_with_details`; the rest: `candidate_cache`).
# Titel and forening navn are for display: the suggestions need no further query.


def haversine_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def origin_for(borger) -> tuple[float, float]:
    """The borger's postal-code coordinates, without a query if the postal code is loaded."""
    cached = borger._state.fields_cache.get("postnummer")
    if cached is not None:
        return cached.lat, cached.lng
    return tuple(Postnummer.objects.values_list("lat", "lng").get(nr=borger.postnummer_id))


def effective_role(borger, rolle: str | None) -> str:
    """An explicit role filter wins over the borger's wished role."""
    return rolle or borger.oensket_rolle or "deltager"


@dataclass(frozen=True)
class Filter:
    """What stage 1 filters on, besides centre, active, open and not archived."""

    center_id: int
    rolle: str = "deltager"  # "deltager", "frivillig" or "begge"
    n: int = DEFAULT_N
    max_km: float | None = None  # a hard cut
    kategori_id: int | None = None
    alder: int | None = None  # the age surely reached; the borger may be one older if `alder_usikker`
    alder_usikker: bool = False
    exclude_ids: tuple[int, ...] = ()
    needs: tuple[str, ...] = ()  # accessibility slugs the fællesskab must all have
    # What the statement reads of the borger itself, in the round trip that reads the rest of their
    # context (`suggest.forslag_for`): their matches are left out, and with `borgers_behov` their
    # accessibility needs are required, as `exclude_ids` and `needs` would be.
    borger_id: int | None = None
    borgers_behov: bool = False

    @classmethod
    def build(cls, *, exclude_ids: Iterable[int] = (), needs: Iterable[str] = (), **kw) -> Filter:
        return cls(exclude_ids=tuple(sorted(set(exclude_ids))), needs=tuple(sorted(set(needs))), **kw)


def candidates_for(borger, *, n: int = DEFAULT_N, max_km: float | None = None, kategori_id: int | None = None,
                   rolle: str | None = None, exclude_ids: Iterable[int] = (), needs: Iterable[str] = (),
                   origin: tuple[float, float] | None = None) -> list[Kandidat]:
    """The nearest `n` fællesskaber in the borger's centre that may be offered to them.

    `exclude_ids` and `needs` (the borger's accessibility needs, as slugs) are hard filters that
    stage 2 applies too; giving them here as well means the N candidates are all usable.
    """
    return candidates_og_velkomst(borger, n=n, max_km=max_km, kategori_id=kategori_id, rolle=rolle,
                                  exclude_ids=exclude_ids, needs=needs, origin=origin, velkomst=False)[0]


def candidates_og_velkomst(borger, *, n: int = DEFAULT_N, max_km: float | None = None,
                           kategori_id: int | None = None, rolle: str | None = None, exclude_ids: Iterable[int] = (),
                           needs: Iterable[str] = (), origin: tuple[float, float] | None = None,
                           velkomst: bool = True) -> tuple[list[Kandidat], dict[int, Velkomstscore] | None]:
    """`candidates_for`, and the candidates' welcome scores as `velkomst.for_faellesskaber` reads them
    (by fællesskab id): on PostgreSQL from the same statement (issue 15: a round trip fewer for the
    suggestions); None where they were not read (another database, or `velkomst=False`)."""
    lat, lng = origin or origin_for(borger)
    f = filter_for(borger, n=n, max_km=max_km, kategori_id=kategori_id, rolle=rolle, exclude_ids=exclude_ids,
                   needs=needs)
    return _nearest(f, lat, lng, box_km=max(2.0 * (max_km or borger.max_afstand_km or 0), MIN_BOX_KM),
                    velkomst=velkomst)


def med_borgerens_kontekst(borger, foran: tuple[str, list, Callable] | None, *, n: int = DEFAULT_N,
                           max_km: float | None = None, kategori_id: int | None = None, rolle: str | None = None,
                           behov: bool = True, origin: tuple[float, float] | None = None, today: date | None = None):
    """`candidates_og_velkomst` for the borger, its statement reading what it needs of the borger's context
    itself: their matches, with `behov` their accessibility needs, and without `origin` their postal code's
    place unless the process holds it (PostgreSQL only; issue 15). So `foran`, a read of that context (a
    statement, its parameters, and what gives the reference data's version from its rows: it reads that too),
    can go first in the same round trip.
    Returns (`foran`'s rows or None, the tag table as {id: (slug, navn)}, the candidates, their welcome
    scores). `today`: the day the borger's age and the meetings' end dates are of (default: today)."""
    f = filter_for(borger, n=n, max_km=max_km, kategori_id=kategori_id, rolle=rolle, borger_id=borger.pk,
                   borgers_behov=behov, today=today)
    lat, lng = origin or (None, None)
    kandidater, scores, rows, tags = _knn_with_details(f, lat, lng, velkomst=True, postnummer=borger.postnummer_id,
                                                       foran=foran, today=today)
    return rows, tags, kandidater, scores


def filter_for(borger, *, n: int = DEFAULT_N, max_km: float | None = None, kategori_id: int | None = None,
               rolle: str | None = None, exclude_ids: Iterable[int] = (), needs: Iterable[str] = (),
               borger_id: int | None = None, borgers_behov: bool = False, today: date | None = None) -> Filter:
    """Stage 1's filter for `borger` (also what bench/matching_knn.py times as the bare KNN), their age as of
    `today` (default: today)."""
    return Filter.build(center_id=borger.center_id, rolle=effective_role(borger, rolle), n=n, max_km=max_km,
                        kategori_id=kategori_id, alder=alder_fra_foedselsaar(borger.foedselsaar, today),
                        alder_usikker=borger.alder_usikker,
                        exclude_ids=exclude_ids, needs=needs, borger_id=borger_id, borgers_behov=borgers_behov)


def nearest(f: Filter, lat: float, lng: float, *, box_km: float = MIN_BOX_KM) -> list[Kandidat]:
    """Stage 1 by coordinates. `box_km` only bounds SQLite's first look."""
    return _nearest(f, lat, lng, box_km=box_km, velkomst=False)[0]


def _nearest(f: Filter, lat: float, lng: float, *, box_km: float,
             velkomst: bool) -> tuple[list[Kandidat], dict[int, Velkomstscore] | None]:
    if f.n <= 0:
        return [], ({} if velkomst else None)
    if connection.vendor == "postgresql":
        return _knn_with_details(f, lat, lng, velkomst=velkomst)[:2]
    rows = _rows_portable(f, lat, lng, box_km)
    if not rows:
        return [], None
    return _kandidater(rows, _details([row[0] for row in rows])), None


# --- PostgreSQL: KNN --------------------------------------------------------------------------------


def knn_query(f: Filter, lat: float | None, lng: float | None, *, postnummer: str | None = None) -> tuple[str, dict]:
    """The stage-1 SQL for PostgreSQL and its parameters (also used by bench/ for EXPLAIN). `lat` None:
    from the place of the postal code `postnummer`, which the statement reads."""
    params = {"center": f.center_id, "n": f.n, "aktiv": FaellesskabStatus.AKTIV, "diameter": 2 * EARTH_RADIUS_KM}
    if lat is None:
        # Each read once (an InitPlan); the GiST index takes the first's value as the point to order by.
        pn = Postnummer._meta.db_table
        params["pnr"] = postnummer
        sted, olat, olng, coslat = (f"(SELECT {x} FROM {pn} p WHERE p.nr = %(pnr)s)"  # noqa: S608 -- a table name
                                    for x in ("ll_to_earth(p.lat, p.lng)", "p.lat", "p.lng", "cos(radians(p.lat))"))
    else:
        params.update(lat=lat, lng=lng, coslat=math.cos(math.radians(lat)))
        sted, olat, olng, coslat = "ll_to_earth(%(lat)s, %(lng)s)", "%(lat)s", "%(lng)s", "%(coslat)s"
    # The centre as bigint, the column's type: an integer parameter makes `bigint = integer`, which the
    # GiST index on (center_id, ll_to_earth) cannot use (btree_gist has only bigint = bigint).
    where = ["f.center_id = CAST(%(center)s AS bigint)", "f.arkiveret IS NULL", "f.status = %(aktiv)s", "f.aaben_for_nye"]
    # The age range is the participants' where there are any: it never stops a volunteer there
    # (engine.tilbudt).
    deltager, frivillig = "f.for_deltagere", "f.for_frivillige"
    if f.alder is not None:
        alder_ok = ("(f.alder_min IS NULL OR f.alder_min <= %(alder_hoejst)s)"
                    " AND (f.alder_max IS NULL OR f.alder_max >= %(alder)s)")
        deltager = f"(f.for_deltagere AND {alder_ok})"
        frivillig = f"(f.for_frivillige AND (f.for_deltagere OR {alder_ok}))"
        params["alder"], params["alder_hoejst"] = f.alder, f.alder + f.alder_usikker
    where.append({"frivillig": frivillig, "begge": f"({deltager} OR {frivillig})"}.get(f.rolle, deltager))
    if f.kategori_id is not None:
        where.append("f.kategori_id = %(kategori)s")
        params["kategori"] = f.kategori_id
    if f.exclude_ids:
        where.append("f.id <> ALL(%(exclude)s)")
        params["exclude"] = list(f.exclude_ids)
    # The needs as tag ids, against those the row keeps (matching.0021): given as slugs, every one's id, or
    # NULL when a slug is unknown (HAVING), and then nothing passes; read by the statement, the borger's own.
    behov = []
    if f.needs:
        behov.append(f"(SELECT array_agg(t.id) FROM {Tag._meta.db_table} t WHERE t.type = %(tilg)s "  # noqa: S608
                     "AND t.slug = ANY(%(needs)s) HAVING count(*) = %(n_needs)s)")
        params.update(tilg=TagType.TILGAENGELIGHED, needs=list(f.needs), n_needs=len(f.needs))
    if f.borger_id is not None:
        params["borger"] = f.borger_id
        where.append(f"f.id <> ALL(ARRAY(SELECT m.faellesskab_id FROM {Match._meta.db_table} m "  # noqa: S608
                     "WHERE m.borger_id = %(borger)s))")
        if f.borgers_behov:
            behov.append(f"ARRAY(SELECT b.tag_id FROM {Borger.tilgaengelighedsbehov.through._meta.db_table} b "  # noqa: S608
                         "WHERE b.borger_id = %(borger)s)")
    # In coalesce(): the planner cannot estimate `@>` of an array it gets only when the statement runs, guesses
    # that almost no row passes, and would read the whole centre and sort it rather than walk the KNN index
    # (30 ms, not 3 ms, for a København borger with a need); an expression it cannot see into it takes to pass
    # half. Per row this is cheaper than probing the tag links (2.9 ms, not 4.0; issue 15).
    where += [f"coalesce(f.knn_tilgaengelighed @> {ids}, false)" for ids in behov]
    outer = ""
    if f.max_km is not None:
        # The nearest N cut to max_km equals the nearest N of those within max_km.
        outer = "WHERE c.d <= %(max_km)s"
        params["max_km"] = float(f.max_km)
    cond = " AND ".join(where)
    f_table = Faellesskab._meta.db_table
    # The great-circle distance, as earth_distance() gives it, but in plain arithmetic: earth_distance
    # goes through ll_to_earth() and the `earth` domain's checks for every row, which cost more than
    # the KNN scan itself (measured: ~2.7 ms per 200 rows).
    distance = (f"%(diameter)s * asin(least(1.0, sqrt(power(sin(radians(u.lat - {olat}) / 2), 2)"
                f" + {coslat} * cos(radians(u.lat)) * power(sin(radians(u.lng - {olng}) / 2), 2))))")
    # knn_lat/knn_lng: the own coordinates, else the postal code's, kept by the database (migration
    # matching.0020); the walk orders by them on the GiST index (center_id, ll_to_earth(knn_lat, knn_lng)).
    # The rows of a postal code share its place: WITH TIES takes all of those at the Nth distance, so
    # the nearest N are those of the lowest ids among them, whatever order the index gives them in.
    # The row's version (xmin, ctid) says whether the process has the rest of it already, its forening's
    # name and readiness included (candidate_cache; migration matching.0025).
    sql = f"""
        SELECT c.id, c.d, c.v_xmin, c.v_ctid
        FROM (
            SELECT u.*, {distance} AS d
            FROM (
                SELECT f.id, f.xmin AS v_xmin, f.ctid AS v_ctid, f.knn_lat AS lat, f.knn_lng AS lng
                FROM {f_table} f
                WHERE {cond} AND f.knn_lat IS NOT NULL  -- a postal code without coordinates: no place
                ORDER BY ll_to_earth(f.knn_lat, f.knn_lng) <-> {sted}
                FETCH FIRST %(n)s ROWS WITH TIES
            ) u
            ORDER BY d, u.id
            LIMIT %(n)s
        ) c
        {outer}
        ORDER BY c.d, c.id
    """  # noqa: S608 -- only table names and fixed fragments are formatted in; values are parameters
    return sql, params


# For the stage-1 statement only: a random heap page costs about what a sequential one does, as the
# fællesskaber of a centre are in memory. With the default 4, PostgreSQL prices the KNN walk on the
# GiST index (center_id, ll_to_earth) by ~1,900 random heap fetches and prefers to read the whole
# centre by its btree and sort it: it cannot see that the sort computes ll_to_earth() (a domain with
# checks) for each of the centre's ~2,700 rows, 5-8x the time of the walk (issue 15, PERFORMANCE.md
# "Suggestions and the match board"). `candidate_cache` plans its read of the rest at the same price.
KNN_RANDOM_PAGE_COST = 1.1


def _knn_with_details(f: Filter, lat: float | None, lng: float | None, *, velkomst: bool = False,
                      postnummer: str | None = None, foran: tuple[str, list, Callable] | None = None,
                      today: date | None = None):
    """The KNN candidates with everything stage 2 reads of them (PostgreSQL).

    The KNN statement sends each candidate's id, distance and row version; the rest of the row, its
    tags, meeting times, forening and welcome score included, the process remembers by that version
    (`candidate_cache`), and reads for those it has not seen as they are now in one more statement.
    The reference data's version comes in the same round trip, after the KNN statement or with `foran`: the
    remembered slugs and names, and the postal codes' places, are dropped when it changes. Given a postal code
    (`lat` None), the statement gets its place as the process holds it (`candidate_cache.sted`), and is sent again,
    reading the place itself, should that version not be the one read with it.

    `velkomst`: also the candidates' welcome scores, as `velkomst.for_faellesskaber` reads them.
    `postnummer`: the origin's postal code, when `lat` is None (`knn_query`). `foran`: a statement sent
    first in the same round trip (`planner.fetch_with_random_page_cost`), its parameters, and what gives the
    reference data's version from its rows (it reads that in place of `candidate_cache.VERSION_SQL`). Returns
    (candidates, welcome scores or None, `foran`'s rows or None, the tag table as {id: (slug, navn)}, as of the
    candidates).
    """
    sted = candidate_cache.sted(postnummer) if lat is None else None
    sql, params = knn_query(f, *(sted[1:] if sted else (lat, lng)), postnummer=postnummer)
    scores = {} if velkomst else None
    with connection.cursor() as cursor:
        if foran is None:
            foran_rows, (fetched, version) = None, _knn_og_version(cursor, sql, params)
        else:
            foran_sql, foran_params, stamdata_version = foran
            foran_rows, fetched = fetch_with_random_page_cost(cursor, sql, params, KNN_RANDOM_PAGE_COST,
                                                              foran=(foran_sql, foran_params))
            version = stamdata_version(foran_rows)
        if sted is not None and version != sted[0]:  # the postal codes changed since the process read them
            fetched, version = _knn_og_version(cursor, *knn_query(f, None, None, postnummer=postnummer))
        kandidater = candidate_cache.kandidater(cursor, today or timezone.localdate(), version, fetched, scores)
    return kandidater, scores, foran_rows, candidate_cache.tag_of()


def _knn_og_version(cursor, sql: str, params: dict) -> tuple[list, int]:
    """The KNN statement's rows, and the reference data's version read after them in the same round trip."""
    fetched, version = fetch_with_random_page_cost(cursor, sql, params, KNN_RANDOM_PAGE_COST,
                                                   then=candidate_cache.VERSION_SQL)
    return fetched, version[0][0]


class _Details:
    """The candidates' tags and meeting times by fællesskab id, as SQLite's `_details` collects them."""

    def __init__(self):
        self.navne: dict[str, str] = {}
        self.interesser: dict[int, set[str]] = {}
        self.maalgrupper: dict[int, set[str]] = {}
        self.tilg: dict[int, set[str]] = {}
        self.slots: dict[int, set[str]] = {}
        self.frekvenser: dict[int, dict[str, str]] = {}

    def moede(self, fid: int, slot: str, frekvens_kode: int) -> None:
        moedekoder.tilfoej(self.slots.setdefault(fid, set()), self.frekvenser.setdefault(fid, {}), slot, frekvens_kode)


# --- Any other backend: bounding box + haversine in Python ------------------------------------------


def _base_qs(f: Filter, *, needs: bool = True):
    qs = Faellesskab.objects.filter(center_id=f.center_id, arkiveret__isnull=True, status=FaellesskabStatus.AKTIV,
                                    aaben_for_nye=True)
    deltager, frivillig = Q(for_deltagere=True), Q(for_frivillige=True)
    if f.alder is not None:  # the participants' age range; it never stops a volunteer there (engine.tilbudt)
        alder_ok = ((Q(alder_min__isnull=True) | Q(alder_min__lte=f.alder + f.alder_usikker))
                    & (Q(alder_max__isnull=True) | Q(alder_max__gte=f.alder)))
        deltager &= alder_ok
        frivillig &= Q(for_deltagere=True) | alder_ok
    if f.rolle == "frivillig":
        qs = qs.filter(frivillig)
    elif f.rolle == "begge":
        qs = qs.filter(deltager | frivillig)
    else:
        qs = qs.filter(deltager)
    if f.kategori_id is not None:
        qs = qs.filter(kategori_id=f.kategori_id)
    if f.exclude_ids:
        qs = qs.exclude(id__in=f.exclude_ids)
    for slug in f.needs if needs else ():  # one filter() each: the fællesskab must have every one of them
        qs = qs.filter(tilgaengelighed__type=TagType.TILGAENGELIGHED, tilgaengelighed__slug=slug)
    own = Q(lat__isnull=False, lng__isnull=False)
    return qs.annotate(
        plat=Case(When(own, then=F("lat")), default=F("postnummer__lat"), output_field=FloatField()),
        plng=Case(When(own, then=F("lng")), default=F("postnummer__lng"), output_field=FloatField()),
    )


def _box(lat: float, lng: float, radius: float) -> Q:
    dlat = radius / 111.0
    dlng = radius / (111.0 * max(math.cos(math.radians(lat)), 0.01))
    return Q(plat__range=(lat - dlat, lat + dlat), plng__range=(lng - dlng, lng + dlng))


def skjult_af_behov(borger, *, radius_km: float, kategori_id: int | None = None, rolle: str | None = None,
                    exclude_ids: Iterable[int] = (), needs: Iterable[str] = (),
                    origin: tuple[float, float] | None = None) -> dict[str, int]:
    """For each accessibility need: how many fællesskaber within about `radius_km` (a bounding box)
    could be offered to the borger but lack it. One query, and only for a borger with needs, so the
    suggestions page can say "2 skjult: har ikke kørestolsadgang" while stage 1 keeps filtering on
    the needs (its N candidates stay usable)."""
    needs = sorted(set(needs))
    if not needs:
        return {}
    lat, lng = origin or origin_for(borger)
    f = Filter.build(center_id=borger.center_id, rolle=effective_role(borger, rolle), kategori_id=kategori_id,
                     alder=borger.alder, alder_usikker=borger.alder_usikker, exclude_ids=exclude_ids)
    through = Faellesskab.tilgaengelighed.through.objects
    # The need's tag looked up once (an InitPlan; (type, slug) is unique), then one index-only probe per
    # fællesskab: joined to the tags inside the EXISTS, PostgreSQL scanned the tag table once per
    # fællesskab and need, ~40 ms for a København borger with two needs (issue 15).
    qs = _base_qs(f).filter(_box(lat, lng, float(radius_km))).annotate(**{
        f"har{i}": Exists(through.filter(faellesskab_id=OuterRef("pk"), tag_id=Subquery(
            Tag.objects.filter(type=TagType.TILGAENGELIGHED, slug=slug).order_by().values("pk")[:1])))
        for i, slug in enumerate(needs)})
    counts = qs.aggregate(**{f"n{i}": Count("id", filter=Q(**{f"har{i}": False})) for i in range(len(needs))})
    return {slug: counts[f"n{i}"] for i, slug in enumerate(needs)}


def _rows_portable(f: Filter, lat: float, lng: float, box_km: float):
    qs = _base_qs(f).values_list("id", "plat", "plng", "alder_min", "alder_max", "for_deltagere", "for_frivillige",
                  "kategori__slug", "kategori__navn", "forening__inklusionsparat", "vaert_navn",
                  "sidst_bekraeftet", "kapacitet", "titel", "forening__navn", "pris")

    radius = float(f.max_km) if f.max_km is not None else box_km
    rows = list(qs.filter(_box(lat, lng, radius)))
    if len(rows) < f.n and f.max_km is None:
        rows = list(qs)  # too few nearby: look at the whole centre, as the KNN would
    out = []
    for row in rows:
        d = haversine_km(lat, lng, row[1], row[2])
        if f.max_km is None or d <= f.max_km:
            out.append((row[0], d, *row[3:]))
    out.sort(key=lambda r: (r[1], r[0]))
    return out[: f.n]


# --- Both: tags and meeting times in bulk ------------------------------------------------------------


def _details(ids: list[int]):
    """Interests, accessibility tags and current meeting times of the candidates: one query
    (elsewhere than PostgreSQL, which gets them with the KNN query).

    Returns interests, accessibility features and meeting slots per fællesskab id, and the
    accessibility features' names.
    """
    in_ids = f"IN ({', '.join(['%s'] * len(ids))})"
    interesser = Faellesskab.interesser.through._meta.db_table
    maalgrupper = Faellesskab.maalgrupper.through._meta.db_table
    tilgaengelighed = Faellesskab.tilgaengelighed.through._meta.db_table
    tag, moedetid = Tag._meta.db_table, Moedetid._meta.db_table
    sql = f"""
        SELECT m.faellesskab_id, 'm', m.frekvens, CAST(NULL AS varchar(100)), m.ugedag, m.fra
        FROM {moedetid} m
        WHERE m.faellesskab_id {in_ids} AND (m.gyldig_til IS NULL OR m.gyldig_til >= %s)
        UNION ALL
        SELECT x.faellesskab_id, 'i', t.slug, t.navn, NULL, NULL
        FROM {interesser} x JOIN {tag} t ON t.id = x.tag_id
        WHERE x.faellesskab_id {in_ids}
        UNION ALL
        SELECT x.faellesskab_id, 'g', t.slug, t.navn, NULL, NULL
        FROM {maalgrupper} x JOIN {tag} t ON t.id = x.tag_id
        WHERE x.faellesskab_id {in_ids}
        UNION ALL
        SELECT x.faellesskab_id, 't', t.slug, t.navn, NULL, NULL
        FROM {tilgaengelighed} x JOIN {tag} t ON t.id = x.tag_id
        WHERE x.faellesskab_id {in_ids}
    """  # noqa: S608 -- only table names and placeholders are formatted in
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, timezone.localdate(), *ids, *ids, *ids])
        fetched = cursor.fetchall()
    details = _Details()
    interesser_of: dict[int, set[str]] = defaultdict(set)
    maalgrupper_of: dict[int, set[str]] = defaultdict(set)
    tilg_of: dict[int, set[str]] = defaultdict(set)
    for fid, kind, slug, navn, ugedag, fra in fetched:
        if kind == "m":
            hour = fra.hour if hasattr(fra, "hour") else int(str(fra)[:2])  # SQLite hands back "17:00:00"
            details.moede(fid, moedekoder.slot(ugedag, hour), moedekoder.FREKVENS_KODE.get(slug, 0))
        elif kind == "i":
            interesser_of[fid].add(slug)
        elif kind == "g":
            maalgrupper_of[fid].add(slug)
        else:
            tilg_of[fid].add(slug)
            details.navne[slug] = navn
    details.interesser, details.maalgrupper, details.tilg = interesser_of, maalgrupper_of, tilg_of
    return details


_EMPTY: frozenset[str] = frozenset()
_NO_FREKVENSER: dict[str, str] = {}


def _kandidater(rows, details: _Details) -> list[Kandidat]:
    """Candidate rows plus their tags and meeting times by id."""
    navne = details.navne
    out = []
    for (fid, distance_km, alder_min, alder_max, for_deltagere, for_frivillige, kategori_slug, kategori_navn,
         inklusionsparat, vaert_navn, sidst_bekraeftet, kapacitet, titel, forening_navn, pris) in rows:
        if kategori_slug:
            navne[kategori_slug] = kategori_navn
        out.append(Kandidat(
            id=fid,
            distance_km=float(distance_km),
            alder_min=alder_min,
            alder_max=alder_max,
            for_deltagere=for_deltagere,
            for_frivillige=for_frivillige,
            interesser=details.interesser.get(fid, _EMPTY),
            maalgrupper=details.maalgrupper.get(fid, _EMPTY),
            tilgaengelighed=details.tilg.get(fid, _EMPTY),
            kategori=kategori_slug,
            slots=details.slots.get(fid, _EMPTY),
            frekvenser=details.frekvenser.get(fid, _NO_FREKVENSER),
            inklusionsparat=inklusionsparat,
            vaert_navn=vaert_navn or "",
            sidst_bekraeftet=sidst_bekraeftet,
            kapacitet=kapacitet,
            pris=float(pris or 0),
            titel=titel,
            forening_navn=forening_navn,
            tag_navne=navne,  # one shared dict for all candidates
        ))
    return out
