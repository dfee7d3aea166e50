"""Writes for foreninger and fællesskaber. Each runs in one transaction and writes the audit log."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from brobygning import access
from brobygning.audit import log_action
from brobygning.changes import apply_changes, check_version
from brobygning.models import AuditAction

from .models import LINK_FELTER, Faellesskab, Forening, Moedetid

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
