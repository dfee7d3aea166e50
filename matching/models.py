"""Matches between a borger and a fællesskab, moving through FriSe's four elements,
with the first meeting (ledsagelse) and the follow-ups (opfølgning)."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from borgere.models import Borger
from brobygning import valg
from brobygning.availability import SLOT_CODES
from brobygning.cpr import afvis_cpr
from brobygning.fields import PhoneField, long_text
from brobygning.models import Frivilligcenter, Postnummer, Tag, TagType
from foreninger.models import Faellesskab, Forening


class Element(models.TextChoices):
    KENDSKAB = "kendskab", _("Kendskab")
    FOELGESKAB = "foelgeskab", _("Følgeskab")
    VAERTSSKAB = "vaertsskab", _("Værtsskab")
    FAELLESSKAB = "faellesskab", _("Fællesskab")


class Stage(models.TextChoices):
    FORESLAAET = "foreslaaet", _("Foreslået")
    ACCEPTERET = "accepteret", _("Accepteret")
    MOEDE_PLANLAGT = "moede_planlagt", _("Første møde planlagt")
    LEDSAGET = "ledsaget", _("Ledsaget")
    BUDT_VELKOMMEN = "budt_velkommen", _("Budt velkommen")
    AKTIV_1_MD = "aktiv_1_md", _("Deltager efter 1 måned")
    AKTIV_3_MD = "aktiv_3_md", _("Deltager efter 3 måneder")
    AFSLUTTET = "afsluttet", _("Afsluttet")


STAGE_ELEMENT = {
    Stage.FORESLAAET: Element.KENDSKAB,
    Stage.ACCEPTERET: Element.FOELGESKAB,
    Stage.MOEDE_PLANLAGT: Element.FOELGESKAB,
    Stage.LEDSAGET: Element.FOELGESKAB,
    Stage.BUDT_VELKOMMEN: Element.VAERTSSKAB,
    Stage.AKTIV_1_MD: Element.FAELLESSKAB,
    Stage.AKTIV_3_MD: Element.FAELLESSKAB,
}


class Afslutningsaarsag(models.TextChoices):
    BORGER_SAGDE_NEJ = "borger_nej", _("Borgeren sagde nej")
    PASSEDE_IKKE = "passede_ikke", _("Passede ikke")
    FLYTTET = "flyttet", _("Borgeren er flyttet")
    LUKKET = "lukket", _("Fællesskabet er lukket")
    FULDFOERT = "fuldfoert", _("Forløbet er fuldført")
    ANDET = "andet", _("Andet")


class MatchRolle(models.TextChoices):
    DELTAGER = "deltager", _("Deltager")
    FRIVILLIG = "frivillig", _("Frivillig")


class MatchGrundlag(models.Model):
    """What a match to a fællesskab (`Match`) and a match to a volunteer role (`RolleMatch`) both
    keep: a note on how it ended, the engine's score and reasons when it was saved, and who made it
    when. Each sets its own reasons for ending with `afslutningsaarsag_felt`."""

    afslutningsnote = models.CharField(_("note om afslutningen"), max_length=500, blank=True)
    score = models.FloatField(_("match-score"), null=True, blank=True)
    begrundelser = models.JSONField(_("begrundelser"), default=list, blank=True)
    oprettet_af = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    oprettet = models.DateTimeField(_("oprettet"), auto_now_add=True)

    class Meta:
        abstract = True
        ordering = ["-oprettet"]

    def __init_subclass__(cls, **kwargs):
        # Django orders a model's fields by creation; the shared ones were created first, so they would
        # come before each model's own. Renumber them as the subclass is made so they keep their place
        # at the end, as when each model declared them (the art. 15 export lists a match's fields in
        # this order; the tables are unchanged either way).
        super().__init_subclass__(**kwargs)
        for field in MatchGrundlag._meta.local_fields:
            field.creation_counter = models.Field.creation_counter
            models.Field.creation_counter += 1


def afslutningsaarsag_felt(aarsager: type[models.TextChoices]) -> models.CharField:
    """The reason a match ended, one of `aarsager` (blank while it is open)."""
    return models.CharField(_("årsag til afslutning"), max_length=15, choices=aarsager.choices, blank=True)


class Match(MatchGrundlag):
    center = models.ForeignKey(Frivilligcenter, on_delete=models.PROTECT, related_name="+")
    borger = models.ForeignKey(Borger, on_delete=models.CASCADE, related_name="matches")
    faellesskab = models.ForeignKey(Faellesskab, on_delete=models.PROTECT, related_name="matches",
                                    verbose_name=_("fællesskab"))
    rolle = models.CharField(_("rolle"), max_length=10, choices=MatchRolle.choices, default=MatchRolle.DELTAGER)
    stage = models.CharField(_("fase"), max_length=20, choices=Stage.choices, default=Stage.FORESLAAET)
    stage_siden = models.DateTimeField(_("i fasen siden"), default=timezone.now)
    afslutningsaarsag = afslutningsaarsag_felt(Afslutningsaarsag)

    class Meta(MatchGrundlag.Meta):
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        constraints = [
            models.UniqueConstraint(fields=["borger", "faellesskab"], condition=~Q(stage="afsluttet"),
                                    name="et_aabent_match_per_borger_og_faellesskab"),
        ]
        # The board's longest-waiting rows per stage in its order, with the borger and the fællesskab they
        # name, from the index alone (issue 15; PostgreSQL's INCLUDE). (center, oprettet): the reports'
        # matches made in a period.
        indexes = [models.Index(fields=["center", "stage", "stage_siden", "id"], include=["borger", "faellesskab"],
                                name="match_tavle_idx"),
                   models.Index(fields=["center", "oprettet"])]

    def __str__(self):
        return f"{self.borger.fornavn} → {self.faellesskab}"

    def save(self, *args, **kwargs):
        """Saves, and keeps the follow-ups' `Opfoelgning.match_aaben` in step with the stage (every
        ORM write of a stage goes through here: the services, the admin, the tests' factories)."""
        adding = self._state.adding
        super().save(*args, **kwargs)
        update_fields = kwargs.get("update_fields")
        if not adding and (update_fields is None or "stage" in update_fields):
            aaben = self.stage != Stage.AFSLUTTET
            Opfoelgning.objects.filter(match=self).exclude(match_aaben=aaben).update(match_aaben=aaben)

    def get_absolute_url(self):
        return reverse("matching:match_detail", args=[self.pk])

    @property
    def element(self):
        return STAGE_ELEMENT.get(self.stage)

    @property
    def er_afsluttet(self):
        return self.stage == Stage.AFSLUTTET


class MatchOvergang(models.Model):
    """One time-stamped step of a match, and who took it."""

    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="overgange")
    fra = models.CharField(max_length=20, choices=Stage.choices, blank=True)
    til = models.CharField(max_length=20, choices=Stage.choices)
    tidspunkt = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        verbose_name = _("overgang")
        verbose_name_plural = _("overgange")
        ordering = ["tidspunkt", "pk"]

    def __str__(self):
        return f"{self.fra or '–'} → {self.til}"


class LedsagelseStatus(models.TextChoices):
    PLANLAGT = "planlagt", _("Planlagt")
    MOEDT_OP = "moedt_op", _("Mødte op")
    UDEBLEV = "udeblev", _("Mødte ikke op")
    AFLYST = "aflyst", _("Aflyst")


class VaertRapport(models.TextChoices):
    KOM = "kom", _("Kom og blev taget godt imod")
    KOM_IKKE = "kom_ikke", _("Kom ikke")


class Ledsagelse(models.Model):
    """The first meeting, where a brobygger goes along."""

    center = models.ForeignKey(Frivilligcenter, on_delete=models.PROTECT, related_name="+")
    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="ledsagelser")
    tidspunkt = models.DateTimeField(_("tidspunkt"))
    varighed_min = models.PositiveSmallIntegerField(_("varighed (minutter)"), default=120,
                                                    validators=[MinValueValidator(15), MaxValueValidator(600)])
    moedested = models.CharField(_("mødested"), max_length=200)
    transport = models.CharField(_("transport"), max_length=300, blank=True)
    brobygger = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="ledsagelser",
                                  verbose_name=_("ledsagende brobygger"))
    velkomstnote = models.CharField(
        _("velkomstnote til værten"), max_length=500, blank=True,
        help_text=_("Kun det, borgeren har sagt ja til at dele med værten."),
    )
    status = models.CharField(_("status"), max_length=10, choices=LedsagelseStatus.choices,
                              default=LedsagelseStatus.PLANLAGT)
    vaert_bekraeftet = models.DateTimeField(_("værten har bekræftet"), null=True, blank=True)
    vaert_rapport = models.CharField(_("værtens melding efter mødet"), max_length=10,
                                     choices=VaertRapport.choices, blank=True)
    vaert_rapporteret = models.DateTimeField(_("værten meldte"), null=True, blank=True)
    # Counted up on each move and cancellation; the SEQUENCE of the meeting's calendar invitations.
    sekvens = models.PositiveIntegerField(_("revision"), default=0)
    oprettet = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ledsagelse")
        verbose_name_plural = _("ledsagelser")
        ordering = ["tidspunkt"]
        indexes = [models.Index(fields=["center", "status", "tidspunkt"]),
                   # Min dag's "Værten meldte: kom ikke" (issue 15): a few rows, not a scan of the centre.
                   models.Index(fields=["center", "tidspunkt"], name="ledsagelse_kom_ikke",
                                condition=Q(status=LedsagelseStatus.PLANLAGT, vaert_rapport=VaertRapport.KOM_IKKE))]

    def __str__(self):
        return f"{self.match} {timezone.localtime(self.tidspunkt):%d.%m.%Y %H:%M}"

    @property
    def slut(self):
        return self.tidspunkt + timezone.timedelta(minutes=self.varighed_min)


class OpfoelgningType(models.TextChoices):
    DAGEN_EFTER = "dagen_efter", _("Dagen efter første møde")
    EN_MAANED = "1_md", _("Efter 1 måned")
    TRE_MAANEDER = "3_md", _("Efter 3 måneder")


class Resultat(models.TextChoices):
    DELTAGER_STADIG = "deltager", _("Deltager stadig")
    VIL_HAVE_NYT = "nyt_match", _("Vil gerne have et nyt match")
    STOPPET = "stoppet", _("Er stoppet")


class Opfoelgning(models.Model):
    center = models.ForeignKey(Frivilligcenter, on_delete=models.PROTECT, related_name="+")
    match = models.ForeignKey(Match, on_delete=models.CASCADE, related_name="opfoelgninger")
    type = models.CharField(_("type"), max_length=15, choices=OpfoelgningType.choices)
    forfalder = models.DateField(_("forfalder"))
    udfoert = models.DateTimeField(_("udført"), null=True, blank=True)
    udfoert_af = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    resultat = models.CharField(_("resultat"), max_length=10, choices=Resultat.choices, blank=True)
    aarsag = models.CharField(_("årsag"), max_length=300, blank=True)
    note = long_text(_("note"))
    # Whether the match is open (not "afsluttet"): the match's stage, kept here so the koordinator's
    # overdue lists and their capped counts are an index range of open follow-ups of open matches,
    # not a probe of each follow-up's match (~1,200 at national size, issue 15). Set from the match when
    # the follow-up is saved the first time (`save`), and by `Match.save` when the stage changes;
    # writers that bypass both (COPY, bulk_create) set it themselves (`national.py`).
    match_aaben = models.BooleanField(default=True, editable=False)

    class Meta:
        verbose_name = _("opfølgning")
        verbose_name_plural = _("opfølgninger")
        ordering = ["forfalder"]
        constraints = [models.UniqueConstraint(fields=["match", "type"], name="en_opfoelgning_per_type")]
        indexes = [models.Index(fields=["center", "udfoert", "forfalder"]),
                   # The overview's overdue lists (issue 15): open follow-ups of open matches in due
                   # order, so "the first 8 overdue" is an index range that stops after 8 rows, not a
                   # sort of every overdue one, and their count up to "999+" reads the index alone.
                   models.Index(fields=["center", "forfalder", "id"],
                                condition=Q(udfoert__isnull=True, match_aaben=True),
                                name="opfoelgning_aaben_forfalder"),
                   # The overview's "Stadig med efter 3 måneder" this month (`forside._kpi_tal`): its
                   # count reads the index alone, not each recorded follow-up of the month (issue 15).
                   models.Index(fields=["center", "udfoert"],
                                condition=Q(type=OpfoelgningType.TRE_MAANEDER, resultat=Resultat.DELTAGER_STADIG),
                                name="opfoelgning_tre_md_deltager")]

    def __str__(self):
        return f"{self.get_type_display()} ({self.forfalder:%d.%m.%Y})"

    def save(self, *args, **kwargs):
        if self._state.adding:  # the match's stage, as `Match.save` keeps it from now on
            self.match_aaben = self.match.stage != Stage.AFSLUTTET
        super().save(*args, **kwargs)

    def get_type_display(self):  # Min dag shows it twice for each of up to 20 follow-ups
        return valg.tekst(OpfoelgningType, self.type)

    @property
    def forfalden(self):
        return self.udfoert is None and self.forfalder <= timezone.localdate()

    def clean(self):
        if self.udfoert and not self.resultat:
            raise ValidationError({"resultat": _("Vælg hvad opfølgningen viste.")})
        if self.resultat == Resultat.STOPPET and not self.aarsag:
            raise ValidationError({"aarsag": _("Skriv kort, hvorfor borgeren er stoppet.")})


class SvarModtager(models.TextChoices):
    VAERT = "vaert", _("Værten")
    BORGER = "borger", _("Borgeren")


class Svar(models.TextChoices):
    """The answers to the questions after the first meeting: JA/NEJ to the host, two to the borger."""

    KOM = "kom", _("Ja, kom")
    KOM_IKKE = "kom_ikke", _("Nej, kom ikke")
    GODT = "godt", _("Godt – jeg vil gerne igen")
    IKKE_FOR_MIG = "ikke_for_mig", _("Det var ikke noget for mig")


# Each recipient's answers as (JA, NEJ): the SMS keywords and the links' `?svar=ja|nej` map onto them.
SVAR_VALG = {
    SvarModtager.VAERT: (Svar.KOM, Svar.KOM_IKKE),
    SvarModtager.BORGER: (Svar.GODT, Svar.IKKE_FOR_MIG),
}


class SvarVia(models.TextChoices):
    LINK = "link", _("Link i e-mail")
    SMS = "sms", _("SMS")


class Moedesvar(models.Model):
    """A question after the first meeting and its answer: "Kom {fornavn}?" to the host, "Hvordan gik
    det?" to the borger (ARCHITECTURE.md, "Svar efter mødet").

    Made when the påmindelse that asks it is sent. The signed link names the meeting and the nonce,
    so it opens this question only, and once: `besvaret` closes it. For an SMS only a keyed hash of
    the number is kept (`telefon_noegle`), enough to match a reply, never the number itself.
    """

    center = models.ForeignKey(Frivilligcenter, on_delete=models.PROTECT, related_name="+")
    ledsagelse = models.ForeignKey(Ledsagelse, on_delete=models.CASCADE, related_name="svar")
    modtager = models.CharField(_("modtager"), max_length=10, choices=SvarModtager.choices)
    kanal = models.CharField(_("kanal"), max_length=10)
    paamindelse = models.OneToOneField("brobygning.Paamindelse", on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="+")
    nonce = models.CharField(max_length=32)
    telefon_noegle = models.CharField(max_length=64, blank=True, db_index=True)
    oprettet = models.DateTimeField(_("spurgt"), default=timezone.now)
    svar = models.CharField(_("svar"), max_length=15, choices=Svar.choices, blank=True)
    besvaret = models.DateTimeField(_("besvaret"), null=True, blank=True)
    besvaret_via = models.CharField(_("besvaret via"), max_length=10, choices=SvarVia.choices, blank=True)
    kommentar = models.TextField(_("kommentar"), blank=True, validators=[MaxLengthValidator(1000)])

    class Meta:
        verbose_name = _("svar efter mødet")
        verbose_name_plural = _("svar efter mødet")
        ordering = ["-besvaret", "-oprettet"]
        constraints = [models.UniqueConstraint(fields=["ledsagelse", "modtager"], name="et_svar_per_moede_og_modtager")]
        indexes = [models.Index(fields=["center", "besvaret"])]

    def __str__(self):
        return f"{self.get_modtager_display()} #{self.ledsagelse_id}: {self.svar or '–'}"


# --- Frivillige til foreninger (issue 14) ------------------------------------------------------------
# ARCHITECTURE.md, "Frivillige til foreninger". A forening (or the centre for it) posts a volunteer
# role; borgere who want to volunteer and registered volunteer candidates are ranked against it by
# the matching engine (`matching/frivilligroller.py`). A foreningskontakt sees a person only with
# their consent: a borger's `deling_med_vaert`, a candidate's `deling_med_foreninger`.


class Frivilligrolle(models.Model):
    center = models.ForeignKey(Frivilligcenter, on_delete=models.PROTECT, related_name="+")
    forening = models.ForeignKey(Forening, on_delete=models.PROTECT, related_name="frivilligroller",
                                 verbose_name=_("forening"))
    titel = models.CharField(_("hvad skal den frivillige lave"), max_length=200)
    beskrivelse = long_text(_("beskrivelse"))
    hvornaar = models.CharField(_("hvornår"), max_length=200, blank=True, help_text=_("Fx 'tirsdage kl. 17–19'."))
    tider = models.JSONField(_("tidspunkter"), default=list, blank=True)
    sted = models.CharField(_("hvor"), max_length=200, blank=True)
    postnummer = models.ForeignKey(Postnummer, on_delete=models.PROTECT, verbose_name=_("postnummer"))
    krav = long_text(_("hvad det kræver"))
    interesser = models.ManyToManyField(Tag, blank=True, related_name="+", limit_choices_to={"type": TagType.INTERESSE},
                                        verbose_name=_("interesser"))
    antal = models.PositiveSmallIntegerField(_("antal frivillige"), null=True, blank=True,
                                             validators=[MaxValueValidator(1000)],
                                             help_text=_("Tom betyder ingen grænse."))
    aaben = models.BooleanField(_("søger frivillige nu"), default=True)
    oprettet = models.DateTimeField(_("oprettet"), auto_now_add=True)
    opdateret = models.DateTimeField(_("opdateret"), auto_now=True)
    oprettet_af = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("frivilligrolle")
        verbose_name_plural = _("frivilligroller")
        ordering = ["-oprettet"]
        indexes = [models.Index(fields=["center", "aaben"])]

    def __str__(self):
        return self.titel

    def get_absolute_url(self):
        return reverse("matching:frivilligrolle_detail", args=[self.pk])

    def clean(self):
        if not set(self.tider or []) <= SLOT_CODES:
            raise ValidationError({"tider": _("Ukendt tidspunkt.")})
        if self.forening_id and self.center_id and self.forening.center_id != self.center_id:
            raise ValidationError({"forening": _("Foreningen hører til et andet frivilligcenter.")})


class RolleKandidat(models.Model):
    """A person registered as a volunteer candidate who is not a borger in a forløb."""

    center = models.ForeignKey(Frivilligcenter, on_delete=models.PROTECT, related_name="+")
    fornavn = models.CharField(_("fornavn"), max_length=100)
    efternavn = models.CharField(_("efternavn"), max_length=100, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    telefon = PhoneField(_("telefon"), blank=True)
    postnummer = models.ForeignKey(Postnummer, on_delete=models.PROTECT, verbose_name=_("postnummer"))
    foedselsaar = models.PositiveSmallIntegerField(_("fødselsår"), null=True, blank=True,
                                                   validators=[MinValueValidator(1900), MaxValueValidator(2100)])
    interesser = models.ManyToManyField(Tag, blank=True, related_name="+", limit_choices_to={"type": TagType.INTERESSE},
                                        verbose_name=_("interesser"))
    tilgaengelighed = models.JSONField(_("hvornår kan personen"), default=list, blank=True)
    max_afstand_km = models.PositiveSmallIntegerField(_("højst afstand (km)"), default=10,
                                                      validators=[MinValueValidator(1), MaxValueValidator(200)])
    # Registration needs consent (the form asks); sharing with foreninger is a consent of its own.
    samtykke_givet = models.DateTimeField(_("samtykke til registrering givet"))
    deling_med_foreninger = models.BooleanField(
        _("fornavn må vises for foreninger"), default=False,
        help_text=_("Personen har givet samtykke til, at foreninger med en passende rolle ser fornavnet."))
    aktiv = models.BooleanField(_("aktiv"), default=True)
    registreret_af = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                       related_name="+")
    oprettet = models.DateTimeField(_("oprettet"), auto_now_add=True)
    # Art. 17: what identifies the person is removed; the row stays for the role matches' statistics.
    anonymiseret = models.DateTimeField(_("anonymiseret"), null=True, blank=True)

    class Meta:
        verbose_name = _("frivilligkandidat")
        verbose_name_plural = _("frivilligkandidater")
        ordering = ["fornavn", "efternavn"]
        indexes = [models.Index(fields=["center", "aktiv"])]

    def __str__(self):
        return f"{self.fornavn} {self.efternavn}".strip()

    def get_absolute_url(self):
        return reverse("matching:rollekandidat_update", args=[self.pk])

    @property
    def alder(self):
        return timezone.localdate().year - self.foedselsaar if self.foedselsaar else None

    def clean(self):
        if not set(self.tilgaengelighed or []) <= SLOT_CODES:
            raise ValidationError({"tilgaengelighed": _("Ukendt tidspunkt.")})


class RolleMatchStatus(models.TextChoices):
    FORESLAAET = "foreslaaet", _("Foreslået")
    KONTAKTET = "kontaktet", _("Kontaktet")
    AFTALT = "aftalt", _("Aftalt")
    AFSLUTTET = "afsluttet", _("Afsluttet")


ROLLEMATCH_NAESTE = {RolleMatchStatus.FORESLAAET: RolleMatchStatus.KONTAKTET,
                     RolleMatchStatus.KONTAKTET: RolleMatchStatus.AFTALT}


class RolleAfslutningsaarsag(models.TextChoices):
    PERSON_SAGDE_NEJ = "person_nej", _("Personen sagde nej")
    FORENING_SAGDE_NEJ = "forening_nej", _("Foreningen sagde nej")
    PASSEDE_IKKE = "passede_ikke", _("Passede ikke")
    ROLLE_BESAT = "rolle_besat", _("Rollen er besat eller lukket")
    I_GANG = "i_gang", _("Er i gang som frivillig")
    ANDET = "andet", _("Andet")


class RolleMatch(MatchGrundlag):
    """A person saved as a match to a volunteer role: a borger who wants to volunteer, or a registered
    volunteer candidate (exactly one). The status moves foreslået → kontaktet → aftalt → afsluttet
    (with a reason); the score and the reasons are the engine's when it was saved."""

    center = models.ForeignKey(Frivilligcenter, on_delete=models.PROTECT, related_name="+")
    rolle = models.ForeignKey(Frivilligrolle, on_delete=models.CASCADE, related_name="matches",
                              verbose_name=_("frivilligrolle"))
    borger = models.ForeignKey(Borger, on_delete=models.CASCADE, null=True, blank=True, related_name="rollematches")
    kandidat = models.ForeignKey(RolleKandidat, on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="matches", verbose_name=_("frivilligkandidat"))
    status = models.CharField(_("status"), max_length=12, choices=RolleMatchStatus.choices,
                              default=RolleMatchStatus.FORESLAAET)
    status_siden = models.DateTimeField(_("i status siden"), default=timezone.now)
    afslutningsaarsag = afslutningsaarsag_felt(RolleAfslutningsaarsag)

    class Meta(MatchGrundlag.Meta):
        verbose_name = _("match til frivilligrolle")
        verbose_name_plural = _("matches til frivilligroller")
        constraints = [
            models.CheckConstraint(condition=(Q(borger__isnull=False, kandidat__isnull=True)
                                              | Q(borger__isnull=True, kandidat__isnull=False)),
                                   name="rollematch_enten_borger_eller_kandidat"),
            models.UniqueConstraint(fields=["rolle", "borger"], condition=~Q(status="afsluttet"),
                                    name="et_aabent_rollematch_per_borger"),
            models.UniqueConstraint(fields=["rolle", "kandidat"], condition=~Q(status="afsluttet"),
                                    name="et_aabent_rollematch_per_kandidat"),
        ]
        indexes = [models.Index(fields=["center", "rolle", "status"])]

    def __str__(self):
        person = self.borger or self.kandidat
        return f"{person.fornavn if person else '–'} → {self.rolle}"

    def get_absolute_url(self):
        return reverse("matching:frivilligrolle_detail", args=[self.rolle_id])

    @property
    def person(self):
        return self.borger if self.borger_id else self.kandidat

    @property
    def er_afsluttet(self):
        return self.status == RolleMatchStatus.AFSLUTTET

    @property
    def naeste_status(self) -> RolleMatchStatus | None:
        """The one step forward from here (ending is possible from any open status)."""
        return ROLLEMATCH_NAESTE.get(self.status)


# --- Rådgivning af fagpersonale (issue 14) --------------------------------------------------------------
# A log of advice sessions with professionals. It never holds borger data: free text that looks like
# a CPR number is refused (brobygning/cpr.py).


class FagpersonArt(models.TextChoices):
    JOBCENTER = "jobcenter", _("Jobcenter")
    SOCIALRAADGIVER = "socialraadgiver", _("Socialrådgiver")
    LAERER = "laerer", _("Lærer")
    SUNDHED = "sundhed", _("Sundhed")
    ANDEN = "anden", _("Anden")


class Raadgivning(models.Model):
    center = models.ForeignKey(Frivilligcenter, on_delete=models.PROTECT, related_name="+")
    dato = models.DateField(_("dato"), default=timezone.localdate)
    organisation = models.CharField(_("organisation"), max_length=200, validators=[afvis_cpr])
    art = models.CharField(_("fagperson"), max_length=16, choices=FagpersonArt.choices)
    emne = models.CharField(_("emne"), max_length=300, validators=[afvis_cpr],
                            help_text=_("Fx 'sådan henviser I til brobygning'. Ingen oplysninger om borgere."))
    varighed_min = models.PositiveSmallIntegerField(_("varighed (minutter)"),
                                                    validators=[MinValueValidator(5), MaxValueValidator(24 * 60)])
    opfoelgning = models.DateField(_("opfølgning den"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, validators=[afvis_cpr, MaxLengthValidator(2000)],
                            help_text=_("Ingen oplysninger om borgere."))
    registreret_af = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                       related_name="+")
    oprettet = models.DateTimeField(_("oprettet"), auto_now_add=True)

    class Meta:
        verbose_name = _("rådgivning")
        verbose_name_plural = _("rådgivning af fagpersonale")
        ordering = ["-dato", "-pk"]
        indexes = [models.Index(fields=["center", "dato"])]
        constraints = [models.CheckConstraint(condition=Q(varighed_min__gt=0), name="raadgivning_varighed_positiv")]

    def __str__(self):
        return f"{self.get_art_display()} {self.dato:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("matching:raadgivning_update", args=[self.pk])


# --- Arrangementer (issue 14): workshops, courses and meetings beyond the single journey ---------


class ArrangementType(models.TextChoices):
    WORKSHOP = "workshop", _("Workshop for borgere")
    INKLUSIONSKURSUS = "inklusionskursus", _("Inklusionskursus")
    NETVAERKSMOEDE = "netvaerksmoede", _("Netværksmøde")
    INFOMOEDE = "infomoede", _("Informationsmøde")
    ANDET = "andet", _("Andet")


class Arrangement(models.Model):
    """An event of the centre's (ARCHITECTURE.md, "Arrangementer"), on one date or a series of dates
    (`ArrangementDato`). In matching because borgere register for it.

    A meeting of the network of centres (`i_netvaerket`, ARCHITECTURE.md, "Netværksrummet") is held
    by one centre (`center`) or by the network itself (`center` empty); staff of every member centre
    register for it, each registration in the registrant's own centre."""

    center = models.ForeignKey(Frivilligcenter, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    i_netvaerket = models.BooleanField(_("i netværket af centre"), default=False, editable=False)
    type = models.CharField(_("type"), max_length=20, choices=ArrangementType.choices)
    titel = models.CharField(_("titel"), max_length=200)
    beskrivelse = long_text(_("beskrivelse"))
    maalgruppe = models.CharField(_("målgruppe"), max_length=200, blank=True)
    sted = models.CharField(_("sted"), max_length=200, blank=True, help_text=_("Adresse eller lokale."))
    online_link = models.URLField(_("link til online-møde"), blank=True)
    kapacitet = models.PositiveSmallIntegerField(_("antal pladser"), null=True, blank=True,
                                                 validators=[MinValueValidator(1), MaxValueValidator(5000)],
                                                 help_text=_("Tomt: ingen grænse."))
    offentlig = models.BooleanField(_("offentligt"), default=False,
                                    help_text=_("Vises på centrets offentlige sider, hvor alle kan tilmelde sig."))
    ansvarlige = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="arrangementer",
                                        verbose_name=_("hvem står for det"))
    aflyst = models.DateTimeField(_("aflyst"), null=True, blank=True)
    oprettet_af = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    oprettet = models.DateTimeField(_("oprettet"), auto_now_add=True)

    class Meta:
        verbose_name = _("arrangement")
        verbose_name_plural = _("arrangementer")
        ordering = ["-oprettet"]
        indexes = [models.Index(fields=["center", "type"]), models.Index(fields=["center", "offentlig"]),
                   models.Index(fields=["i_netvaerket", "oprettet"], condition=Q(i_netvaerket=True),
                                name="arrangement_netvaerk_idx")]
        constraints = [models.CheckConstraint(
            condition=Q(center__isnull=False) | Q(i_netvaerket=True, type="netvaerksmoede", offentlig=False),
            name="arrangement_center_eller_netvaerk")]

    def __str__(self):
        return self.titel

    def get_absolute_url(self):
        return reverse("matching:arrangement_detail", args=[self.pk])

    def clean(self):
        if not self.sted and not self.online_link:
            raise ValidationError({"sted": _("Skriv hvor arrangementet holdes, eller angiv et link til online-mødet.")})

    @property
    def stedtekst(self) -> str:
        return self.sted or (_("Online") if self.online_link else "")


class ArrangementDato(models.Model):
    """One date of an arrangement. `sekvens` counts moves and cancellations: the SEQUENCE of its .ics.
    `center` is the arrangement's (empty for a meeting the network itself holds)."""

    center = models.ForeignKey(Frivilligcenter, on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="datoer")
    start = models.DateTimeField(_("start"))
    varighed_min = models.PositiveSmallIntegerField(_("varighed (minutter)"), default=120,
                                                    validators=[MinValueValidator(15), MaxValueValidator(1440)])
    aflyst = models.BooleanField(_("aflyst"), default=False)
    sekvens = models.PositiveIntegerField(_("revision"), default=0)

    class Meta:
        verbose_name = _("dato")
        verbose_name_plural = _("datoer")
        ordering = ["start", "pk"]
        indexes = [models.Index(fields=["center", "start"])]

    def __str__(self):
        return f"{self.arrangement} {timezone.localtime(self.start):%d.%m.%Y %H:%M}"

    @property
    def slut(self):
        return self.start + timezone.timedelta(minutes=self.varighed_min)


class TilmeldingStatus(models.TextChoices):
    TILMELDT = "tilmeldt", _("Tilmeldt")
    VENTELISTE = "venteliste", _("På venteliste")
    AFMELDT = "afmeldt", _("Afmeldt")


class TilmeldingKilde(models.TextChoices):
    PERSONALE = "personale", _("Tilmeldt af centret")
    OFFENTLIG = "offentlig", _("Tilmeldt på centrets hjemmeside")


AKTIV_TILMELDING = ~Q(status="afmeldt")


class Tilmelding(models.Model):
    """A registration: a borger, a foreningskontakt (a user), or another person by name and e-mail.

    The waiting list is the `venteliste` rows, oldest first; `matching.services.tilmelding_afmeld`
    moves the first up when a place frees. `nonce` keys the signed cancellation and evaluation links.
    """

    center = models.ForeignKey(Frivilligcenter, on_delete=models.PROTECT, related_name="+")
    arrangement = models.ForeignKey(Arrangement, on_delete=models.CASCADE, related_name="tilmeldinger")
    borger = models.ForeignKey(Borger, on_delete=models.CASCADE, null=True, blank=True, related_name="tilmeldinger")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True,
                             related_name="tilmeldinger")
    forening = models.ForeignKey("foreninger.Forening", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", verbose_name=_("forening"))
    navn = models.CharField(_("navn"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    status = models.CharField(_("status"), max_length=12, choices=TilmeldingStatus.choices,
                              default=TilmeldingStatus.TILMELDT)
    kilde = models.CharField(_("kilde"), max_length=12, choices=TilmeldingKilde.choices,
                             default=TilmeldingKilde.PERSONALE)
    samtykke = models.DateTimeField(_("samtykke givet"), null=True, blank=True)
    nonce = models.CharField(max_length=32)
    tilmeldt = models.DateTimeField(_("tilmeldt"), default=timezone.now)
    afmeldt = models.DateTimeField(_("afmeldt"), null=True, blank=True)
    oprettet_af = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    # A workshop registration that started the borger's brobygning forløb (issue 14).
    forloeb_startet = models.DateTimeField(_("forløb startet"), null=True, blank=True, editable=False)
    # A public registrant's name, e-mail (and phone) are erased a while after the event
    # (ARRANGEMENT_OFFENTLIG_OPBEVARING_DAGE); the row stays for the counts.
    anonymiseret = models.DateTimeField(_("anonymiseret"), null=True, blank=True, editable=False)
    # Kept when the e-mail goes: a keyed hash of it (HMAC with SECRET_KEY), so a person who took two
    # courses is still counted once (`arrangementer.kursus_gennemfoert`). Not reversible.
    email_noegle = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        verbose_name = _("tilmelding")
        verbose_name_plural = _("tilmeldinger")
        ordering = ["tilmeldt", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(borger__isnull=False, user__isnull=True)
                           | Q(borger__isnull=True, user__isnull=False)
                           | (Q(borger__isnull=True, user__isnull=True) & ~Q(email=""))
                           | Q(borger__isnull=True, user__isnull=True, anonymiseret__isnull=False)),
                name="tilmelding_borger_bruger_eller_email"),
            models.UniqueConstraint(fields=["arrangement", "borger"], condition=AKTIV_TILMELDING & Q(borger__isnull=False),
                                    name="en_tilmelding_per_borger"),
            models.UniqueConstraint(fields=["arrangement", "user"], condition=AKTIV_TILMELDING & Q(user__isnull=False),
                                    name="en_tilmelding_per_bruger"),
            models.UniqueConstraint(models.F("arrangement"), Lower("email"),
                                    condition=AKTIV_TILMELDING & ~Q(email="") & Q(borger__isnull=True, user__isnull=True),
                                    name="en_tilmelding_per_email"),
        ]
        indexes = [models.Index(fields=["arrangement", "status", "tilmeldt"]), models.Index(fields=["center", "status"])]

    def __str__(self):
        return f"{self.arrangement} #{self.pk}"

    @property
    def deltager_navn(self) -> str:
        """The name staff see on lists: a borger's first name, a user's name, or the given name."""
        if self.borger_id:
            return self.borger.fornavn
        if self.user_id:
            return self.user.get_full_name() or self.user.email
        if self.anonymiseret:
            return str(_("(navn slettet)"))
        return self.navn or self.email


class Fremmoede(models.Model):
    """Attendance of one registration at one date (`moedt` None: not taken yet). Also the subject of the
    date's påmindelser (`matching.arrangement_paamindelser`)."""

    center = models.ForeignKey(Frivilligcenter, on_delete=models.PROTECT, related_name="+")
    tilmelding = models.ForeignKey(Tilmelding, on_delete=models.CASCADE, related_name="fremmoeder")
    dato = models.ForeignKey(ArrangementDato, on_delete=models.CASCADE, related_name="fremmoeder")
    moedt = models.BooleanField(_("mødte op"), null=True, blank=True)
    registreret = models.DateTimeField(_("registreret"), null=True, blank=True)
    registreret_af = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        verbose_name = _("fremmøde")
        verbose_name_plural = _("fremmøder")
        constraints = [models.UniqueConstraint(fields=["tilmelding", "dato"], name="et_fremmoede_per_dato")]

    def __str__(self):
        return f"{self.tilmelding_id}@{self.dato_id}: {self.moedt}"


class Evaluering(models.Model):
    """The short evaluation after an arrangement, given once by signed link (no login)."""

    center = models.ForeignKey(Frivilligcenter, on_delete=models.PROTECT, related_name="+")
    tilmelding = models.OneToOneField(Tilmelding, on_delete=models.CASCADE, related_name="evaluering")
    udbytte = models.PositiveSmallIntegerField(_("hvad fik du ud af det?"),
                                               validators=[MinValueValidator(1), MaxValueValidator(5)])
    kommentar = models.TextField(_("kommentar"), blank=True, validators=[MaxLengthValidator(1000)])
    besvaret = models.DateTimeField(_("besvaret"), default=timezone.now)

    class Meta:
        verbose_name = _("evaluering")
        verbose_name_plural = _("evalueringer")

    def __str__(self):
        return f"{self.tilmelding_id}: {self.udbytte}"


class Velkomstscore(models.Model):
    """How well a fællesskab keeps the newcomers the centre sends it (issue 13, "Velkomstscore").

    One row per fællesskab, rewritten nightly by `matching.velkomst.beregn_center` from one grouped
    query per centre. `n` counts newcomers whose 3-month follow-up is due and whose outcome is known
    (recorded, or the match ended); `blevet` those still taking part then. `score` is the smoothed
    share (a Beta prior around `prior`, so 1 of 1 is not 100 %). `moeder`/`moedt_op` are the first
    meetings with an outcome and those the newcomer came to: the host's show rate.
    """

    center = models.ForeignKey(Frivilligcenter, on_delete=models.PROTECT, related_name="+")
    faellesskab = models.OneToOneField(Faellesskab, on_delete=models.CASCADE, related_name="velkomstscore")
    n = models.PositiveIntegerField(_("nye sendt"), default=0)
    blevet = models.PositiveIntegerField(_("stadig med efter 3 måneder"), default=0)
    prior = models.FloatField(_("forventet andel (prior)"))
    score = models.FloatField(_("udglattet andel der bliver"))
    moeder = models.PositiveIntegerField(_("første møder med udfald"), default=0)
    moedt_op = models.PositiveIntegerField(_("første møder hvor den nye kom"), default=0)
    beregnet = models.DateTimeField(_("beregnet"))

    class Meta:
        verbose_name = _("velkomstscore")
        verbose_name_plural = _("velkomstscorer")
        indexes = [models.Index(fields=["center", "score"])]

    def __str__(self):
        return f"{self.faellesskab_id}: {self.blevet}/{self.n}"

    @property
    def fremmoede(self) -> float | None:
        """The host's first-meeting show rate, or None before any meeting has an outcome."""
        return self.moedt_op / self.moeder if self.moeder else None


class Forloeb(models.Model):
    """One borger's forløb in a few columns, for the reports (issue 13 point 7, ARCHITECTURE.md "Rapporter").

    Kept by the services: every write that is activity calls `borgere.gdpr.aktivitet_registreret`,
    which has `matching.forloeb.opdater` recompute the row from the borger's own samtaler, matches,
    meetings and measures (the same expressions the reports used directly). A nightly task
    (`matching.tasks.genberegn_forloeb`) recomputes every row, as a safety net. The reports then read
    one row per borger of the cohort instead of a dozen correlated lookups per borger.
    """

    borger = models.OneToOneField(Borger, on_delete=models.CASCADE, primary_key=True, related_name="forloeb")
    center = models.ForeignKey(Frivilligcenter, on_delete=models.CASCADE, related_name="+")
    naaet = models.PositiveSmallIntegerField(_("længste trin nået"), default=0)  # index into rapporter.TRIN
    foerste_samtale = models.DateField(_("første samtale"), null=True)
    foerste_moede = models.DateField(_("første møde borgeren mødte op til"), null=True)
    who5_foer = models.SmallIntegerField(null=True)
    who5_efter = models.SmallIntegerField(null=True)
    who5_antal = models.PositiveIntegerField(default=0)
    ucla3_foer = models.SmallIntegerField(null=True)
    ucla3_efter = models.SmallIntegerField(null=True)
    ucla3_antal = models.PositiveIntegerField(default=0)
    beregnet = models.DateTimeField(_("beregnet"), default=timezone.now)

    class Meta:
        verbose_name = _("forløb")
        verbose_name_plural = _("forløb")
        # (center, beregnet): the newest change of a centre's summary, which keys the cached report.
        indexes = [models.Index(fields=["center", "beregnet"])]

    def __str__(self):
        return f"{self.borger_id}: {self.naaet}"


# --- The network of centres (issue 14, point 5; ARCHITECTURE.md, "Netværksrummet") ----------------
# No row here points at a borger: the network space never holds personal data about borgere.


def _materiale_sti(instance, filename):
    """A random name: the uploaded file's own name may hold a person's name."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"netvaerk/materialer/{uuid.uuid4().hex}.{ext}"


class Netvaerksmateriale(models.Model):
    """A method or tool in the network's shared library: a file or a link, shared by one centre (or,
    with `center` empty, by the network itself). Only the sharing side edits or deletes it."""

    center = models.ForeignKey(Frivilligcenter, on_delete=models.PROTECT, null=True, blank=True,
                               related_name="+", verbose_name=_("delt af"))
    titel = models.CharField(_("titel"), max_length=200)
    beskrivelse = long_text(_("beskrivelse"))
    fil = models.FileField(_("fil"), upload_to=_materiale_sti, blank=True, max_length=200)
    filtype = models.CharField(_("filtype"), max_length=10, blank=True, editable=False)
    link = models.URLField(_("link"), blank=True, max_length=500)
    tags = models.CharField(_("emneord"), max_length=300, blank=True,
                            help_text=_("Adskilt med komma, fx: inklusion, samtale, metode."))
    oprettet_af = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                                    related_name="+")
    oprettet = models.DateTimeField(_("oprettet"), auto_now_add=True)
    opdateret = models.DateTimeField(_("opdateret"), auto_now=True)

    class Meta:
        verbose_name = _("materiale")
        verbose_name_plural = _("materialer")
        ordering = ["-oprettet", "-pk"]
        indexes = [models.Index(fields=["-oprettet"], name="netvaerksmateriale_nye_idx")]

    def __str__(self):
        return self.titel

    def clean(self):
        if bool(self.fil) == bool(self.link):
            raise ValidationError({"link": _("Upload en fil eller angiv et link (ikke begge).")})

    @property
    def tag_liste(self) -> list[str]:
        return [t for t in self.tags.strip(",").split(",") if t]


class Netvaerksreferat(models.Model):
    """The notes of one network meeting, written by the side that holds it, read by every member."""

    arrangement = models.OneToOneField(Arrangement, on_delete=models.CASCADE, related_name="referat")
    tekst = long_text(_("referat"))
    skrevet_af = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    opdateret = models.DateTimeField(_("opdateret"), auto_now=True)

    class Meta:
        verbose_name = _("referat")
        verbose_name_plural = _("referater")

    def __str__(self):
        return str(self.arrangement)
