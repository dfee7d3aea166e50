"""Checking parsed rows against a centre (the dry run) and writing them all at once (the import).

`check()` reads the centre's existing foreninger and fællesskaber once, matches rows by external
id (or by our own UUID, so re-importing our own export updates in place), validates every row with
the models' own validation (`full_clean`: lengths, e-mail, phone, coordinates, ages, meeting times)
plus CVR and real postal codes, and returns a `Plan`. `apply()` writes a plan with bulk queries in
the caller's transaction. Neither runs a query per row.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils import timezone
from django.utils.translation import gettext as _
from stdnum.dk import cvr as stdnum_cvr

from brobygning.models import AuditAction, AuditEntry, Postnummer, Tag, TagType

from ..models import Faellesskab, Forening, Moedetid
from . import parse, serialize
from .parse import FaellesskabRow, ForeningRow, Parsed, RowError

TAG_FIELDS = {TagType.INTERESSE: "interesser", TagType.UDFORDRING: "maalgrupper",
              TagType.TILGAENGELIGHED: "tilgaengelighed"}
FORENING_FIELDS = ["navn", "cvr", "email", "telefon", "adresse", "postnummer", "hjemmeside"]
FAELLESSKAB_FIELDS = ["forening", "titel", "beskrivelse", "velkomst", "kategori", "adresse", "postnummer", "lat",
                      "lng", "alder_min", "alder_max", "for_deltagere", "for_frivillige", "aaben_for_nye",
                      "kapacitet", "pris", "pris_note", "status", "sidst_bekraeftet"]
MOEDE_KEY = ("frekvens", "ugedag", "uge_i_maaned", "fra", "til", "gyldig_fra", "gyldig_til")
PREVIEW_ROWS = 50
PROGRESS_EVERY = 250


@dataclass
class Item:
    obj: Forening | Faellesskab
    raekke: int
    action: str  # "opret", "opdater" or "uaendret"
    tags: dict[str, list] = field(default_factory=dict)
    moedetider: list[Moedetid] | None = None  # None: leave the meeting times alone


@dataclass
class Plan:
    foreninger: list[Item] = field(default_factory=list)
    faellesskaber: list[Item] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def count(self, items, action):
        return sum(1 for item in items if item.action == action)

    def summary(self) -> dict:
        return {
            "foreninger": {a: self.count(self.foreninger, a) for a in ("opret", "opdater", "uaendret")},
            "faellesskaber": {a: self.count(self.faellesskaber, a) for a in ("opret", "opdater", "uaendret")},
            "fejl": [e.as_dict() for e in sorted(self.errors, key=lambda e: e.raekke)[:500]],
            "antal_fejl": len(self.errors),
            "advarsler": self.warnings[:50],
            "eksempler": [
                {"raekke": i.raekke, "handling": i.action, "titel": i.obj.titel, "forening": i.obj.forening.navn}
                for i in self.faellesskaber if i.action != "uaendret"
            ][:PREVIEW_ROWS],
        }


class _Terms:
    """Every taxonomy term, looked up by our term id, by code or by name."""

    def __init__(self):
        self.by_id, self.by_key = {}, {}
        for tag in Tag.objects.filter(aktiv=True):
            self.by_id[serialize.term_id(tag.type, tag.slug)] = tag
            for key in (tag.slug.lower(), tag.navn.lower()):
                self.by_key.setdefault((tag.type, key), tag)
                self.by_key.setdefault((None, key), tag)

    def find(self, ref: parse.TermRef):
        if ref.id and ref.id in self.by_id:
            return self.by_id[ref.id]
        for key in (ref.code.lower(), ref.name.lower()):
            if key and (tag := self.by_key.get((ref.taxonomy or None, key))):
                return tag
        return None


def _existing(model, center_id, ids: list[str]) -> dict[str, object]:
    """The centre's rows matched by external id, or by our own UUID (our own export, imported again)."""
    found = {}
    uuids = []
    for value in ids:
        with contextlib.suppress(ValueError):
            uuids.append(uuid.UUID(value))
    qs = model.objects.filter(center_id=center_id)
    for chunk_start in range(0, max(len(ids), 1), 5000):
        chunk = ids[chunk_start:chunk_start + 5000]
        for obj in qs.filter(ekstern_id__in=chunk):
            found[obj.ekstern_id] = obj
    for chunk_start in range(0, len(uuids), 5000):
        for obj in qs.filter(uuid__in=uuids[chunk_start:chunk_start + 5000]):
            found.setdefault(str(obj.uuid), obj)
    return found


def _messages(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {name: [m for e in errors for m in e.messages] for name, errors in error.error_dict.items()}
    return {"": error.messages}


def _attnames(model, names) -> list[str]:
    return [model._meta.get_field(name).attname for name in names]


def _snapshot(obj, attnames) -> dict:
    values = {name: obj.__dict__.get(name) for name in attnames}
    if values.get("telefon"):
        values["telefon"] = str(values["telefon"])
    return values


def _changed(obj, attnames, before) -> bool:
    return _snapshot(obj, attnames) != before


FORENING_ATTNAMES = _attnames(Forening, FORENING_FIELDS)
FAELLESSKAB_ATTNAMES = _attnames(Faellesskab, FAELLESSKAB_FIELDS)


def check(center_id: int, parsed: Parsed, progress: Callable[[int], None] = lambda done: None) -> Plan:
    plan = Plan(errors=list(parsed.errors))
    postnumre = {p.nr: p for p in Postnummer.objects.all()}
    terms = _Terms()
    url_validator = URLValidator()
    foreninger = _existing(Forening, center_id, list(parsed.foreninger))
    faellesskaber = _existing(Faellesskab, center_id, [r.ekstern_id for r in parsed.faellesskaber])
    moedetider_before = {}
    if faellesskaber:
        ids = [f.pk for f in faellesskaber.values()]
        for start in range(0, len(ids), 5000):
            for m in Moedetid.objects.filter(faellesskab_id__in=ids[start:start + 5000]):
                moedetider_before.setdefault(m.faellesskab_id, set()).add(tuple(getattr(m, k) for k in MOEDE_KEY))
    tags_before = _tags_before(list(faellesskaber.values()))

    forening_objs = {}
    for row in parsed.foreninger.values():
        item = _check_forening(center_id, row, foreninger.get(row.ekstern_id), postnumre, url_validator, plan)
        if item:
            plan.foreninger.append(item)
            forening_objs[row.ekstern_id] = item.obj
    done = len(parsed.foreninger)
    progress(done)
    for row in parsed.faellesskaber:
        item = _check_faellesskab(center_id, row, faellesskaber.get(row.ekstern_id), forening_objs, postnumre,
                                  terms, moedetider_before, tags_before, plan)
        if item:
            plan.faellesskaber.append(item)
        done += 1
        if done % PROGRESS_EVERY == 0:
            progress(done)
    progress(done)
    return plan


def _tags_before(objs) -> dict[int, dict[str, set]]:
    result = {obj.pk: {name: set() for name in TAG_FIELDS.values()} for obj in objs}
    ids = list(result)
    for name in TAG_FIELDS.values():
        through = getattr(Faellesskab, name).through
        for start in range(0, len(ids), 5000):
            for faellesskab_id, tag_id in through.objects.filter(
                    faellesskab_id__in=ids[start:start + 5000]).values_list("faellesskab_id", "tag_id"):
                result[faellesskab_id][name].add(tag_id)
    return result


def _row_errors(plan, row, error_map, labels):
    for name, messages in error_map.items():
        for message in messages:
            plan.errors.append(RowError(row.raekke, labels.get(name, name), message))


def _check_forening(center_id, row: ForeningRow, existing, postnumre, url_validator, plan) -> Item | None:
    data, errors = row.data, {}
    obj = existing or Forening(center_id=center_id, ekstern_id=row.ekstern_id)
    before = _snapshot(obj, FORENING_ATTNAMES) if existing else None
    cvr = stdnum_cvr.compact(str(data.get("cvr") or ""))
    if cvr and not stdnum_cvr.is_valid(cvr):
        errors["cvr"] = [_("CVR-nummeret er ikke gyldigt. Tjek de 8 cifre.")]
    website = str(data.get("hjemmeside") or "")
    if website and "://" not in website:
        website = f"https://{website}"
    if website:
        try:
            url_validator(website)
        except ValidationError:
            errors["hjemmeside"] = [_("Skriv en gyldig adresse, fx https://eksempel.dk.")]
    pn = str(data.get("postnummer") or "")
    if pn and pn not in postnumre:
        errors["postnummer"] = [_("Postnummeret findes ikke i Danmark. Skriv fire cifre, fx 5000.")]
    obj.navn = str(data.get("navn") or "")
    obj.cvr = cvr
    obj.email = str(data.get("email") or "")
    obj.telefon = str(data.get("telefon") or "")
    obj.adresse = str(data.get("adresse") or "")
    obj.hjemmeside = website
    obj.postnummer = postnumre.get(pn)
    try:
        obj.full_clean(exclude=["center", "postnummer", "cvr", "hjemmeside"], validate_unique=False,
                       validate_constraints=False)
    except ValidationError as error:
        errors.update(_messages(error))
    if errors:
        _row_errors(plan, row, errors, row.labels)
        return None
    if existing is None:
        action = "opret"
    else:
        action = "opdater" if _changed(obj, FORENING_ATTNAMES, before) or obj.arkiveret else "uaendret"
        obj.arkiveret = None
    return Item(obj, row.raekke, action)


def _check_faellesskab(center_id, row: FaellesskabRow, existing, forening_objs, postnumre, terms,
                       moedetider_before, tags_before, plan) -> Item | None:
    plan.errors += row.errors
    data, errors = row.data, {}
    forening = forening_objs.get(row.forening_id)
    if forening is None and not any(e.felt == "organization" for e in row.errors):
        errors["forening"] = [_("Foreningen '%(id)s' har fejl og kan ikke importeres; ret dem først.")
                              % {"id": row.forening_id}]
    obj = existing or Faellesskab(center_id=center_id, ekstern_id=row.ekstern_id)
    before = _snapshot(obj, FAELLESSKAB_ATTNAMES) if existing else None
    if forening is not None:
        obj.forening = forening
    pn = str(data.get("postnummer") or "")
    if not pn:
        errors["postnummer"] = [_("Skal udfyldes: fællesskabets postnummer.")]
    elif pn not in postnumre:
        errors["postnummer"] = [_("Postnummeret findes ikke i Danmark. Skriv fire cifre, fx 5000.")]
    obj.postnummer = postnumre.get(pn)
    for name, convert in (("alder_min", parse.to_int), ("alder_max", parse.to_int), ("kapacitet", parse.to_int),
                          ("lat", parse.to_float), ("lng", parse.to_float), ("pris", parse.to_decimal),
                          ("sidst_bekraeftet", parse.to_date)):
        try:
            setattr(obj, name, convert(data.get(name)))
        except ValueError as error:
            errors[name] = [str(error)]
            setattr(obj, name, None)
    for name in ("titel", "beskrivelse", "velkomst", "pris_note", "adresse"):
        setattr(obj, name, str(data.get(name) or ""))
    obj.status = data.get("status") or "aktiv"
    for name, default in (("for_deltagere", True), ("for_frivillige", False), ("aaben_for_nye", True)):
        if row.roles is not None:
            value = {"for_deltagere": "deltager", "for_frivillige": "frivillig", "aaben_for_nye": "aaben-for-nye"}[name]
            setattr(obj, name, value in row.roles)
        else:
            try:
                setattr(obj, name, parse.to_bool(data.get(name), default))
            except ValueError as error:
                errors[name] = [str(error)]
    # Taxonomy terms: the category (one) and the three tag sets.
    tags = {name: [] for name in TAG_FIELDS.values()}
    kategori = None
    unknown = []
    for ref in row.terms:
        tag = terms.find(ref)
        if tag is None:
            unknown.append(ref.name or ref.code or ref.id)
        elif tag.type == TagType.KATEGORI:
            if kategori is not None and kategori != tag:
                errors["kategori"] = [_("Kun én kategori pr. fællesskab.")]
            kategori = tag
        elif tag.type in TAG_FIELDS and tag not in tags[TAG_FIELDS[tag.type]]:
            tags[TAG_FIELDS[tag.type]].append(tag)
    if unknown:
        plan.warnings.append(_("Række %(nr)s: ukendte termer sprunget over: %(termer)s")
                             % {"nr": row.raekke, "termer": ", ".join(sorted(set(unknown)))[:200]})
    obj.kategori = kategori
    if obj.pris is None:
        obj.pris = 0
    try:
        obj.full_clean(exclude=["center", "forening", "postnummer", "kategori", *errors], validate_unique=False,
                       validate_constraints=False)
    except ValidationError as error:
        errors.update(_messages(error))
    moedetider = []
    for index, raw in enumerate(row.moedetider, start=1):
        try:
            m = Moedetid(frekvens=raw["frekvens"], ugedag=raw["ugedag"], uge_i_maaned=raw["uge_i_maaned"],
                         fra=parse.to_time(raw["fra"]), til=parse.to_time(raw["til"]),
                         gyldig_fra=parse.to_date(raw["gyldig_fra"]), gyldig_til=parse.to_date(raw["gyldig_til"]))
            m.full_clean(exclude=["faellesskab"], validate_unique=False, validate_constraints=False)
        except ValueError as error:
            errors[f"moedetid {index}"] = [str(error)]
            continue
        except ValidationError as error:
            errors[f"moedetid {index}"] = [m for ms in _messages(error).values() for m in ms]
            continue
        moedetider.append(m)
    if errors or row.errors:
        _row_errors(plan, row, errors, row.labels)
        return None
    if existing is None:
        return Item(obj, row.raekke, "opret", tags=tags, moedetider=moedetider)
    new_moeder = {tuple(getattr(m, k) for k in MOEDE_KEY) for m in moedetider}
    moeder_changed = new_moeder != moedetider_before.get(obj.pk, set())
    old_tags = tags_before.get(obj.pk, {})
    tags_changed = any({t.pk for t in tags[name]} != old_tags.get(name, set()) for name in tags)
    changed = _changed(obj, FAELLESSKAB_ATTNAMES, before) or moeder_changed or tags_changed or obj.arkiveret
    obj.arkiveret = None
    return Item(obj, row.raekke, "opdater" if changed else "uaendret",
                tags=tags if tags_changed else {}, moedetider=moedetider if moeder_changed else None)


def apply(plan: Plan, *, actor_id) -> dict:
    """Write the plan with bulk queries. The caller holds the transaction (all or nothing)."""
    now = timezone.now()
    new_foreninger = [i.obj for i in plan.foreninger if i.action == "opret"]
    changed_foreninger = [i.obj for i in plan.foreninger if i.action == "opdater"]
    Forening.objects.bulk_create(new_foreninger, batch_size=1000)
    for obj in changed_foreninger:
        obj.opdateret = now
    Forening.objects.bulk_update(changed_foreninger, [*FORENING_FIELDS, "arkiveret", "opdateret"], batch_size=1000)

    new_items = [i for i in plan.faellesskaber if i.action == "opret"]
    changed_items = [i for i in plan.faellesskaber if i.action == "opdater"]
    for item in new_items + changed_items:
        item.obj.forening = item.obj.forening  # the forening may have been created just now: take its new pk
    Faellesskab.objects.bulk_create([i.obj for i in new_items], batch_size=1000)
    for item in changed_items:
        item.obj.opdateret = now
    Faellesskab.objects.bulk_update([i.obj for i in changed_items], [*FAELLESSKAB_FIELDS, "arkiveret", "opdateret"],
                                    batch_size=1000)

    retag = [i for i in new_items + changed_items if i.tags]
    for name in TAG_FIELDS.values():
        through = getattr(Faellesskab, name).through
        ids = [i.obj.pk for i in retag if i.action == "opdater"]
        for start in range(0, len(ids), 5000):
            through.objects.filter(faellesskab_id__in=ids[start:start + 5000]).delete()
        through.objects.bulk_create([through(faellesskab_id=i.obj.pk, tag_id=tag.pk) for i in retag
                                     for tag in i.tags[name]], batch_size=5000)
    remeet = [i for i in new_items + changed_items if i.moedetider is not None]
    ids = [i.obj.pk for i in remeet if i.action == "opdater"]
    for start in range(0, len(ids), 5000):
        Moedetid.objects.filter(faellesskab_id__in=ids[start:start + 5000]).delete()
    moeder = []
    for item in remeet:
        for m in item.moedetider:
            m.faellesskab_id = item.obj.pk
            moeder.append(m)
    Moedetid.objects.bulk_create(moeder, batch_size=5000)

    entries = [AuditEntry(center_id=i.obj.center_id, actor_id=actor_id, tidspunkt=now,
                          handling=AuditAction(f"{i.obj._meta.model_name}.{'importeret' if i.action == 'opret' else 'aendret_ved_import'}"),
                          objekt_type=i.obj._meta.model_name, objekt_id=str(i.obj.pk), felter=[])
               for i in plan.foreninger + plan.faellesskaber if i.action != "uaendret"]
    AuditEntry.objects.bulk_create(entries, batch_size=5000)
    return plan.summary()
