"""The shared core: users, centres (tenants), memberships, invitations, postal codes,
the taxonomy and the audit log."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import valg
from .fields import PhoneField


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra):
        if not email:
            raise ValueError("Email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in. Email is the login; there is no username."""

    email = models.EmailField(_("e-mail"), unique=True)
    first_name = models.CharField(_("fornavn"), max_length=100, blank=True)
    last_name = models.CharField(_("efternavn"), max_length=100, blank=True)
    telefon = PhoneField(_("telefon"), blank=True,
                         help_text=_("Vises for værten, når du følger en ny deltager til et første møde."))
    is_active = models.BooleanField(_("aktiv"), default=True)
    is_staff = models.BooleanField(_("adgang til administration"), default=False)
    date_joined = models.DateTimeField(_("oprettet"), default=timezone.now)
    # The network role (e.g. FriSe as national coordinator): sees the reports of the centres that
    # share with the network, aggregated and suppressed, and nothing else (SECURITY.md, "Netværket").
    netvaerksadgang = models.BooleanField(
        _("netværksadgang"), default=False,
        help_text=_("Ser samlede rapporter for de centre, der deler med netværket. Aldrig personoplysninger."))

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("bruger")
        verbose_name_plural = _("brugere")

    def __str__(self):
        return self.get_full_name() or self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email


class Frivilligcenter(models.Model):
    """A tenant. Nobody sees another centre's borgere."""

    navn = models.CharField(_("navn"), max_length=200)
    slug = models.SlugField(_("kort navn"), unique=True, help_text=_("Bruges i adresser, fx 'odense'."))
    email = models.EmailField(_("e-mail"), blank=True)
    telefon = models.CharField(_("telefon"), max_length=30, blank=True)
    opbevaring_maaneder = models.PositiveSmallIntegerField(
        _("opbevaring (måneder uden aktivitet)"), default=12,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Borgere uden aktivitet så længe anonymiseres automatisk."))
    oprettet = models.DateTimeField(_("oprettet"), auto_now_add=True)
    venteliste_synlig = models.BooleanField(
        _("brobyggere ser borgere, der venter"), default=False,
        help_text=_("Brobyggere ser fornavn, område og interesser og kan bede om at tage en borger."),
    )
    bekraeft_interval_uger = models.PositiveSmallIntegerField(
        _("spørg foreninger hver (uger)"), default=8,
        validators=[MinValueValidator(1), MaxValueValidator(52)],
        help_text=_("Så ofte får foreningerne “Er det stadig korrekt?”. Dobbelt så gammelt regnes som forældet."),
    )
    deler_med_netvaerk = models.BooleanField(
        _("del rapporter med netværket"), default=False,
        help_text=_("Netværket (fx FriSe) ser centrets tal i samlede rapporter, uden personoplysninger og "
                    "uden tal under 5."),
    )

    class Meta:
        verbose_name = _("frivilligcenter")
        verbose_name_plural = _("frivilligcentre")
        ordering = ["navn"]

    def __str__(self):
        return self.navn


class Rolle(models.TextChoices):
    KOORDINATOR = "koordinator", _("Koordinator")
    BROBYGGER = "brobygger", _("Brobygger")
    FORENINGSKONTAKT = "foreningskontakt", _("Foreningskontakt")


class Medlemskab(models.Model):
    """A user's role in one centre. A foreningskontakt is linked to the foreninger they represent."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="medlemskaber")
    center = models.ForeignKey(Frivilligcenter, on_delete=models.CASCADE, related_name="medlemskaber")
    rolle = models.CharField(_("rolle"), max_length=20, choices=Rolle.choices)
    foreninger = models.ManyToManyField(
        "foreninger.Forening", blank=True, related_name="kontakter", verbose_name=_("foreninger")
    )
    aktiv = models.BooleanField(_("aktiv"), default=True)
    oprettet = models.DateTimeField(_("oprettet"), auto_now_add=True)

    class Meta:
        verbose_name = _("medlemskab")
        verbose_name_plural = _("medlemskaber")
        constraints = [models.UniqueConstraint(fields=["user", "center"], name="medlemskab_unik_per_center")]

    def __str__(self):
        return f"{self.user} – {self.center} ({self.get_rolle_display()})"


class Invitation(models.Model):
    """An emailed invitation into a role. The link lets the person set a password, and expires."""

    center = models.ForeignKey(Frivilligcenter, on_delete=models.CASCADE, related_name="invitationer")
    email = models.EmailField(_("e-mail"))
    fornavn = models.CharField(_("fornavn"), max_length=100)
    efternavn = models.CharField(_("efternavn"), max_length=100, blank=True)
    rolle = models.CharField(_("rolle"), max_length=20, choices=Rolle.choices)
    foreninger = models.ManyToManyField("foreninger.Forening", blank=True, verbose_name=_("foreninger"))
    inviteret_af = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    oprettet = models.DateTimeField(_("oprettet"), default=timezone.now)
    accepteret = models.DateTimeField(_("accepteret"), null=True, blank=True)
    tilbagekaldt = models.DateTimeField(_("tilbagekaldt"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitationer")
        ordering = ["-oprettet"]

    def __str__(self):
        return f"{self.email} ({self.get_rolle_display()})"

    @property
    def udloeber(self):
        return self.oprettet + timezone.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)

    @property
    def er_aaben(self):
        return not self.accepteret and not self.tilbagekaldt and timezone.now() < self.udloeber


class Postnummer(models.Model):
    """A real Danish postal code with coordinates (countrystatecity-postal-codes, ODbL)."""

    nr = models.CharField(_("postnummer"), max_length=4, primary_key=True)
    by = models.CharField(_("by"), max_length=100)
    lat = models.FloatField(_("breddegrad"))
    lng = models.FloatField(_("længdegrad"))

    class Meta:
        verbose_name = _("postnummer")
        verbose_name_plural = _("postnumre")
        ordering = ["nr"]

    def __str__(self):
        return f"{self.nr} {self.by}"


class TagType(models.TextChoices):
    INTERESSE = "interesse", _("Interesse")
    KATEGORI = "kategori", _("Kategori")
    UDFORDRING = "udfordring", _("Udfordring / målgruppe")
    BARRIERE = "barriere", _("Barriere eller støttebehov")
    TILGAENGELIGHED = "tilgaengelighed", _("Tilgængelighed")
    HENVISNINGSKILDE = "henvisningskilde", _("Henvisningskilde")


class Tag(models.Model):
    """One term of the shared taxonomy. Seeded by a data migration, editable in the admin."""

    type = models.CharField(_("type"), max_length=20, choices=TagType.choices)
    navn = models.CharField(_("navn"), max_length=100)
    slug = models.SlugField(_("kode"), max_length=100)
    gruppe = models.CharField(_("gruppe"), max_length=50, blank=True, help_text=_("Fx 'socialt' eller 'praktisk'."))
    sortering = models.PositiveSmallIntegerField(_("sortering"), default=0)
    aktiv = models.BooleanField(_("aktiv"), default=True)

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("taksonomi")
        ordering = ["type", "sortering", "navn"]
        constraints = [models.UniqueConstraint(fields=["type", "slug"], name="tag_unik_slug_per_type")]

    def __str__(self):
        return self.navn


class AuditAction(models.TextChoices):
    """What an audit entry records, as `<object>.<what happened>` (dotted ids, like pretix's log
    action types). `log_action` refuses anything else, so the log never holds free text."""

    # Centre, users, invitations, calendar links, påmindelser (the core)
    CENTER_AENDRET = "frivilligcenter.aendret", _("Center ændret")
    INVITATION_OPRETTET = "invitation.oprettet", _("Invitation sendt")
    INVITATION_ACCEPTERET = "invitation.accepteret", _("Invitation accepteret")
    MEDLEMSKAB_DEAKTIVERET = "medlemskab.deaktiveret", _("Medlemskab deaktiveret")
    MEDLEMSKAB_OPRETTET = "medlemskab.oprettet", _("Medlemskab oprettet")
    MEDLEMSKAB_AENDRET = "medlemskab.aendret", _("Medlemskab ændret")
    BRUGER_DEAKTIVERET = "user.deaktiveret", _("Bruger deaktiveret")
    BRUGER_TELEFON = "user.telefon", _("Telefonnummer ændret")
    BRUGER_NETVAERKSADGANG = "user.netvaerksadgang", _("Netværksadgang givet eller fjernet")
    KALENDERFEED_OPRETTET = "kalenderfeed.oprettet", _("Kalenderlink oprettet")
    KALENDERFEED_SLETTET = "kalenderfeed.slettet", _("Kalenderlink slettet")
    PAAMINDELSE_PROEVET_IGEN = "paamindelse.proevet_igen", _("Påmindelse prøvet igen")
    # Borgere
    BORGER_OPRETTET = "borger.oprettet", _("Borger oprettet")
    BORGER_AENDRET = "borger.aendret", _("Borger ændret")
    BORGER_ARKIVERET = "borger.arkiveret", _("Borger arkiveret")
    BORGER_ANONYMISERET = "borger.anonymiseret", _("Borger anonymiseret")
    BORGER_OPBEVARING_FORLAENGET = "borger.opbevaring_forlaenget", _("Opbevaring forlænget")
    BORGER_PROJEKTER_AENDRET = "borger.projekter_aendret", _("Borgerens projekter ændret")
    PROJEKT_OPRETTET = "projekt.oprettet", _("Projekt oprettet")
    PROJEKT_AENDRET = "projekt.aendret", _("Projekt ændret")
    PROJEKT_ARKIVERET = "projekt.arkiveret", _("Projekt arkiveret")
    SAMTALE_OPRETTET = "samtale.oprettet", _("Samtale registreret")
    SAMTYKKE_GIVET = "samtykke.givet", _("Samtykke givet")
    SAMTYKKE_TILBAGEKALDT = "samtykke.tilbagekaldt", _("Samtykke trukket tilbage")
    SAMTYKKETEKST_OPRETTET = "samtykketekst.oprettet", _("Ny samtykketekst")
    MAALING_REGISTRERET = "maaling.registreret", _("Måling registreret")
    ANMODNING_OPRETTET = "overtagelsesanmodning.oprettet", _("Anmodning om at tage en borger")
    ANMODNING_GODKENDT = "overtagelsesanmodning.godkendt", _("Anmodning godkendt")
    ANMODNING_AFVIST = "overtagelsesanmodning.afvist", _("Anmodning afvist")
    HENVISNING_MODTAGET = "henvisning.modtaget", _("Henvisning modtaget")
    HENVISNING_OPRETTET_SOM_BORGER = "henvisning.oprettet_som_borger", _("Henvisning oprettet som borger")
    HENVISNING_AFVIST = "henvisning.afvist", _("Henvisning afvist")
    # Foreninger, fællesskaber and the import
    FORENING_OPRETTET = "forening.oprettet", _("Forening oprettet")
    FORENING_AENDRET = "forening.aendret", _("Forening ændret")
    FORENING_ARKIVERET = "forening.arkiveret", _("Forening arkiveret")
    FORENING_IMPORTERET = "forening.importeret", _("Forening importeret")
    FORENING_AENDRET_VED_IMPORT = "forening.aendret_ved_import", _("Forening ændret ved import")
    FORENING_SPURGT = "forening.spurgt_om_stadig_korrekt", _("Spurgt om stadig korrekt")
    FORENING_SPURGT_AF_KOORDINATOR = "forening.spurgt_af_koordinator", _("Koordinator bad foreningen bekræfte")
    FAELLESSKAB_OPRETTET = "faellesskab.oprettet", _("Fællesskab oprettet")
    FAELLESSKAB_AENDRET = "faellesskab.aendret", _("Fællesskab ændret")
    FAELLESSKAB_ARKIVERET = "faellesskab.arkiveret", _("Fællesskab arkiveret")
    FAELLESSKAB_BEKRAEFTET = "faellesskab.bekraeftet", _("Fællesskab bekræftet")
    FAELLESSKAB_IMPORTERET = "faellesskab.importeret", _("Fællesskab importeret")
    FAELLESSKAB_AENDRET_VED_IMPORT = "faellesskab.aendret_ved_import", _("Fællesskab ændret ved import")
    IMPORT_UPLOADET = "importjob.uploadet", _("Importfil uploadet")
    IMPORT_STARTET = "importjob.startet", _("Import startet")
    IMPORT_GENNEMFOERT = "importjob.importeret", _("Import gennemført")
    # The local partnership (issue 14)
    PARTNERSKAB_OPRETTET = "partnerskab.oprettet", _("Partnerskab oprettet")
    PARTNERSKAB_AENDRET = "partnerskab.aendret", _("Partnerskab ændret")
    PARTNER_OPRETTET = "partner.oprettet", _("Partner oprettet")
    PARTNER_AENDRET = "partner.aendret", _("Partner ændret")
    PARTNERKONTAKT_OPRETTET = "partnerkontakt.oprettet", _("Kontakt med partner noteret")
    TILSLUTNING_BEVILGET = "tilslutningsbeloeb.bevilget", _("Tilslutningsbeløb bevilget")
    TILSLUTNING_AENDRET = "tilslutningsbeloeb.aendret", _("Tilslutningsbeløb ændret")
    # Volunteer roles and advice to professionals (issue 14)
    FRIVILLIGROLLE_OPRETTET = "frivilligrolle.oprettet", _("Frivilligrolle oprettet")
    FRIVILLIGROLLE_AENDRET = "frivilligrolle.aendret", _("Frivilligrolle ændret")
    ROLLEKANDIDAT_OPRETTET = "rollekandidat.oprettet", _("Frivilligkandidat registreret")
    ROLLEKANDIDAT_AENDRET = "rollekandidat.aendret", _("Frivilligkandidat ændret")
    ROLLEKANDIDAT_ANONYMISERET = "rollekandidat.anonymiseret", _("Frivilligkandidat anonymiseret")
    ROLLEMATCH_OPRETTET = "rollematch.oprettet", _("Match til frivilligrolle gemt")
    ROLLEMATCH_KONTAKTET = "rollematch.status.kontaktet", _("Match til frivilligrolle: kontaktet")
    ROLLEMATCH_AFTALT = "rollematch.status.aftalt", _("Match til frivilligrolle: aftalt")
    ROLLEMATCH_AFSLUTTET = "rollematch.status.afsluttet", _("Match til frivilligrolle afsluttet")
    RAADGIVNING_OPRETTET = "raadgivning.oprettet", _("Rådgivning registreret")
    RAADGIVNING_AENDRET = "raadgivning.aendret", _("Rådgivning ændret")
    # Matches, first meetings and follow-ups
    MATCH_OPRETTET = "match.oprettet", _("Match oprettet")
    MATCH_FORTRUDT = "match.fortrudt", _("Match fortrudt lige efter oprettelsen")
    MATCH_FASE_FORESLAAET = "match.fase.foreslaaet", _("Fase: foreslået")
    MATCH_FASE_ACCEPTERET = "match.fase.accepteret", _("Fase: accepteret")
    MATCH_FASE_MOEDE_PLANLAGT = "match.fase.moede_planlagt", _("Fase: første møde planlagt")
    MATCH_FASE_LEDSAGET = "match.fase.ledsaget", _("Fase: ledsaget")
    MATCH_FASE_BUDT_VELKOMMEN = "match.fase.budt_velkommen", _("Fase: budt velkommen")
    MATCH_FASE_AKTIV_1_MD = "match.fase.aktiv_1_md", _("Fase: deltager efter 1 måned")
    MATCH_FASE_AKTIV_3_MD = "match.fase.aktiv_3_md", _("Fase: deltager efter 3 måneder")
    MATCH_FASE_AFSLUTTET = "match.fase.afsluttet", _("Fase: afsluttet")
    LEDSAGELSE_PLANLAGT = "ledsagelse.planlagt", _("Første møde planlagt")
    LEDSAGELSE_AENDRET = "ledsagelse.aendret", _("Første møde ændret")
    LEDSAGELSE_UDFALD_PLANLAGT = "ledsagelse.udfald.planlagt", _("Udfald: planlagt")
    LEDSAGELSE_UDFALD_MOEDT_OP = "ledsagelse.udfald.moedt_op", _("Udfald: mødte op")
    LEDSAGELSE_UDFALD_UDEBLEV = "ledsagelse.udfald.udeblev", _("Udfald: mødte ikke op")
    LEDSAGELSE_UDFALD_AFLYST = "ledsagelse.udfald.aflyst", _("Udfald: aflyst")
    LEDSAGELSE_VAERT_BEKRAEFTET = "ledsagelse.vaert_bekraeftet", _("Værten tager imod")
    LEDSAGELSE_VAERT_KOM = "ledsagelse.vaert.kom", _("Værten: kom og blev taget godt imod")
    LEDSAGELSE_VAERT_KOM_IKKE = "ledsagelse.vaert.kom_ikke", _("Værten: kom ikke")
    LEDSAGELSE_SVAR_VAERT = "ledsagelse.svar.vaert", _("Svar fra værten (link eller SMS)")
    LEDSAGELSE_SVAR_BORGER = "ledsagelse.svar.borger", _("Svar fra borgeren (link eller SMS)")
    OPFOELGNING_REGISTRERET = "opfoelgning.registreret", _("Opfølgning registreret")
    # Arrangementer (issue 14)
    ARRANGEMENT_OPRETTET = "arrangement.oprettet", _("Arrangement oprettet")
    ARRANGEMENT_AENDRET = "arrangement.aendret", _("Arrangement ændret")
    ARRANGEMENT_AFLYST = "arrangement.aflyst", _("Arrangement aflyst")
    ARRANGEMENTDATO_OPRETTET = "arrangementdato.oprettet", _("Dato tilføjet")
    ARRANGEMENTDATO_FLYTTET = "arrangementdato.flyttet", _("Dato flyttet")
    ARRANGEMENTDATO_AFLYST = "arrangementdato.aflyst", _("Dato aflyst")
    TILMELDING_OPRETTET = "tilmelding.oprettet", _("Tilmelding")
    TILMELDING_VENTELISTE = "tilmelding.venteliste", _("Tilmelding på venteliste")
    TILMELDING_RYKKET_OP = "tilmelding.rykket_op", _("Rykket op fra ventelisten")
    TILMELDING_AFMELDT = "tilmelding.afmeldt", _("Afmelding")
    TILMELDING_FORLOEB_STARTET = "tilmelding.forloeb_startet", _("Forløb startet fra en tilmelding")
    TILMELDING_ANONYMISERET = "tilmelding.anonymiseret", _("Tilmeldingens kontaktoplysninger slettet")
    FREMMOEDE_REGISTRERET = "fremmoede.registreret", _("Fremmøde registreret")
    EVALUERING_MODTAGET = "evaluering.modtaget", _("Evaluering modtaget")
    # The network of centres (issue 14, point 5)
    NETVAERKSMATERIALE_OPRETTET = "netvaerksmateriale.oprettet", _("Materiale delt i netværket")
    NETVAERKSMATERIALE_AENDRET = "netvaerksmateriale.aendret", _("Materiale i netværket ændret")
    NETVAERKSMATERIALE_SLETTET = "netvaerksmateriale.slettet", _("Materiale i netværket slettet")
    NETVAERKSREFERAT_GEMT = "netvaerksreferat.gemt", _("Referat af netværksmøde gemt")


class AuditEntry(models.Model):
    """Who changed what, and when. Holds field names, never personal values."""

    center = models.ForeignKey(Frivilligcenter, on_delete=models.SET_NULL, null=True, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    tidspunkt = models.DateTimeField(_("tidspunkt"), default=timezone.now, db_index=True)
    # No `choices` here: AuditAction is checked by log_action, and leaving the list out of the
    # field means a new action needs no migration.
    handling = models.CharField(_("handling"), max_length=50)
    objekt_type = models.CharField(_("objekttype"), max_length=50)
    objekt_id = models.CharField(_("objekt-id"), max_length=40)
    felter = models.JSONField(_("ændrede felter"), default=list, blank=True)

    class Meta:
        verbose_name = _("logpost")
        verbose_name_plural = _("revisionslog")
        ordering = ["-tidspunkt"]
        indexes = [models.Index(fields=["objekt_type", "objekt_id"])]

    def __str__(self):
        return f"{self.tidspunkt:%Y-%m-%d %H:%M} {self.handling} {self.objekt_type}#{self.objekt_id}"

    def get_handling_display(self):
        """The action's label, as the `choices` display would give it."""
        try:
            return AuditAction(self.handling).label
        except ValueError:
            return self.handling


class PaamindelseStatus(models.TextChoices):
    AFVENTER = "afventer", _("Afventer")
    SENDER = "sender", _("Sendes nu")
    SENDT = "sendt", _("Sendt")
    FEJLET = "fejlet", _("Fejlet")
    ANNULLERET = "annulleret", _("Annulleret")
    FORPASSET = "forpasset", _("Forpasset")


class PaamindelseKanal(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")


class Paamindelse(models.Model):
    """One påmindelse (an outgoing message). The database is the queue (ARCHITECTURE.md, "Påmindelser").

    The subject is what the message is about (`emne_type` + `emne_id`, e.g. a ledsagelse); the
    recipient and content are resolved from it when the message is sent, so changed contact
    details or a withdrawn consent apply. Unique per (subject, kind, revision): reminders have
    revision 0; a message about a change (a moved or cancelled meeting) carries the meeting's
    revision, so a meeting moved twice gets two such messages.
    """

    center = models.ForeignKey(Frivilligcenter, on_delete=models.CASCADE, related_name="+")
    emne_type = models.CharField(_("emne"), max_length=30)
    emne_id = models.PositiveBigIntegerField(_("emne-id"))
    art = models.CharField(_("art"), max_length=40)
    sekvens = models.PositiveIntegerField(
        _("revision"), default=0,
        help_text=_("For en besked om en ændring (flyttet eller aflyst): mødets revision. 0 for påmindelser."))
    kanal = models.CharField(_("kanal"), max_length=10, choices=PaamindelseKanal.choices)
    forfalder = models.DateTimeField(_("forfalder"))
    begivenhed = models.DateTimeField(_("begivenhedens tidspunkt"), null=True, blank=True,
                                      help_text=_("Er den passeret, markeres påmindelsen som forpasset."))
    status = models.CharField(_("status"), max_length=12, choices=PaamindelseStatus.choices,
                              default=PaamindelseStatus.AFVENTER)
    forsoeg = models.PositiveSmallIntegerField(_("forsøg"), default=0)
    sidste_fejl = models.TextField(_("sidste fejl"), blank=True)
    # The lease: `laas` is the claiming dispatcher's token (new at every claim), `taget` when the
    # lease was last taken or renewed. Only the holder of the token may send or record the row.
    taget = models.DateTimeField(_("taget til afsendelse"), null=True, blank=True)
    laas = models.UUIDField(_("lås"), null=True, blank=True, editable=False)
    # Drawn at the first attempt after the row was (re)armed (`forsoeg` back at 0), kept for its
    # retries: the SMS gateway's idempotency key (`brobygning.paamindelser.idempotency_key`).
    noegle = models.UUIDField(_("idempotensnøgle"), null=True, blank=True, editable=False)
    sendt = models.DateTimeField(_("sendt"), null=True, blank=True)
    oprettet = models.DateTimeField(_("oprettet"), auto_now_add=True)

    class Meta:
        verbose_name = _("påmindelse")
        verbose_name_plural = _("påmindelser")
        ordering = ["forfalder"]
        constraints = [
            models.UniqueConstraint(fields=["emne_type", "emne_id", "art", "sekvens"],
                                    name="en_paamindelse_per_emne_art_og_revision"),
        ]
        # (center, status, -sendt) serves the koordinator's tabs, the "sendt" tab's newest-first
        # ordering included (issue 15); (status, sendt) the purge of old sent rows. The two partial
        # indexes give the other tabs their page in order, without sorting the centre's rows: the
        # upcoming rows (afventer and sender) soonest first, and the failed, missed and cancelled ones
        # latest first (PERFORMANCE.md, "Påmindelser and the cached report page").
        indexes = [models.Index(fields=["status", "forfalder"]), models.Index(fields=["center", "status", "-sendt"]),
                   models.Index(fields=["status", "sendt"]),
                   models.Index(fields=["center", "forfalder", "id"], name="paamindelse_kommende_idx",
                                condition=models.Q(status__in=["afventer", "sender"])),
                   models.Index(fields=["center", "status", "-forfalder", "-id"], name="paamindelse_historik_idx",
                                condition=models.Q(status__in=["fejlet", "forpasset", "annulleret"]))]

    def __str__(self):
        return f"{self.art} {self.emne_type}#{self.emne_id} ({self.get_status_display()})"


class Kalenderfeed(models.Model):
    """A brobygger's personal iCal feed. Only a SHA-256 hash of the secret token is stored."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="kalenderfeed")
    token_hash = models.CharField(max_length=64, unique=True)
    oprettet = models.DateTimeField(_("oprettet"), default=timezone.now)

    class Meta:
        verbose_name = _("kalenderfeed")
        verbose_name_plural = _("kalenderfeeds")

    def __str__(self):
        return f"{self.user_id} ({self.oprettet:%Y-%m-%d})"


class AppendOnlyQuerySet(models.QuerySet):
    """Bulk update and delete are refused; only `brobygning.adgangslog.purge_old` removes old rows."""

    def update(self, **kwargs):
        raise PermissionError("Adgangsloggen kan ikke ændres.")

    def delete(self):
        raise PermissionError("Adgangsloggen kan ikke slettes; kun den automatiske oprydning fjerner gamle poster.")


class Adgangslog(models.Model):
    """Who read, searched, exported, changed or deleted a borger's data, or logged in (append-only).

    The borger is kept as an id only (never a foreign key or a name), so an erased borger leaves
    nothing identifying here. Written through `brobygning.adgangslog`; on PostgreSQL a trigger
    refuses UPDATE and DELETE except for the purge.
    """

    class Handling(models.TextChoices):
        LAEST = "laest", _("Læst")
        SOEGNING = "soegning", _("Søgning eller liste")
        EKSPORT = "eksport", _("Eksport")
        AENDRET = "aendret", _("Ændret")
        SLETTET = "slettet", _("Slettet/anonymiseret")
        LOGIN = "login", _("Logget ind")
        LOGOUT = "logout", _("Logget ud")
        LOGIN_FEJLET = "login_fejlet", _("Mislykket login")
        AFVIST = "afvist", _("Adgang afvist")
        FORLAENGET = "forlaenget", _("Opbevaring forlænget")

    # No database constraint and no cascade: deleting a user or centre must not rewrite the log.
    center = models.ForeignKey(Frivilligcenter, on_delete=models.DO_NOTHING, db_constraint=False, null=True,
                               blank=True, related_name="+")
    bruger = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.DO_NOTHING, db_constraint=False,
                               null=True, blank=True, related_name="+")
    tidspunkt = models.DateTimeField(_("tidspunkt (UTC)"), default=timezone.now, db_index=True)
    handling = models.CharField(_("handling"), max_length=20, choices=Handling.choices)
    borger_id = models.PositiveBigIntegerField(_("borger-id"), null=True, blank=True, db_index=True)
    kriterium = models.CharField(_("kriterium"), max_length=300, blank=True)
    formaal = models.CharField(_("formål"), max_length=60, blank=True)
    visning = models.CharField(_("side"), max_length=80, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        verbose_name = _("adgangslogpost")
        verbose_name_plural = _("adgangslog")
        ordering = ["-tidspunkt", "-pk"]
        indexes = [
            models.Index(fields=["center", "bruger", "tidspunkt"]),
            # The overview's volume alert reads one day of a centre's reads (`adgangslog.volume_alerts`):
            # an index-only range, not the centre's whole log ANDed with the day's (issue 15).
            models.Index(fields=["center", "tidspunkt"], include=["bruger", "borger_id"], name="adgangslog_laest_idx",
                         condition=models.Q(handling="laest", bruger__isnull=False, borger_id__isnull=False)),
        ]

    def __str__(self):
        return f"{self.tidspunkt:%Y-%m-%d %H:%M} {self.handling} #{self.borger_id or '-'}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("Adgangsloggen kan ikke ændres.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("Adgangsloggen kan ikke slettes.")

    def get_handling_display(self):  # a row of the access log each
        return valg.tekst(Adgangslog.Handling, self.handling)
