"""Writes for foreninger and fællesskaber. Each runs in one transaction and writes the audit log."""

import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Max, Q, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from brobygning import access
from brobygning.audit import log_action
from brobygning.changes import apply_changes, check_version
from brobygning.models import AuditAction

from .models import (
    LINK_FELTER,
    Faellesskab,
    Forening,
    Moedetid,
    Partner,
    Partnerkontakt,
    Partnerskab,
    Tilslutningsbeloeb,
)

MOEDETID_FIELDS = ("frekvens", "ugedag", "uge_i_maaned", "fra", "til", "gyldig_fra", "gyldig_til")


def forening_create(*, actor, data: dict) -> Forening:
    access.check(actor, "forening", "create")
    with transaction.atomic():
        forening = Forening(center_id=actor.center_id)
        felter = apply_changes(forening, data)
        log_action(actor=actor, handling=AuditAction.FORENING_OPRETTET, obj=forening, felter=felter)
    return forening


def forening_update(*, actor, forening: Forening, data: dict) -> Forening:
    with transaction.atomic():
        forening = Forening.objects.select_for_update().get(pk=forening.pk)
        access.check(actor, "forening", "change", forening)
        data = check_version(forening, data)
        data = {name: value for name, value in data.items() if access.may_see_field(actor, "forening_ret", name)}
        felter = apply_changes(forening, data)
        log_action(actor=actor, handling=AuditAction.FORENING_AENDRET, obj=forening, felter=felter)
    return forening


def forening_archive(*, actor, forening: Forening) -> Forening:
    access.check(actor, "forening", "archive", forening)
    with transaction.atomic():
        if forening.faellesskaber.active().exists():
            raise ValidationError(_("Arkivér først foreningens fællesskaber."))
        forening.mark_archived()
        forening.save(update_fields=["arkiveret"])
        log_action(actor=actor, handling=AuditAction.FORENING_ARKIVERET, obj=forening)
    return forening


def _check_forening(actor, forening: Forening) -> None:
    """A fællesskab may only be put under a forening the actor may change."""
    if not access.can(actor, "forening", "change", forening):
        raise ValidationError({"forening": _("Du kan kun oprette fællesskaber for din egen forening.")})


def faellesskab_create(*, actor, data: dict, moedetider: list[dict]) -> Faellesskab:
    access.check(actor, "faellesskab", "create")
    _check_forening(actor, data["forening"])
    with transaction.atomic():
        faellesskab = Faellesskab(center_id=actor.center_id)
        felter = apply_changes(faellesskab, data)
        felter += _sync_moedetider(faellesskab, moedetider)
        log_action(actor=actor, handling=AuditAction.FAELLESSKAB_OPRETTET, obj=faellesskab, felter=felter)
    return faellesskab


def faellesskab_update(*, actor, faellesskab: Faellesskab, data: dict, moedetider: list[dict]) -> Faellesskab:
    if "forening" in data:
        _check_forening(actor, data["forening"])
    with transaction.atomic():
        faellesskab = Faellesskab.objects.select_for_update().get(pk=faellesskab.pk)
        access.check(actor, "faellesskab", "change", faellesskab)
        data = check_version(faellesskab, data)
        if not actor.user.is_authenticated and set(data) - set(LINK_FELTER):
            # A signed link (access.actor_for_forening_link) changes the practical details only.
            raise ValidationError(_("Via linket kan du kun rette de praktiske oplysninger. Log ind for at ændre "
                                    "værtens kontaktoplysninger eller om fællesskabet er offentligt."))
        if actor.is_foreningskontakt:  # the forening itself has looked it over: that confirms it
            data = {**data, "sidst_bekraeftet": timezone.localdate()}
        felter = apply_changes(faellesskab, data)
        felter += _sync_moedetider(faellesskab, moedetider)
        log_action(actor=actor, handling=AuditAction.FAELLESSKAB_AENDRET, obj=faellesskab, felter=felter)
    return faellesskab


def faellesskab_archive(*, actor, faellesskab: Faellesskab) -> Faellesskab:
    access.check(actor, "faellesskab", "archive", faellesskab)
    with transaction.atomic():
        faellesskab.mark_archived()
        faellesskab.save(update_fields=["arkiveret"])
        log_action(actor=actor, handling=AuditAction.FAELLESSKAB_ARKIVERET, obj=faellesskab)
    return faellesskab


def _sync_moedetider(faellesskab: Faellesskab, rows: list[dict]) -> list[str]:
    """Create, update and delete meeting times. Existing rows keep their ids (stable for HSDS export).

    Each row is a formset's cleaned data: field values plus `id` (an existing Moedetid or None)
    and `DELETE`.
    """
    changed = False
    for row in rows:
        existing = row.get("id")
        if existing is not None and existing.faellesskab_id != faellesskab.pk:
            raise ValidationError(_("Mødetiden hører til et andet fællesskab."))
        if row.get("DELETE"):
            if existing is not None:
                existing.delete()
                changed = True
            continue
        if not any(row.get(name) not in (None, "") for name in ("fra", "til")):
            continue  # an empty extra form
        moedetid = existing or Moedetid(faellesskab=faellesskab)
        changed |= bool(apply_changes(moedetid, {name: row.get(name) for name in MOEDETID_FIELDS}))
    return ["moedetider"] if changed else []


# --- "Er det stadig korrekt?" ---------------------------------------------------------------------
# Every N weeks (the centre's `bekraeft_interval_uger`) each forening gets a signed, expiring link.
# The token holds the forening's id and a nonce stored on the forening; a new mailing replaces the
# nonce, so an old link stops working, and a link never opens another forening's fællesskaber.

BEKRAEFT_SALT = "brobygning.bekraeft"


def bekraeft_token(forening: Forening) -> str:
    return signing.dumps({"f": forening.pk, "n": forening.bekraeft_nonce}, salt=BEKRAEFT_SALT)


def forening_from_bekraeft_token(token: str) -> Forening | None:
    """The forening behind a link, or None when it is tampered with, expired or replaced by a newer one."""
    max_age = settings.BEKRAEFT_LINK_MAX_AGE_DAYS * 24 * 3600
    try:
        data = signing.loads(token, salt=BEKRAEFT_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not data.get("n"):
        return None
    forening = Forening.objects.active().select_related("center").filter(pk=data.get("f")).first()
    if forening is None or not secrets.compare_digest(forening.bekraeft_nonce, str(data["n"])):
        return None
    return forening


def bekraeft_recipients(forening: Forening) -> list[str]:
    """The forening's own address, else its active foreningskontakter's."""
    if forening.email:
        return [forening.email]
    return sorted(set(forening.kontakter.filter(aktiv=True, user__is_active=True).values_list("user__email", flat=True)))


def _due_for_bekraeft_qs():
    """Active foreninger with active fællesskaber: the ones the mailing is about."""
    return Forening.objects.active().filter(faellesskaber__arkiveret__isnull=True)


def _bekraeft_due(forening: Forening, now) -> bool:
    """Last asked the centre's N weeks ago, or never."""
    interval = timedelta(weeks=forening.center.bekraeft_interval_uger)
    return forening.bekraeft_sendt is None or forening.bekraeft_sendt <= now - interval


def foreninger_due_for_bekraeft(*, now=None):
    """Active foreninger with active fællesskaber that were last asked N weeks ago or never.

    A snapshot: `bekraeft_send(only_if_due=True)` decides again under the row lock."""
    now = now or timezone.now()
    qs = _due_for_bekraeft_qs().select_related("center").distinct()
    return [forening for forening in qs if _bekraeft_due(forening, now)]


def bekraeft_send(*, forening: Forening, only_if_due: bool = False, now=None) -> bool:
    """Mail the forening a new link (which retires the previous one). False when there is nobody to
    mail, or, with `only_if_due` (the beat task), when it is not due any more.

    The due condition is decided again under the forening's row lock, so two overlapping runs (two
    beats, a slow one and the next) mail each forening once: the second waits for the lock, then
    sees the first's `bekraeft_sendt` and stops."""
    recipients = bekraeft_recipients(forening)
    if not recipients:
        return False
    with transaction.atomic():
        forening = Forening.objects.select_for_update(of=("self",)).select_related("center").get(pk=forening.pk)
        if only_if_due and not (_bekraeft_due(forening, now or timezone.now())
                                and _due_for_bekraeft_qs().filter(pk=forening.pk).exists()):
            return False
        forening.bekraeft_nonce = secrets.token_urlsafe(16)
        forening.bekraeft_sendt = timezone.now()
        forening.save(update_fields=["bekraeft_nonce", "bekraeft_sendt"])
        log_action(actor=access.actor_for_forening_link(forening), handling=AuditAction.FORENING_SPURGT,
                   obj=forening, felter=["bekraeft_sendt"])
        link = settings.SITE_URL.rstrip("/") + reverse("foreninger:bekraeft_list", args=[bekraeft_token(forening)])
        faellesskaber = [f.titel for f in forening.faellesskaber.active().order_by("titel")]
        context = {"forening": forening.navn, "center": forening.center.navn, "link": link,
                   "faellesskaber": faellesskaber, "dage": settings.BEKRAEFT_LINK_MAX_AGE_DAYS}
        with translation.override(settings.LANGUAGE_CODE):
            subject = render_to_string("foreninger/bekraeft/email/bekraeft_subject.txt", context).strip()
            message = EmailMultiAlternatives(subject, render_to_string("foreninger/bekraeft/email/bekraeft.txt", context), to=recipients)
            message.attach_alternative(render_to_string("foreninger/bekraeft/email/bekraeft.html", context), "text/html")
        transaction.on_commit(message.send)
    return True


# "Spørg foreningen" from the koordinator's overview asks again at most this often.
SPOERG_IGEN_EFTER = timedelta(hours=24)


def bekraeft_spoerg(*, actor, forening: Forening) -> None:
    """A koordinator asks the forening "Er det stadig korrekt?" now, outside the beat's schedule
    (the overview's stale fællesskaber). Refused with a Danish message when it was asked within
    SPOERG_IGEN_EFTER, or has nobody to mail."""
    access.check(actor, "forening", "spoerg", forening)
    if forening.bekraeft_sendt and forening.bekraeft_sendt > timezone.now() - SPOERG_IGEN_EFTER:
        raise ValidationError(_("%(navn)s blev spurgt for under et døgn siden. Giv foreningen tid til at svare.")
                              % {"navn": forening.navn})
    with transaction.atomic():
        if not bekraeft_send(forening=forening):
            raise ValidationError(_("%(navn)s har ingen e-mailadresse og ingen aktive foreningskontakter.")
                                  % {"navn": forening.navn})
        log_action(actor=actor, handling=AuditAction.FORENING_SPURGT_AF_KOORDINATOR, obj=forening,
                   felter=["bekraeft_sendt"])


def faellesskab_bekraeft(*, actor, faellesskab: Faellesskab) -> Faellesskab:
    """"Stadig korrekt": the forening vouches for the entry as it stands."""
    with transaction.atomic():
        faellesskab = Faellesskab.objects.select_for_update().get(pk=faellesskab.pk)
        access.check(actor, "faellesskab", "change", faellesskab)
        faellesskab.sidst_bekraeftet = timezone.localdate()
        faellesskab.save(update_fields=["sidst_bekraeftet"])
        log_action(actor=actor, handling=AuditAction.FAELLESSKAB_BEKRAEFTET, obj=faellesskab, felter=["sidst_bekraeftet"])
    return faellesskab


def stale_q(center) -> Q:
    """Fællesskaber not confirmed for 2 × the centre's interval (or never)."""
    cutoff = timezone.localdate() - timedelta(weeks=2 * center.bekraeft_interval_uger)
    return Q(sidst_bekraeftet__isnull=True) | Q(sidst_bekraeftet__lt=cutoff)


# --- Partnerskab (issue 14) ------------------------------------------------------------------------
# The sign-on fee cap: the total granted to one partner may never exceed the partnership's
# `tilslutningsloft`. The services check it under the partner's row lock (so two grants at once
# cannot both pass), and the database checks it again (`partner_tilslutning_under_loft`).

AFTALE_MAX_MB = 10
AFTALE_TYPER = {"pdf": (b"%PDF-",), "docx": (b"PK\x03\x04",), "odt": (b"PK\x03\x04",), "txt": ()}


def kr(beloeb) -> str:
    """An amount as Danes write it: '30.000' or '1.250,50'."""
    beloeb = Decimal(beloeb or 0)
    decimaler = 0 if beloeb == beloeb.to_integral_value() else 2
    return number_format(beloeb, decimal_pos=decimaler, use_l10n=True, force_grouping=True)


def tjek_aftalefil(fil) -> None:
    """An uploaded agreement: PDF, Word (.docx), OpenDocument (.odt) or plain text, of a sane size,
    whose first bytes match its type (an .exe renamed .pdf is refused)."""
    ext = fil.name.rsplit(".", 1)[-1].lower() if "." in fil.name else ""
    if ext not in AFTALE_TYPER:
        raise ValidationError({"aftale_fil": _("Aftalen skal være en PDF-, Word- (.docx), OpenDocument- (.odt) "
                                               "eller tekstfil.")})
    if fil.size > AFTALE_MAX_MB * 1024 * 1024:
        raise ValidationError({"aftale_fil": _("Filen er for stor. Den må højst fylde %(max)s MB.")
                               % {"max": AFTALE_MAX_MB}})
    fil.seek(0)
    head = fil.read(2048)
    fil.seek(0)
    if not head:
        raise ValidationError({"aftale_fil": _("Filen er tom.")})
    magic = AFTALE_TYPER[ext]
    if magic and not head.startswith(magic):
        raise ValidationError({"aftale_fil": _("Filens indhold passer ikke til dens type.")})
    if ext == "txt" and b"\x00" in head:
        raise ValidationError({"aftale_fil": _("Filens indhold passer ikke til dens type.")})


def partnerskab_create(*, actor, data: dict) -> Partnerskab:
    access.check(actor, "partnerskab", "create")
    with transaction.atomic():
        partnerskab = Partnerskab(center_id=actor.center_id)
        felter = apply_changes(partnerskab, data)
        log_action(actor=actor, handling=AuditAction.PARTNERSKAB_OPRETTET, obj=partnerskab, felter=felter)
    return partnerskab


def partnerskab_update(*, actor, partnerskab: Partnerskab, data: dict) -> Partnerskab:
    """A new cap applies to every partner; it may not go below what a partner has already been granted."""
    with transaction.atomic():
        partnerskab = Partnerskab.objects.select_for_update().get(pk=partnerskab.pk)
        access.check(actor, "partnerskab", "change", partnerskab)
        loft = data.get("tilslutningsloft", partnerskab.tilslutningsloft)
        hoejeste = (Partner.objects.select_for_update().filter(partnerskab=partnerskab)
                    .aggregate(m=Max("bevilget_i_alt"))["m"])
        if loft is not None and hoejeste is not None and hoejeste > loft:
            raise ValidationError({"tilslutningsloft": _(
                "Loftet kan ikke sættes under %(hoejeste)s kr.: så meget har en partner allerede fået bevilget.")
                % {"hoejeste": kr(hoejeste)}})
        felter = apply_changes(partnerskab, data)
        if "tilslutningsloft" in felter:
            Partner.objects.filter(partnerskab=partnerskab).update(loft=partnerskab.tilslutningsloft)
        log_action(actor=actor, handling=AuditAction.PARTNERSKAB_AENDRET, obj=partnerskab, felter=felter)
    return partnerskab


def _partner_data(partner: Partner, data: dict) -> dict:
    data = dict(data)
    fil = data.pop("aftale_fil", None)
    if isinstance(fil, UploadedFile):
        tjek_aftalefil(fil)
        data["aftale_fil"] = fil
    elif fil is False:  # "clear" ticked
        data["aftale_fil"] = ""
    forening = data.get("forening")
    if forening is not None and forening.center_id != partner.center_id:
        raise ValidationError({"forening": _("Foreningen hører til et andet frivilligcenter.")})
    return data


def partner_create(*, actor, partnerskab: Partnerskab, data: dict) -> Partner:
    access.check(actor, "partner", "create")
    access.check(actor, "partnerskab", "change", partnerskab)
    with transaction.atomic():
        partner = Partner(center_id=actor.center_id, partnerskab=partnerskab, loft=partnerskab.tilslutningsloft)
        try:
            with transaction.atomic():
                felter = apply_changes(partner, _partner_data(partner, data))
        except IntegrityError:
            raise ValidationError({"forening": _("Foreningen er allerede partner i dette partnerskab.")}) from None
        log_action(actor=actor, handling=AuditAction.PARTNER_OPRETTET, obj=partner, felter=felter)
    return partner


def partner_update(*, actor, partner: Partner, data: dict) -> Partner:
    with transaction.atomic():
        partner = Partner.objects.select_for_update().get(pk=partner.pk)
        access.check(actor, "partner", "change", partner)
        try:
            with transaction.atomic():
                felter = apply_changes(partner, _partner_data(partner, data))
        except IntegrityError:
            raise ValidationError({"forening": _("Foreningen er allerede partner i dette partnerskab.")}) from None
        log_action(actor=actor, handling=AuditAction.PARTNER_AENDRET, obj=partner, felter=felter)
    return partner


def partnerkontakt_create(*, actor, partner: Partner, data: dict) -> Partnerkontakt:
    access.check(actor, "partner", "change", partner)
    with transaction.atomic():
        kontakt = Partnerkontakt(center_id=partner.center_id, partner=partner, registreret_af=actor.user)
        felter = apply_changes(kontakt, data)
        log_action(actor=actor, handling=AuditAction.PARTNERKONTAKT_OPRETTET, obj=kontakt, felter=felter)
    return kontakt


def _tilslutning_gem(*, partner: Partner, tilslutning: Tilslutningsbeloeb, data: dict) -> list[str]:
    """Save a fee under the partner's row lock, keeping the partner's total within the cap."""
    andre = (Tilslutningsbeloeb.objects.filter(partner=partner).exclude(pk=tilslutning.pk)
             .aggregate(s=Sum("beloeb"))["s"] or Decimal(0))
    beloeb = data.get("beloeb", tilslutning.beloeb)
    if beloeb is not None and andre + beloeb > partner.loft:
        rest = max(partner.loft - andre, Decimal(0))
        raise ValidationError({"beloeb": _(
            "Beløbet er for stort: en partner kan højst få %(loft)s kr. i alt i tilslutningsbeløb. "
            "%(partner)s har allerede fået bevilget %(bevilget)s kr., så der kan højst bevilges %(rest)s kr. mere.")
            % {"loft": kr(partner.loft), "partner": str(partner), "bevilget": kr(andre), "rest": kr(rest)}})
    try:
        with transaction.atomic():
            felter = apply_changes(tilslutning, data)
            partner.bevilget_i_alt = andre + tilslutning.beloeb
            partner.save(update_fields=["bevilget_i_alt"])
    except IntegrityError:  # the database's own check: the cap, or a non-positive amount
        raise ValidationError({"beloeb": _("Beløbet kan ikke bevilges: det overskrider loftet for partneren.")}) from None
    return felter


def tilslutning_create(*, actor, partner: Partner, data: dict) -> Tilslutningsbeloeb:
    with transaction.atomic():
        partner = Partner.objects.select_for_update(of=("self",)).select_related("forening").get(pk=partner.pk)
        access.check(actor, "partner", "change", partner)
        tilslutning = Tilslutningsbeloeb(center_id=partner.center_id, partner=partner)
        felter = _tilslutning_gem(partner=partner, tilslutning=tilslutning, data=data)
        log_action(actor=actor, handling=AuditAction.TILSLUTNING_BEVILGET, obj=tilslutning, felter=felter)
    return tilslutning


def tilslutning_update(*, actor, tilslutning: Tilslutningsbeloeb, data: dict) -> Tilslutningsbeloeb:
    with transaction.atomic():
        partner = Partner.objects.select_for_update(of=("self",)).select_related("forening").get(pk=tilslutning.partner_id)
        access.check(actor, "partner", "change", partner)
        tilslutning = Tilslutningsbeloeb.objects.get(pk=tilslutning.pk)
        felter = _tilslutning_gem(partner=partner, tilslutning=tilslutning, data=data)
        log_action(actor=actor, handling=AuditAction.TILSLUTNING_AENDRET, obj=tilslutning, felter=felter)
    return tilslutning
