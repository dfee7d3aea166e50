"""Reading an uploaded file into rows: HSDS 3.0 JSON or our CSV template.

A file that cannot be read at all (wrong encoding, wrong columns, broken or schema-invalid JSON)
raises `FileRejected` with one Danish message. Problems in single rows become `RowError`s, so the
dry run can list them all.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from . import schemas, serialize

MAX_SCHEMA_ERRORS = 20


class FileRejected(Exception):
    """The whole file is unusable; the message says why, in Danish."""


@dataclass
class RowError:
    raekke: int
    felt: str
    fejl: str

    def as_dict(self):
        return {"raekke": self.raekke, "felt": self.felt, "fejl": str(self.fejl)}


@dataclass
class TermRef:
    """A taxonomy term as a file names it: our term id, or a taxonomy plus a code or a name."""

    id: str = ""
    code: str = ""
    name: str = ""
    taxonomy: str = ""  # our TagType value, when known


@dataclass
class ForeningRow:
    raekke: int
    ekstern_id: str
    data: dict  # model field -> raw value (strings, as in the file)
    labels: dict  # model field -> the file's name for it, for error messages


@dataclass
class FaellesskabRow:
    raekke: int
    ekstern_id: str
    forening_id: str
    data: dict
    labels: dict
    terms: list[TermRef] = field(default_factory=list)
    roles: set[str] | None = None  # role terms; None when the file says nothing about roles
    moedetider: list[dict] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


@dataclass
class Parsed:
    foreninger: dict[str, ForeningRow] = field(default_factory=dict)
    faellesskaber: list[FaellesskabRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


# --- CSV -------------------------------------------------------------------------------------------

CSV_COLUMNS = [
    # (column, model field or special, required, what it holds: shown on the import page)
    ("forening_id", None, True, "Foreningens id i jeres system (samme id på alle foreningens rækker)."),
    ("forening_navn", "navn", True, "Foreningens navn."),
    ("forening_cvr", "cvr", False, "CVR-nummer, 8 cifre."),
    ("forening_email", "email", False, "Foreningens e-mail."),
    ("forening_telefon", "telefon", False, "Foreningens telefon, fx 20 12 34 56."),
    ("forening_adresse", "adresse", False, "Foreningens adresse."),
    ("forening_postnummer", "postnummer", False, "Foreningens postnummer."),
    ("forening_hjemmeside", "hjemmeside", False, "Foreningens hjemmeside, fx https://eksempel.dk."),
    ("faellesskab_id", None, False, "Fællesskabets id. Tom: rækken beskriver kun foreningen."),
    ("titel", "titel", False, "Fællesskabets titel (skal udfyldes, når der er et fællesskabs-id)."),
    ("beskrivelse", "beskrivelse", False, "Beskrivelse."),
    ("velkomst", "velkomst", False, "Sådan bliver du taget imod."),
    ("kategori", None, False, "Én kategori: navn eller kode, fx 'Musik og sang'."),
    ("interesser", None, False, "Interesser adskilt af |."),
    ("maalgrupper", None, False, "Udfordringer og målgrupper adskilt af |, fx 'ensomhed|angst'."),
    ("tilgaengelighed", None, False, "Tilgængelighed adskilt af |, fx 'Kørestolsadgang|Små hold'."),
    ("adresse", "adresse", False, "Hvor fællesskabet mødes."),
    ("postnummer", "postnummer", False, "Mødestedets postnummer (skal udfyldes for fællesskaber)."),
    ("lat", "lat", False, "Breddegrad, fx 55.3959 (valgfri)."),
    ("lng", "lng", False, "Længdegrad, fx 10.3883 (valgfri)."),
    ("alder_min", "alder_min", False, "Alder fra."),
    ("alder_max", "alder_max", False, "Alder til."),
    ("for_deltagere", "for_deltagere", False, "ja/nej: søger deltagere (standard ja)."),
    ("for_frivillige", "for_frivillige", False, "ja/nej: søger frivillige (standard nej)."),
    ("aaben_for_nye", "aaben_for_nye", False, "ja/nej: åben for nye (standard ja)."),
    ("kapacitet", "kapacitet", False, "Ledige pladser; tom betyder ingen grænse."),
    ("pris", "pris", False, "Pris i kroner, fx 25 eller 25,50; tom eller 0 er gratis."),
    ("pris_note", "pris_note", False, "Om prisen, fx 'pr. gang'."),
    ("sidst_bekraeftet", "sidst_bekraeftet", False, "Dato oplysningerne sidst blev bekræftet, ÅÅÅÅ-MM-DD."),
    ("moedetider", None, False,
     "Mødetider adskilt af |: 'mandag 17:00-19:00' (hver uge), 'hver anden onsdag 10:00-12:00 fra 2026-01-07', "
     "'første tirsdag 10:00-12:00' eller 'sidste fredag 9:30-11:00' (hver måned)."),
]
CSV_HEADER = [column for column, *_rest in CSV_COLUMNS]
FORENING_COLUMNS = {c: f for c, f, *_r in CSV_COLUMNS if c.startswith("forening_") and f}
FAELLESSKAB_COLUMNS = {c: f for c, f, *_r in CSV_COLUMNS if not c.startswith("forening_") and f}

WEEKDAY_NAMES = {"mandag": 0, "tirsdag": 1, "onsdag": 2, "torsdag": 3, "fredag": 4, "lørdag": 5, "søndag": 6,
                 "man": 0, "tir": 1, "ons": 2, "tor": 3, "fre": 4, "lør": 5, "søn": 6}
NTH = {"første": 1, "1.": 1, "anden": 2, "2.": 2, "tredje": 3, "3.": 3, "fjerde": 4, "4.": 4, "sidste": -1}
_MOEDE_RE = re.compile(
    r"^\s*(?:(?P<hver>hver anden)\s+|(?P<nth>første|anden|tredje|fjerde|sidste|[1-4]\.)\s+)?(?P<dag>\w+)\s+"
    r"(?P<fra>\d{1,2}[:.]\d{2})\s*[-–]\s*(?P<til>\d{1,2}[:.]\d{2})"
    r"(?:\s+fra\s+(?P<gyldig_fra>\d{4}-\d{2}-\d{2}))?(?:\s+til\s+(?P<gyldig_til>\d{4}-\d{2}-\d{2}))?\s*$",
    re.IGNORECASE,
)


def _decode(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRejected(_(
            "Filen er ikke gemt som UTF-8. Gem den igen som 'CSV UTF-8 (kommasepareret)' i Excel, eller vælg "
            "UTF-8 i dit regneark, og prøv igen."
        )) from None


def parse_csv(content: bytes) -> Parsed:
    text = _decode(content)
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in CSV_HEADER if c not in header]
    unknown = [h for h in header if h and h not in CSV_HEADER]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(_("Disse kolonner mangler: %(cols)s.") % {"cols": ", ".join(missing)})
        if unknown:
            parts.append(_("Disse kolonner kender vi ikke: %(cols)s.") % {"cols": ", ".join(unknown)})
        raise FileRejected(" ".join(parts) + " " + _("Hent skabelonen på siden og brug dens kolonneoverskrifter."))
    reader.fieldnames = header
    parsed = Parsed()
    seen_faellesskab: dict[str, int] = {}
    for number, raw in enumerate(reader, start=2):  # line 1 is the header
        if None in raw:
            parsed.errors.append(RowError(number, "", _("Rækken har flere felter end der er kolonner.")))
            continue
        row = {k: (v or "").strip() for k, v in raw.items()}
        if not any(row.values()):
            continue
        forening_id = row["forening_id"]
        if not forening_id:
            parsed.errors.append(RowError(number, "forening_id", _("Skal udfyldes.")))
            continue
        forening = parsed.foreninger.get(forening_id)
        if forening is None:
            parsed.foreninger[forening_id] = ForeningRow(
                number, forening_id, {f: row[c] for c, f in FORENING_COLUMNS.items()},
                {f: c for c, f in FORENING_COLUMNS.items()})
        elif row["forening_navn"] and row["forening_navn"] != forening.data["navn"]:
            parsed.errors.append(RowError(number, "forening_navn", _(
                "Samme forening_id som række %(nr)s, men et andet navn.") % {"nr": forening.raekke}))
        fid = row["faellesskab_id"]
        if not fid:
            continue
        if fid in seen_faellesskab:
            parsed.errors.append(RowError(number, "faellesskab_id", _(
                "Id'et '%(id)s' står flere gange i filen (også i række %(nr)s).") % {"id": fid, "nr": seen_faellesskab[fid]}))
            continue
        seen_faellesskab[fid] = number
        parsed.faellesskaber.append(_csv_faellesskab(number, fid, forening_id, row))
    if not parsed.foreninger and not parsed.errors:
        raise FileRejected(_("Filen har ingen rækker under overskrifterne."))
    return parsed


def _csv_faellesskab(number, fid, forening_id, row) -> FaellesskabRow:
    fr = FaellesskabRow(number, fid, forening_id, {f: row[c] for c, f in FAELLESSKAB_COLUMNS.items()},
                        {f: c for c, f in FAELLESSKAB_COLUMNS.items()})
    for column, tag_type in (("kategori", "kategori"), ("interesser", "interesse"),
                             ("maalgrupper", "udfordring"), ("tilgaengelighed", "tilgaengelighed")):
        for value in filter(None, (v.strip() for v in row[column].split("|"))):
            fr.terms.append(TermRef(code=value, name=value, taxonomy=tag_type))
    for part in filter(None, (p.strip() for p in row["moedetider"].split("|"))):
        moede = parse_moedetid(part)
        if moede is None:
            fr.errors.append(RowError(number, "moedetider", _(
                "Forstår ikke mødetiden '%(tekst)s'. Skriv fx 'mandag 17:00-19:00'.") % {"tekst": part}))
        else:
            fr.moedetider.append(moede)
    return fr


def parse_moedetid(text: str) -> dict | None:
    match = _MOEDE_RE.match(text)
    if not match or match["dag"].lower() not in WEEKDAY_NAMES:
        return None
    if match["hver"]:
        frekvens = "BIWEEKLY"
    elif match["nth"]:
        frekvens = "MONTHLY"
    else:
        frekvens = "WEEKLY"
    return {"frekvens": frekvens, "ugedag": WEEKDAY_NAMES[match["dag"].lower()],
            "uge_i_maaned": NTH[match["nth"].lower()] if match["nth"] else None,
            "fra": match["fra"].replace(".", ":"), "til": match["til"].replace(".", ":"),
            "gyldig_fra": match["gyldig_fra"] or None, "gyldig_til": match["gyldig_til"] or None}


# --- HSDS ------------------------------------------------------------------------------------------

_TAXONOMY_BY_ID = {serialize.taxonomy_id(t): str(t) for t in [*serialize.EXPORTED_TYPES, serialize.ROLLE]}
_TAXONOMY_BY_NAME = {serialize.TAXONOMY_NAMES[t].lower(): str(t) for t in [*serialize.EXPORTED_TYPES, serialize.ROLLE]}
_BYDAY = {code: i for i, code in enumerate(serialize.BYDAY)}
_BYDAY_RE = re.compile(r"^(?P<nth>-1|[1-4])?(?P<day>MO|TU|WE|TH|FR|SA|SU)$")


def parse_hsds(content: bytes, *, validate: bool = True) -> Parsed:
    """`validate=False` skips the schema check: for the import of a file its dry run has already checked."""
    try:
        return _parse_hsds(content, validate=validate)
    except RecursionError:
        # Arrays or objects nested thousands deep: json (and the schema check) give up with a
        # RecursionError, which would leave the job in "tjekker" for good (issue 11).
        raise FileRejected(_("Filen er indlejret for dybt (lister eller objekter inden i hinanden) til at være "
                             "en HSDS-fil. Tjek, at det er den rigtige fil.")) from None


def _parse_hsds(content: bytes, *, validate: bool) -> Parsed:
    try:
        data = json.loads(content.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise FileRejected(_("Filen er ikke gemt som UTF-8, som JSON skal være.")) from None
    except json.JSONDecodeError as error:
        raise FileRejected(_("Filen er ikke gyldig JSON (linje %(linje)s, tegn %(tegn)s: %(fejl)s).")
                           % {"linje": error.lineno, "tegn": error.colno, "fejl": error.msg}) from None
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        data = data["contents"]  # a page from an HSDS API
    elif isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not data or not all(isinstance(item, dict) for item in data):
        raise FileRejected(_("Filen skal indeholde en liste af HSDS-services eller -organizations."))
    is_orgs = all("services" in item for item in data)
    schema = "organization" if is_orgs else "service"
    problems = []
    for index, item in enumerate(data if validate else [], start=1):
        problems += [f"#{index} {p}" for p in schemas.fast_errors(schema, item)]
        if len(problems) >= MAX_SCHEMA_ERRORS:
            break
    if problems:
        raise FileRejected(_("Filen følger ikke HSDS 3.0-skemaet for %(schema)s: %(fejl)s")
                           % {"schema": schema, "fejl": "; ".join(problems[:MAX_SCHEMA_ERRORS])})
    parsed = Parsed()
    seen: dict[str, int] = {}
    if is_orgs:
        seen_orgs: dict[str, int] = {}
        for index, org in enumerate(data, start=1):
            if org["id"] in seen_orgs:
                parsed.errors.append(RowError(index, "id", _("Organization-id'et '%(id)s' står flere gange i filen "
                                                             "(også som nr. %(nr)s).") % {"id": org["id"], "nr": seen_orgs[org["id"]]}))
                continue
            seen_orgs[org["id"]] = index
            parsed.foreninger[org["id"]] = _hsds_forening(index, org)
            for service in org.get("services") or []:
                _add_service(parsed, seen, index, service, org["id"])
    else:
        for index, service in enumerate(data, start=1):
            org = service.get("organization") or {}
            org_id = org.get("id") or service.get("organization_id") or ""
            if org.get("id") and org_id not in parsed.foreninger:
                parsed.foreninger[org_id] = _hsds_forening(index, org)
            _add_service(parsed, seen, index, service, org_id)
    return parsed


def _add_service(parsed, seen, index, service, org_id):
    if service["id"] in seen:
        parsed.errors.append(RowError(index, "id", _("Service-id'et '%(id)s' står flere gange i filen (også som "
                                                     "nr. %(nr)s).") % {"id": service["id"], "nr": seen[service["id"]]}))
        return
    seen[service["id"]] = index
    row = _hsds_service(index, service, org_id)
    if not org_id or org_id not in parsed.foreninger:
        row.errors.append(RowError(index, "organization", _("Servicen har ingen organization (forening) i filen.")))
    parsed.faellesskaber.append(row)


def _hsds_forening(index, org) -> ForeningRow:
    cvr = org.get("tax_id") or next((i.get("identifier", "") for i in org.get("organization_identifiers") or []
                                     if "cvr" in f"{i.get('identifier_scheme', '')} {i.get('identifier_type', '')}".lower()), "")
    address = next((a for loc in org.get("locations") or [] for a in loc.get("addresses") or []), {})
    phone = next((p.get("number", "") for p in org.get("phones") or []), "")
    data = {"navn": org.get("name", ""), "cvr": cvr or "", "email": org.get("email") or "", "telefon": phone,
            "hjemmeside": org.get("website") or "", "adresse": address.get("address_1") or "",
            "postnummer": address.get("postal_code") or ""}
    labels = {"navn": "name", "cvr": "tax_id", "email": "email", "telefon": "phones", "hjemmeside": "website",
              "adresse": "locations.addresses.address_1", "postnummer": "locations.addresses.postal_code"}
    return ForeningRow(index, org["id"], data, labels)


_STATUS = {"active": "aktiv", "temporarily closed": "pause", "inactive": "ophoert", "defunct": "ophoert"}


def _hsds_service(index, s, org_id) -> FaellesskabRow:
    sals = s.get("service_at_locations") or []
    location = next((sal.get("location") for sal in sals if sal.get("location")), None) or {}
    address = next(iter(location.get("addresses") or []), {})
    cost = next(iter(s.get("cost_options") or []), {})
    capacity = next(iter(s.get("capacities") or []), {}) if isinstance(s.get("capacities"), list) else {}
    data = {
        "titel": s.get("name", ""), "beskrivelse": s.get("description") or "",
        "velkomst": s.get("application_process") or "", "status": _STATUS.get(s.get("status"), "aktiv"),
        "alder_min": s.get("minimum_age"), "alder_max": s.get("maximum_age"),
        "sidst_bekraeftet": s.get("assured_date") or None,
        "adresse": address.get("address_1") or "", "postnummer": address.get("postal_code") or "",
        "lat": location.get("latitude"), "lng": location.get("longitude"),
        "kapacitet": capacity.get("available") if isinstance(capacity, dict) else None,
        "pris": cost.get("amount", 0) if cost.get("amount") is not None else 0,
        "pris_note": cost.get("option") or "",
    }
    labels = {"titel": "name", "beskrivelse": "description", "velkomst": "application_process", "status": "status",
              "alder_min": "minimum_age", "alder_max": "maximum_age", "sidst_bekraeftet": "assured_date",
              "adresse": "address_1", "postnummer": "postal_code", "lat": "latitude", "lng": "longitude",
              "kapacitet": "capacities.available", "pris": "cost_options.amount", "pris_note": "cost_options.option"}
    row = FaellesskabRow(index, s["id"], org_id, data, labels)
    roles = set()
    for attribute in s.get("attributes") or []:
        term = attribute.get("taxonomy_term") or {}
        tax = _TAXONOMY_BY_ID.get(term.get("taxonomy_id", "")) or _TAXONOMY_BY_NAME.get(str(term.get("taxonomy", "")).lower(), "")
        ref = TermRef(id=attribute.get("taxonomy_term_id") or term.get("id") or "", code=term.get("code") or "",
                      name=term.get("name") or "", taxonomy=tax)
        if tax == serialize.ROLLE or ref.id in _ROLE_IDS:
            roles.add(ref.code or _ROLE_IDS.get(ref.id, ""))
        else:
            row.terms.append(ref)
    row.roles = roles or None
    for accessibility in location.get("accessibility") or []:
        row.terms.append(TermRef(code=accessibility.get("details") or "", name=accessibility.get("description") or "",
                                 taxonomy="tilgaengelighed"))
    schedules = list(s.get("schedules") or []) + [x for sal in sals for x in sal.get("schedules") or []]
    seen_schedules = set()
    for number, sched in enumerate(schedules):
        if sched.get("id") in seen_schedules:
            continue
        seen_schedules.add(sched.get("id"))
        moede = _hsds_schedule(sched)
        if isinstance(moede, str):
            row.errors.append(RowError(index, f"schedules[{number}]", moede))
        else:
            row.moedetider += moede
    return row


_ROLE_IDS = {serialize.term_id(serialize.ROLLE, slug): slug for slug in serialize.ROLE_TERMS}


def _hsds_schedule(s) -> list[dict] | str:
    """One HSDS schedule as our meeting times (one per weekday), or a Danish reason it cannot be."""
    freq, interval = s.get("freq"), s.get("interval") or 1
    if not (s.get("byday") and s.get("opens_at") and s.get("closes_at")):
        return _("Mødetiden skal have byday, opens_at og closes_at.")
    if freq == "WEEKLY" and interval in (1, 2):
        frekvens = "WEEKLY" if interval == 1 else "BIWEEKLY"
    elif freq == "MONTHLY" and interval == 1:
        frekvens = "MONTHLY"
    else:
        return _("Kun ugentlige, hver anden uge og månedlige mødetider kan importeres.")
    result = []
    for part in str(s["byday"]).split(","):
        match = _BYDAY_RE.match(part.strip().upper())
        if not match or (frekvens == "MONTHLY") != bool(match["nth"]):
            return _("Forstår ikke byday '%(byday)s'.") % {"byday": s["byday"]}
        result.append({"frekvens": frekvens, "ugedag": _BYDAY[match["day"]],
                       "uge_i_maaned": int(match["nth"]) if match["nth"] else None,
                       "fra": _hsds_time(s["opens_at"]), "til": _hsds_time(s["closes_at"]),
                       "gyldig_fra": s.get("valid_from") or (s.get("dtstart") if frekvens == "BIWEEKLY" else None),
                       "gyldig_til": s.get("valid_to") or None})
    return result


def _hsds_time(value) -> str:
    # "17:00", "17:00:00", "17:00Z", "17:00+01:00": our times are local wall-clock times.
    return re.split(r"[Z+]|(?<=\d)-", str(value))[0]


# --- Conversions used by the checker ---------------------------------------------------------------


def to_int(value):
    if value in (None, ""):
        return None
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if not re.fullmatch(r"\d+", text):
        raise ValueError(_("Skal være et helt tal."))
    return int(text)


def to_float(value):
    if value in (None, ""):
        return None
    try:
        return float(str(value).replace(",", "."))
    except ValueError:
        raise ValueError(_("Skal være et tal, fx 55.3959.")) from None


def to_decimal(value):
    if value in (None, ""):
        return Decimal(0)
    try:
        return Decimal(str(value).replace(",", ".")).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise ValueError(_("Skal være et beløb i kroner, fx 25 eller 25,50.")) from None


def to_bool(value, default):
    if value in (None, ""):
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("ja", "j", "yes", "true", "1", "x"):
        return True
    if text in ("nej", "n", "no", "false", "0"):
        return False
    raise ValueError(_("Skriv ja eller nej."))


def to_date(value):
    if value in (None, ""):
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ValueError(_("Skal være en dato som ÅÅÅÅ-MM-DD.")) from None


def to_time(value):
    try:
        hours, minutes = str(value).split(":")[:2]
        return time(int(hours), int(minutes))
    except ValueError:
        raise ValueError(_("Skal være et klokkeslæt som TT:MM.")) from None
