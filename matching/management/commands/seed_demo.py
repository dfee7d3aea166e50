"""`manage.py seed_demo`: two demo centres with Danish foreninger, fællesskaber, borgere and logins.

Deterministic (a fixed seed per centre) and idempotent: centres and users are found by slug and email, and a
centre that already has foreninger is left alone. Every object passes `full_clean()` before it is saved.
The content itself lives in `matching.demo_data`.
"""

import datetime as dt
import random
import time
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from borgere.gdpr import aktivitet_registreret
from borgere.models import Borger, BorgerStatus, Formaal, Projekt, Samtykke, SamtykkeMaade
from borgere.services import gaeldende_samtykketekst, har_samtykke, samtykke_give
from brobygning.access import actor_for
from brobygning.availability import SLOTS
from brobygning.models import Frivilligcenter, Medlemskab, Postnummer, Rolle, Tag, TagType, User
from foreninger.models import (
    Faellesskab,
    FaellesskabStatus,
    Forening,
    Frekvens,
    Moedetid,
    PartnerArt,
    PartnerStatus,
)
from foreninger.services import partner_create, partnerskab_create, tilslutning_create
from matching import arrangement_paamindelser, forloeb, national, netvaerksrum, paamindelser, velkomst
from matching import demo_data as data
from matching.frivilligroller import frivilligrolle_create
from matching.models import Arrangement, ArrangementDato, FagpersonArt, Ledsagelse, LedsagelseStatus, Stage
from matching.raadgivning import raadgivning_create
from matching.services import (
    arrangement_create,
    ledsagelse_outcome,
    ledsagelse_plan,
    match_create,
    match_transition,
    tilmelding_opret,
)

SEED = "brobygning-demo-v1"
CVR_WEIGHTS = (2, 7, 6, 5, 4, 3, 2, 1)
SLOT_ORDER = {code: i for i, (code, _label) in enumerate(SLOTS)}


def ascii_slug(text: str) -> str:
    for a, b in (("æ", "ae"), ("ø", "oe"), ("å", "aa"), ("Æ", "Ae"), ("Ø", "Oe"), ("Å", "Aa")):
        text = text.replace(a, b)
    return slugify(text)


def make_cvr(rng: random.Random) -> str:
    """An 8-digit number that passes the CVR mod-11 check (weights 2,7,6,5,4,3,2,1)."""
    while True:
        digits = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(6)]
        check = -sum(w * d for w, d in zip(CVR_WEIGHTS, digits, strict=False)) % 11
        if check < 10:
            return "".join(map(str, digits)) + str(check)


def make_phone(rng: random.Random) -> str:
    """A Danish mobile-style number, +45 2x xx xx xx (the digit after 2x is never 0, so it is valid)."""
    return f"+452{rng.randint(0, 9)}{rng.randint(1, 9)}" + "".join(str(rng.randint(0, 9)) for _ in range(5))


def make_email(first: str, last: str, domain: str = "example.org", suffix: str = "") -> str:
    return f"{ascii_slug(first)}.{ascii_slug(last)}{suffix}@{domain}".replace("-", "")


def parse_time(value: str) -> dt.time:
    return dt.time.fromisoformat(value)


class Taxonomy:
    """The seeded tags, looked up by type and Danish name. Unknown names are skipped."""

    def __init__(self):
        self._tags = {(t.type, t.navn): t for t in Tag.objects.filter(aktiv=True)}

    def one(self, tag_type, navn):
        return self._tags.get((tag_type, navn))

    def many(self, tag_type, names):
        return [t for t in (self.one(tag_type, n) for n in dict.fromkeys(names)) if t is not None]


class Command(BaseCommand):
    help = (
        "Loads Danish demo data: two centres (odense, silkeborg) with foreninger, fællesskaber, borgere and "
        "logins koordinator@/brobygger@/forening@<centre>.demo (password 'brobygning-demo'). "
        "Refuses to run with DEBUG off unless --force is given. Safe to run again."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true",
            help="Run even when DEBUG is off. The demo logins have a published password. With --size, "
                 "also build next to data that is not from the generator.",
        )
        parser.add_argument(
            "--size", choices=["demo", *national.SIZES], default="demo",
            help="demo (default): the two hand-written centres. tiny/medium/large: the national dataset "
                 "(issue 15), 100 centres written with COPY; PostgreSQL only, on an empty database.",
        )

    def handle(self, *args, force=False, size="demo", **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo refuses to run with DEBUG off: it creates logins with a published password "
                "('brobygning-demo'). Set DEBUG=true, or pass --force if you really mean it."
            )
        if not Tag.objects.exists() or not Postnummer.objects.exists():
            raise CommandError("The taxonomy or the postal codes are missing. Run `manage.py migrate` first.")
        if size != "demo":
            self.seed_national(size, force=force)
            return

        self.today = timezone.localdate()
        self.tags = Taxonomy()
        logins = []
        centre_users = []
        for spec in data.CENTRES:
            with transaction.atomic():
                center, created = Frivilligcenter.objects.get_or_create(
                    slug=spec["slug"],
                    defaults={"navn": spec["navn"], "email": spec["email"], "telefon": spec["telefon"],
                              "deler_med_netvaerk": True},
                )
                users = self.ensure_users(center, spec)
                centre_users.append((center, users))
                logins.extend((user.email, rolle, center.navn) for rolle, user in users.items())
                existing = Forening.objects.filter(center=center).count()
                if existing:
                    self.stdout.write(
                        f"{center.navn}: has {existing} foreninger already – skipping its demo data."
                    )
                    continue
                counts = self.seed_centre(center, users, random.Random(f"{SEED}-{center.slug}"))
                self.stdout.write(self.style.SUCCESS(
                    f"{center.navn}{' (new)' if created else ''}: {counts['foreninger']} foreninger, "
                    f"{counts['faellesskaber']} fællesskaber, {counts['moedetider']} mødetider, "
                    f"{counts['borgere']} borgere."
                ))
        velkomst.beregn_alle()  # the welcome scores the nightly task would compute (issue 13)
        forloeb.genberegn()  # the forløb summary the reports read (some demo rows are written past the services)
        self.seed_netvaerksrum(centre_users)
        logins.append((self.ensure_netvaerk_user().email, "netværk", "centre, der deler"))
        self.print_logins(logins)

    def seed_national(self, size, *, force):
        if connection.vendor != "postgresql":
            raise CommandError("The national dataset is written with PostgreSQL COPY; DATABASE_URL must be PostgreSQL.")
        existing = national.existing_data()
        if existing["generated centres"]:
            raise CommandError("This database already holds a national dataset. Build it in a fresh database.")
        if (existing["other centres"] or existing["users"]) and not force:
            raise CommandError(
                f"The database is not empty ({existing['other centres']} centres, {existing['users']} users). "
                "The national dataset is built in an empty database; pass --force to build next to that data.")
        started = time.perf_counter()
        generator = national.Generator(national.SIZES[size], log=self.stdout.write)
        counts = generator.run()
        # The forløb summary the reports read, from the rows COPY wrote (matching/forloeb.py).
        summary_started = time.perf_counter()
        counts["Forløb summary rows"] = forloeb.genberegn()
        self.stdout.write(f"Forløb summary in {time.perf_counter() - summary_started:.1f} s.")
        self.stdout.write(self.style.SUCCESS(
            f"National dataset ({size}) built in {time.perf_counter() - started:.1f} s."))
        for label, n in counts.items():
            self.stdout.write(f"  {label:<45}{n:>10,}")
        self.stdout.write(f"Largest centre: /c/{generator.slugs[0]}/ – logins koordinator@{generator.slugs[0]}.demo, "
                          f"brobygger1@{generator.slugs[0]}.demo; password {data.DEMO_PASSWORD}")

    # --- Users ---------------------------------------------------------------------------------------

    def ensure_users(self, center, spec) -> dict:
        users = {}
        for rolle, (first, last) in spec["users"].items():
            email = f"{data.LOGIN_LOCAL_PART[rolle]}@{center.slug}.demo"
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User(email=email, first_name=first, last_name=last, password=self.password_hash())
                user.full_clean()
                user.save()
            Medlemskab.objects.get_or_create(user=user, center=center, defaults={"rolle": rolle})
            address, _created = EmailAddress.objects.get_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )
            if not (address.verified and address.primary):
                EmailAddress.objects.filter(user=user, primary=True).exclude(pk=address.pk).update(primary=False)
                address.verified = address.primary = True
                address.save(update_fields=["verified", "primary"])
            users[rolle] = user
        return users

    def ensure_netvaerk_user(self):
        email, first, last = data.NETVAERK_USER
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email, first_name=first, last_name=last, password=self.password_hash(),
                        netvaerksadgang=True)
            user.full_clean()
            user.save()
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        return user

    def password_hash(self) -> str:
        """Hashed once per run: the strong hasher takes a good part of a second per call."""
        if not getattr(self, "_password_hash", None):
            self._password_hash = make_password(data.DEMO_PASSWORD)
        return self._password_hash

    def print_logins(self, logins):
        width = max(len(email) for email, _r, _c in logins) + 2
        rolle_width = max(len(r) for _e, r, _c in logins) + 2
        self.stdout.write("")
        self.stdout.write(f"{'Login':<{width}}{'Rolle':<{rolle_width}}Center")
        self.stdout.write(f"{'-' * (width - 2):<{width}}{'-' * (rolle_width - 2):<{rolle_width}}{'-' * 24}")
        for email, rolle, center in logins:
            self.stdout.write(f"{email:<{width}}{rolle:<{rolle_width}}{center}")
        self.stdout.write(f"\nPassword for all: {data.DEMO_PASSWORD}")
        self.stdout.write("Koordinatorer and the network user are asked to set up two-factor login (an authenticator "
                          "app) at first login.")

    # --- One centre ----------------------------------------------------------------------------------

    def seed_centre(self, center, users, rng) -> dict:
        places = data.PLACES[center.slug]
        postnumre = {p.nr: p for p in Postnummer.objects.filter(nr__in=places["postnumre"])}
        venues = [v for v in places["venues"] if v[0] in postnumre]
        if not venues:
            raise CommandError(f"None of the postal codes for {center.navn} exist. Run `manage.py migrate`.")
        ctx = {"center": center, "rng": rng, "postnumre": postnumre, "venues": venues}

        foreninger = self.create_foreninger(ctx)
        faellesskaber, moedetider = self.create_faellesskaber(ctx, foreninger)
        borgere = self.create_borgere(ctx, users[Rolle.BROBYGGER])
        # A grant-funded project with every other borger, so the Rapporter page can be cut by project.
        projekt = Projekt.objects.create(
            center=center, navn="Fællesskab for alle", bevillingsgiver="VELUX FONDEN",
            fra=self.today.replace(month=1, day=1), til=self.today.replace(month=12, day=31), maal_antal=150)
        projekt.borgere.add(*borgere[::2])

        kontakt = Medlemskab.objects.get(user=users[Rolle.FORENINGSKONTAKT], center=center)
        kontakt.foreninger.set(foreninger[:2])
        self.seed_journey(ctx, users, borgere, [f for f in faellesskaber if f.forening_id in
                                                 {foreninger[0].pk, foreninger[1].pk}])
        self.seed_partnerskab(ctx, users, foreninger)
        self.seed_arrangementer(ctx, users, borgere)
        return {
            "foreninger": len(foreninger), "faellesskaber": len(faellesskaber),
            "moedetider": len(moedetider), "borgere": len(borgere),
        }

    def seed_journey(self, ctx, users, borgere, kontaktens_faellesskaber):
        """Something for each role to see: the brobygger's newcomers on their way to the demo
        foreningskontakt's fællesskaber (one tomorrow, one yesterday still to report on, one who
        came five days ago and has follow-ups), and the waiting list switched on.

        Everything goes through the services, as the brobygger would do it, so the meetings have
        their påmindelser and the follow-ups theirs. The services refuse a time in the past, so a
        meeting that has happened is planned ahead and then moved back (`_as_if_held`)."""
        center, brobygger = ctx["center"], users[Rolle.BROBYGGER]
        center.venteliste_synlig = True
        center.save(update_fields=["venteliste_synlig"])
        mine = [b for b in borgere if b.brobygger_id == brobygger.pk]
        if not kontaktens_faellesskaber or len(mine) < 2:
            return
        actor = actor_for(brobygger, center.pk)
        now = timezone.now().replace(minute=0, second=0, microsecond=0)
        journeys = [(mine[0], 1, kontaktens_faellesskaber[0]), (mine[1], -1, kontaktens_faellesskaber[-1])]
        if len(mine) > 2 and len(kontaktens_faellesskaber) > 2:
            journeys.append((mine[2], -5, kontaktens_faellesskaber[1]))
        for borger, days, faellesskab in journeys:
            for formaal in (Formaal.REGISTRERING, Formaal.DELING_MED_VAERT, Formaal.PAAMINDELSER):
                if not har_samtykke(borger, formaal):
                    samtykke_give(actor=actor, borger=borger, formaal=formaal, maade=SamtykkeMaade.MUNDTLIGT)
            match = match_create(actor=actor, borger=borger, faellesskab=faellesskab)
            match_transition(actor=actor, match=match, til=Stage.ACCEPTERET)
            when = now + dt.timedelta(days=max(days, 1), hours=2)
            ledsagelse = ledsagelse_plan(actor=actor, match=match, data={
                "tidspunkt": when, "varighed_min": 120, "moedested": faellesskab.adresse or "Ved indgangen",
                "transport": "", "brobygger": brobygger,
                "velkomstnote": "Glæder sig, men er lidt nervøs. Sæt gerne en stol ved siden af."})
            if days < 0:
                self._as_if_held(ledsagelse, now + dt.timedelta(days=days, hours=2))
            if days <= -5:
                ledsagelse_outcome(actor=actor, ledsagelse=ledsagelse, status=LedsagelseStatus.MOEDT_OP)

    def seed_partnerskab(self, ctx, users, foreninger):
        """Issue 14: a local partnership with two foreninger and the kommune, sign-on fees (one paid),
        a volunteer role for the demo foreningskontakt's forening, and an advice session. Through
        the services, as a koordinator would do it."""
        center = ctx["center"]
        actor = actor_for(users[Rolle.KOORDINATOR], center.pk)
        by = ctx["venues"][0][0]
        partnerskab = partnerskab_create(actor=actor, data={
            "navn": f"Partnerskabet {ctx['postnumre'][by].by}", "budget": Decimal(300000),
            "beskrivelse": "Foreninger, kommune og erhvervsliv om at tage godt imod nye."})
        foerste = partner_create(actor=actor, partnerskab=partnerskab, data={
            "art": PartnerArt.FORENING, "forening": foreninger[0], "status": PartnerStatus.AKTIV,
            "kontaktperson": foreninger[0].kontaktperson, "aftale_fra": self.today.replace(month=1, day=1),
            "aftale_tekst": "Foreningen tager imod nye med en fast vært og deltager i netværksmøderne."})
        anden = partner_create(actor=actor, partnerskab=partnerskab, data={
            "art": PartnerArt.FORENING, "forening": foreninger[1], "status": PartnerStatus.AKTIV})
        partner_create(actor=actor, partnerskab=partnerskab, data={
            "art": PartnerArt.KOMMUNE, "navn": "Kommunens jobcenter", "status": PartnerStatus.AKTIV})
        tilslutning_create(actor=actor, partner=foerste, data={
            "beloeb": Decimal(20000), "formaal": "Værtskursus og introforløb for nye",
            "udbetalt": self.today - dt.timedelta(days=20),
            "opfoelgning": "Brugt på to værtskurser og materialer til velkomst."})
        tilslutning_create(actor=actor, partner=anden, data={"beloeb": Decimal(30000), "formaal": "Opstart af ny aftengruppe"})
        frivilligrolle_create(actor=actor, data={
            "forening": foreninger[0], "titel": "Fast vært for nye", "postnummer": ctx["postnumre"][by],
            "hvornaar": "Tirsdage kl. 17–19", "tider": ["1-aften"], "sted": ctx["venues"][0][1],
            "krav": "Lyst til at tage imod nye og tale med dem over en kop kaffe.",
            "beskrivelse": "Du byder nye velkommen og viser dem rundt de første gange.", "antal": 2})
        raadgivning_create(actor=actor, data={
            "dato": self.today - dt.timedelta(days=7), "organisation": "Jobcentret", "art": FagpersonArt.JOBCENTER,
            "emne": "Sådan henviser I borgere til brobygning", "varighed_min": 60,
            "opfoelgning": self.today + dt.timedelta(days=30)})

    def seed_arrangementer(self, ctx, users, borgere):
        """An inclusion course (three places) with the demo foreningskontakt registered, and a public
        workshop with one of the brobygger's borgere, through the services as the koordinator would."""
        center = ctx["center"]
        actor = actor_for(users[Rolle.KOORDINATOR], center.pk)
        start = timezone.now().replace(minute=0, second=0, microsecond=0)
        made = []
        for spec in data.ARRANGEMENTER:
            first = timezone.localtime(start + dt.timedelta(days=spec["dage"])).replace(hour=spec["klokken"])
            made.append(arrangement_create(actor=actor, data={
                **{k: spec[k] for k in ("type", "titel", "beskrivelse", "maalgruppe", "sted", "kapacitet",
                                        "offentlig")},
                "online_link": "", "ansvarlige": [users[Rolle.BROBYGGER]]},
                datoer=[(first + dt.timedelta(weeks=i), 150) for i in range(spec["antal"])]))
        tilmelding_opret(actor=actor, arrangement=made[0], user=users[Rolle.FORENINGSKONTAKT])
        mine = [b for b in borgere if b.brobygger_id == users[Rolle.BROBYGGER].pk]
        if mine:
            tilmelding_opret(actor=actor, arrangement=made[1], borger=mine[0])

    def seed_netvaerksrum(self, centre_users):
        """The network space (issue 14, point 5): the first centre holds a meeting that has been held
        (with notes) and the next one, for which each centre's koordinator has registered their
        brobygger; the next is full, so the second centre's koordinator waits. Two shared tools."""
        if len(centre_users) < 2 or Arrangement.objects.filter(i_netvaerket=True).exists():
            return
        (vaert, vaert_users), (andet, andet_users) = centre_users[:2]
        vaert_actor = actor_for(vaert_users[Rolle.KOORDINATOR], vaert.pk)
        andet_actor = actor_for(andet_users[Rolle.KOORDINATOR], andet.pk)
        start = timezone.now().replace(minute=0, second=0, microsecond=0)
        for spec in data.NETVAERKSMOEDER:
            naar = timezone.localtime(start + dt.timedelta(days=abs(spec["dage"]))).replace(hour=spec["klokken"])
            moede = netvaerksrum.netvaerksmoede_opret(actor=vaert_actor, data={
                k: spec[k] for k in ("titel", "beskrivelse", "sted", "online_link", "kapacitet")}, datoer=[(naar, 180)])
            netvaerksrum.netvaerkstilmelding_opret(actor=vaert_actor, moede=moede, user=vaert_users[Rolle.BROBYGGER])
            netvaerksrum.netvaerkstilmelding_opret(actor=andet_actor, moede=moede, user=andet_users[Rolle.BROBYGGER])
            if spec["dage"] < 0:  # held: moved back as if the days had passed, with its notes
                ArrangementDato.objects.filter(arrangement=moede).update(start=naar - dt.timedelta(days=2 * abs(spec["dage"])))
                for tilmelding in moede.tilmeldinger.all():
                    arrangement_paamindelser.sync_tilmelding(tilmelding)
                netvaerksrum.netvaerksreferat_gem(actor=vaert_actor, moede=moede, tekst=spec["referat"])
            else:
                netvaerksrum.netvaerkstilmelding_opret(actor=andet_actor, moede=moede,
                                                       user=andet_users[Rolle.KOORDINATOR])
        for i, spec in enumerate(data.NETVAERKSMATERIALER):
            actor = vaert_actor if i == 0 else andet_actor
            fil = SimpleUploadedFile(spec["fil"][0], spec["fil"][1].encode()) if "fil" in spec else None
            netvaerksrum.netvaerksmateriale_opret(actor=actor, data={
                "titel": spec["titel"], "beskrivelse": spec["beskrivelse"], "tags": spec["tags"],
                "link": spec.get("link", ""), "fil": fil})

    @staticmethod
    def _as_if_held(ledsagelse, when):
        """Move a meeting planned through the service back to `when` in the past, as if the days had
        passed; its påmindelser follow (those not sent are cancelled, the meeting having begun)."""
        Ledsagelse.objects.filter(pk=ledsagelse.pk).update(tidspunkt=when)
        ledsagelse.refresh_from_db()
        paamindelser.sync_ledsagelse(ledsagelse)
        aktivitet_registreret(ledsagelse.match.borger_id)  # the retention clock follows the meeting back

    def random_name(self, rng) -> tuple[str, str]:
        return rng.choice(data.FORNAVNE), rng.choice(data.EFTERNAVNE)

    def create_foreninger(self, ctx) -> list[Forening]:
        rng, venues = ctx["rng"], ctx["venues"]
        foreninger = []
        for i, (navn, _aktiviteter) in enumerate(data.FORENINGER[ctx["center"].slug]):
            postnr, adresse, _flags = venues[i % len(venues)]
            slug = ascii_slug(navn)
            first, last = self.random_name(rng)
            forening = Forening(
                center=ctx["center"],
                navn=navn,
                cvr=make_cvr(rng) if rng.random() < 0.7 else "",
                kontaktperson=f"{first} {last}",
                email=f"kontakt@{slug}.demo",
                telefon=make_phone(rng),
                adresse=adresse,
                postnummer=ctx["postnumre"][postnr],
                hjemmeside=f"https://{slug}.example.org" if rng.random() < 0.5 else "",
                inklusionsparat=rng.random() < 0.6,
                partnerskab=rng.random() < 0.5,
                noter="Demodata fra seed_demo.",
            )
            forening.full_clean()
            foreninger.append(forening)
        return Forening.objects.bulk_create(foreninger)

    def create_faellesskaber(self, ctx, foreninger):
        rng, venues, postnumre = ctx["rng"], ctx["venues"], ctx["postnumre"]
        used_titles = set()
        rows, tag_rows = [], []  # tag_rows: (index into rows, field name, tags)
        for i, forening in enumerate(foreninger):
            home = venues[i % len(venues)]
            for key in data.FORENINGER[ctx["center"].slug][i][1]:
                tpl = data.ACTIVITIES[key]
                venue = home if rng.random() < 0.7 else rng.choice(venues)
                postnr, adresse, flags = venue
                titel = self.pick_title(tpl["titler"], used_titles, postnumre[postnr].by, rng)
                pris, pris_note = tpl.get("pris", (0, ""))
                for_deltagere, for_frivillige = tpl["roller"]
                if for_deltagere and not for_frivillige and rng.random() < 0.2:
                    for_frivillige = True
                has_vaert = rng.random() < 0.85
                vaert_first, vaert_last = self.random_name(rng)
                alder_min, alder_max = tpl["alder"]
                lat = lng = None
                if rng.random() < 0.88:
                    lat = round(postnumre[postnr].lat + rng.uniform(-0.008, 0.008), 6)
                    lng = round(postnumre[postnr].lng + rng.uniform(-0.012, 0.012), 6)
                faellesskab = Faellesskab(
                    center=ctx["center"],
                    forening=forening,
                    titel=titel,
                    beskrivelse=tpl["beskrivelse"],
                    velkomst=self.make_velkomst(tpl, vaert_first if has_vaert else "værten", rng),
                    kategori=self.tags.one(TagType.KATEGORI, tpl["kategori"]),
                    adresse=adresse,
                    postnummer=postnumre[postnr],
                    lat=lat,
                    lng=lng,
                    alder_min=alder_min,
                    alder_max=alder_max,
                    for_deltagere=for_deltagere,
                    for_frivillige=for_frivillige,
                    aaben_for_nye=rng.random() < 0.9,
                    kapacitet=rng.randint(2, 12) if rng.random() < 0.35 else None,
                    vaert_navn=f"{vaert_first} {vaert_last}" if has_vaert else "",
                    vaert_email=make_email(vaert_first, vaert_last) if has_vaert else "",
                    vaert_telefon=make_phone(rng) if has_vaert and rng.random() < 0.5 else "",
                    pris=Decimal(pris),
                    pris_note=pris_note,
                    status=rng.choices(
                        [FaellesskabStatus.AKTIV, FaellesskabStatus.PAUSE, FaellesskabStatus.OPHOERT],
                        weights=[90, 7, 3],
                    )[0],
                    sidst_bekraeftet=self.today - dt.timedelta(days=rng.randint(0, 365)),
                )
                faellesskab.full_clean()
                tilgaengelighed = list(tpl["tilgaengelighed"])
                if tpl.get("ude"):  # outdoors: the building's toilet or hearing loop does not apply
                    flags = [flag for flag in flags if flag == data.T]
                tilgaengelighed += [flag for flag in flags if rng.random() < (0.5 if flag == data.L else 0.85)]
                if pris > 25:
                    tilgaengelighed = [t for t in tilgaengelighed if t != "Gratis eller lav pris"]
                maalgrupper = rng.sample(tpl["maalgrupper"], k=rng.randint(min(2, len(tpl["maalgrupper"])),
                                                                          len(tpl["maalgrupper"])))
                tag_rows.append((len(rows), "interesser", self.tags.many(TagType.INTERESSE, tpl["interesser"])))
                tag_rows.append((len(rows), "maalgrupper", self.tags.many(TagType.UDFORDRING, maalgrupper)))
                tag_rows.append((len(rows), "tilgaengelighed",
                                 self.tags.many(TagType.TILGAENGELIGHED, tilgaengelighed)))
                rows.append((faellesskab, tpl))

        faellesskaber = Faellesskab.objects.bulk_create([f for f, _tpl in rows])
        self.bulk_tags(Faellesskab, "faellesskab_id", faellesskaber, tag_rows)

        moedetider = []
        for faellesskab, tpl in rows:
            moedetider.extend(self.make_moedetider(faellesskab, tpl, rng))
        return faellesskaber, Moedetid.objects.bulk_create(moedetider)

    @staticmethod
    def make_velkomst(tpl, vaert, rng) -> str:
        text = rng.choice(data.VELKOMST_UDE if tpl.get("ude") else data.VELKOMST).format(vaert=vaert)
        return text[0].upper() + text[1:]

    def pick_title(self, variants, used, by, rng) -> str:
        start = rng.randrange(len(variants))
        for offset in range(len(variants)):
            titel = variants[(start + offset) % len(variants)]
            if titel not in used:
                used.add(titel)
                return titel
        titel = f"{variants[start]} i {by}"
        n = 2
        while titel in used:
            titel, n = f"{variants[start]} i {by} ({n})", n + 1
        used.add(titel)
        return titel

    def make_moedetider(self, faellesskab, tpl, rng) -> list[Moedetid]:
        fra, til = rng.choice(tpl["tider"])
        n = 1 if rng.random() < 0.6 else 2
        result = []
        for ugedag in sorted(rng.sample(tpl["dage"], k=min(n, len(tpl["dage"])))):
            roll = rng.random()
            moedetid = Moedetid(faellesskab=faellesskab, ugedag=ugedag, fra=parse_time(fra), til=parse_time(til))
            if roll < 0.65:
                moedetid.frekvens = Frekvens.UGENTLIG
            elif roll < 0.85:
                moedetid.frekvens = Frekvens.HVER_ANDEN_UGE
                start = self.today - dt.timedelta(weeks=rng.randint(2, 40))
                moedetid.gyldig_fra = start - dt.timedelta(days=(start.weekday() - ugedag) % 7)
            else:
                moedetid.frekvens = Frekvens.MAANEDLIG
                moedetid.uge_i_maaned = rng.choice([1, 2, 3, 4, -1])
            moedetid.full_clean()
            result.append(moedetid)
        return result

    def create_borgere(self, ctx, brobygger) -> list[Borger]:
        rng, postnumre = ctx["rng"], ctx["postnumre"]
        main_postnr = next(iter(data.PLACES[ctx["center"].slug]["postnumre"]))
        other_postnumre = sorted(postnumre)
        newcomers = list(data.NYE_I_DANMARK)
        rng.shuffle(newcomers)
        count = 30
        unassigned = set(rng.sample(range(count), k=count // 3))  # these wait in the centre's inbox
        used_names, used_emails = set(), set()
        rows, tag_rows = [], []
        for i in range(count):
            profil = data.PROFILER[i % len(data.PROFILER)]
            if profil["sprog"] is None:
                fornavn, efternavn, sprog = newcomers.pop()
            else:
                fornavn, efternavn = self.random_name(rng)
                while (fornavn, efternavn) in used_names:
                    fornavn, efternavn = self.random_name(rng)
                sprog = list(rng.choice(profil["sprog"]))
            used_names.add((fornavn, efternavn))

            kanal = rng.choice(profil["kanaler"])
            telefon = make_phone(rng) if kanal != "email" or rng.random() < 0.7 else ""
            email = ""
            if kanal == "email" or rng.random() < 0.35:
                email = make_email(fornavn, efternavn)
                n = 2
                while email in used_emails:
                    email, n = make_email(fornavn, efternavn, suffix=str(n)), n + 1
                used_emails.add(email)

            assigned = i not in unassigned
            status = (
                rng.choices([BorgerStatus.AKTIV, BorgerStatus.NY, BorgerStatus.PAUSE, BorgerStatus.AFSLUTTET],
                            weights=[60, 15, 10, 15])[0]
                if assigned else BorgerStatus.NY
            )
            barrierer = rng.sample(profil["barrierer"], k=rng.randint(1, min(3, len(profil["barrierer"]))))
            postnr = main_postnr if main_postnr in postnumre and rng.random() < 0.5 else rng.choice(other_postnumre)
            year_from, year_to = profil["foedselsaar"]
            borger = Borger(
                center=ctx["center"],
                fornavn=fornavn,
                efternavn=efternavn,
                telefon=telefon,
                email=email,
                foretrukken_kanal=kanal,
                postnummer=postnumre[postnr],
                foedselsaar=min(max(rng.randint(year_from, year_to), 1945), 2008),
                sprog=sprog,
                tilgaengelighed=self.make_slots(profil, rng),
                oensket_rolle=rng.choice(profil["roller"]),
                max_afstand_km=rng.choice([3, 5, 10, 15]) if "Transport og afstand" in barrierer
                else rng.choice([5, 10, 10, 15, 20, 25]),
                henvisningskilde=self.tags.one(TagType.HENVISNINGSKILDE, rng.choice(profil["kilder"])),
                brobygger=brobygger if assigned else None,
                status=status,
                noter=rng.choice(data.BORGER_NOTER),
            )
            borger.full_clean()
            interesser = rng.sample(profil["interesser"], k=rng.randint(2, min(4, len(profil["interesser"]))))
            behov = rng.sample(profil["behov"], k=rng.randint(0, min(2, len(profil["behov"]))))
            tag_rows.append((len(rows), "interesser", self.tags.many(TagType.INTERESSE, interesser)))
            tag_rows.append((len(rows), "barrierer", self.tags.many(TagType.BARRIERE, barrierer)))
            # Without the random stream, so the rest of the demo stays as it was.
            udfordringer = profil.get("udfordringer", [])[: 1 + i % 2]
            tag_rows.append((len(rows), "udfordringer", self.tags.many(TagType.UDFORDRING, udfordringer)))
            tag_rows.append((len(rows), "tilgaengelighedsbehov", self.tags.many(TagType.TILGAENGELIGHED, behov)))
            rows.append(borger)

        borgere = Borger.objects.bulk_create(rows)
        self.bulk_tags(Borger, "borger_id", borgere, tag_rows)
        # Consent first (issue 12): every demo borger gave the registration consent when registered.
        tekst = gaeldende_samtykketekst(center_id=ctx["center"].pk, formaal=Formaal.REGISTRERING)
        Samtykke.objects.bulk_create([
            Samtykke(center=ctx["center"], borger=borger, formaal=Formaal.REGISTRERING, tekst=tekst,
                     maade=SamtykkeMaade.MUNDTLIGT, registreret_af=brobygger) for borger in borgere])
        return borgere

    def make_slots(self, profil, rng) -> list[str]:
        days = rng.sample(profil["dage"], k=rng.randint(2, min(4, len(profil["dage"]))))
        codes = {
            f"{day}-{part}"
            for day in days
            for part in rng.sample(profil["slots"], k=rng.randint(1, min(2, len(profil["slots"]))))
        }
        return sorted(codes, key=SLOT_ORDER.__getitem__)

    @staticmethod
    def bulk_tags(model, fk_name, objects, tag_rows):
        """Creates the M2M rows for tag fields in one insert per field."""
        by_field = {}
        for index, field, tags in tag_rows:
            through = getattr(model, field).through
            by_field.setdefault(field, (through, []))[1].extend(
                through(**{fk_name: objects[index].pk, "tag_id": tag.pk}) for tag in tags
            )
        for through, links in by_field.values():
            through.objects.bulk_create(links)
