"""The national dataset (issue 15): 100 centres of Zipf-like sizes, written with COPY (PostgreSQL only).

`manage.py seed_demo --size large` builds 200,000 borgere, 50,000 fællesskaber, 1,000,000 samtaler and
300,000 matches; `medium` is a tenth, `tiny` a few hundred rows for tests and smoke runs. The content
reuses `matching.demo_data` (activities, names, profiles), the real taxonomy and the real postal codes.
Deterministic for a size. Logins: koordinator@<slug>.demo and brobygger<n>@<slug>.demo, password
`demo_data.DEMO_PASSWORD`; centre slugs start with `n<nr>-`, the largest centre is `n001-…`.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from borgere.models import (
    STANDARD_SAMTYKKETEKSTER,
    Borger,
    BorgerStatus,
    Formaal,
    Samtale,
    SamtaleType,
    Samtykke,
    SamtykkeMaade,
    SamtykkeTekst,
)
from brobygning.availability import SLOTS
from brobygning.models import (
    Adgangslog,
    Frivilligcenter,
    Medlemskab,
    Paamindelse,
    PaamindelseKanal,
    PaamindelseStatus,
    Postnummer,
    Rolle,
    Tag,
    TagType,
    User,
)
from foreninger.models import Faellesskab, FaellesskabStatus, Forening, Frekvens, Moedetid
from matching import demo_data as data
from matching.models import (
    Ledsagelse,
    LedsagelseStatus,
    Match,
    MatchOvergang,
    Opfoelgning,
    OpfoelgningType,
    Resultat,
    Stage,
)
from matching.national_copy import Copier

ZIPF_S = 0.7  # with 100 centres the largest gets ~9.5 %: ~19,000 of 200,000 borgere
SLUG_PREFIX = "n"
BORGERE_PER_BROBYGGER = 400
NEAR_POSTNUMRE = 12  # a centre's borgere and fællesskaber live in its postcode and the nearest others


@dataclass(frozen=True)
class Size:
    centres: int
    borgere: int
    faellesskaber: int
    samtaler: int
    matches: int
    adgangslog: int


SIZES = {
    "tiny": Size(3, 300, 75, 1_500, 450, 1_000),
    "medium": Size(100, 20_000, 5_000, 100_000, 30_000, 50_000),
    "large": Size(100, 200_000, 50_000, 1_000_000, 300_000, 500_000),
}

STAGES = [  # (stage, weight): 40 % closed, the rest spread over the open stages
    (Stage.FORESLAAET, 14), (Stage.ACCEPTERET, 10), (Stage.MOEDE_PLANLAGT, 6), (Stage.LEDSAGET, 6),
    (Stage.BUDT_VELKOMMEN, 6), (Stage.AKTIV_1_MD, 9), (Stage.AKTIV_3_MD, 9), (Stage.AFSLUTTET, 40),
]
MET = {Stage.LEDSAGET, Stage.BUDT_VELKOMMEN, Stage.AKTIV_1_MD, Stage.AKTIV_3_MD}
EXTRA_SPROG = [["da", "ar"], ["uk", "en"], ["fa"], ["so", "da"], ["ti"], ["tr", "da"], ["pl", "en"]]
SLOT_ORDER = {code: i for i, (code, _label) in enumerate(SLOTS)}


def zipf_split(total: int, n: int, s: float = ZIPF_S) -> list[int]:
    """`total` split over `n` centres with weights 1/k^s, each at least 1, summing to `total`."""
    weights = [1 / (k ** s) for k in range(1, n + 1)]
    scale = total / sum(weights)
    sizes = [max(1, int(w * scale)) for w in weights]
    sizes[0] += total - sum(sizes)
    return sizes


def is_generated_slug(slug: str) -> bool:
    return len(slug) > 4 and slug[0] == SLUG_PREFIX and slug[1:4].isdigit() and slug[4] == "-"


def existing_data() -> dict[str, int]:
    """What the database holds that a national build would sit next to (0 everywhere when empty)."""
    slugs = list(Frivilligcenter.objects.values_list("slug", flat=True))
    generated = sum(map(is_generated_slug, slugs))
    return {"generated centres": generated, "other centres": len(slugs) - generated, "users": User.objects.count()}


def slug_for(i: int, by: str) -> str:
    return f"{SLUG_PREFIX}{i + 1:03d}-{_ascii(by)}"[:50]


def _ascii(text: str) -> str:
    for a, b in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("Æ", "ae"), ("Ø", "oe"), ("Å", "aa")):
        text = text.replace(a, b)
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


class Generator:
    def __init__(self, size: Size, *, seed: str = "brobygning-national-v1", log=print):
        self.size = size
        self.rng = random.Random(seed)
        self.log = log
        self.now = timezone.now().replace(microsecond=0)
        self.today = timezone.localdate()
        self.copier = Copier()
        self.timings: dict[str, float] = {}

    # --- Orchestration -----------------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
            self._load_reference()
            for name in ("centres", "users", "samtykketekster", "foreninger", "faellesskaber", "borgere",
                         "samtykker", "samtaler", "matches", "ledsagelser", "paamindelser", "adgangslog"):
                started = time.perf_counter()
                getattr(self, f"_{name}")()
                self.timings[name] = time.perf_counter() - started
                self.log(f"  {name}: {self.timings[name]:.1f} s")
            started = time.perf_counter()
            self.copier.finish()
            self.timings["sequences + ANALYZE"] = time.perf_counter() - started
            self.log(f"  sequences + ANALYZE: {self.timings['sequences + ANALYZE']:.1f} s")
        return self.copier.counts

    def _ids(self, model, n: int) -> range:
        start = self.copier.next_id(model)
        return range(start, start + n)

    def _load_reference(self):
        tags = {(t.type, t.navn): t.pk for t in Tag.objects.filter(aktiv=True)}
        self.tag = lambda tag_type, navn: tags.get((tag_type, navn))
        self.tags = lambda tag_type, names: [p for p in dict.fromkeys(tags.get((tag_type, n)) for n in names) if p]
        self.kilder = [pk for (tt, _n), pk in tags.items() if tt == TagType.HENVISNINGSKILDE]
        postnumre = list(Postnummer.objects.order_by("nr").values_list("nr", "by", "lat", "lng"))
        if not postnumre or not tags:
            raise RuntimeError("The taxonomy or the postal codes are missing. Run `manage.py migrate` first.")
        self.postnumre = {nr: (by, lat, lng) for nr, by, lat, lng in postnumre}
        # Centre homes: postcodes with distinct town names, spread over the country's list.
        seen, homes = set(), []
        for nr, by, _lat, _lng in postnumre:
            if by not in seen:
                seen.add(by)
                homes.append(nr)
        step = max(1, len(homes) // self.size.centres)
        self.homes = homes[::step][: self.size.centres]
        self.near = {}
        for home in self.homes:
            _by, lat, lng = self.postnumre[home]
            by_distance = sorted(self.postnumre, key=lambda nr: (self.postnumre[nr][1] - lat) ** 2
                                 + ((self.postnumre[nr][2] - lng) * 0.56) ** 2)
            self.near[home] = by_distance[:NEAR_POSTNUMRE]

    # --- Centres, users ----------------------------------------------------------------------------

    def _centres(self):
        n = len(self.homes)
        self.borgere_per = zipf_split(self.size.borgere, n)
        self.fs_per = zipf_split(self.size.faellesskaber, n)
        self.center_ids = list(self._ids(Frivilligcenter, n))
        rows = []
        for i, (pk, home) in enumerate(zip(self.center_ids, self.homes, strict=True)):
            by = self.postnumre[home][0]
            slug = slug_for(i, by)
            rows.append((pk, f"Frivilligcenter {by}", slug, f"kontakt@{slug}.demo", f"+4570{i:06d}", self.now, True))
        self.slugs = [r[2] for r in rows]
        self.copier.copy(Frivilligcenter, ["id", "navn", "slug", "email", "telefon", "oprettet", "venteliste_synlig"], rows)

    def _users(self):
        password = make_password(data.DEMO_PASSWORD)  # hashed once: the strong hasher is slow
        self.koordinator, self.brobyggere = [], []
        users, members = [], []
        for ci, center in enumerate(self.center_ids):
            count = max(2, round(self.borgere_per[ci] / BORGERE_PER_BROBYGGER))
            self.brobyggere.append([])
            for k in range(count + 1):
                rolle = Rolle.KOORDINATOR if k == 0 else Rolle.BROBYGGER
                local = "koordinator" if k == 0 else f"brobygger{k}"
                users.append((f"{local}@{self.slugs[ci]}.demo", rolle, center, ci))
        ids = self._ids(User, len(users))
        user_rows = []
        for pk, (email, rolle, center, ci) in zip(ids, users, strict=True):
            first, last = self.rng.choice(data.FORNAVNE), self.rng.choice(data.EFTERNAVNE)
            user_rows.append((pk, password, email, first, last, self.now - dt.timedelta(days=400)))
            members.append((pk, center, rolle, self.now - dt.timedelta(days=400)))
            if rolle == Rolle.KOORDINATOR:
                self.koordinator.append(pk)
            else:
                self.brobyggere[ci].append(pk)
        self.copier.copy(User, ["id", "password", "email", "first_name", "last_name", "date_joined"], user_rows)
        self.copier.copy(EmailAddress, ["user", "email", "verified", "primary"],
                         ((pk, email, True, True) for pk, (email, *_rest) in zip(ids, users, strict=True)))
        self.copier.copy(Medlemskab, ["user", "center", "rolle", "oprettet"], members)

    def _samtykketekster(self):
        rows, self.tekst = [], {}
        ids = iter(self._ids(SamtykkeTekst, len(self.center_ids) * len(Formaal)))
        for center in self.center_ids:
            for formaal in Formaal:
                pk = next(ids)
                self.tekst[center, formaal] = pk
                rows.append((pk, center, formaal.value, 1, str(STANDARD_SAMTYKKETEKSTER[formaal]),
                             self.now - dt.timedelta(days=400)))
        self.copier.copy(SamtykkeTekst, ["id", "center", "formaal", "version", "tekst", "oprettet"], rows)

    # --- Foreninger and fællesskaber ---------------------------------------------------------------

    def _foreninger(self):
        rng, rows = self.rng, []
        self.foreninger = []  # per centre: forening ids
        ids = iter(self._ids(Forening, sum(max(1, n // 4) for n in self.fs_per)))
        for ci, center in enumerate(self.center_ids):
            near = self.near[self.homes[ci]]
            mine = []
            for j in range(max(1, self.fs_per[ci] // 4)):
                pk = next(ids)
                mine.append(pk)
                first, last = rng.choice(data.FORNAVNE), rng.choice(data.EFTERNAVNE)
                nr = rng.choice(near)
                created = self.now - dt.timedelta(days=rng.randint(30, 1500))
                rows.append((pk, center, f"Forening {j + 1} i {self.postnumre[nr][0]}", f"{first} {last}",
                             f"kontakt{pk}@forening.demo", data_phone(rng), f"Foreningsvej {j + 1}", nr,
                             rng.random() < 0.6, rng.random() < 0.5, created, created))
            self.foreninger.append(mine)
        self.copier.copy(Forening, ["id", "center", "navn", "kontaktperson", "email", "telefon", "adresse",
                                    "postnummer", "inklusionsparat", "partnerskab", "oprettet", "opdateret"], rows)

    def _faellesskaber(self):
        rng, rows, moeder, links = self.rng, [], [], {"interesser": [], "maalgrupper": [], "tilgaengelighed": []}
        templates = list(data.ACTIVITIES.values())
        self.faellesskaber = []
        ids = iter(self._ids(Faellesskab, sum(self.fs_per)))
        for ci, center in enumerate(self.center_ids):
            near = self.near[self.homes[ci]]
            mine = []
            for _j in range(self.fs_per[ci]):
                pk = next(ids)
                mine.append(pk)
                tpl = rng.choice(templates)
                nr = rng.choice(near)
                by, plat, plng = self.postnumre[nr]
                lat = lng = None
                if rng.random() < 0.88:
                    lat, lng = round(plat + rng.uniform(-0.01, 0.01), 6), round(plng + rng.uniform(-0.015, 0.015), 6)
                for_d, for_f = tpl["roller"]
                alder_min, alder_max = tpl["alder"]
                pris, pris_note = tpl.get("pris", (0, ""))
                vaert = f"{rng.choice(data.FORNAVNE)} {rng.choice(data.EFTERNAVNE)}" if rng.random() < 0.85 else ""
                created = self.now - dt.timedelta(days=rng.randint(30, 1500))
                status = rng.choices([FaellesskabStatus.AKTIV, FaellesskabStatus.PAUSE, FaellesskabStatus.OPHOERT],
                                     weights=[90, 7, 3])[0]
                rows.append((
                    pk, center, rng.choice(self.foreninger[ci]), f"{rng.choice(tpl['titler'])} i {by}",
                    tpl["beskrivelse"], rng.choice(data.VELKOMST).format(vaert=vaert or "værten"),
                    self.tag(TagType.KATEGORI, tpl["kategori"]), f"Mødestedet {pk % 97 + 1}", nr, lat, lng,
                    alder_min, alder_max, for_d, for_f or rng.random() < 0.2, rng.random() < 0.9,
                    rng.randint(2, 12) if rng.random() < 0.35 else None, vaert,
                    f"vaert{pk}@example.org" if vaert else "", Decimal(pris), pris_note, status,
                    self.today - dt.timedelta(days=rng.randint(0, 365)), created, created,
                ))
                links["interesser"] += [(pk, t) for t in self.tags(TagType.INTERESSE, tpl["interesser"])]
                links["maalgrupper"] += [(pk, t) for t in self.tags(TagType.UDFORDRING, tpl["maalgrupper"])]
                links["tilgaengelighed"] += [(pk, t) for t in self.tags(TagType.TILGAENGELIGHED, tpl["tilgaengelighed"])]
                fra, til = rng.choice(tpl["tider"])
                for ugedag in rng.sample(tpl["dage"], k=min(1 if rng.random() < 0.6 else 2, len(tpl["dage"]))):
                    moeder.append(self._moedetid(pk, ugedag, fra, til))
            self.faellesskaber.append(mine)
        self.copier.copy(Faellesskab, [
            "id", "center", "forening", "titel", "beskrivelse", "velkomst", "kategori", "adresse", "postnummer",
            "lat", "lng", "alder_min", "alder_max", "for_deltagere", "for_frivillige", "aaben_for_nye",
            "kapacitet", "vaert_navn", "vaert_email", "pris", "pris_note", "status", "sidst_bekraeftet",
            "oprettet", "opdateret"], rows)
        self._copy_tags(Faellesskab, links)
        self.copier.copy(Moedetid, ["faellesskab", "ugedag", "fra", "til", "frekvens", "gyldig_fra", "uge_i_maaned"],
                         moeder)

    def _moedetid(self, pk, ugedag, fra, til):
        roll = self.rng.random()
        start = uge = None
        if roll < 0.65:
            frekvens = Frekvens.UGENTLIG
        elif roll < 0.85:
            frekvens = Frekvens.HVER_ANDEN_UGE
            start = self.today - dt.timedelta(weeks=self.rng.randint(2, 40))
            start -= dt.timedelta(days=(start.weekday() - ugedag) % 7)
        else:
            frekvens, uge = Frekvens.MAANEDLIG, self.rng.choice([1, 2, 3, 4, -1])
        return (pk, ugedag, dt.time.fromisoformat(fra), dt.time.fromisoformat(til), frekvens, start, uge)

    def _copy_tags(self, model, links: dict[str, list[tuple[int, int]]]):
        for name, rows in links.items():
            field = model._meta.get_field(name)
            self.copier.copy(field.remote_field.through, [field.m2m_field_name(), field.m2m_reverse_field_name()], rows)

    # --- Borgere -----------------------------------------------------------------------------------

    def _borgere(self):
        rng, rows = self.rng, []
        links = {"interesser": [], "barrierer": [], "tilgaengelighedsbehov": []}
        self.borgere = []  # per centre: (id, brobygger or None, oprettet)
        ids = iter(self._ids(Borger, sum(self.borgere_per)))
        for ci, center in enumerate(self.center_ids):
            near, brobyggere, mine = self.near[self.homes[ci]], self.brobyggere[ci], []
            for _j in range(self.borgere_per[ci]):
                pk = next(ids)
                profil = rng.choice(data.PROFILER)
                kanal = rng.choice(profil["kanaler"])
                telefon = data_phone(rng) if kanal != "email" or rng.random() < 0.7 else ""
                email = f"borger{pk}@example.org" if kanal == "email" or rng.random() < 0.35 else ""
                brobygger = rng.choice(brobyggere) if rng.random() < 0.67 else None
                status = (rng.choices([BorgerStatus.AKTIV, BorgerStatus.NY, BorgerStatus.PAUSE, BorgerStatus.AFSLUTTET],
                                      weights=[55, 15, 10, 20])[0] if brobygger else BorgerStatus.NY)
                year_from, year_to = profil["foedselsaar"]
                created = self.now - dt.timedelta(days=rng.randint(1, 1100), hours=rng.randint(0, 23))
                barrierer = rng.sample(profil["barrierer"], k=rng.randint(1, min(3, len(profil["barrierer"]))))
                rows.append((
                    pk, center, rng.choice(data.FORNAVNE), rng.choice(data.EFTERNAVNE), telefon, email, kanal,
                    rng.choice(near), min(max(rng.randint(year_from, year_to), 1945), 2008),
                    list(rng.choice(profil["sprog"])) if profil["sprog"] else rng.choice(EXTRA_SPROG),
                    self._slots(profil), rng.choice(profil["roller"]), rng.choice([5, 10, 10, 15, 20, 25]),
                    rng.choice(self.kilder) if self.kilder else None, brobygger, status,
                    rng.choice(data.BORGER_NOTER), created, created,
                ))
                links["interesser"] += [(pk, t) for t in self.tags(
                    TagType.INTERESSE, rng.sample(profil["interesser"], k=min(3, len(profil["interesser"]))))]
                links["barrierer"] += [(pk, t) for t in self.tags(TagType.BARRIERE, barrierer)]
                links["tilgaengelighedsbehov"] += [(pk, t) for t in self.tags(
                    TagType.TILGAENGELIGHED, rng.sample(profil["behov"], k=rng.randint(0, min(2, len(profil["behov"])))))]
                mine.append((pk, brobygger, created))
            self.borgere.append(mine)
        self.copier.copy(Borger, [
            "id", "center", "fornavn", "efternavn", "telefon", "email", "foretrukken_kanal", "postnummer",
            "foedselsaar", "sprog", "tilgaengelighed", "oensket_rolle", "max_afstand_km", "henvisningskilde",
            "brobygger", "status", "noter", "oprettet", "opdateret"], rows)
        self._copy_tags(Borger, links)

    def _slots(self, profil) -> list[str]:
        rng = self.rng
        days = rng.sample(profil["dage"], k=rng.randint(2, min(4, len(profil["dage"]))))
        codes = {f"{d}-{p}" for d in days for p in rng.sample(profil["slots"], k=min(2, len(profil["slots"])))}
        return sorted(codes, key=SLOT_ORDER.__getitem__)

    def _samtykker(self):
        """Consent first: every borger gave the registration consent when registered; most also the
        reminders and sharing with the host, which meetings need."""
        def rows():
            for ci, center in enumerate(self.center_ids):
                koordinator = self.koordinator[ci]
                for pk, brobygger, created in self.borgere[ci]:
                    formaal = [Formaal.REGISTRERING]
                    if self.rng.random() < 0.7:
                        formaal += [Formaal.PAAMINDELSER, Formaal.DELING_MED_VAERT]
                    for f in formaal:
                        yield (center, pk, f.value, SamtykkeMaade.MUNDTLIGT.value, self.tekst[center, f], created,
                               brobygger or koordinator)
        self.copier.copy(Samtykke, ["center", "borger", "formaal", "maade", "tekst", "givet", "registreret_af"], rows())

    def _samtaler(self):
        per = zipf_split(self.size.samtaler, len(self.center_ids))
        types = [SamtaleType.FOERSTE, SamtaleType.OPFOELGNING, SamtaleType.OPFOELGNING, SamtaleType.TELEFON]

        def rows():
            rng = self.rng
            for ci, center in enumerate(self.center_ids):
                borgere, brobyggere = self.borgere[ci], self.brobyggere[ci]
                for _j in range(per[ci]):
                    pk, brobygger, created = rng.choice(borgere)
                    days = rng.randint(0, max(0, (self.now - created).days))
                    dato = self.today - dt.timedelta(days=days)
                    yield (center, pk, brobygger or rng.choice(brobyggere), dato, rng.choice(types),
                           rng.choice([20, 30, 45, 60]), "Snakkede om, hvad der kunne give mening.", "",
                           "Finde et fællesskab i nærheden.",
                           timezone.make_aware(dt.datetime.combine(dato, dt.time(10))))
        self.copier.copy(Samtale, ["center", "borger", "brobygger", "dato", "type", "varighed_min", "noter",
                                   "oensker", "naeste_skridt", "oprettet"], rows())

    # --- Matches and what follows ------------------------------------------------------------------

    def _matches(self):
        rng = self.rng
        per = zipf_split(self.size.matches, len(self.center_ids))
        stages, weights = zip(*STAGES, strict=True)
        rows, self.matches = [], []  # (id, center index, stage, stage_siden, brobygger)
        overgange = []
        ids = iter(self._ids(Match, sum(per)))
        for ci, center in enumerate(self.center_ids):
            borgere, fs, brobyggere = self.borgere[ci], self.faellesskaber[ci], self.brobyggere[ci]
            open_pairs = set()
            for _j in range(per[ci]):
                stage = rng.choices(stages, weights=weights)[0]
                borger, brobygger, created = rng.choice(borgere)
                faellesskab = rng.choice(fs)
                if stage != Stage.AFSLUTTET:
                    if (borger, faellesskab) in open_pairs:  # one open match per pair (a constraint)
                        stage = Stage.AFSLUTTET
                    else:
                        open_pairs.add((borger, faellesskab))
                pk = next(ids)
                age = rng.randint(0, max(0, min(700, (self.now - created).days)))
                oprettet = self.now - dt.timedelta(days=age, hours=rng.randint(0, 23))
                siden = oprettet + dt.timedelta(days=rng.randint(0, age)) if age else oprettet
                actor = brobygger or rng.choice(brobyggere)
                rows.append((pk, center, borger, faellesskab, stage, siden,
                             "fuldfoert" if stage == Stage.AFSLUTTET else "", round(rng.uniform(0.3, 0.95), 3),
                             [], actor, oprettet))
                overgange.append((pk, "", Stage.FORESLAAET, oprettet, actor))
                if stage != Stage.FORESLAAET:
                    overgange.append((pk, Stage.FORESLAAET, stage, siden, actor))
                self.matches.append((pk, ci, stage, siden, actor))
        self.copier.copy(Match, ["id", "center", "borger", "faellesskab", "stage", "stage_siden",
                                 "afslutningsaarsag", "score", "begrundelser", "oprettet_af", "oprettet"], rows)
        self.copier.copy(MatchOvergang, ["match", "fra", "til", "tidspunkt", "actor"], overgange)

    def _ledsagelser(self):
        rng, rows, opf = self.rng, [], []
        self.ledsagelser = []  # (id, center, tidspunkt, status)
        chosen = [m for m in self.matches if m[2] in MET or m[2] == Stage.MOEDE_PLANLAGT
                  or (m[2] == Stage.AFSLUTTET and rng.random() < 0.3)]
        ids = iter(self._ids(Ledsagelse, len(chosen)))
        for match, ci, stage, siden, brobygger in chosen:
            pk = next(ids)
            center = self.center_ids[ci]
            if stage == Stage.MOEDE_PLANLAGT:
                when = self.now + dt.timedelta(days=rng.randint(0, 21), hours=rng.randint(8, 18))
                status = LedsagelseStatus.PLANLAGT
            else:
                when = min(siden, self.now - dt.timedelta(days=1))
                status = LedsagelseStatus.MOEDT_OP if stage in MET or rng.random() < 0.5 else LedsagelseStatus.UDEBLEV
            rows.append((pk, center, match, when, 120, "Ved indgangen", brobygger, "", status, when - dt.timedelta(days=7)))
            self.ledsagelser.append((pk, center, when, status))
            if status == LedsagelseStatus.MOEDT_OP:
                for typ, days in ((OpfoelgningType.DAGEN_EFTER, 1), (OpfoelgningType.EN_MAANED, 30),
                                  (OpfoelgningType.TRE_MAANEDER, 90)):
                    due = when.date() + dt.timedelta(days=days)
                    done = due < self.today and rng.random() < 0.85  # some overdue, never recorded
                    opf.append((center, match, typ, due, when + dt.timedelta(days=days) if done else None,
                                brobygger if done else None, Resultat.DELTAGER_STADIG if done else "", "", "",
                                stage != Stage.AFSLUTTET))
        self.copier.copy(Ledsagelse, ["id", "center", "match", "tidspunkt", "varighed_min", "moedested", "brobygger",
                                      "velkomstnote", "status", "oprettet"], rows)
        opf_ids = self._ids(Opfoelgning, len(opf))
        self.opfoelgninger = [(pk, row[0], row[3], row[4]) for pk, row in zip(opf_ids, opf, strict=True)]
        self.copier.copy(Opfoelgning, ["id", "center", "match", "type", "forfalder", "udfoert", "udfoert_af",
                                       "resultat", "aarsag", "note", "match_aaben"],
                         ((pk, *row) for pk, row in zip(opf_ids, opf, strict=True)))

    def _paamindelser(self):
        """Sent for what has passed, pending for what is ahead: the outbox's tabs all have rows."""
        def rows():
            for pk, center, when, _status in self.ledsagelser:
                for art, kanal, before in (("brobygger_24t", PaamindelseKanal.EMAIL, 24),
                                           ("borger_24t", PaamindelseKanal.SMS, 24),
                                           ("vaert_48t", PaamindelseKanal.EMAIL, 48)):
                    due = when - dt.timedelta(hours=before)
                    sent = due < self.now
                    yield (center, "ledsagelse", pk, art, 0, kanal, due, when,
                           PaamindelseStatus.SENDT if sent else PaamindelseStatus.AFVENTER, 1 if sent else 0,
                           due if sent else None, due - dt.timedelta(days=2))
            for pk, center, forfalder, udfoert in self.opfoelgninger:
                due = timezone.make_aware(dt.datetime.combine(forfalder, dt.time(9)))
                sent = due < self.now
                yield (center, "opfoelgning", pk, "opfoelgning", 0, PaamindelseKanal.EMAIL, due, None,
                       PaamindelseStatus.SENDT if sent else PaamindelseStatus.AFVENTER, 1 if sent else 0,
                       due if sent else None, udfoert or due - dt.timedelta(days=30))
        self.copier.copy(Paamindelse, ["center", "emne_type", "emne_id", "art", "sekvens", "kanal", "forfalder",
                                       "begivenhed", "status", "forsoeg", "sendt", "oprettet"], rows())

    def _adgangslog(self):
        per = zipf_split(self.size.adgangslog, len(self.center_ids))
        handlinger = [Adgangslog.Handling.LAEST] * 6 + [Adgangslog.Handling.SOEGNING] * 3 + [Adgangslog.Handling.AENDRET]

        def rows():
            rng = self.rng
            for ci, center in enumerate(self.center_ids):
                users = [self.koordinator[ci], *self.brobyggere[ci]]
                borgere = self.borgere[ci]
                for _j in range(per[ci]):
                    handling = rng.choice(handlinger)
                    borger = rng.choice(borgere)[0] if handling != Adgangslog.Handling.SOEGNING else None
                    yield (center, rng.choice(users), self.now - dt.timedelta(seconds=rng.randint(0, 180 * 86400)),
                           handling, borger, "liste=borgere" if borger is None else "",
                           "borgere:borger_list" if borger is None else "borgere:borger_detail")
        self.copier.copy(Adgangslog, ["center", "bruger", "tidspunkt", "handling", "borger_id", "kriterium", "visning"],
                         rows())


def data_phone(rng: random.Random) -> str:
    return f"+452{rng.randint(0, 9)}{rng.randint(1, 9)}{rng.randint(0, 99999):05d}"

