"""Writes for foreninger and fællesskaber. Each runs in one transaction and writes the audit log."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from brobygning import access
from brobygning.audit import log_action
from brobygning.changes import apply_changes, check_version

from .models import Faellesskab, Forening, Moedetid

MOEDETID_FIELDS = ("frekvens", "ugedag", "uge_i_maaned", "fra", "til", "gyldig_fra", "gyldig_til")


def forening_create(*, actor, data: dict) -> Forening:
    access.check(actor, "forening", "create")
    with transaction.atomic():
        forening = Forening(center_id=actor.center_id)
        felter = apply_changes(forening, data)
        log_action(actor=actor, handling="oprettet", obj=forening, felter=felter)
    return forening


def forening_update(*, actor, forening: Forening, data: dict) -> Forening:
    with transaction.atomic():
        forening = Forening.objects.select_for_update().get(pk=forening.pk)
        access.check(actor, "forening", "change", forening)
        data = check_version(forening, data)
        felter = apply_changes(forening, data)
        log_action(actor=actor, handling="ændret", obj=forening, felter=felter)
    return forening


def forening_archive(*, actor, forening: Forening) -> Forening:
    access.check(actor, "forening", "archive", forening)
    with transaction.atomic():
        if forening.faellesskaber.active().exists():
            raise ValidationError(_("Arkivér først foreningens fællesskaber."))
        forening.mark_archived()
        forening.save(update_fields=["arkiveret"])
        log_action(actor=actor, handling="arkiveret", obj=forening)
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
        log_action(actor=actor, handling="oprettet", obj=faellesskab, felter=felter)
    return faellesskab


def faellesskab_update(*, actor, faellesskab: Faellesskab, data: dict, moedetider: list[dict]) -> Faellesskab:
    if "forening" in data:
        _check_forening(actor, data["forening"])
    with transaction.atomic():
        faellesskab = Faellesskab.objects.select_for_update().get(pk=faellesskab.pk)
        access.check(actor, "faellesskab", "change", faellesskab)
        data = check_version(faellesskab, data)
        felter = apply_changes(faellesskab, data)
        felter += _sync_moedetider(faellesskab, moedetider)
        log_action(actor=actor, handling="ændret", obj=faellesskab, felter=felter)
    return faellesskab


def faellesskab_archive(*, actor, faellesskab: Faellesskab) -> Faellesskab:
    access.check(actor, "faellesskab", "archive", faellesskab)
    with transaction.atomic():
        faellesskab.mark_archived()
        faellesskab.save(update_fields=["arkiveret"])
        log_action(actor=actor, handling="arkiveret", obj=faellesskab)
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
