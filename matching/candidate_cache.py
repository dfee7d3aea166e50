"""Stage 1's candidates as the process last read them, by row version (PostgreSQL; issue 15).

The KNN statement (`candidates.knn_query`) sends, per candidate, only its id, distance and row
version (`xmin`, `ctid`: every UPDATE writes the row anew with a new pair, even twice in one
transaction). Everything else stage 2 reads (age range, roles, tags, meeting times, category, host,
confirmation date, capacity, price, title, the forening's name and inclusion readiness, the welcome score)
is taken from here when the version matches, and read as it is now for the others in one more statement
(`_read`). The KNN statement then joins nothing and sends a few bytes per row, and the process does not parse
a candidate's arrays again until the row changes (PERFORMANCE.md, "Session 17" and "Session 21").

Nothing here can be stale:
- a changed fællesskab has a new version, so it misses and is read again;
- a forening whose name or readiness changes writes its fællesskab rows anew (a trigger, migration
  matching.0025), and so does a fællesskab's welcome score when it is written, changed or deleted (0028);
- what comes from other rows is held per epoch, the day (a meeting's end date) and the version of the
  reference data, the tag table and the postal codes (a number the database gives anew with every write of
  either, migration matching 0029, read with every KNN statement), and all of it is dropped when either changes.

The postal codes' places are held with the tags (`sted`): the KNN statement is given the borger's, and sent again
with the place read by the statement itself should the version read with it be another (`candidates`).

Bounded: `MAX` fællesskaber, the first read dropped first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import islice

from brobygning.models import Postnummer, Tag
from brobygning.planner import fetch_with_random_page_cost
from foreninger.models import Faellesskab, Forening

from . import moedekoder
from .engine import Kandidat
from .models import Velkomstscore
from .velkomst import MIN_N as VELKOMST_MIN_N

MAX = 8192  # ~1.5 KB each, 12.5 MB in all; the largest national centre has ~4,750 fællesskaber

# `_read` planned as stage 1's KNN statement is (candidates.KNN_RANDOM_PAGE_COST, and why): with the
# server's 4, PostgreSQL joins the foreninger by a hash of every forening in the deployment (2.9 ms
# at national size for 200 fællesskaber), not by 200 probes of the primary key (1.1 ms).
RANDOM_PAGE_COST = 1.1

# The reference data's version (migration matching 0029); the tag table with the version it is of, and the postal
# codes' places in the same snapshot, read when the version is not the one the process holds.
VERSION_TABLE = "matching_stamdataversion"
VERSION_SQL = f"SELECT version FROM {VERSION_TABLE}"  # noqa: S608 -- a table name
STAMDATA_SQL = (f"SELECT v.version, t.id, t.slug, t.navn, NULL, NULL FROM {VERSION_TABLE} v "  # noqa: S608
                f"LEFT JOIN {Tag._meta.db_table} t ON true "
                f"UNION ALL SELECT NULL, NULL, p.nr, NULL, p.lat, p.lng FROM {Postnummer._meta.db_table} p "
                "ORDER BY 1, 2")

# What stage 2 reads of a fællesskab, for the ones not remembered at their version: its row, its forening's
# name and readiness, its category's slug and name, its welcome score as `velkomst.for_faellesskaber` reads
# it (at least MIN_N newcomers). The tag ids and meeting codes are the arrays the database keeps on the row
# (migration matching.0021).
FILL_SQL = f"""
    SELECT f.id, f.xmin, f.ctid, f.alder_min, f.alder_max, f.for_deltagere, f.for_frivillige,
           t.slug, t.navn, fo.inklusionsparat, f.vaert_navn, f.sidst_bekraeftet, f.kapacitet,
           CAST(f.pris AS double precision), f.titel, fo.navn, f.knn_interesser, f.knn_tilgaengelighed,
           f.knn_maalgrupper, f.knn_moeder, f.knn_moeder_til, v.id, v.center_id, v.n, v.blevet, v.prior, v.score
    FROM {Faellesskab._meta.db_table} f
    JOIN {Forening._meta.db_table} fo ON fo.id = f.forening_id
    LEFT JOIN {Tag._meta.db_table} t ON t.id = f.kategori_id
    LEFT JOIN {Velkomstscore._meta.db_table} v ON v.faellesskab_id = f.id AND v.center_id = f.center_id
         AND v.n >= {int(VELKOMST_MIN_N)}
    WHERE f.id = ANY(%s)
"""  # noqa: S608 -- only table names and a constant are formatted in


class Lager:
    """The remembered candidates of one epoch: the day, and the reference data's version with the tag table
    and the postal codes' places, read with the first candidates (`_read`)."""

    def __init__(self, today: date):
        self.today = today
        self.version: int | None = None  # None until the reference data is read
        self.tag_of: dict[int, tuple[str, str]] = {}  # tag id → (slug, navn)
        self.steder: dict[str, tuple[float, float]] = {}  # postal code → (lat, lng)
        # The category's and accessibility features' names by slug, shared by every candidate (`tag_navne`).
        self.navne: dict[str, str] = {}
        # fællesskab id → (xmin, ctid, Kandidat's fields after `distance_km` but `tag_navne`, its welcome score
        # or None), the oldest read first.
        self.entries: dict[int, tuple] = {}

    def kandidater(self, cursor, rows: Sequence[tuple], velkomst: dict | None = None) -> list[Kandidat]:
        """The candidates of KNN rows (id, distance, xmin, ctid, …), in their order: those not remembered
        at the row's version read first (one statement). A row gone since the KNN statement is left out.
        `velkomst`: filled with their welcome scores by fællesskab id (those with one)."""
        entries = self.entries
        found = [entries.get(row[0]) for row in rows]
        stale = {row[0] for row, entry in zip(rows, found, strict=True)
                 if entry is None or entry[0] != row[2] or entry[1] != row[3]}
        if stale or self.version is None:
            read = self._read(cursor, list(stale))
            found = [read.get(row[0]) if row[0] in stale else entry for row, entry in zip(rows, found, strict=True)]
            for row in rows:  # remembered in the rows' order, after all that was read before
                if (entry := read.get(row[0])) is not None:
                    entries.pop(row[0], None)
                    entries[row[0]] = entry
            self.trim()
        navne = self.navne
        if velkomst is not None:
            velkomst.update((entry[3].faellesskab_id, entry[3]) for entry in found
                            if entry is not None and entry[3] is not None)
        # Kandidat's fields in order: id, distance_km, the rest as read (`_read`), tag_navne.
        return [Kandidat(row[0], float(row[1]), *entry[2], navne)
                for row, entry in zip(rows, found, strict=True) if entry is not None]

    def _read(self, cursor, ids: list[int]) -> dict[int, tuple]:
        """The entries of the fællesskaber `ids` as they are now (one round trip), with the reference data's version
        read after them: `NyeStamdata` if it is not the epoch's any more (a row may name a tag added since). The
        reference data itself first, in the same round trip, when this epoch has not read it yet."""
        if self.version is None and not ids:
            cursor.execute(STAMDATA_SQL)
            self._stamdata(cursor.fetchall())
            return {}
        if self.version is None:
            stamdata, rows, version = fetch_with_random_page_cost(cursor, FILL_SQL, [ids], RANDOM_PAGE_COST,
                                                                  foran=(STAMDATA_SQL, []), then=VERSION_SQL)
            self._stamdata(stamdata)
        else:
            rows, version = fetch_with_random_page_cost(cursor, FILL_SQL, [ids], RANDOM_PAGE_COST, then=VERSION_SQL)
        if version[0][0] != self.version:
            raise NyeStamdata(version[0][0])
        tag_of, navne, today = self.tag_of, self.navne, self.today
        read = {}
        for (fid, xmin, ctid, alder_min, alder_max, for_deltagere, for_frivillige, kategori_slug, kategori_navn,
             inklusionsparat, vaert_navn, sidst_bekraeftet, kapacitet, pris, titel, forening_navn, interesser, tilg,
             maalgrupper, koder, koder_til, v_id, v_center, v_n, v_blevet, v_prior, v_score) in rows:
            for t in tilg:
                slug, navn = tag_of[t]
                navne[slug] = navn
            if kategori_slug:
                navne[kategori_slug] = kategori_navn
            if koder and any(koder_til):  # a meeting with an end date counts until that day
                koder = [code for code, til in zip(koder, koder_til, strict=True) if til is None or til >= today]
            slots, frekvenser = moedekoder.moeder(tuple(koder))
            read[fid] = (xmin, ctid, (
                alder_min, alder_max, for_deltagere, for_frivillige, frozenset(tag_of[t][0] for t in interesser),
                frozenset(tag_of[t][0] for t in maalgrupper), frozenset(tag_of[t][0] for t in tilg), kategori_slug, slots,
                frekvenser, inklusionsparat, vaert_navn or "", sidst_bekraeftet, kapacitet, pris or 0.0, titel,
                forening_navn),
                None if v_id is None else Velkomstscore(pk=v_id, center_id=v_center, faellesskab_id=fid, n=v_n,
                                                        blevet=v_blevet, prior=v_prior, score=v_score))
        return read

    def _stamdata(self, rows) -> None:
        """The reference data as `STAMDATA_SQL` reads it: its version, the tag table, the postal codes' places."""
        self.version = rows[0][0]
        for _version, tag_id, slug_eller_nr, navn, lat, lng in rows:
            if tag_id is not None:
                self.tag_of[tag_id] = (slug_eller_nr, navn)
            elif lat is not None:
                self.steder[slug_eller_nr] = (lat, lng)

    def trim(self) -> None:
        """Down to `MAX`, the first read dropped first."""
        excess = len(self.entries) - MAX
        if excess > 0:
            for fid in list(islice(self.entries, excess)):  # the oldest only, not a copy of all 8,192 keys
                self.entries.pop(fid, None)


class NyeStamdata(Exception):  # noqa: N818 -- a signal, not an error
    """The reference data changed between the KNN statement and `Lager._read`: `version` is the new one's."""

    def __init__(self, version: int):
        super().__init__()
        self.version = version


def kandidater(cursor, today: date, version: int, rows: Sequence[tuple],
               velkomst: dict | None = None) -> list[Kandidat]:
    """The candidates of KNN rows (`Lager.kandidater`) as of `today` and the reference data's `version`, read
    with the KNN statement; once more with the newer reference data should it change before the rest is read."""
    try:
        return lager(today, version).kandidater(cursor, rows, velkomst)
    except NyeStamdata as nye:
        return lager(today, nye.version).kandidater(cursor, rows, velkomst)


_lager: Lager | None = None


def lager(today: date, version: int) -> Lager:
    """The remembered candidates for `today` and the reference data's `version`; a fresh one, which reads the
    reference data as it is then, when either has changed."""
    global _lager
    current = _lager
    if current is None or current.version != version or current.today != today:
        current = _lager = Lager(today)
    return current


def sted(nr: str | None) -> tuple[int, float, float] | None:
    """The place (lat, lng) of postal code `nr` as the process last read it, after the version of the reference
    data it is of; None when it has not read it (or has no place for it)."""
    current = _lager
    place = current.steder.get(nr) if current is not None else None  # (none before the reference data is read)
    return None if place is None else (current.version, *place)


def tag_of() -> dict[int, tuple[str, str]]:
    """The tag table of the candidates last read (`kandidater`), as {id: (slug, navn)}."""
    return _lager.tag_of if _lager is not None else {}


def clear() -> None:
    """Forget every remembered candidate (tests; the next call reads them all again)."""
    global _lager
    _lager = None
