"""Foreninger and their fællesskaber, with recurring meeting times that map onto HSDS `schedule`."""

import functools
import uuid
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from brobygning.availability import WEEKDAYS
from brobygning.cpr import afvis_cpr
from brobygning.fields import Archivable, PhoneField, long_text
from brobygning.models import Frivilligcenter, Postnummer, Tag, TagType


class Forening(Archivable):
    center = models.ForeignKey(Frivilligcenter, on_delete=models.PROTECT, related_name="foreninger")
    version = models.PositiveIntegerField(_("version"), default=1, editable=False,
                                          help_text=_("Tælles op ved hver gemning; afviser samtidige ændringer."))
    navn = models.CharField(_("navn"), max_length=200)
    cvr = models.CharField(_("CVR-nummer"), max_length=8, blank=True, help_text=_("8 cifre, fx 12345678."))
    kontaktperson = models.CharField(_("kontaktperson"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    telefon = PhoneField(_("telefon"), blank=True)
    adresse = models.CharField(_("adresse"), max_length=200, blank=True)
    postnummer = models.ForeignKey(
        Postnummer, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("postnummer")
    )
    hjemmeside = models.URLField(_("hjemmeside"), blank=True)
    inklusionsparat = models.BooleanField(
        _("klædt på til at tage imod nye"), default=False,
        help_text=_("Foreningen har fået træning i at byde nye og sårbare velkommen."),
    )
    partnerskab = models.BooleanField(_("med i det lokale partnerskab"), default=False)
    noter = long_text(_("interne noter"))
    # "Er det stadig korrekt?": each mailing gets a new nonce, so only the latest link works.
    bekraeft_nonce = models.CharField(max_length=32, blank=True, editable=False)
    bekraeft_sendt = models.DateTimeField(_("sidst spurgt"), null=True, blank=True, editable=False)
    # Stable id in the HSDS export; the id a row had in an imported file, so re-imports update it.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    ekstern_id = models.CharField(_("eksternt id"), max_length=200, blank=True, editable=False)

    class Meta:
        verbose_name = _("forening")
        verbose_name_plural = _("foreninger")
        ordering = ["navn"]
        indexes = [models.Index(fields=["center", "arkiveret"])]
        constraints = [models.UniqueConstraint(fields=["center", "ekstern_id"], condition=~models.Q(ekstern_id=""),
                                               name="forening_unikt_eksternt_id")]

    def __str__(self):
        return self.navn

    def get_absolute_url(self):
        return reverse("foreninger:forening_detail", args=[self.pk])


class FaellesskabStatus(models.TextChoices):
    AKTIV = "aktiv", _("Aktiv")
    PAUSE = "pause", _("På pause")
    OPHOERT = "ophoert", _("Ophørt")


# A fællesskab's own part of "public" (see `public_faellesskaber`; the forening's part is a join).
PUBLIC_ROW = models.Q(arkiveret__isnull=True, offentlig=True, status=FaellesskabStatus.AKTIV)


def _tags(tag_type, verbose_name):
    return models.ManyToManyField(
        Tag, blank=True, related_name="+", limit_choices_to={"type": tag_type}, verbose_name=verbose_name
    )


# What a signed "Er det stadig korrekt?" link may change: the fællesskab's practical details (and
# its meeting times). Who the host is, how to reach them and whether the entry is public need a
# login, so a forwarded link cannot redirect newcomer notices or publish an entry (issue 11).
LINK_FELTER = ("beskrivelse", "velkomst", "adresse", "postnummer", "lat", "lng", "aaben_for_nye", "kapacitet",
               "pris", "pris_note")


class Faellesskab(Archivable):
    version = models.PositiveIntegerField(_("version"), default=1, editable=False,
                                          help_text=_("Tælles op ved hver gemning; afviser samtidige ændringer."))
    # The centre is copied from the forening so matching and scoping filter one indexed column.
    center = models.ForeignKey(Frivilligcenter, on_delete=models.PROTECT, related_name="faellesskaber")
    forening = models.ForeignKey(
        Forening, on_delete=models.PROTECT, related_name="faellesskaber", verbose_name=_("forening")
    )
    titel = models.CharField(_("titel"), max_length=200)
    beskrivelse = long_text(_("beskrivelse"))
    velkomst = long_text(_("sådan bliver du taget imod"))
    kategori = models.ForeignKey(
        Tag, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        limit_choices_to={"type": TagType.KATEGORI}, verbose_name=_("kategori"),
    )
    interesser = _tags(TagType.INTERESSE, _("interesser"))
    maalgrupper = _tags(TagType.UDFORDRING, _("målgrupper"))
    tilgaengelighed = _tags(TagType.TILGAENGELIGHED, _("tilgængelighed"))
    adresse = models.CharField(_("adresse"), max_length=200, blank=True)
    postnummer = models.ForeignKey(Postnummer, on_delete=models.PROTECT, verbose_name=_("postnummer"))
    lat = models.FloatField(_("breddegrad"), null=True, blank=True,
                            validators=[MinValueValidator(54.0), MaxValueValidator(58.0)])
    lng = models.FloatField(_("længdegrad"), null=True, blank=True,
                            validators=[MinValueValidator(7.5), MaxValueValidator(15.5)])
    alder_min = models.PositiveSmallIntegerField(_("alder fra"), null=True, blank=True,
                                                 validators=[MaxValueValidator(120)])
    alder_max = models.PositiveSmallIntegerField(_("alder til"), null=True, blank=True,
                                                 validators=[MaxValueValidator(120)])
    for_deltagere = models.BooleanField(_("søger deltagere"), default=True)
    for_frivillige = models.BooleanField(_("søger frivillige"), default=False)
    aaben_for_nye = models.BooleanField(_("åben for nye"), default=True)
    kapacitet = models.PositiveSmallIntegerField(
        _("ledige pladser"), null=True, blank=True, help_text=_("Tom betyder ingen grænse.")
    )
    vaert_navn = models.CharField(_("værtens navn"), max_length=200, blank=True)
    vaert_email = models.EmailField(_("værtens e-mail"), blank=True)
    vaert_telefon = PhoneField(_("værtens telefon"), blank=True)
    pris = models.DecimalField(_("pris (kr.)"), max_digits=7, decimal_places=2, default=0,
                               validators=[MinValueValidator(0)])
    pris_note = models.CharField(_("om prisen"), max_length=200, blank=True,
                                 help_text=_("Fx 'pr. gang' eller 'kontingent pr. år'."))
    status = models.CharField(_("status"), max_length=10, choices=FaellesskabStatus.choices,
                              default=FaellesskabStatus.AKTIV)
    sidst_bekraeftet = models.DateField(_("sidst bekræftet"), null=True, blank=True)
    offentlig = models.BooleanField(
        _("vis i den offentlige oversigt"), default=True,
        help_text=_("Fællesskabet kan findes af alle på centrets offentlige side, når det også er aktivt."),
    )
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    ekstern_id = models.CharField(_("eksternt id"), max_length=200, blank=True, editable=False)

    class Meta:
        verbose_name = _("fællesskab")
        verbose_name_plural = _("fællesskaber")
        ordering = ["titel"]
        indexes = [
            models.Index(fields=["center", "arkiveret", "status", "aaben_for_nye"]),
            # The public lists' order, over public rows only (issue 15): the HSDS lists walk these
            # from a keyset cursor; the centre's export walks (center, id).
            models.Index(fields=["titel", "id"], condition=PUBLIC_ROW, name="faellesskab_offentlig_titel"),
            models.Index(fields=["center", "titel", "id"], condition=PUBLIC_ROW, name="faellesskab_offentlig_c_titel"),
            models.Index(fields=["center", "id"], condition=PUBLIC_ROW, name="faellesskab_offentlig_c_id"),
            # The overview's "not confirmed for 2 × N weeks", oldest first: an index range with a LIMIT.
            models.Index(fields=["center", "sidst_bekraeftet", "titel"], condition=models.Q(arkiveret__isnull=True),
                         name="faellesskab_bekraeftet"),
            # A list row's title by id from the index alone: the match board's cards, the overviews' meetings.
            models.Index(fields=["id"], include=["titel"], name="faellesskab_titel_idx"),
        ]
        constraints = [models.UniqueConstraint(fields=["center", "ekstern_id"], condition=~models.Q(ekstern_id=""),
                                               name="faellesskab_unikt_eksternt_id")]

    def __str__(self):
        return self.titel

    def get_absolute_url(self):
        return reverse("foreninger:faellesskab_detail", args=[self.pk])

    @property
    def har_vaert(self):
        return bool(self.vaert_navn)

    def clean(self):
        errors = {}
        if self.alder_min is not None and self.alder_max is not None and self.alder_min > self.alder_max:
            errors["alder_max"] = _("'Alder til' skal være større end eller lig med 'alder fra'.")
        if not (self.for_deltagere or self.for_frivillige):
            errors["for_deltagere"] = _("Vælg mindst én rolle: deltager eller frivillig.")
        if (self.lat is None) != (self.lng is None):
            errors["lng"] = _("Angiv både bredde- og længdegrad, eller ingen af dem.")
        if self.forening_id and self.center_id and self.forening.center_id != self.center_id:
            errors["forening"] = _("Foreningen hører til et andet frivilligcenter.")
        if errors:
            raise ValidationError(errors)


class Frekvens(models.TextChoices):
    UGENTLIG = "WEEKLY", _("Hver uge")
    HVER_ANDEN_UGE = "BIWEEKLY", _("Hver anden uge")
    MAANEDLIG = "MONTHLY", _("Hver måned")


class Moedetid(models.Model):
    """A recurring meeting time: weekly, every other week or monthly on a weekday, from–to."""

    UGE_I_MAANED = [(1, _("første")), (2, _("anden")), (3, _("tredje")), (4, _("fjerde")), (-1, _("sidste"))]

    faellesskab = models.ForeignKey(Faellesskab, on_delete=models.CASCADE, related_name="moedetider")
    frekvens = models.CharField(_("hvor ofte"), max_length=10, choices=Frekvens.choices, default=Frekvens.UGENTLIG)
    ugedag = models.PositiveSmallIntegerField(_("ugedag"), choices=WEEKDAYS)
    uge_i_maaned = models.SmallIntegerField(
        _("hvilken uge i måneden"), choices=UGE_I_MAANED, null=True, blank=True,
        help_text=_("Kun ved månedlige møder, fx 'første' mandag."),
    )
    fra = models.TimeField(_("fra kl."))
    til = models.TimeField(_("til kl."))
    gyldig_fra = models.DateField(_("gælder fra"), null=True, blank=True)
    gyldig_til = models.DateField(_("gælder til"), null=True, blank=True)
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        verbose_name = _("mødetid")
        verbose_name_plural = _("mødetider")
        ordering = ["ugedag", "fra"]

    def __str__(self):
        return moedetid_tekst(get_language(), self.frekvens, self.ugedag, self.uge_i_maaned, self.fra, self.til)

    def clean(self):
        errors = {}
        if self.fra and self.til and self.til <= self.fra:
            errors["til"] = _("Sluttidspunktet skal ligge efter starttidspunktet.")
        if self.gyldig_fra and self.gyldig_til and self.gyldig_til < self.gyldig_fra:
            errors["gyldig_til"] = _("Slutdatoen skal ligge efter startdatoen.")
        if self.frekvens == Frekvens.HVER_ANDEN_UGE and not self.gyldig_fra:
            errors["gyldig_fra"] = _("Angiv en startdato, så vi ved hvilke uger der mødes.")
        if self.frekvens == Frekvens.MAANEDLIG and self.uge_i_maaned is None:
            errors["uge_i_maaned"] = _("Vælg hvilken uge i måneden, I mødes.")
        if self.frekvens != Frekvens.MAANEDLIG:
            self.uge_i_maaned = None
        if errors:
            raise ValidationError(errors)


@functools.lru_cache(maxsize=4096)
def moedetid_tekst(_sprog, frekvens, ugedag, uge_i_maaned, fra, til) -> str:
    """str() of a meeting time, once per distinct time and language: the choices' display lookups and
    gettext calls were a tenth of the public directory's rendering (25 cards, ~36 times)."""
    parts = {"dag": str(dict(WEEKDAYS).get(ugedag, ugedag)).lower(), "fra": f"{fra:%H:%M}", "til": f"{til:%H:%M}"}
    if frekvens == Frekvens.MAANEDLIG:
        parts["uge"] = str(dict(Moedetid.UGE_I_MAANED).get(uge_i_maaned, uge_i_maaned) or "")
        return capfirst(_("%(uge)s %(dag)s i måneden kl. %(fra)s–%(til)s") % parts)
    if frekvens == Frekvens.HVER_ANDEN_UGE:
        return _("Hver anden %(dag)s kl. %(fra)s–%(til)s") % parts
    return _("Hver %(dag)s kl. %(fra)s–%(til)s") % parts


class ImportStatus(models.TextChoices):
    VENTER = "venter", _("Venter")
    TJEKKER = "tjekker", _("Tjekkes")
    KLAR = "klar", _("Klar til import")
    AFVIST = "afvist", _("Fejl i filen")
    IMPORTERER = "importerer", _("Importeres")
    FAERDIG = "faerdig", _("Importeret")
    FEJLET = "fejlet", _("Fejlede")


IMPORT_I_GANG = (ImportStatus.VENTER, ImportStatus.TJEKKER, ImportStatus.IMPORTERER)


class ImportFormat(models.TextChoices):
    HSDS = "hsds", _("HSDS 3.0 (JSON)")
    CSV = "csv", _("CSV-skabelon")


class ImportJob(models.Model):
    """One uploaded file: checked (dry run) first, imported all-or-nothing on confirmation.

    The file itself is kept in the row, so the worker that checks and imports it needs no shared disk.
    """

    center = models.ForeignKey(Frivilligcenter, on_delete=models.CASCADE, related_name="+")
    oprettet_af = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    oprettet = models.DateTimeField(_("oprettet"), auto_now_add=True)
    filnavn = models.CharField(_("filnavn"), max_length=255)
    format = models.CharField(_("format"), max_length=10, choices=ImportFormat.choices)
    indhold = models.BinaryField(editable=False)
    status = models.CharField(_("status"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.VENTER)
    # When the job entered tjekker or importerer: a job in progress for longer than IMPORT_STUCK_SECONDS
    # has stopped (see `haenger`).
    status_siden = models.DateTimeField(_("i status siden"), null=True, blank=True)
    antal = models.PositiveIntegerField(_("rækker"), default=0)
    behandlet = models.PositiveIntegerField(_("behandlede rækker"), default=0)
    # The dry run's findings: counts, a sample of what will be created/updated, and per-row errors.
    resultat = models.JSONField(_("resultat"), default=dict, blank=True)
    afsluttet = models.DateTimeField(_("afsluttet"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("importer")
        ordering = ["-oprettet"]

    def __str__(self):
        return self.filnavn

    def get_absolute_url(self):
        return reverse("foreninger:import_detail", args=[self.pk])

    @property
    def i_gang(self):
        """Still being worked on: the progress page polls while this is true."""
        return self.status in IMPORT_I_GANG and not self.haenger

    @property
    def haenger(self):
        """In progress for longer than any import may take (the worker died, or the task was lost).
        Shown as failed at once; the beat task `import_mark_stuck` marks it so (issue 11)."""
        return (self.status in IMPORT_I_GANG
                and (self.status_siden or self.oprettet) < timezone.now() - timedelta(seconds=settings.IMPORT_STUCK_SECONDS))

    @property
    def procent(self):
        return int(100 * self.behandlet / self.antal) if self.antal else 0


def public_faellesskaber(qs):
    """What of fællesskaber is public (registered with `access.scope_public`): active, not archived,
    marked public, of a forening that is not archived.

    The forening condition is `forening_id NOT IN (archived foreninger)`, not a join: PostgreSQL hashes
    the few archived foreninger once, instead of joining every row of a centre to its forening (a
    distance search reads all of a centre's rows; PERFORMANCE.md, "Public pages at national size")."""
    arkiverede = Forening.objects.filter(arkiveret__isnull=False).values("pk")
    return qs.filter(PUBLIC_ROW).exclude(forening__in=arkiverede)


# --- Partnerskab: the local partnership (issue 14) -------------------------------------------------
# ARCHITECTURE.md, "Partnerskab". A partnership of foreninger and other organisations, each partner
# with an agreement, a contact log and sign-on fees (tilslutningsbeløb) of at most the partnership's
# cap in total. The cap is kept on each partner row too (`loft`), next to its running total
# (`bevilget_i_alt`), so the database refuses a total over the cap even if a service were bypassed.

STANDARD_TILSLUTNINGSLOFT = 30000


class Partnerskab(models.Model):
    center = models.ForeignKey(Frivilligcenter, on_delete=models.PROTECT, related_name="partnerskaber")
    navn = models.CharField(_("navn"), max_length=200)
    tilslutningsloft = models.DecimalField(
        _("loft for tilslutningsbeløb pr. partner (kr.)"), max_digits=9, decimal_places=2,
        default=STANDARD_TILSLUTNINGSLOFT, validators=[MinValueValidator(0)],
        help_text=_("Det samlede beløb, én partner højst kan få bevilget."))
    budget = models.DecimalField(_("budget til tilslutningsbeløb (kr.)"), max_digits=11, decimal_places=2, default=0,
                                 validators=[MinValueValidator(0)])
    beskrivelse = long_text(_("beskrivelse"))
    oprettet = models.DateTimeField(_("oprettet"), auto_now_add=True)

    class Meta:
        verbose_name = _("partnerskab")
        verbose_name_plural = _("partnerskaber")
        ordering = ["navn"]
        constraints = [models.CheckConstraint(condition=models.Q(tilslutningsloft__gte=0, budget__gte=0),
                                              name="partnerskab_beloeb_ikke_negative")]

    def __str__(self):
        return self.navn

    def get_absolute_url(self):
        return reverse("foreninger:partnerskab_detail", args=[self.pk])


class PartnerArt(models.TextChoices):
    FORENING = "forening", _("Forening")
    KOMMUNE = "kommune", _("Kommune")
    UDDANNELSE = "uddannelse", _("Uddannelse")
    ERHVERV = "erhverv", _("Erhverv")
    REGION = "region", _("Region")
    ANDEN = "anden", _("Anden")


class PartnerStatus(models.TextChoices):
    DIALOG = "dialog", _("I dialog")
    AKTIV = "aktiv", _("Aktiv partner")
    PAUSE = "pause", _("På pause")
    UDTRAADT = "udtraadt", _("Udtrådt")


def _aftale_sti(instance, filename):
    """A random name: the uploaded file's own name may hold a person's name."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"partnerskab/aftaler/{uuid.uuid4().hex}.{ext}"


class Partner(models.Model):
    center = models.ForeignKey(Frivilligcenter, on_delete=models.PROTECT, related_name="+")
    partnerskab = models.ForeignKey(Partnerskab, on_delete=models.PROTECT, related_name="partnere",
                                    verbose_name=_("partnerskab"))
    art = models.CharField(_("art"), max_length=12, choices=PartnerArt.choices)
    forening = models.ForeignKey(Forening, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="partnere", verbose_name=_("forening"))
    navn = models.CharField(_("organisation"), max_length=200, blank=True,
                            help_text=_("Navnet på organisationen, når partneren ikke er en forening."))
    kontaktperson = models.CharField(_("kontaktperson"), max_length=200, blank=True)
    kontakt_email = models.EmailField(_("kontaktpersonens e-mail"), blank=True)
    kontakt_telefon = PhoneField(_("kontaktpersonens telefon"), blank=True)
    status = models.CharField(_("status"), max_length=10, choices=PartnerStatus.choices, default=PartnerStatus.DIALOG)
    aftale_fra = models.DateField(_("aftale fra"), null=True, blank=True)
    aftale_til = models.DateField(_("aftale til"), null=True, blank=True)
    aftale_tekst = long_text(_("aftalens tekst"))
    aftale_fil = models.FileField(_("aftalen som fil"), upload_to=_aftale_sti, blank=True, max_length=200)
    # Kept by the services (`tilslutning_*`): the partnership's cap and this partner's granted total.
    loft = models.DecimalField(_("loft"), max_digits=9, decimal_places=2, default=STANDARD_TILSLUTNINGSLOFT,
                               editable=False)
    bevilget_i_alt = models.DecimalField(_("bevilget i alt"), max_digits=9, decimal_places=2, default=0,
                                         editable=False)
    oprettet = models.DateTimeField(_("oprettet"), auto_now_add=True)

    class Meta:
        verbose_name = _("partner")
        verbose_name_plural = _("partnere")
        ordering = ["navn"]
        indexes = [models.Index(fields=["center", "art"])]
        constraints = [
            models.UniqueConstraint(fields=["partnerskab", "forening"], condition=models.Q(forening__isnull=False),
                                    name="partner_en_gang_per_forening",
                                    violation_error_message=_("Foreningen er allerede partner i dette partnerskab.")),
            models.CheckConstraint(condition=models.Q(art="forening", forening__isnull=False)
                                   | (~models.Q(art="forening") & models.Q(forening__isnull=True)),
                                   name="partner_forening_hvis_art_forening"),
            models.CheckConstraint(condition=models.Q(bevilget_i_alt__lte=models.F("loft"), bevilget_i_alt__gte=0),
                                   name="partner_tilslutning_under_loft",
                                   violation_error_message=_("Tilslutningsbeløbene overstiger loftet for partneren.")),
        ]

    def __str__(self):
        return self.forening.navn if self.forening_id else self.navn

    def get_absolute_url(self):
        return reverse("foreninger:partner_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if self.art == PartnerArt.FORENING and not self.forening_id:
            errors["forening"] = _("Vælg foreningen.")
        if self.art != PartnerArt.FORENING:
            self.forening = None
            if not self.navn.strip():
                errors["navn"] = _("Skriv organisationens navn.")
        if self.aftale_fra and self.aftale_til and self.aftale_til < self.aftale_fra:
            errors["aftale_til"] = _("Slutdatoen skal ligge efter startdatoen.")
        if errors:
            raise ValidationError(errors)


class Partnerkontakt(models.Model):
    """One entry of a partner's contact log: a date and a note (about the organisation, never a borger)."""

    center = models.ForeignKey(Frivilligcenter, on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="kontakter")
    dato = models.DateField(_("dato"), default=timezone.localdate)
    note = models.TextField(_("note"), max_length=2000, validators=[afvis_cpr],
                            help_text=_("Om samarbejdet; ingen oplysninger om borgere."))
    registreret_af = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                       related_name="+")

    class Meta:
        verbose_name = _("kontakt med partner")
        verbose_name_plural = _("kontaktlog")
        ordering = ["-dato", "-pk"]

    def __str__(self):
        return f"{self.dato:%Y-%m-%d}"


class Tilslutningsbeloeb(models.Model):
    """A sign-on fee granted to a partner: amount, when paid, what for and how it was used."""

    center = models.ForeignKey(Frivilligcenter, on_delete=models.PROTECT, related_name="+")
    partner = models.ForeignKey(Partner, on_delete=models.PROTECT, related_name="tilslutninger")
    beloeb = models.DecimalField(_("bevilget beløb (kr.)"), max_digits=9, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0.01"))])
    bevilget = models.DateField(_("bevilget den"), default=timezone.localdate)
    udbetalt = models.DateField(_("udbetalt den"), null=True, blank=True)
    formaal = models.CharField(_("hvad pengene er til"), max_length=500)
    opfoelgning = long_text(_("opfølgning: sådan blev pengene brugt"))
    oprettet = models.DateTimeField(_("oprettet"), auto_now_add=True)

    class Meta:
        verbose_name = _("tilslutningsbeløb")
        verbose_name_plural = _("tilslutningsbeløb")
        ordering = ["-bevilget", "-pk"]
        constraints = [models.CheckConstraint(condition=models.Q(beloeb__gt=0), name="tilslutning_beloeb_positivt")]

    def __str__(self):
        return f"{self.beloeb} kr."

    def get_absolute_url(self):
        return reverse("foreninger:partner_detail", args=[self.partner_id])
