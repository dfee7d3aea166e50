"""Reads for foreninger and fællesskaber, always scoped to the acting user."""

from collections import defaultdict
from datetime import time
from functools import cache

from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import CharField, Count, JSONField
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language

from brobygning import access
from brobygning.models import Frivilligcenter, Tag

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


def public_faellesskab_list(*, center):
    """The centre's public fællesskaber for the directory's search, without joins: counting them and
    finding a page (by distance: ordering every row of the centre) reads only their own rows and the
    postal codes. `public_faellesskab_side` then loads the page's rows with what a card shows."""
    return access.scope_public("faellesskab", Faellesskab.objects.order_by("titel", "pk"), center)


def public_faellesskab_side(*, center, noegler) -> list[Faellesskab]:
    """The fællesskaber of one page of the directory, whole, in the page's order. `noegler` are the
    page's `(pk,)` or `(pk, afstand_km)` rows from `public_faellesskab_list`. 3 queries for any page:
    the rows with forening, postal code and category; their meeting times (`moeder`); the names of
    their accessibility tags (`tilgaengelige`). Attached as lists, not by prefetch_related, whose
    machinery cost more than the queries (PERFORMANCE.md, "Public pages at national size")."""
    pks = [noegle[0] for noegle in noegler]
    rows = access.scope_public("faellesskab", _med_kortdata(Faellesskab.objects.order_by()), center).in_bulk(pks)
    _kortdata(rows.values())
    side = []
    for pk, *afstand in noegler:
        if (row := rows.get(pk)) is not None:
            row.afstand_km = afstand[0] if afstand else None
            side.append(row)
    return side


def public_faellesskab_kort(side) -> list[Faellesskab]:
    """The fællesskaber of one page of the directory, whole, from `side`: the page as a sliced queryset
    of `public_faellesskab_list` (with `afstand_km`; `public_filters.naermeste`). 3 queries, as
    `public_faellesskab_side`: the rows, their meeting times and their accessibility tags' names."""
    rows = list(_med_kortdata(side))
    _kortdata(rows)
    return rows


class _Moede:
    """A meeting time on a card: what `str(Moedetid)` shows, from the columns it reads."""

    __slots__ = ("frekvens", "ugedag", "uge_i_maaned", "fra", "til")

    def __init__(self, frekvens, ugedag, uge_i_maaned, fra, til):
        self.frekvens, self.ugedag, self.uge_i_maaned, self.fra, self.til = frekvens, ugedag, uge_i_maaned, fra, til

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
    navne = (f'ARRAY(SELECT U2."navn" FROM "{through}" U0 INNER JOIN "{tag}" U2 ON (U0."tag_id" = U2."id") '  # noqa: S608
             f'WHERE U0."faellesskab_id" = ("{felles}"."id") '
             f'ORDER BY U2."type", U2."sortering", U2."navn", U0."tag_id")')  # Tag's ordering
    return moeder, navne


def _med_kortdata(qs):
    """`qs` with what a card shows: forening, postal code and category, and on PostgreSQL its meeting
    times and accessibility tags' names as arrays in the same query (two correlated subqueries on
    indexes, for the page's rows only), instead of two more queries and their compiling (issue 15)."""
    qs = qs.select_related("forening", "postnummer", "kategori").only(*PUBLIC_KORT_FELTER)
    if connection.vendor != "postgresql":
        return qs
    moeder, navne = _kortdata_sql()
    return qs.annotate(_moeder=RawSQL(moeder, (), output_field=ArrayField(JSONField())),  # noqa: S611 -- no input
                       _tilgaengelige=RawSQL(navne, (), output_field=ArrayField(CharField())))  # noqa: S611


def _kortdata(rows) -> None:
    """Attach to each fællesskab what its card shows besides its row: `moeder` (meeting times) and
    `tilgaengelige` (accessibility tag names). On PostgreSQL read with the rows (`_med_kortdata`);
    elsewhere two queries: lists, not prefetch_related, whose machinery cost more than the queries."""
    if connection.vendor == "postgresql":
        for row in rows:
            row.moeder = [_Moede(m["frekvens"], m["ugedag"], m["uge_i_maaned"], time.fromisoformat(m["fra"]),
                                 time.fromisoformat(m["til"])) for m in row._moeder]
            row.tilgaengelige = row._tilgaengelige
        return
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
