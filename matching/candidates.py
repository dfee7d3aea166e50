"""Stage 1 of matching: the nearest N fællesskaber that can be offered at all (DESIGN.md §6).

Filters in the database: the borger's centre, active (status aktiv, not archived), open to
newcomers, the role offered, optionally a category, the borger's age, and ids to leave out. Then
the nearest N by distance from the borger's postal code.

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

The outer query merges the two (at most 2N rows), keeps the nearest N and joins the forening and
category. One round trip; no branch reads more than N rows past the filters.

Elsewhere (SQLite): a bounding box around the borger's postal code, 2 × the max distance and at
least 25 km, on the coordinates (own, else the postal code's), then haversine in Python and the
nearest N. If the box holds fewer than N rows and no hard max_km was asked for, one more query
without the box, so both backends return the same set.

Tags and meeting times for the N candidates are then fetched in bulk: one query each, whatever N.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable

from django.db import connection
from django.db.models import Case, F, FloatField, Q, Value, When
from django.utils import timezone

from brobygning.availability import daypart_for_hour
from brobygning.models import Postnummer, Tag
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


def candidates_for(borger, *, n: int = DEFAULT_N, max_km: float | None = None, kategori_id: int | None = None,
                   rolle: str | None = None, exclude_ids: Iterable[int] = (),
                   origin: tuple[float, float] | None = None) -> list[Kandidat]:
    """The nearest `n` fællesskaber in the borger's centre that may be offered to them."""
    lat, lng = origin or origin_for(borger)
    return nearest(
        center_id=borger.center_id, lat=lat, lng=lng, rolle=effective_role(borger, rolle), n=n,
        max_km=max_km, kategori_id=kategori_id, alder=borger.alder, exclude_ids=exclude_ids,
        box_km=max(2.0 * (max_km or borger.max_afstand_km or 0), MIN_BOX_KM),
    )


def nearest(*, center_id: int, lat: float, lng: float, rolle: str = "deltager", n: int = DEFAULT_N,
            max_km: float | None = None, kategori_id: int | None = None, alder: int | None = None,
            exclude_ids: Iterable[int] = (), box_km: float = MIN_BOX_KM) -> list[Kandidat]:
    """Stage 1 by coordinates. `max_km` is a hard cut; `box_km` only bounds SQLite's first look."""
    exclude_ids = sorted(set(exclude_ids))
    if n <= 0:
        return []
    if connection.vendor == "postgresql":
        rows = _rows_postgresql(center_id, lat, lng, rolle, n, max_km, kategori_id, alder, exclude_ids)
    else:
        rows = _rows_portable(center_id, lat, lng, rolle, n, max_km, kategori_id, alder, exclude_ids, box_km)
    return _kandidater(rows)


# --- PostgreSQL: KNN --------------------------------------------------------------------------------


def _rows_postgresql(center_id, lat, lng, rolle, n, max_km, kategori_id, alder, exclude_ids):
    sql, params = knn_query(center_id=center_id, lat=lat, lng=lng, rolle=rolle, n=n, max_km=max_km,
                            kategori_id=kategori_id, alder=alder, exclude_ids=exclude_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def knn_query(*, center_id, lat, lng, rolle="deltager", n=DEFAULT_N, max_km=None, kategori_id=None, alder=None,
              exclude_ids=()) -> tuple[str, dict]:
    """The stage-1 SQL for PostgreSQL and its parameters (also used by bench/ for EXPLAIN)."""
    params = {"center": center_id, "lat": lat, "lng": lng, "n": n, "aktiv": FaellesskabStatus.AKTIV}
    where = ["f.center_id = %(center)s", "f.arkiveret IS NULL", "f.status = %(aktiv)s", "f.aaben_for_nye"]
    where.append({"frivillig": "f.for_frivillige", "begge": "(f.for_deltagere OR f.for_frivillige)"}
                 .get(rolle, "f.for_deltagere"))
    if kategori_id is not None:
        where.append("f.kategori_id = %(kategori)s")
        params["kategori"] = kategori_id
    if alder is not None:
        where.append("(f.alder_min IS NULL OR f.alder_min <= %(alder)s)")
        where.append("(f.alder_max IS NULL OR f.alder_max >= %(alder)s)")
        params["alder"] = alder
    if exclude_ids:
        where.append("f.id <> ALL(%(exclude)s)")
        params["exclude"] = list(exclude_ids)
    outer = ""
    if max_km is not None:
        # The nearest N cut to max_km equals the nearest N of those within max_km.
        outer = "WHERE c.d <= %(max_m)s"
        params["max_m"] = float(max_km) * 1000.0
    cond = " AND ".join(where)
    f_table, p_table = Faellesskab._meta.db_table, Postnummer._meta.db_table
    fo_table, t_table = Forening._meta.db_table, Tag._meta.db_table
    cols = ("f.id, f.forening_id, f.kategori_id, f.alder_min, f.alder_max, f.for_deltagere, f.for_frivillige, "
            "f.vaert_navn, f.sidst_bekraeftet, f.kapacitet")
    here = "ll_to_earth(%(lat)s, %(lng)s)"
    sql = f"""
        SELECT c.id, c.d / 1000.0, c.alder_min, c.alder_max, c.for_deltagere, c.for_frivillige,
               t.slug, t.navn, fo.inklusionsparat, c.vaert_navn, c.sidst_bekraeftet, c.kapacitet
        FROM (
            (SELECT {cols}, earth_distance(ll_to_earth(f.lat, f.lng), {here}) AS d
             FROM {f_table} f
             WHERE f.lat IS NOT NULL AND f.lng IS NOT NULL AND {cond}
             ORDER BY ll_to_earth(f.lat, f.lng) <-> {here}
             LIMIT %(n)s)
            UNION ALL
            (SELECT {cols}, earth_distance(ll_to_earth(p.lat, p.lng), {here}) AS d
             FROM {f_table} f JOIN {p_table} p ON p.nr = f.postnummer_id
             WHERE (f.lat IS NULL OR f.lng IS NULL) AND {cond}
             ORDER BY ll_to_earth(p.lat, p.lng) <-> {here}
             LIMIT %(n)s)
        ) c
        JOIN {fo_table} fo ON fo.id = c.forening_id
        LEFT JOIN {t_table} t ON t.id = c.kategori_id
        {outer}
        ORDER BY c.d, c.id
        LIMIT %(n)s
    """  # noqa: S608 -- only table names and fixed fragments are formatted in; values are parameters
    return sql, params


# --- Any other backend: bounding box + haversine in Python ------------------------------------------


def _rows_portable(center_id, lat, lng, rolle, n, max_km, kategori_id, alder, exclude_ids, box_km):
    qs = Faellesskab.objects.filter(center_id=center_id, arkiveret__isnull=True, status=FaellesskabStatus.AKTIV,
                                    aaben_for_nye=True)
    if rolle == "frivillig":
        qs = qs.filter(for_frivillige=True)
    elif rolle == "begge":
        qs = qs.filter(Q(for_deltagere=True) | Q(for_frivillige=True))
    else:
        qs = qs.filter(for_deltagere=True)
    if kategori_id is not None:
        qs = qs.filter(kategori_id=kategori_id)
    if alder is not None:
        qs = qs.filter(Q(alder_min__isnull=True) | Q(alder_min__lte=alder))
        qs = qs.filter(Q(alder_max__isnull=True) | Q(alder_max__gte=alder))
    if exclude_ids:
        qs = qs.exclude(id__in=exclude_ids)
    own = Q(lat__isnull=False, lng__isnull=False)
    qs = qs.annotate(
        plat=Case(When(own, then=F("lat")), default=F("postnummer__lat"), output_field=FloatField()),
        plng=Case(When(own, then=F("lng")), default=F("postnummer__lng"), output_field=FloatField()),
    ).values_list("id", "plat", "plng", "alder_min", "alder_max", "for_deltagere", "for_frivillige",
                  "kategori__slug", "kategori__navn", "forening__inklusionsparat", "vaert_navn",
                  "sidst_bekraeftet", "kapacitet")

    radius = float(max_km) if max_km is not None else box_km
    dlat = radius / 111.0
    dlng = radius / (111.0 * max(math.cos(math.radians(lat)), 0.01))
    rows = list(qs.filter(plat__range=(lat - dlat, lat + dlat), plng__range=(lng - dlng, lng + dlng)))
    if len(rows) < n and max_km is None:
        rows = list(qs)  # too few nearby: look at the whole centre, as the KNN would
    out = []
    for row in rows:
        d = haversine_km(lat, lng, row[1], row[2])
        if max_km is None or d <= max_km:
            out.append((row[0], d, *row[3:]))
    out.sort(key=lambda r: (r[1], r[0]))
    return out[:n]


# --- Both: tags and meeting times in bulk ------------------------------------------------------------


def _kandidater(rows) -> list[Kandidat]:
    if not rows:
        return []
    ids = [row[0] for row in rows]
    navne: dict[str, str] = {}
    tags: dict[int, dict[str, set[str]]] = defaultdict(lambda: {"i": set(), "t": set()})
    interesser = (Faellesskab.interesser.through.objects.filter(faellesskab_id__in=ids)
                  .annotate(kind=Value("i")).values_list("faellesskab_id", "tag__slug", "tag__navn", "kind"))
    tilgaengelighed = (Faellesskab.tilgaengelighed.through.objects.filter(faellesskab_id__in=ids)
                       .annotate(kind=Value("t")).values_list("faellesskab_id", "tag__slug", "tag__navn", "kind"))
    for fid, slug, navn, kind in interesser.union(tilgaengelighed, all=True):
        tags[fid][kind].add(slug)
        navne[slug] = navn

    slots: dict[int, set[str]] = defaultdict(set)
    moeder = (Moedetid.objects.filter(faellesskab_id__in=ids)
              .filter(Q(gyldig_til__isnull=True) | Q(gyldig_til__gte=timezone.localdate()))
              .values_list("faellesskab_id", "ugedag", "fra"))
    for fid, ugedag, fra in moeder:
        slots[fid].add(f"{ugedag}-{daypart_for_hour(fra.hour)}")

    out = []
    for (fid, distance_km, alder_min, alder_max, for_deltagere, for_frivillige, kategori_slug, kategori_navn,
         inklusionsparat, vaert_navn, sidst_bekraeftet, kapacitet) in rows:
        if kategori_slug:
            navne[kategori_slug] = kategori_navn
        t = tags.get(fid)
        out.append(Kandidat(
            id=fid,
            distance_km=float(distance_km),
            alder_min=alder_min,
            alder_max=alder_max,
            for_deltagere=for_deltagere,
            for_frivillige=for_frivillige,
            interesser=frozenset(t["i"]) if t else frozenset(),
            tilgaengelighed=frozenset(t["t"]) if t else frozenset(),
            kategori=kategori_slug,
            slots=frozenset(slots.get(fid, ())),
            inklusionsparat=inklusionsparat,
            vaert_navn=vaert_navn or "",
            sidst_bekraeftet=sidst_bekraeftet,
            kapacitet=kapacitet,
            tag_navne=navne,  # one shared dict for all candidates
        ))
    return out
