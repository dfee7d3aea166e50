"""Borgere: the people the centre helps into fællesskaber. Never a CPR number."""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Concat, Upper
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from brobygning import valg
from brobygning.availability import SLOT_CODES
from brobygning.fields import Archivable, PhoneField, long_text
from brobygning.models import Frivilligcenter, Postnummer, Tag, TagType


def alder_fra_foedselsdato(foedselsdato: date, today: date | None = None) -> int:
    """The exact age on `today` of someone born on `foedselsdato`."""
    today = today or timezone.localdate()
    return today.year - foedselsdato.year - ((today.month, today.day) < (foedselsdato.month, foedselsdato.day))


def alder_fra_foedselsaar(foedselsaar: int | None, today: date | None = None) -> int | None:
    """The age someone born in `foedselsaar` has surely reached on `today`, from the year alone.

    Year minus birth year counts a borger a year older until their birthday; without the date we
    cannot know whether it has passed, so the lower age is the one to rely on (they may be one year
    older). The system keeps no birth date: a birth date with the CPR number's six digits is close
    to a CPR number, and the year is enough for age ranges.
    """
    if not foedselsaar:
        return None
    today = today or timezone.localdate()
    return max(today.year - foedselsaar - 1, 0)


class Kanal(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    TELEFON = "telefon", _("Telefonopkald")


class OensketRolle(models.TextChoices):
    DELTAGER = "deltager", _("Deltager")
    FRIVILLIG = "frivillig", _("Frivillig")
    BEGGE = "begge", _("Både deltager og frivillig")


class BorgerStatus(models.TextChoices):
    NY = "ny", _("Ny")
    AKTIV = "aktiv", _("I forløb")
    PAUSE = "pause", _("På pause")
    AFSLUTTET = "afsluttet", _("Afsluttet")


SPROG = [
    ("da", _("Dansk")),
    ("en", _("Engelsk")),
    ("ar", _("Arabisk")),
    ("uk", _("Ukrainsk")),
    ("fa", _("Persisk/dari")),
    ("so", _("Somalisk")),
    ("ti", _("Tigrinya")),
    ("tr", _("Tyrkisk")),
    ("pl", _("Polsk")),
    ("de", _("Tysk")),
    ("ku", _("Kurdisk")),
    ("ur", _("Urdu")),
]
SPROG_CODES = frozenset(code for code, _label in SPROG)


def _tags(tag_type, verbose_name):
    return models.ManyToManyField(
        Tag, blank=True, related_name="+", limit_choices_to={"type": tag_type}, verbose_name=verbose_name
    )


class AktivitetField(models.DateTimeField):
    """`Borger.sidste_aktivitet`: a save of the borger is activity too (as `opdateret` counts in the
    retention clock), so each save keeps the value at least at `opdateret`. Declared after it, so
    `opdateret` is already stamped. Activity elsewhere (samtaler, matches, meetings, follow-ups) is
    recorded by the services through `borgere.gdpr.aktivitet_registreret`."""

    def pre_save(self, model_instance, add):
        value, opdateret = getattr(model_instance, self.attname), model_instance.opdateret
        value = max(value, opdateret) if value and opdateret else value or opdateret or timezone.now()
        setattr(model_instance, self.attname, value)
        return value


class Projekt(models.Model):
    """A project or grant pool a koordinator tags borgere's forløb to, so every report can be cut by it
    (ARCHITECTURE.md, "Rapporter"): its funder, period and the number of people it promises to reach."""

    center = models.ForeignKey(Frivilligcenter, on_delete=models.PROTECT, related_name="projekter")
    navn = models.CharField(_("navn"), max_length=200)
    bevillingsgiver = models.CharField(_("bevillingsgiver"), max_length=200, blank=True,
                                       help_text=_("Fx VELUX FONDEN, Velliv Foreningen eller Socialstyrelsen."))
    fra = models.DateField(_("fra"))
    til = models.DateField(_("til"))
    maal_antal = models.PositiveIntegerField(_("mål: antal personer"), null=True, blank=True,
                                             validators=[MaxValueValidator(1_000_000)],
                                             help_text=_("Hvor mange personer projektet vil nå."))
    arkiveret = models.DateTimeField(_("arkiveret"), null=True, blank=True, editable=False)
    oprettet = models.DateTimeField(_("oprettet"), auto_now_add=True)

    class Meta:
        verbose_name = _("projekt")
        verbose_name_plural = _("projekter")
        ordering = ["-fra", "navn"]
        indexes = [models.Index(fields=["center", "arkiveret", "fra"])]

    def __str__(self):
        return self.navn

    def get_absolute_url(self):
        return reverse("borgere:projekt_detail", args=[self.pk])

    @property
    def er_arkiveret(self):
        return self.arkiveret is not None

    def clean(self):
        if self.fra and self.til and self.fra > self.til:
            raise ValidationError({"til": _("Slutdatoen skal ligge efter startdatoen.")})


class Borger(Archivable):
    # No index of its own: every index below starts with the centre. The lone one made PostgreSQL read
    # the centre's whole rows for a search (845 heap pages at 19,000 borgere) instead of `borger_liste_idx`
    # (317 index pages, index-only); PERFORMANCE.md, "The borger pages (h/borgerside)".
    center = models.ForeignKey(Frivilligcenter, on_delete=models.PROTECT, related_name="borgere", db_index=False)
    fornavn = models.CharField(_("fornavn"), max_length=100)
    efternavn = models.CharField(_("efternavn"), max_length=100, blank=True)
    telefon = PhoneField(_("telefon"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    foretrukken_kanal = models.CharField(
        _("foretrukken kontaktform"), max_length=10, choices=Kanal.choices, default=Kanal.SMS
    )
    postnummer = models.ForeignKey(Postnummer, on_delete=models.PROTECT, verbose_name=_("postnummer"))
    foedselsaar = models.PositiveSmallIntegerField(
        _("fødselsår"), null=True, blank=True, validators=[MinValueValidator(1900)]
    )
    sprog = models.JSONField(_("sprog"), default=list, blank=True)
    interesser = _tags(TagType.INTERESSE, _("interesser"))
    # Challenges and target groups (ensomhed, angst, ny i Danmark …): the same tags as the fællesskaber's
    # målgrupper, so matching can count them.
    udfordringer = _tags(TagType.UDFORDRING, _("udfordringer og målgruppe"))
    barrierer = _tags(TagType.BARRIERE, _("barrierer og støttebehov"))
    tilgaengelighedsbehov = _tags(TagType.TILGAENGELIGHED, _("behov for tilgængelighed"))
    tilgaengelighed = models.JSONField(_("hvornår kan borgeren"), default=list, blank=True)
    oensket_rolle = models.CharField(
        _("ønsket rolle"), max_length=10, choices=OensketRolle.choices, default=OensketRolle.DELTAGER
    )
    max_afstand_km = models.PositiveSmallIntegerField(
        _("højst afstand (km)"), default=10, validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    henvisningskilde = models.ForeignKey(
        Tag, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        limit_choices_to={"type": TagType.HENVISNINGSKILDE}, verbose_name=_("henvisningskilde"),
    )
    brobygger = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="borgere", verbose_name=_("ansvarlig brobygger"),
    )
    projekter = models.ManyToManyField(Projekt, blank=True, related_name="borgere", verbose_name=_("projekter"))
    status = models.CharField(_("status"), max_length=10, choices=BorgerStatus.choices, default=BorgerStatus.NY)
    noter = long_text(_("interne noter"), help_text=_("Kun til centrets egne folk. Skriv ikke helbredsoplysninger, der ikke er brug for."))
    version = models.PositiveIntegerField(_("version"), default=1, editable=False,
                                          help_text=_("Tælles op ved hver gemning; afviser samtidige ændringer."))
    anonymiseret = models.DateTimeField(_("anonymiseret"), null=True, blank=True, editable=False)
    opbevar_til = models.DateField(_("opbevares mindst til"), null=True, blank=True, editable=False,
                                   help_text=_("Sat, når en koordinator forlænger opbevaringen."))
    # The retention clock as a column (issue 15): the latest of the borger's own changes, samtaler and
    # what the apps above report (`borgere.gdpr.aktivitet_udtryk`), kept by the services, so the
    # overview's warnings and the daily anonymisation are an index range, not four subqueries a row.
    sidste_aktivitet = AktivitetField(_("sidste aktivitet"), default=timezone.now, editable=False)
    # What the borger list's search box looks in, kept by the database (issue 15): name, e-mail and
    # phone in capitals, one LIKE per row instead of four UPPER(…) LIKE, read from the list's index
    # (`borger_liste_idx` INCLUDEs it). Search words hold no spaces, so a word matches here exactly
    # when it matches one of the four fields. Never shown or exported.
    soegetekst = models.GeneratedField(
        expression=Upper(Concat("fornavn", models.Value(" "), "efternavn", models.Value(" "), "email",
                                models.Value(" "), "telefon", output_field=models.TextField())),
        output_field=models.TextField(), db_persist=True)

    class Meta:
        verbose_name = _("borger")
        verbose_name_plural = _("borgere")
        ordering = ["fornavn", "efternavn"]
        indexes = [models.Index(fields=["center", "arkiveret", "status"]),
                   models.Index(fields=["center", "sidste_aktivitet"]),
                   # The reports' cohort: the borgere whose forløb started in the period (matching/rapporter.py).
                   models.Index(fields=["center", "oprettet"]),
                   # The borger list in its order, page by page, and its count: an index range (issue 15).
                   models.Index(fields=["center", "fornavn", "efternavn", "id"], name="borger_liste_idx",
                                include=["soegetekst"], condition=models.Q(arkiveret__isnull=True)),
                   # A list row's first name by id from the index alone, not a heap page per row: the
                   # match board's 140 cards, the overviews' meetings (issue 15).
                   models.Index(fields=["id"], include=["fornavn"], name="borger_fornavn_idx")]

    def __str__(self):
        return f"{self.fornavn} {self.efternavn}".strip()

    def get_absolute_url(self):
        return reverse("borgere:borger_detail", args=[self.pk])

    def get_status_display(self):  # a row of the borger list each
        return valg.tekst(BorgerStatus, self.status)

    @property
    def alder(self) -> int | None:
        """The age the borger has surely reached (see `alder_fra_foedselsaar`)."""
        return alder_fra_foedselsaar(self.foedselsaar)

    @property
    def alder_usikker(self) -> bool:
        """Only the birth year is known, so the borger may be one year older than `alder`."""
        return self.foedselsaar is not None

    def clean(self):
        errors = {}
        this_year = timezone.localdate().year
        if self.foedselsaar and self.foedselsaar > this_year - 10:
            errors["foedselsaar"] = _("Fødselsåret skal ligge mindst 10 år tilbage.")
        if not set(self.sprog or []) <= SPROG_CODES:
            errors["sprog"] = _("Ukendt sprog.")
        if not set(self.tilgaengelighed or []) <= SLOT_CODES:
            errors["tilgaengelighed"] = _("Ukendt tidspunkt.")
        if self.foretrukken_kanal == Kanal.EMAIL and not self.email:
            errors["email"] = _("Skriv en e-mailadresse, når e-mail er den foretrukne kontaktform.")
        if self.foretrukken_kanal in (Kanal.SMS, Kanal.TELEFON) and not self.telefon:
            errors["telefon"] = _("Skriv et telefonnummer, når SMS eller opkald er den foretrukne kontaktform.")
        if errors:
            raise ValidationError(errors)


class SamtaleType(models.TextChoices):
    FOERSTE = "foerste", _("Første samtale")
    OPFOELGNING = "opfoelgning", _("Opfølgende samtale")
    TELEFON = "telefon", _("Telefonsamtale")


class Samtale(models.Model):
    """A brobygning conversation with a borger."""

    center = models.ForeignKey(Frivilligcenter, on_delete=models.PROTECT, related_name="+")
    borger = models.ForeignKey(Borger, on_delete=models.CASCADE, related_name="samtaler")
    brobygger = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                  related_name="samtaler", verbose_name=_("brobygger"))
    dato = models.DateField(_("dato"), default=timezone.localdate)
    type = models.CharField(_("type"), max_length=15, choices=SamtaleType.choices, default=SamtaleType.FOERSTE)
    varighed_min = models.PositiveSmallIntegerField(_("varighed (minutter)"), default=45,
                                                    validators=[MinValueValidator(1), MaxValueValidator(600)])
    noter = long_text(_("noter"))
    oensker = long_text(_("det der betyder noget for borgeren"))
    naeste_skridt = models.CharField(_("aftalt næste skridt"), max_length=300, blank=True)
    oprettet = models.DateTimeField(_("oprettet"), auto_now_add=True)

    class Meta:
        verbose_name = _("samtale")
        verbose_name_plural = _("samtaler")
        ordering = ["-dato", "-oprettet"]
        indexes = [models.Index(fields=["center", "dato"])]  # the reports' samtaler in a period

    def __str__(self):
        return f"{self.get_type_display()} {self.dato:%d.%m.%Y}"

    def clean(self):
        if self.dato and self.dato > timezone.localdate():
            raise ValidationError({"dato": _("En samtale kan ikke ligge i fremtiden.")})


class MaalingType(models.TextChoices):
    WHO5 = "who5", _("WHO-5 Trivselsindeks")
    UCLA3 = "ucla3", _("UCLA-ensomhedsskala (3 spørgsmål)")


class Maaling(models.Model):
    """One filled-in outcome measure: WHO-5 (5 items, 0–5) or UCLA-3 (3 items, 1–3)."""

    ITEMS = {MaalingType.WHO5: (5, 0, 5), MaalingType.UCLA3: (3, 1, 3)}  # count, min, max per item

    center = models.ForeignKey(Frivilligcenter, on_delete=models.PROTECT, related_name="+")
    borger = models.ForeignKey(Borger, on_delete=models.CASCADE, related_name="maalinger")
    type = models.CharField(_("skala"), max_length=10, choices=MaalingType.choices)
    svar = models.JSONField(_("svar"))
    dato = models.DateField(_("dato"), default=timezone.localdate)
    registreret_af = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                       related_name="+")
    samtale = models.ForeignKey(Samtale, on_delete=models.SET_NULL, null=True, blank=True, related_name="maalinger")
    opfoelgning = models.ForeignKey("matching.Opfoelgning", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="maalinger")

    class Meta:
        verbose_name = _("måling")
        verbose_name_plural = _("målinger")
        ordering = ["dato", "pk"]

    def __str__(self):
        return f"{self.get_type_display()} {self.dato:%d.%m.%Y}: {self.score}"

    @property
    def raw(self) -> int:
        return sum(self.svar)

    @property
    def score(self) -> int:
        """WHO-5: raw 0–25 × 4 = 0–100. UCLA-3: the sum, 3–9."""
        return self.raw * 4 if self.type == MaalingType.WHO5 else self.raw

    @property
    def bekymrende(self) -> bool:
        """WHO-5 ≤ 50 suggests poor wellbeing; UCLA-3 of 6 or more is commonly read as lonely."""
        return self.score <= 50 if self.type == MaalingType.WHO5 else self.score >= 6

    @property
    def tolkning(self) -> dict:
        """What the score means and what the brobygger does about it (issue 16). `niveau` is a
        status badge class: ok, warn or danger. WHO-5: ≤ 28 suggests depression, ≤ 50 poor wellbeing."""
        if self.type == MaalingType.WHO5:
            if self.score <= 28:
                return {"niveau": "danger", "tekst": _("Mulig depression"),
                        "raad": _("Tal med borgeren om at kontakte egen læge, og fortæl koordinatoren det i dag.")}
            if self.score <= 50:
                return {"niveau": "warn", "tekst": _("Lav trivsel"),
                        "raad": _("Hold øje med borgeren, tal om det ved næste samtale, og mål igen om en måned.")}
            return {"niveau": "ok", "tekst": _("God trivsel"), "raad": ""}
        if self.score >= 6:
            return {"niveau": "warn", "tekst": _("Føler sig ensom"),
                    "raad": _("Et fællesskab kan hjælpe. Mål igen efter en måned i fællesskabet.")}
        return {"niveau": "ok", "tekst": _("Føler sig sjældent ensom"), "raad": ""}

    @property
    def hoejde(self) -> int:
        """The score on a 0–10 scale, for the small trend bars (a CSS class, no inline style)."""
        if self.type == MaalingType.WHO5:
            return round(self.score / 10)
        return round((self.score - 3) * 10 / 6)

    def clean(self):
        count, low, high = self.ITEMS.get(self.type, (0, 0, 0))
        answers = self.svar if isinstance(self.svar, list) else []
        if len(answers) != count or not all(isinstance(a, int) and low <= a <= high for a in answers):
            raise ValidationError({"svar": _("Besvar alle spørgsmål.")})


class Formaal(models.TextChoices):
    REGISTRERING = "registrering", _("Registrering i systemet")
    DELING_MED_VAERT = "deling_med_vaert", _("Fornavn og velkomstnote deles med værten")
    PAAMINDELSER = "paamindelser", _("Påmindelser på SMS eller e-mail")
    MAALINGER = "maalinger", _("Trivsels- og ensomhedsmålinger")


class SamtykkeMaade(models.TextChoices):
    MUNDTLIGT = "mundtligt", _("Mundtligt")
    SKRIFTLIGT = "skriftligt", _("Skriftligt")


# The text a borger is read or shown before consenting; a centre's koordinator can replace it with a new version.
STANDARD_SAMTYKKETEKSTER = {
    Formaal.REGISTRERING: _(
        "Jeg giver samtykke til, at frivilligcentret registrerer mine oplysninger, også om helbred og "
        "livssituation, så en brobygger kan hjælpe mig ind i et fællesskab. Jeg kan trække samtykket "
        "tilbage når som helst."),
    Formaal.DELING_MED_VAERT: _(
        "Jeg giver samtykke til, at mit fornavn og den velkomstnote, jeg godkender, sendes til værten i "
        "det fællesskab, jeg skal besøge."),
    Formaal.PAAMINDELSER: _(
        "Jeg giver samtykke til at få påmindelser om aftaler på SMS eller e-mail. Påmindelserne indeholder "
        "kun tidspunkt og sted."),
    Formaal.MAALINGER: _(
        "Jeg giver samtykke til, at mine svar på korte spørgeskemaer om trivsel og ensomhed gemmes, så vi "
        "kan se, om fællesskabet gør en forskel."),
}


class SamtykkeTekst(models.Model):
    """One version of a centre's consent text for one purpose. Never edited: a change is a new version."""

    center = models.ForeignKey(Frivilligcenter, on_delete=models.CASCADE, related_name="+")
    formaal = models.CharField(_("formål"), max_length=20, choices=Formaal.choices)
    version = models.PositiveIntegerField(_("version"))
    tekst = models.TextField(_("tekst"))
    oprettet = models.DateTimeField(_("oprettet"), default=timezone.now)
    oprettet_af = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    class Meta:
        verbose_name = _("samtykketekst")
        verbose_name_plural = _("samtykketekster")
        ordering = ["formaal", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["center", "formaal", "version"], name="en_samtykketekst_per_version"),
        ]

    def __str__(self):
        return f"{self.get_formaal_display()} v{self.version}"


class Samtykke(models.Model):
    """Consent for one purpose: who recorded it, when, how, and which text version. Can be withdrawn."""

    center = models.ForeignKey(Frivilligcenter, on_delete=models.PROTECT, related_name="+")
    borger = models.ForeignKey(Borger, on_delete=models.CASCADE, related_name="samtykker")
    formaal = models.CharField(_("formål"), max_length=20, choices=Formaal.choices)
    maade = models.CharField(_("hvordan"), max_length=10, choices=SamtykkeMaade.choices)
    tekst = models.ForeignKey(SamtykkeTekst, on_delete=models.PROTECT, related_name="samtykker",
                              verbose_name=_("samtykketekst"))
    givet = models.DateTimeField(_("givet"), default=timezone.now)
    registreret_af = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                       related_name="+")
    tilbagekaldt = models.DateTimeField(_("trukket tilbage"), null=True, blank=True)

    class Meta:
        verbose_name = _("samtykke")
        verbose_name_plural = _("samtykker")
        ordering = ["formaal", "-givet"]
        constraints = [
            models.UniqueConstraint(fields=["borger", "formaal"], condition=models.Q(tilbagekaldt__isnull=True),
                                    name="et_gaeldende_samtykke_per_formaal"),
        ]

    def __str__(self):
        return self.get_formaal_display()


class AnmodningStatus(models.TextChoices):
    AFVENTER = "afventer", _("Afventer koordinator")
    GODKENDT = "godkendt", _("Godkendt")
    AFVIST = "afvist", _("Afvist")


class Overtagelsesanmodning(models.Model):
    """A brobygger asks to take on a borger who waits for one; a koordinator approves or declines."""

    center = models.ForeignKey(Frivilligcenter, on_delete=models.CASCADE, related_name="+")
    borger = models.ForeignKey(Borger, on_delete=models.CASCADE, related_name="anmodninger")
    brobygger = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("brobygger"))
    status = models.CharField(_("status"), max_length=10, choices=AnmodningStatus.choices,
                              default=AnmodningStatus.AFVENTER)
    oprettet = models.DateTimeField(_("oprettet"), default=timezone.now)
    besluttet = models.DateTimeField(_("besluttet"), null=True, blank=True)
    besluttet_af = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")

    class Meta:
        verbose_name = _("anmodning om at tage en borger")
        verbose_name_plural = _("anmodninger om at tage en borger")
        ordering = ["oprettet"]
        constraints = [
            models.UniqueConstraint(fields=["borger", "brobygger"], condition=models.Q(status="afventer"),
                                    name="en_aaben_anmodning_per_borger_og_brobygger"),
        ]

    def __str__(self):
        return f"{self.borger_id} ← {self.brobygger_id} ({self.status})"


class HenvisningStatus(models.TextChoices):
    NY = "ny", _("Ny")
    OPRETTET = "oprettet", _("Oprettet som borger")
    AFVIST = "afvist", _("Afvist")


EGEN_HENVENDELSE = "egen-henvendelse"  # the referral source slug that means the person refers themselves


class Henvisning(models.Model):
    """An incoming referral from the public form, waiting in the centre's inbox. Never a CPR number.

    The person consented to registration on the form; `samtykketekst` is the exact version shown.
    """

    center = models.ForeignKey(Frivilligcenter, on_delete=models.PROTECT, related_name="henvisninger")
    oprettet = models.DateTimeField(_("modtaget"), default=timezone.now)
    # The person
    fornavn = models.CharField(_("fornavn"), max_length=100)
    efternavn = models.CharField(_("efternavn"), max_length=100, blank=True)
    telefon = PhoneField(_("telefon"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    foretrukken_kanal = models.CharField(
        _("hvordan vil personen helst kontaktes"), max_length=10, choices=Kanal.choices, default=Kanal.TELEFON
    )
    kontakt_note = models.CharField(_("hvornår og hvordan er det bedst at tage kontakt"), max_length=300, blank=True)
    postnummer = models.ForeignKey(Postnummer, on_delete=models.PROTECT, null=True, blank=True,
                                   verbose_name=_("postnummer"))
    oensker = long_text(_("hvad ønsker personen"))
    # Who refers
    kilde = models.ForeignKey(
        Tag, on_delete=models.PROTECT, related_name="+", limit_choices_to={"type": TagType.HENVISNINGSKILDE},
        verbose_name=_("hvem henviser"),
    )
    henviser_navn = models.CharField(_("henviserens navn"), max_length=200, blank=True)
    henviser_organisation = models.CharField(_("organisation"), max_length=200, blank=True)
    henviser_email = models.EmailField(_("henviserens e-mail"), blank=True)
    henviser_telefon = PhoneField(_("henviserens telefon"), blank=True)
    # Consent and handling
    samtykketekst = models.ForeignKey(SamtykkeTekst, on_delete=models.PROTECT, related_name="henvisninger",
                                      verbose_name=_("samtykketekst"))
    status = models.CharField(_("status"), max_length=10, choices=HenvisningStatus.choices,
                              default=HenvisningStatus.NY)
    afvist_grund = models.CharField(_("begrundelse for afvisning"), max_length=500, blank=True)
    behandlet = models.DateTimeField(_("behandlet"), null=True, blank=True)
    behandlet_af = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    borger = models.OneToOneField(Borger, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="henvisning", verbose_name=_("borger"))

    class Meta:
        verbose_name = _("henvisning")
        verbose_name_plural = _("henvisninger")
        ordering = ["-oprettet"]
        indexes = [models.Index(fields=["center", "status", "oprettet"])]

    def __str__(self):
        return _("Henvisning %(nr)s") % {"nr": self.pk}

    def get_absolute_url(self):
        return reverse("borgere:henvisning_detail", args=[self.pk])

    def get_status_display(self):  # a row of the referral list each
        return valg.tekst(HenvisningStatus, self.status)

    @property
    def er_egen_henvendelse(self) -> bool:
        return self.kilde.slug == EGEN_HENVENDELSE

    @property
    def kvittering_til(self) -> str:
        """Where the confirmation goes: the referrer, or the person when they refer themselves."""
        return self.henviser_email or (self.email if self.er_egen_henvendelse else "")

    def clean(self):
        errors = {}
        if not (self.telefon or self.email):
            errors["telefon"] = _("Skriv et telefonnummer eller en e-mailadresse, så vi kan kontakte personen.")
        if self.foretrukken_kanal == Kanal.EMAIL and not self.email:
            errors["email"] = _("Skriv en e-mailadresse, når e-mail er den foretrukne kontaktform.")
        if self.foretrukken_kanal in (Kanal.SMS, Kanal.TELEFON) and not self.telefon:
            errors.setdefault("telefon", _("Skriv et telefonnummer, når SMS eller opkald er den foretrukne kontaktform."))
        if self.kilde_id and not self.er_egen_henvendelse:
            if not self.henviser_navn:
                errors["henviser_navn"] = _("Skriv dit navn, så vi ved, hvem der henviser.")
            if not (self.henviser_email or self.henviser_telefon):
                errors["henviser_email"] = _("Skriv din e-mail eller dit telefonnummer, så vi kan svare dig.")
            if self.kilde.gruppe in ("kommune", "sundhed") and not self.henviser_organisation:
                errors["henviser_organisation"] = _("Skriv hvilken organisation eller arbejdsplads, du henviser fra.")
        if self.status == HenvisningStatus.AFVIST and not self.afvist_grund.strip():
            errors["afvist_grund"] = _("Skriv en begrundelse for afvisningen.")
        if errors:
            raise ValidationError(errors)
