"""Our fællesskaber as Open Referral HSDS 3.0 objects. Pure: works on loaded (prefetched) instances.

Mapping: fællesskab → service; forening → organization; the fællesskab's place → location with
one address (and its accessibility terms → accessibility); meeting times → schedule; capacity →
`capacities` (HSDS 3.1's service_capacity shape, an extension: 3.0 has no such table); price →
cost_option; "sidst bekræftet" → `assured_date`; our taxonomy (`Tag`) → taxonomy and taxonomy_term,
linked through `attributes` (by `taxonomy_term_id`; the terms are at `/taxonomy_terms`). Internal notes and the host's personal contact details are never
exported.

Public arrangementer (from `foreninger.hooks.hsds_events`, issue 14) are services too, at
`/arrangementer` and `/services/{id}`: each date a schedule of its own (valid_from = valid_to = its
day, with opening and closing times), the public page as `url`, the centre's e-mail as `email`.

Ids: foreninger, fællesskaber and meeting times carry their own UUIDs; everything hanging off them
(location, address, attribute, …) gets a UUIDv5 derived from its parent, so ids are stable across
exports without extra columns.
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils.translation import get_language

from brobygning.models import TagType

from ..models import Moedetid

NS = uuid.UUID("5b0b1c4e-7f44-4c1e-9a51-4b726f627967")
HSDS_VERSION = "3.0"

# Our taxonomies, in export order (borger-side ones such as barriers are not exported).
EXPORTED_TYPES = [TagType.KATEGORI, TagType.INTERESSE, TagType.UDFORDRING, TagType.TILGAENGELIGHED]
ROLLE = "rolle"
# Terms with no Tag behind them: the roles a fællesskab offers, and whether it is open to newcomers.
ROLE_TERMS = {"deltager": "Deltager", "frivillig": "Frivillig", "aaben-for-nye": "Åben for nye"}
TAXONOMY_NAMES = {
    TagType.KATEGORI: "Brobygning: kategorier",
    TagType.INTERESSE: "Brobygning: interesser",
    TagType.UDFORDRING: "Brobygning: udfordringer og målgrupper",
    TagType.TILGAENGELIGHED: "Brobygning: tilgængelighed",
    ROLLE: "Brobygning: roller",
}
TAXONOMY_DESCRIPTIONS = {
    TagType.KATEGORI: "Hvad fællesskabet går ud på.",
    TagType.INTERESSE: "Interesser, fællesskabet passer til.",
    TagType.UDFORDRING: "Udfordringer og målgrupper, som på Socialkompas.",
    TagType.TILGAENGELIGHED: "Tilgængelighed på stedet og i fællesskabet.",
    ROLLE: "Roller, fællesskabet tilbyder, og om det er åbent for nye.",
}
BYDAY = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


def derived(parent: uuid.UUID, kind: str) -> str:
    """str(uuid.uuid5(parent, kind)), computed directly: the export derives a dozen per service, and
    the uuid module's objects cost more than the hash (tests check the two agree)."""
    b = bytearray(hashlib.sha1(parent.bytes + kind.encode(), usedforsecurity=False).digest()[:16])
    b[6] = (b[6] & 0x0F) | 0x50  # version 5
    b[8] = (b[8] & 0x3F) | 0x80  # RFC 4122 variant
    x = b.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


_KEEP_VERSION_AND_VARIANT = ~((0xF << 76) | (0x3 << 62))


def flipped(value: uuid.UUID, kind: str) -> uuid.UUID:
    """A second stable id for an object, reversible without a lookup table: flipped(flipped(u)) == u.

    Used for service_at_location, so `/service_at_locations/{id}` finds its service by index.
    """
    mask = uuid.uuid5(NS, kind).int & _KEEP_VERSION_AND_VARIANT
    return uuid.UUID(int=value.int ^ mask)


def sal_id(f) -> str:
    return str(flipped(f.uuid, "service_at_location"))


@dataclass(frozen=True)
class Related:
    """A fællesskab's tags and meeting times: from its prefetched managers (`related`), or loaded in
    bulk by the export (`selectors.export_batches`), which skips the ORM's per-row managers."""

    interesser: list
    maalgrupper: list
    tilgaengelighed: list
    moedetider: list


def related(f) -> Related:
    return Related(list(f.interesser.all()), list(f.maalgrupper.all()), list(f.tilgaengelighed.all()),
                   list(f.moedetider.all()))


@functools.cache
def taxonomy_id(type_: str) -> str:
    return str(uuid.uuid5(NS, f"taxonomy:{type_}"))


@functools.cache
def term_id(type_: str, slug: str) -> str:
    return str(uuid.uuid5(NS, f"term:{type_}:{slug}"))


def _clean(data: dict) -> dict:
    """HSDS fields are not nullable: leave out what we do not know."""
    return {key: value for key, value in data.items() if value is not None}


def taxonomy(type_: str) -> dict:
    return {"id": taxonomy_id(type_), "name": TAXONOMY_NAMES[type_], "description": TAXONOMY_DESCRIPTIONS[type_],
            "version": "1"}


def taxonomies() -> list[dict]:
    return [taxonomy(t) for t in [*EXPORTED_TYPES, ROLLE]]


def taxonomy_term(type_: str, slug: str, navn: str) -> dict:
    return {"id": term_id(type_, slug), "code": slug, "name": navn, "description": navn,
            "taxonomy": TAXONOMY_NAMES[type_], "taxonomy_id": taxonomy_id(type_), "language": "da"}


def tag_term(tag) -> dict:
    return taxonomy_term(tag.type, tag.slug, tag.navn)


def role_terms() -> list[dict]:
    return [taxonomy_term(ROLLE, slug, navn) for slug, navn in ROLE_TERMS.items()]


def _terms(f, rel: Related) -> list[dict]:
    terms = [tag_term(f.kategori)] if f.kategori_id else []
    for tags in (rel.interesser, rel.maalgrupper, rel.tilgaengelighed):
        terms += [tag_term(tag) for tag in sorted(tags, key=lambda t: t.slug)]
    roles = [slug for slug, on in (("deltager", f.for_deltagere), ("frivillig", f.for_frivillige),
                                   ("aaben-for-nye", f.aaben_for_nye)) if on]
    return terms + [taxonomy_term(ROLLE, slug, ROLE_TERMS[slug]) for slug in roles]


def _attribute(f, term: dict) -> dict:
    # The term itself is at /taxonomy_terms/{id}; nesting it in every attribute would triple the size of
    # a 10,000-service export.
    return {"id": derived(f.uuid, f"attribute:{term['id']}"), "link_id": str(f.uuid), "link_entity": "service",
            "taxonomy_term_id": term["id"]}


def _describe(m) -> str:
    return _description(get_language(), m.frekvens, m.ugedag, m.uge_i_maaned, m.fra, m.til)


@functools.lru_cache(maxsize=4096)
def _description(language, frekvens, ugedag, uge_i_maaned, fra, til) -> str:
    """str() of a meeting time, once per distinct time and language (its gettext calls add up in an export)."""
    return str(Moedetid(frekvens=frekvens, ugedag=ugedag, uge_i_maaned=uge_i_maaned, fra=fra, til=til))


def schedule(m, service_id: str) -> dict:
    data = {"id": str(m.uuid), "service_id": service_id, "wkst": "MO", "opens_at": m.fra.strftime("%H:%M"),
            "closes_at": m.til.strftime("%H:%M"), "description": _describe(m),
            "valid_from": m.gyldig_fra.isoformat() if m.gyldig_fra else None,
            "valid_to": m.gyldig_til.isoformat() if m.gyldig_til else None}
    day = BYDAY[m.ugedag]
    if m.frekvens == "MONTHLY":
        data.update(freq="MONTHLY", interval=1, byday=f"{m.uge_i_maaned}{day}")
    else:
        data.update(freq="WEEKLY", interval=2 if m.frekvens == "BIWEEKLY" else 1, byday=day)
        if m.frekvens == "BIWEEKLY" and m.gyldig_fra:
            data["dtstart"] = m.gyldig_fra.isoformat()  # which weeks: every other week from this date
    return _clean(data)


def location(f, rel: Related | None = None) -> dict:
    loc_id = derived(f.uuid, "location")
    pn = f.postnummer
    address = {"id": derived(f.uuid, "address"), "location_id": loc_id, "address_1": f.adresse,
               "city": pn.by, "state_province": "", "postal_code": pn.nr, "country": "DK",
               "address_type": "physical"}
    accessibility = [
        {"id": derived(f.uuid, f"accessibility:{tag.slug}"), "location_id": loc_id, "description": tag.navn,
         "details": tag.slug}
        for tag in sorted((rel or related(f)).tilgaengelighed, key=lambda t: t.slug)
    ]
    return _clean({
        "id": loc_id, "location_type": "physical", "organization_id": str(f.forening.uuid),
        "name": f.adresse or f"{pn.nr} {pn.by}", "latitude": f.lat, "longitude": f.lng,
        "addresses": [address], "accessibility": accessibility,
    })


def organization_brief(o) -> dict:
    return _clean({
        "id": str(o.uuid), "name": o.navn, "description": "", "email": o.email or None,
        "website": o.hjemmeside or None, "tax_id": o.cvr or None, "tax_status": None,
    })


def organization(o, services: list | None = None) -> dict:
    data = organization_brief(o)
    org_id = data["id"]
    data["phones"] = ([{"id": derived(o.uuid, "phone"), "organization_id": org_id, "number": str(o.telefon)}]
                      if o.telefon else [])
    data["organization_identifiers"] = (
        [{"id": derived(o.uuid, "cvr"), "organization_id": org_id, "identifier_scheme": "DK-CVR",
          "identifier_type": "CVR-nummer", "identifier": o.cvr}] if o.cvr else [])
    if o.adresse or o.postnummer_id:
        loc_id = derived(o.uuid, "location")
        address = _clean({"id": derived(o.uuid, "address"), "location_id": loc_id, "address_1": o.adresse,
                          "city": o.postnummer.by if o.postnummer_id else "", "state_province": "",
                          "postal_code": o.postnummer_id or "", "country": "DK", "address_type": "postal"})
        data["locations"] = [{"id": loc_id, "location_type": "postal", "organization_id": org_id,
                              "name": o.navn, "addresses": [address]}]
    else:
        data["locations"] = []
    if services is not None:
        data["services"] = services
    return data


def service_brief(f) -> dict:
    """The one-to-one fields (the `/services` list)."""
    return _clean({
        "id": str(f.uuid), "organization_id": str(f.forening.uuid), "name": f.titel,
        "description": f.beskrivelse, "status": "active" if f.status == "aktiv" else "temporarily closed",
        "application_process": f.velkomst or None, "minimum_age": f.alder_min, "maximum_age": f.alder_max,
        "fees_description": _fees(f), "assured_date": f.sidst_bekraeftet.isoformat() if f.sidst_bekraeftet else None,
        "last_modified": f.opdateret.isoformat(),
    })


def _fees(f) -> str:
    amount = "Gratis" if f.pris == 0 else f"{f.pris:.2f} kr.".replace(".", ",")
    return f"{amount} {f.pris_note}".strip()


def service_at_location(f, *, with_service: bool = False, full: bool = True, rel: Related | None = None) -> dict:
    rel = rel or related(f)
    data = {"id": sal_id(f), "service_id": str(f.uuid), "location_id": derived(f.uuid, "location"),
            "location": location(f, rel)}
    if full:
        data["schedules"] = [schedule(m, str(f.uuid)) | {"service_at_location_id": data["id"]} for m in rel.moedetider]
    if with_service:
        data["service"] = service_brief(f)
    return data


def service(f, rel: Related | None = None) -> dict:
    """A fully nested service. `rel`: its tags and meeting times, if not from prefetched managers."""
    rel = rel or related(f)
    data = service_brief(f)
    sid = data["id"]
    terms = _terms(f, rel)
    data["organization"] = organization_brief(f.forening)
    data["schedules"] = [schedule(m, sid) for m in rel.moedetider]
    data["service_at_locations"] = [service_at_location(f, full=False, rel=rel)]
    data["attributes"] = [_attribute(f, term) for term in terms]
    data["cost_options"] = [_clean({
        "id": derived(f.uuid, "cost"), "service_id": sid, "option": f.pris_note or None, "currency": "DKK",
        "amount": float(f.pris or Decimal(0)), "amount_description": _fees(f)})]
    if f.kapacitet is not None:
        data["capacities"] = [{"id": derived(f.uuid, "capacity"), "service_id": sid, "available": f.kapacitet,
                               "unit": {"id": str(uuid.uuid5(NS, "unit:pladser")), "name": "ledige pladser"},
                               "updated": f.opdateret.isoformat()}]
    return data


def event_service(e) -> dict:
    """A public arrangement (`foreninger.hooks.EventService`) as an HSDS service with a schedule per date."""
    tz = ZoneInfo(settings.TIME_ZONE)
    attending = "online" if e.online_link and not e.sted else "in_person"
    schedules = []
    for d in e.datoer:
        start, slut = d.start.astimezone(tz), d.slut.astimezone(tz)
        schedules.append(_clean({
            "id": d.uid, "service_id": e.uid, "valid_from": start.date().isoformat(),
            "valid_to": slut.date().isoformat(), "dtstart": start.date().isoformat(),
            "opens_at": start.strftime("%H:%M"), "closes_at": slut.strftime("%H:%M"),
            "description": f"{e.slags}: {start:%d.%m.%Y %H:%M}–{slut:%H:%M}" + (f", {e.sted}" if e.sted else ""),
            "attending_type": attending, "schedule_link": e.url}))
    return _clean({
        "id": e.uid, "name": e.titel, "alternate_name": e.slags, "description": e.beskrivelse or e.titel,
        "url": e.url, "email": e.center_email or None, "status": "active",
        "eligibility_description": e.maalgruppe or None, "application_process": f"Tilmelding: {e.url}",
        "last_modified": e.opdateret.isoformat(), "schedules": schedules,
    })
