"""Stage 1 of matching: the nearest N fællesskaber that can be offered at all (DESIGN.md §6).

Filters in the database: the borger's centre, active (status aktiv, not archived), open to
newcomers, the role offered, optionally a category; and, as stage 2 will anyway, the borger's age,
their accessibility needs and the fællesskaber to leave out (earlier matches), so all N candidates
are usable. Then the nearest N by distance from the borger's postal code.

PostgreSQL: cube/earthdistance KNN on a GiST index (migration `matching.0002_earthdistance`):
``ORDER BY ll_to_earth(lat, lng) <-> ll_to_earth(:lat, :lng) LIMIT N``. An index expression
cannot reach into another table, so a fællesskab without its own coordinates cannot be in that
index under its postal code's coordinates. The query is therefore a UNION ALL of two KNN
branches, each LIMIT N:

1. rows with their own lat/lng, through the partial GiST index on ``ll_to_earth(lat, lng)``
   ``WHERE lat IS NOT NULL AND lng IS NOT NULL``;
2. rows without, joined to their postal code and ordered by the postal code's
   ``ll_to_earth(lat, lng)``, which has its own GiST index (1,089 rows). A partial index on
   ``postnummer_id WHERE lat IS NULL OR lng IS NULL`` lets the planner walk postal codes nearest
   first and stop once it has N rows.

Branch 2 is also bounded by branch 1's Nth distance (an ``earth_box`` index condition), so it
stops early when branch 1 is full. The outer query merges the two (at most 2N rows), computes the
great-circle distance (the same value as earth_distance(), in plain arithmetic, which is cheaper),
keeps the nearest N and joins the forening and category. One round trip; no branch reads more than
N rows past the filters.

Elsewhere (SQLite): a bounding box around the borger's postal code, 2 × the max distance and at
least 25 km, on the coordinates (own, else the postal code's), then haversine in Python and the
nearest N. If the box holds fewer than N rows and no hard max_km was asked for, one more query
without the box, so both backends return the same set.

The N candidates' interests, accessibility tags and current meeting times come back in the same
statement on PostgreSQL (the KNN query as a CTE, UNION ALL the detail rows), and in one more query
elsewhere, whatever N.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, F, FloatField, Q, When
from django.utils import timezone

from brobygning.availability import daypart_for_hour
from brobygning.models import Postnummer, Tag, TagType
from foreninger.models import Faellesskab, FaellesskabStatus, Forening, Moedetid

from .engine import Kandidat

DEFAULT_N = 200
EARTH_RADIUS_KM = 6378.168  # the radius earthdistance's earth() uses, so both backends agree
MIN_BOX_KM = 25.0

# Both backends produce rows of: id, distance_km, alder_min, alder_max, for_deltagere, for_frivillige,
# kategori slug, kategori navn, inklusionsparat, vaert_navn, sidst_bekraeftet, kapacitet.


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
    alder: int | None = None
    exclude_ids: tuple[int, ...] = ()
    needs: tuple[str, ...] = ()  # accessibility slugs the fællesskab must all have

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
    lat, lng = origin or origin_for(borger)
    f = Filter.build(center_id=borger.center_id, rolle=effective_role(borger, rolle), n=n, max_km=max_km,
                     kategori_id=kategori_id, alder=borger.alder, exclude_ids=exclude_ids, needs=needs)
    return nearest(f, lat, lng, box_km=max(2.0 * (max_km or borger.max_afstand_km or 0), MIN_BOX_KM))


def nearest(f: Filter, lat: float, lng: float, *, box_km: float = MIN_BOX_KM) -> list[Kandidat]:
    """Stage 1 by coordinates. `box_km` only bounds SQLite's first look."""
    if f.n <= 0:
        return []
    if connection.vendor == "postgresql":
        rows, details = _knn_with_details(f, lat, lng)
    else:
        rows = _rows_portable(f, lat, lng, box_km)
        details = _details([row[0] for row in rows]) if rows else []
    return _kandidater(rows, details)


# --- PostgreSQL: KNN --------------------------------------------------------------------------------


def knn_query(f: Filter, lat: float, lng: float) -> tuple[str, dict]:
    """The stage-1 SQL for PostgreSQL and its parameters (also used by bench/ for EXPLAIN)."""
    params = {"center": f.center_id, "lat": lat, "lng": lng, "coslat": math.cos(math.radians(lat)), "n": f.n,
              "aktiv": FaellesskabStatus.AKTIV, "diameter": 2 * EARTH_RADIUS_KM}
    where = ["f.center_id = %(center)s", "f.arkiveret IS NULL", "f.status = %(aktiv)s", "f.aaben_for_nye"]
    where.append({"frivillig": "f.for_frivillige", "begge": "(f.for_deltagere OR f.for_frivillige)"}
                 .get(f.rolle, "f.for_deltagere"))
    if f.kategori_id is not None:
        where.append("f.kategori_id = %(kategori)s")
        params["kategori"] = f.kategori_id
    if f.alder is not None:
        where.append("(f.alder_min IS NULL OR f.alder_min <= %(alder)s)")
        where.append("(f.alder_max IS NULL OR f.alder_max >= %(alder)s)")
        params["alder"] = f.alder
    if f.exclude_ids:
        where.append("f.id <> ALL(%(exclude)s)")
        params["exclude"] = list(f.exclude_ids)
    through, tag = Faellesskab.tilgaengelighed.through._meta.db_table, Tag._meta.db_table
    for i, slug in enumerate(f.needs):
        # Checked per row inside the KNN scan, by the (faellesskab_id, tag_id) unique index; the tag id
        # is looked up once (an InitPlan). OFFSET 0 keeps PostgreSQL from turning the EXISTS into a
        # semi-join over every fællesskab with the tag, which would lose the KNN order.
        where.append(
            f"EXISTS (SELECT 1 FROM {through} x WHERE x.faellesskab_id = f.id AND x.tag_id = "  # noqa: S608
            f"(SELECT t.id FROM {tag} t WHERE t.type = %(tilg)s AND t.slug = %(need{i})s) OFFSET 0)"
        )
        params["tilg"], params[f"need{i}"] = TagType.TILGAENGELIGHED, slug
    outer = ""
    if f.max_km is not None:
        # The nearest N cut to max_km equals the nearest N of those within max_km.
        outer = "WHERE c.d <= %(max_km)s"
        params["max_km"] = float(f.max_km)
    cond = " AND ".join(where)
    f_table, p_table = Faellesskab._meta.db_table, Postnummer._meta.db_table
    fo_table, t_table = Forening._meta.db_table, Tag._meta.db_table
    cols = ("f.id, f.forening_id, f.kategori_id, f.alder_min, f.alder_max, f.for_deltagere, f.for_frivillige, "
            "f.vaert_navn, f.sidst_bekraeftet, f.kapacitet")
    here = "ll_to_earth(%(lat)s, %(lng)s)"
    # The great-circle distance, as earth_distance() gives it, but in plain arithmetic: earth_distance
    # goes through ll_to_earth() and the `earth` domain's checks for every row, which cost more than
    # the KNN scan itself (measured: ~2.7 ms per 200 rows).
    distance = ("%(diameter)s * asin(least(1.0, sqrt(power(sin(radians(u.lat - %(lat)s) / 2), 2)"
                " + %(coslat)s * cos(radians(u.lat)) * power(sin(radians(u.lng - %(lng)s) / 2), 2))))")
    # Branch 2 (no own coordinates) only needs rows no further away than branch 1's Nth row: an
    # earth_box around the borger with that radius is an index condition on the postal codes' GiST
    # index, so the walk over postal codes stops there. While branch 1 has fewer than N rows, there
    # is no bound (20,000 km).
    bound = (f"(SELECT CASE WHEN count(*) < %(n)s THEN 2.0e7 "  # noqa: S608
             f"ELSE max({distance.replace('u.', 'b1.')}) * 1000.0 + 1.0 END FROM b1)")
    sql = f"""
        WITH b1 AS MATERIALIZED (
            SELECT {cols}, f.lat, f.lng
            FROM {f_table} f
            WHERE f.lat IS NOT NULL AND f.lng IS NOT NULL AND {cond}
            ORDER BY ll_to_earth(f.lat, f.lng) <-> {here}
            LIMIT %(n)s
        )
        SELECT c.id, c.d, c.alder_min, c.alder_max, c.for_deltagere, c.for_frivillige,
               t.slug AS kategori_slug, t.navn AS kategori_navn,
               (SELECT fo.inklusionsparat FROM {fo_table} fo WHERE fo.id = c.forening_id) AS inklusionsparat,
               c.vaert_navn, c.sidst_bekraeftet, c.kapacitet
        FROM (
            SELECT u.*, {distance} AS d
            FROM (
                SELECT * FROM b1
                UNION ALL
                (SELECT {cols}, p.lat, p.lng
                 FROM {f_table} f JOIN {p_table} p ON p.nr = f.postnummer_id
                 WHERE (f.lat IS NULL OR f.lng IS NULL) AND {cond}
                   AND earth_box({here}, {bound}) @> ll_to_earth(p.lat, p.lng)
                 ORDER BY ll_to_earth(p.lat, p.lng) <-> {here}
                 LIMIT %(n)s)
            ) u
            ORDER BY d, u.id
            LIMIT %(n)s
        ) c
        LEFT JOIN {t_table} t ON t.id = c.kategori_id
        {outer}
        ORDER BY c.d, c.id
    """  # noqa: S608 -- only table names and fixed fragments are formatted in; values are parameters
    return sql, params


def _knn_with_details(f: Filter, lat: float, lng: float):
    """The KNN candidates and their tags and meeting times in one round trip (PostgreSQL).

    The KNN query becomes a CTE; its rows ("c") and the detail rows ("i", "t", "m") come back as
    one UNION ALL, so there is no second query, no second plan and no id list to send back.
    """
    knn_sql, params = knn_query(f, lat, lng)
    params["today"] = timezone.localdate()
    interesser = Faellesskab.interesser.through._meta.db_table
    tilgaengelighed = Faellesskab.tilgaengelighed.through._meta.db_table
    tag, moedetid = Tag._meta.db_table, Moedetid._meta.db_table
    tag_row = "NULL, NULL, NULL, NULL, NULL, t.slug, t.navn, NULL, NULL, NULL, NULL, NULL, NULL"
    sql = f"""
        WITH cand AS MATERIALIZED ({knn_sql})
        SELECT 'c', cand.id, cand.d, cand.alder_min, cand.alder_max, cand.for_deltagere, cand.for_frivillige,
               cand.kategori_slug, cand.kategori_navn, cand.inklusionsparat, cand.vaert_navn,
               cand.sidst_bekraeftet, cand.kapacitet, CAST(NULL AS smallint), CAST(NULL AS time)
        FROM cand
        UNION ALL
        SELECT 'i', x.faellesskab_id, {tag_row}
        FROM cand JOIN {interesser} x ON x.faellesskab_id = cand.id JOIN {tag} t ON t.id = x.tag_id
        UNION ALL
        SELECT 't', x.faellesskab_id, {tag_row}
        FROM cand JOIN {tilgaengelighed} x ON x.faellesskab_id = cand.id JOIN {tag} t ON t.id = x.tag_id
        UNION ALL
        SELECT 'm', m.faellesskab_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
               m.ugedag, m.fra
        FROM cand JOIN {moedetid} m ON m.faellesskab_id = cand.id
        WHERE m.gyldig_til IS NULL OR m.gyldig_til >= %(today)s
    """  # noqa: S608 -- only table names and fixed fragments are formatted in; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    rows, details = [], []
    for row in fetched:
        kind = row[0]
        if kind == "c":
            rows.append(row[1:13])
        elif kind == "m":
            details.append((row[1], "m", None, None, row[13], row[14]))
        else:
            details.append((row[1], kind, row[7], row[8], None, None))
    rows.sort(key=lambda r: (r[1], r[0]))  # nearest first; a UNION does not keep the CTE's order
    return rows, details


# --- Any other backend: bounding box + haversine in Python ------------------------------------------


def _rows_portable(f: Filter, lat: float, lng: float, box_km: float):
    qs = Faellesskab.objects.filter(center_id=f.center_id, arkiveret__isnull=True, status=FaellesskabStatus.AKTIV,
                                    aaben_for_nye=True)
    if f.rolle == "frivillig":
        qs = qs.filter(for_frivillige=True)
    elif f.rolle == "begge":
        qs = qs.filter(Q(for_deltagere=True) | Q(for_frivillige=True))
    else:
        qs = qs.filter(for_deltagere=True)
    if f.kategori_id is not None:
        qs = qs.filter(kategori_id=f.kategori_id)
    if f.alder is not None:
        qs = qs.filter(Q(alder_min__isnull=True) | Q(alder_min__lte=f.alder))
        qs = qs.filter(Q(alder_max__isnull=True) | Q(alder_max__gte=f.alder))
    if f.exclude_ids:
        qs = qs.exclude(id__in=f.exclude_ids)
    for slug in f.needs:  # one filter() each: the fællesskab must have every one of them
        qs = qs.filter(tilgaengelighed__type=TagType.TILGAENGELIGHED, tilgaengelighed__slug=slug)
    own = Q(lat__isnull=False, lng__isnull=False)
    qs = qs.annotate(
        plat=Case(When(own, then=F("lat")), default=F("postnummer__lat"), output_field=FloatField()),
        plng=Case(When(own, then=F("lng")), default=F("postnummer__lng"), output_field=FloatField()),
    ).values_list("id", "plat", "plng", "alder_min", "alder_max", "for_deltagere", "for_frivillige",
                  "kategori__slug", "kategori__navn", "forening__inklusionsparat", "vaert_navn",
                  "sidst_bekraeftet", "kapacitet")

    radius = float(f.max_km) if f.max_km is not None else box_km
    dlat = radius / 111.0
    dlng = radius / (111.0 * max(math.cos(math.radians(lat)), 0.01))
    rows = list(qs.filter(plat__range=(lat - dlat, lat + dlat), plng__range=(lng - dlng, lng + dlng)))
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

    Rows: (faellesskab id, kind "i"/"t"/"m", tag slug, tag name, weekday, start time).
    """
    if connection.vendor == "postgresql":
        in_ids, id_params = "= ANY(%s)", [list(ids)]  # one array parameter, whatever N
    else:
        in_ids, id_params = f"IN ({', '.join(['%s'] * len(ids))})", list(ids)
    interesser = Faellesskab.interesser.through._meta.db_table
    tilgaengelighed = Faellesskab.tilgaengelighed.through._meta.db_table
    tag, moedetid = Tag._meta.db_table, Moedetid._meta.db_table
    sql = f"""
        SELECT m.faellesskab_id, 'm', CAST(NULL AS varchar(100)), CAST(NULL AS varchar(100)), m.ugedag, m.fra
        FROM {moedetid} m
        WHERE m.faellesskab_id {in_ids} AND (m.gyldig_til IS NULL OR m.gyldig_til >= %s)
        UNION ALL
        SELECT x.faellesskab_id, 'i', t.slug, t.navn, NULL, NULL
        FROM {interesser} x JOIN {tag} t ON t.id = x.tag_id
        WHERE x.faellesskab_id {in_ids}
        UNION ALL
        SELECT x.faellesskab_id, 't', t.slug, t.navn, NULL, NULL
        FROM {tilgaengelighed} x JOIN {tag} t ON t.id = x.tag_id
        WHERE x.faellesskab_id {in_ids}
    """  # noqa: S608 -- only table names and placeholders are formatted in
    with connection.cursor() as cursor:
        cursor.execute(sql, [*id_params, timezone.localdate(), *id_params, *id_params])
        return cursor.fetchall()


_EMPTY: frozenset[str] = frozenset()


def _kandidater(rows, details) -> list[Kandidat]:
    """Candidate rows plus detail rows (fællesskab id, kind "i"/"t"/"m", slug, name, weekday, start)."""
    if not rows:
        return []
    navne: dict[str, str] = {}
    interesser: dict[int, set[str]] = defaultdict(set)
    tilgaengelighed: dict[int, set[str]] = defaultdict(set)
    slots: dict[int, set[str]] = defaultdict(set)
    slot_codes: dict[tuple, str] = {}
    for fid, kind, slug, navn, ugedag, fra in details:
        if kind == "m":
            code = slot_codes.get((ugedag, fra))
            if code is None:
                hour = fra.hour if hasattr(fra, "hour") else int(str(fra)[:2])  # SQLite hands back "17:00:00"
                code = slot_codes[ugedag, fra] = f"{ugedag}-{daypart_for_hour(hour)}"
            slots[fid].add(code)
        else:
            (interesser if kind == "i" else tilgaengelighed)[fid].add(slug)
            navne[slug] = navn

    out = []
    for (fid, distance_km, alder_min, alder_max, for_deltagere, for_frivillige, kategori_slug, kategori_navn,
         inklusionsparat, vaert_navn, sidst_bekraeftet, kapacitet) in rows:
        if kategori_slug:
            navne[kategori_slug] = kategori_navn
        out.append(Kandidat(
            id=fid,
            distance_km=float(distance_km),
            alder_min=alder_min,
            alder_max=alder_max,
            for_deltagere=for_deltagere,
            for_frivillige=for_frivillige,
            interesser=interesser.get(fid, _EMPTY),
            tilgaengelighed=tilgaengelighed.get(fid, _EMPTY),
            kategori=kategori_slug,
            slots=slots.get(fid, _EMPTY),
            inklusionsparat=inklusionsparat,
            vaert_navn=vaert_navn or "",
            sidst_bekraeftet=sidst_bekraeftet,
            kapacitet=kapacitet,
            tag_navne=navne,  # one shared dict for all candidates
        ))
    return out
