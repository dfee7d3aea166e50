"""Writes for borgere. Each runs in one transaction and writes the audit log."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from brobygning import access
from brobygning.audit import log_action
from brobygning.changes import apply_changes
from brobygning.selectors import brobygger_list

from .models import Borger


def _check_brobygger(actor, data: dict) -> None:
    brobygger = data.get("brobygger")
    if brobygger is not None and not brobygger_list(actor=actor).filter(pk=brobygger.pk).exists():
        raise ValidationError({"brobygger": _("Brobyggeren er ikke aktiv i centret.")})


def borger_create(*, actor, data: dict) -> Borger:
    access.check(actor, "borger", "create")
    _check_brobygger(actor, data)
    with transaction.atomic():
        borger = Borger(center_id=actor.center_id)
        felter = apply_changes(borger, data)
        log_action(actor=actor, handling="oprettet", obj=borger, felter=felter)
    return borger


def borger_update(*, actor, borger: Borger, data: dict) -> Borger:
    _check_brobygger(actor, data)
    with transaction.atomic():
        borger = Borger.objects.select_for_update().get(pk=borger.pk)
        access.check(actor, "borger", "change", borger)
        if not actor.is_koordinator and data.get("brobygger") != borger.brobygger:
            raise ValidationError({"brobygger": _("Kun en koordinator kan skifte brobygger.")})
        felter = apply_changes(borger, data)
        log_action(actor=actor, handling="ændret", obj=borger, felter=felter)
    return borger


def borger_archive(*, actor, borger: Borger) -> Borger:
    access.check(actor, "borger", "archive", borger)
    with transaction.atomic():
        borger.mark_archived()
        borger.save(update_fields=["arkiveret"])
        log_action(actor=actor, handling="arkiveret", obj=borger)
    return borger
