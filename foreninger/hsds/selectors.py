"""Public reads for the HSDS API: what `access.scope_public` allows (active, public, not archived).

There is no actor here: the API is public, so the only scoping is "public entries" and, when
given, one centre.
"""

from django.db import connections, router
from django.db.models import Prefetch, Q, Value

from brobygning import access
from brobygning.models import Frivilligcenter, Postnummer, Tag

from ..models import PUBLIC_ROW, Faellesskab, Forening, Moedetid
from . import serialize


def center_by_slug(slug):
    return Frivilligcenter.objects.filter(slug=slug).first()


def public_faellesskaber(center=None, *, full=False):
    """The public fællesskaber by (titel, id); `full`: with all `serialize.service` reads, else only the
    columns `serialize.service_brief` reads (the `/services` list: no phone numbers parsed, no postal
    code or category built, for rows that do not show them; issue 15)."""
    if full:
        qs = Faellesskab.objects.select_related("forening", "postnummer", "kategori").prefetch_related(*FULL_PREFETCH)
    else:
        qs = Faellesskab.objects.select_related("forening").only(*BRIEF_FIELDS)
    return access.scope_public("faellesskab", qs.order_by("titel", "pk"), center)


BRIEF_FIELDS = ("uuid", "titel", "beskrivelse", "status", "velkomst", "alder_min", "alder_max", "pris", "pris_note",
                "sidst_bekraeftet", "opdateret", "forening__uuid")


FULL_PREFETCH = [
    "interesser", "maalgrupper", "tilgaengelighed",
    Prefetch("moedetider", queryset=Moedetid.objects.order_by("ugedag", "fra", "pk")),
]


# Each centre's public rows, kept by the database (migration foreninger.0012; PostgreSQL only).
OFFENTLIG_ANTAL = "foreninger_faellesskab_offentlig_antal"


def public_service_count(center=None) -> int:
    """How many fællesskaber `public_faellesskaber(center)` holds, without joining every row to its forening:
    the rows public by their own columns, less those of archived foreninger (few, found from the archived
    foreninger's side). On PostgreSQL the first is the centres' kept numbers (at most one row per centre,
    not the deployment's index of public rows: issue 15), in the same statement as the second."""
    rows = Faellesskab.objects.filter(PUBLIC_ROW)
    if center is not None:
        rows = rows.filter(center_id=center.pk)
    arkiverede = rows.filter(forening__arkiveret__isnull=False)
    db = router.db_for_read(Faellesskab)
    if connections[db].vendor != "postgresql":
        return rows.count() - arkiverede.count()
    sql, params = arkiverede.values("pk").query.sql_with_params()
    where, center_params = ("", []) if center is None else (" WHERE center_id = %s", [center.pk])
    with connections[db].cursor() as cursor:
        cursor.execute(f"SELECT (SELECT COALESCE(SUM(antal), 0) FROM {OFFENTLIG_ANTAL}{where}) "  # noqa: S608 -- our table
                       f"- (SELECT COUNT(*) FROM ({sql}) AS arkiverede)", [*center_params, *params])
        return cursor.fetchone()[0]


def export_batches(center=None, *, batch_size=500):
    """Every public fællesskab of `center` (or the deployment) with its tags and meeting times, in
    batches of (fællesskab, serialize.Related) by id.

    Keyset pagination on the primary key: a row edited during the export is neither skipped nor
    repeated (its id does not change). Each batch is four queries (the rows; their foreninger; their
    tag links, one UNION ALL; their meeting times), whatever the size of the export, and only one
    batch is held in memory. Tags and postal codes come from one lookup each per export (small
    tables), not as instances per row or link.
    """
    tags = Tag.objects.in_bulk()
    postnumre = Postnummer.objects.in_bulk()
    # The forening, postal code and category are attached from lookups, not joined per row: the
    # instances select_related would build for every row cost more than the rest of the load.
    base = access.scope_public("faellesskab", Faellesskab.objects.defer(*EXPORT_UNUSED).order_by("pk"), center)
    last = 0
    while True:
        batch = list(base.filter(pk__gt=last)[:batch_size])
        if not batch:
            return
        foreninger = Forening.objects.only(*EXPORT_FORENING).in_bulk({f.forening_id for f in batch})
        for f in batch:
            cache = f._state.fields_cache
            cache["forening"], cache["postnummer"] = foreninger[f.forening_id], postnumre[f.postnummer_id]
            cache["kategori"] = tags.get(f.kategori_id)
        ids = [f.pk for f in batch]
        links = {(name, f.pk): [] for f in batch for name in _TAG_LINKS}
        for name, fid, tag_id in _tag_links(ids):
            links[(name, fid)].append(tags[tag_id])
        moeder = {f.pk: [] for f in batch}
        for m in Moedetid.objects.filter(faellesskab_id__in=ids).order_by("faellesskab_id", "ugedag", "fra", "pk"):
            moeder[m.faellesskab_id].append(m)
        yield [(f, serialize.Related(*(links[(name, f.pk)] for name in _TAG_LINKS), moeder[f.pk])) for f in batch]
        if len(batch) < batch_size:
            return
        last = batch[-1].pk


_TAG_LINKS = ("interesser", "maalgrupper", "tilgaengelighed")  # serialize.Related's order
# Columns serialize.service never reads: loading them costs (timestamps, phone numbers parsed per row).
EXPORT_UNUSED = ("oprettet", "arkiveret", "vaert_navn", "vaert_email", "vaert_telefon", "ekstern_id", "version")
EXPORT_FORENING = ("uuid", "navn", "email", "hjemmeside", "cvr")  # what serialize.organization_brief reads


def _tag_links(ids):
    """(relation, fællesskab id, tag id) for the fællesskaber `ids`, in one query."""
    parts = [getattr(Faellesskab, name).through.objects.filter(faellesskab_id__in=ids)
             .annotate(rel=Value(name)).values_list("rel", "faellesskab_id", "tag_id") for name in _TAG_LINKS]
    return parts[0].union(*parts[1:], all=True)


def public_foreninger(center=None):
    """Foreninger with at least one public fællesskab."""
    qs = (Forening.objects.active().select_related("postnummer")
          .filter(pk__in=public_faellesskaber(center).values("forening_id")).order_by("navn", "pk"))
    return qs


def filter_services(qs, *, search="", term=None, organization=None, modified_after=None):
    if search:
        qs = qs.filter(Q(titel__icontains=search) | Q(beskrivelse__icontains=search)
                       | Q(forening__navn__icontains=search))
    if term is not None:
        kind, value = term
        if kind == "rolle":
            qs = qs.filter(**{{"deltager": "for_deltagere", "frivillig": "for_frivillige",
                                "aaben-for-nye": "aaben_for_nye"}[value]: True})
        else:
            qs = qs.filter(Q(kategori=value) | Q(interesser=value) | Q(maalgrupper=value)
                           | Q(tilgaengelighed=value)).distinct()
    if organization is not None:
        qs = qs.filter(forening__uuid=organization)
    if modified_after is not None:
        qs = qs.filter(opdateret__gt=modified_after)
    return qs


def exported_tags():
    return list(Tag.objects.filter(type__in=serialize.EXPORTED_TYPES, aktiv=True).order_by("type", "sortering", "navn"))


def term_lookup(term_uuid: str):
    """What a taxonomy_term_id stands for: ("rolle", slug), ("tag", Tag) or None."""
    for slug in serialize.ROLE_TERMS:
        if serialize.term_id(serialize.ROLLE, slug) == term_uuid:
            return ("rolle", slug)
    for tag in Tag.objects.filter(type__in=serialize.EXPORTED_TYPES).only("pk", "type", "slug"):
        if serialize.term_id(tag.type, tag.slug) == term_uuid:
            return ("tag", tag)
    return None
