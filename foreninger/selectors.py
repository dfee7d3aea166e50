"""Reads for foreninger and fællesskaber, always scoped to the acting user."""

import json
import re
from collections import defaultdict
from datetime import time
from functools import cache

from django.core.exceptions import EmptyResultSet, PermissionDenied
from django.db import connection
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language

from brobygning import access
from brobygning.models import Frivilligcenter, Postnummer, Tag
from brobygning.planner import Laesning, fetch_together, fetch_with_random_page_cost, fra_db

from .models import (
    Faellesskab,
    Forening,
    ImportJob,
    Moedetid,
    Partner,
    Partnerkontakt,
    Partnerskab,
    Tilslutningsbeloeb,
    moedetid_tekst,
)


def forening_list(*, actor):
    return access.scope(actor, "forening", Forening.objects.active().select_related("postnummer"))


def forening_get(*, actor, pk, action="view"):
    return access.get_or_deny(actor, "forening", action, Forening.objects.active(), pk)


def faellesskab_list(*, actor):
    qs = Faellesskab.objects.active().select_related("forening", "postnummer", "kategori")
    return access.scope(actor, "faellesskab", qs)


def faellesskab_get(*, actor, pk, action="view"):
    qs = Faellesskab.objects.active().select_related("forening", "postnummer", "kategori")
    return access.get_or_deny(actor, "faellesskab", action, qs, pk)



# --- The public directory: no login, one centre, only what access.scope_public allows ---------------

# What a card in the directory shows (and the map: coordinates, or the postal code's).
PUBLIC_KORT_FELTER = ("titel", "beskrivelse", "lat", "lng", "aaben_for_nye", "for_frivillige", "center_id",
                      "forening__navn", "postnummer", "kategori")
MOEDETID_FELTER = ("faellesskab_id", "frekvens", "ugedag", "uge_i_maaned", "fra", "til")  # what str() shows


def public_center_get(*, slug):
    return get_object_or_404(Frivilligcenter, slug=slug)


def public_center_og_tags(*, slug, tag_typer, postnummer: str = "") -> tuple[Frivilligcenter, list[Tag], list]:
    """The centre (`public_center_get`: 404 if none), the active tags of `tag_typer` in Tag's order (the
    directory's filter form) and, for a `postnummer` of four digits, that postal code (a list of none or
    one) in one round trip (`planner.fetch_together`), their SQL as the ORM writes it, compiled once per
    process (issue 15)."""
    (center_sql, center_params), tags_sql_params, (pn_sql, pn_params) = _center_og_tags_sql(tuple(tag_typer))
    laesninger = [Laesning(center_sql, [slug if p == _STED else p for p in center_params], _modeller(Frivilligcenter)),
                  Laesning(*tags_sql_params, _modeller(Tag))]
    if re.fullmatch(r"[0-9]{4}", postnummer):
        laesninger.append(Laesning(pn_sql, [postnummer if p == _STED else p for p in pn_params],
                                   _modeller(Postnummer)))
    centre, tags, *postnumre = fetch_together(connection, laesninger)
    if not centre:
        raise Http404
    return centre[0], tags, postnumre[0] if postnumre else None


_STED = "{sted}"  # where the slug or the postal code goes among a query's parameters, when compiled once


@cache
def _center_og_tags_sql(tag_typer: tuple) -> tuple:
    center = Frivilligcenter.objects.order_by().filter(slug=_STED).query.sql_with_params()
    tags = Tag.objects.filter(aktiv=True, type__in=list(tag_typer)).query.sql_with_params()
    postnummer = Postnummer.objects.filter(nr=_STED).order_by("pk")[:1].query.sql_with_params()  # as .first()
    return center, tags, postnummer


def _modeller(model):
    """Rows of `SELECT <every concrete column>` as instances of `model`, as the ORM makes them."""
    felter = tuple(felt.attname for felt in model._meta.concrete_fields)
    return lambda rows, connection: [fra_db(model, connection.alias, felter, row) for row in rows]


def public_faellesskab_list(*, center):
    """The centre's public fællesskaber for the directory's search, without joins: counting them and
    finding a page (by distance: ordering every row of the centre) reads only their own rows and the
    postal codes. `public_kort` then reads the page's cards around the page's keys."""
    return access.scope_public("faellesskab", Faellesskab.objects.order_by("titel", "pk"), center)


# A text search's statement (`public_kort(tekst=True)`) is planned with this price of a heap page read out
# of order (`planner.fetch_with_random_page_cost`; the server's is 4). Its count (`pagination.AntalAlle`)
# then reads the centre's matches through foreninger 0010's GIN index (1,059 rows from 478 pages for "kaffe"
# at national size, ~0.7 ms), where the server's price had it test all 4,806 rows of the centre by the
# centre's index (~1.7 ms). The matching and the borger search use the same price (issue 15).
KORT_RANDOM_PAGE_COST = 1.1


class Kort:
    """One card of the directory: what it shows (`views.public._kort_og_punkter`), not a model instance.
    `kategori` and `sted` are the category's and the postal code's text (`str()` of the Tag and the
    Postnummer); `pn_lat`/`pn_lng` the postal code's point, for the map when the row has none."""

    __slots__ = ("pk", "titel", "beskrivelse", "lat", "lng", "aaben_for_nye", "for_frivillige", "forening_navn",
                 "sted", "pn_lat", "pn_lng", "kategori", "moeder", "tilgaengelige", "afstand_km")

    def __init__(self, pk, afstand_km, titel, beskrivelse, lat, lng, aaben_for_nye, for_frivillige, forening_navn,
                 nr, by, pn_lat, pn_lng, kategori, moeder, tilgaengelige):
        self.pk, self.afstand_km, self.titel, self.beskrivelse = pk, afstand_km, titel, beskrivelse
        self.lat, self.lng, self.aaben_for_nye, self.for_frivillige = lat, lng, aaben_for_nye, for_frivillige
        self.forening_navn, self.sted, self.pn_lat, self.pn_lng = forening_navn, f"{nr} {by}", pn_lat, pn_lng
        self.kategori, self.moeder, self.tilgaengelige = kategori, moeder, tilgaengelige


def public_kort(noegler, *, antal: bool = False, tekst: bool = False):
    """The cards of one page of the directory, in the page's order. `noegler`: the page as a sliced
    `values_list` of `public_faellesskab_list` (scoped): `("pk",)` or `("pk", "afstand_km")`, and with
    `antal` a last column, the list's count (`COUNT(*) OVER ()`). Returns `(count or None, cards)`.

    On PostgreSQL one statement: the page's keys as a subquery, joined to the rows, their forening,
    postal code and category, and the meeting times and accessibility tags' names as arrays; written
    once per process (`_kort_sql`) around the keys' SQL, so only the search's own filters are built
    and compiled per request, and no model instances (issue 15). The SQL reads only the rows whose
    ids the scoped subquery gives. Elsewhere the keys, then the rows through the ORM.

    `noegler` may also be such keys' statement, `(sql, params)` with the columns `(id, distance)`,
    written already (PostgreSQL, `public_filters.naermeste`).

    `tekst`: a text search, whose count is a subquery of its own (`pagination.AntalAlle`); on PostgreSQL
    the statement is then planned at `KORT_RANDOM_PAGE_COST`."""
    if isinstance(noegler, tuple):
        (sql, params), med_afstand = noegler, True
    else:
        med_afstand = "afstand_km" in noegler.query.annotation_select
    if connection.vendor != "postgresql":
        rows = list(noegler)
        kort = _kort_orm([row[0] for row in rows], [row[1] if med_afstand else None for row in rows])
        return (rows[0][-1] if rows else 0) if antal else None, kort
    if not isinstance(noegler, tuple):
        try:
            sql, params = noegler.query.sql_with_params()
        except EmptyResultSet:  # an empty slice: a page past the end of a list with no rows (HTTP 500 before)
            return (0 if antal else None), []
    foer, efter = _kort_sql(med_afstand, antal)
    with connection.cursor() as cursor:
        if tekst:  # the count's subquery reads the GIN index only at this price
            rows = fetch_with_random_page_cost(cursor, foer + sql + efter, params, KORT_RANDOM_PAGE_COST)
        else:
            cursor.execute(foer + sql + efter, params)
            rows = cursor.fetchall()
    moede = _Moede.fra_json
    kort = [Kort(pk, afstand, titel, beskrivelse, lat, lng, aaben, frivillig, forening, nr, by, pn_lat, pn_lng,
                 kategori, [moede(m) for m in moeder], tilgaengelige)
            for (pk, afstand, titel, beskrivelse, lat, lng, aaben, frivillig, forening, nr, by, pn_lat, pn_lng, kategori,
                 moeder, tilgaengelige, *_antal) in rows]
    return (rows[0][-1] if rows else 0) if antal else None, kort


@cache
def _kort_sql(med_afstand: bool, antal: bool) -> tuple[str, str]:
    """`public_kort`'s statement before and after the page's keys' SQL: the keys' columns renamed by
    position (id, the distance if any, the count if any), the cards' columns, in the list's order
    (distance if any, then title and id, as `public_faellesskab_list` and `med_afstand` order it)."""
    felles, forening, tag = Faellesskab._meta.db_table, Forening._meta.db_table, Tag._meta.db_table
    postnummer = Faellesskab._meta.get_field("postnummer").related_model._meta
    kolonne = {felt: f'"{felles}"."{Faellesskab._meta.get_field(felt).column}"' for felt in
               ("titel", "beskrivelse", "lat", "lng", "aaben_for_nye", "for_frivillige", "forening", "postnummer",
                "kategori")}
    moeder, navne = _kortdata_sql()
    felter = ", ".join(kolonne[felt] for felt in ("titel", "beskrivelse", "lat", "lng", "aaben_for_nye",
                                                  "for_frivillige"))
    # The forening's and the category's names as scalar subqueries, not joins (the same values: every row
    # has a forening, the category may be NULL as the LEFT JOIN gave): two relations fewer for the
    # planner to order, ~0.35 ms of planning a page on both searches (issue 15).
    foer = (f'SELECT s.nid, {"s.afstand" if med_afstand else "NULL"}, {felter}, '  # noqa: S608 -- names
            f'(SELECT F."navn" FROM "{forening}" F WHERE F."id" = {kolonne["forening"]}), '
            f'P."{postnummer.pk.column}", P."by", P."lat", P."lng", '
            f'(SELECT K."navn" FROM "{tag}" K WHERE K."id" = {kolonne["kategori"]}), {moeder}, {navne}'
            f'{", s.antal" if antal else ""} FROM (')
    navne_s = ", ".join(["nid", *(["afstand"] if med_afstand else []), *(["antal"] if antal else [])])
    efter = (f') AS s ({navne_s}) INNER JOIN "{felles}" ON ("{felles}"."id" = s.nid)'
             f' INNER JOIN "{postnummer.db_table}" P ON (P."{postnummer.pk.column}" = {kolonne["postnummer"]})'
             f' ORDER BY {"s.afstand ASC, " if med_afstand else ""}{kolonne["titel"]} ASC, s.nid ASC')
    return foer, efter


def _kort_orm(pks, afstande) -> list[Kort]:
    """The cards of `pks` through the ORM (not PostgreSQL): the rows, their meeting times and
    accessibility tags' names (`_kortdata`: two queries)."""
    rows = Faellesskab.objects.order_by().select_related("forening", "postnummer", "kategori").only(
        *PUBLIC_KORT_FELTER).in_bulk(pks)
    _kortdata(rows.values())
    kort = []
    for pk, afstand in zip(pks, afstande, strict=True):
        if (f := rows.get(pk)) is not None:
            kort.append(Kort(pk, afstand, f.titel, f.beskrivelse, f.lat, f.lng, f.aaben_for_nye, f.for_frivillige,
                             f.forening.navn, f.postnummer.nr, f.postnummer.by, f.postnummer.lat, f.postnummer.lng,
                             None if f.kategori is None else str(f.kategori), f.moeder, f.tilgaengelige))
    return kort


class _Moede:
    """A meeting time on a card: what `str(Moedetid)` shows, from the columns it reads."""

    __slots__ = ("frekvens", "ugedag", "uge_i_maaned", "fra", "til")

    def __init__(self, frekvens, ugedag, uge_i_maaned, fra, til):
        self.frekvens, self.ugedag, self.uge_i_maaned, self.fra, self.til = frekvens, ugedag, uge_i_maaned, fra, til

    @classmethod
    def fra_json(cls, tekst: str) -> "_Moede":
        """From one element of the meeting times' array (`_kortdata_sql`; jsonb reaches Django as text)."""
        m = json.loads(tekst)
        return cls(m["frekvens"], m["ugedag"], m["uge_i_maaned"], time.fromisoformat(m["fra"]), time.fromisoformat(m["til"]))

    def __str__(self):
        return moedetid_tekst(get_language(), self.frekvens, self.ugedag, self.uge_i_maaned, self.fra, self.til)


@cache
def _kortdata_sql() -> tuple[str, str]:
    """The two card subqueries of `_med_kortdata` as SQL, written once: the same statements the ORM
    wrote from `ArraySubquery(... JSONObject(...))`, whose expression trees cost ~2 ms a page to
    build and compile (issue 15). Correlated on the outer query's own table, which the directory's
    row queries always select from (never aliased)."""
    felles, moede = Faellesskab._meta.db_table, Moedetid._meta
    through, tag = Faellesskab.tilgaengelighed.through._meta.db_table, Tag._meta.db_table
    felter = ", ".join(f"'{felt}', U0.\"{moede.get_field(felt).column}\"" for felt in MOEDETID_FELTER[1:])
    moeder = (f'ARRAY(SELECT JSONB_BUILD_OBJECT({felter}) FROM "{moede.db_table}" U0 '  # noqa: S608 -- names
              f'WHERE U0."faellesskab_id" = ("{felles}"."id") ORDER BY U0."ugedag", U0."fra", U0."id")')
    # Each link's tag by its primary key (a LATERAL subquery kept apart by OFFSET 0): the plain join was
    # planned as a hash join that read all ~90 tags once per card (~15 µs a card, 0.4 ms a page; issue 15).
    navne = (f'ARRAY(SELECT U2."navn" FROM "{through}" U0 CROSS JOIN LATERAL (SELECT U2."navn", U2."type", '  # noqa: S608
             f'U2."sortering" FROM "{tag}" U2 WHERE U2."id" = U0."tag_id" OFFSET 0) U2 '
             f'WHERE U0."faellesskab_id" = ("{felles}"."id") '
             f'ORDER BY U2."type", U2."sortering", U2."navn", U0."tag_id")')  # Tag's ordering
    return moeder, navne


def _kortdata(rows) -> None:
    """Attach to each fællesskab what its card shows besides its row (not PostgreSQL, where
    `_kort_sql` reads them with the rows): `moeder` (meeting times) and `tilgaengelige` (accessibility
    tag names), two queries: lists, not prefetch_related, whose machinery cost more than the queries."""
    by_pk = {row.pk: row for row in rows}
    moeder = defaultdict(list)
    for moede in Moedetid.objects.filter(faellesskab_id__in=list(by_pk)).only(*MOEDETID_FELTER).order_by(
            "ugedag", "fra", "pk"):  # by day and time
        moeder[moede.faellesskab_id].append(moede)
    tilgaengelige = defaultdict(list)
    for faellesskab_id, navn in (Faellesskab.tilgaengelighed.through.objects.filter(faellesskab_id__in=list(by_pk))
                                 .order_by("tag__type", "tag__sortering", "tag__navn", "tag_id")  # Tag's ordering
                                 .values_list("faellesskab_id", "tag__navn")):
        tilgaengelige[faellesskab_id].append(navn)
    for pk, row in by_pk.items():
        row.moeder, row.tilgaengelige = moeder[pk], tilgaengelige[pk]


def public_faellesskab_get(*, center, pk):
    qs = (Faellesskab.objects.select_related("forening", "postnummer", "kategori")
          .prefetch_related("tilgaengelighed", "maalgrupper", "moedetider"))
    try:
        return access.scope_public("faellesskab", qs, center).get(pk=pk)
    except (Faellesskab.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def import_job_list(*, actor):
    return access.scope(actor, "import", ImportJob.objects.defer("indhold").select_related("oprettet_af"))


def import_job_get(*, actor, pk, action="view"):
    return access.get_or_deny(actor, "import", action, ImportJob.objects.defer("indhold"), pk)


# --- Partnerskab (issue 14) ------------------------------------------------------------------------


def partnerskab_list(*, actor):
    return access.scope(actor, "partnerskab", Partnerskab.objects.annotate(antal_partnere=Count("partnere"))
                        .order_by("navn", "pk"))


def partnerskab_get(*, actor, pk, action="view"):
    return access.get_or_deny(actor, "partnerskab", action, Partnerskab.objects.all(), pk)


def partner_list(*, actor, partnerskab=None):
    """Partners, for a foreningskontakt only their own forening's records."""
    qs = Partner.objects.select_related("forening", "partnerskab").order_by("partnerskab__navn", "forening__navn",
                                                                              "navn", "pk")
    if partnerskab is not None:
        qs = qs.filter(partnerskab=partnerskab)
    return access.scope(actor, "partner", qs)


def partner_get(*, actor, pk, action="view"):
    return access.get_or_deny(actor, "partner", action, Partner.objects.select_related("forening", "partnerskab"), pk)


def partnerkontakt_list(*, actor, partner):
    """The contact log is the centre's own: koordinatorer only."""
    if not access.can(actor, "partner", "change", partner):
        return Partnerkontakt.objects.none()
    return partner.kontakter.select_related("registreret_af")


def tilslutning_list(*, partner):
    """A partner's fees; the caller has loaded the partner through `partner_get`."""
    return partner.tilslutninger.all()


def tilslutning_get(*, actor, pk):
    if actor.medlemskab is None:
        raise PermissionDenied
    tilslutning = get_object_or_404(Tilslutningsbeloeb.objects.select_related("partner"), pk=pk,
                                    center_id=actor.center_id)
    access.check(actor, "partner", "change", tilslutning.partner)
    return tilslutning
