"""Writes for borgere. Each runs in one transaction and writes the audit log."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from brobygning import access
from brobygning.audit import log_action
from brobygning.changes import apply_changes, check_version
from brobygning.selectors import brobygger_list

from .models import (
    STANDARD_SAMTYKKETEKSTER,
    Borger,
    BorgerStatus,
    Formaal,
    Maaling,
    Samtale,
    Samtykke,
    SamtykkeTekst,
)


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
        data = check_version(borger, data)
        felter = apply_changes(borger, data)
        log_action(actor=actor, handling="ændret", obj=borger, felter=felter)
    return borger


def borger_archive(*, actor, borger: Borger) -> Borger:
    access.check(actor, "borger", "archive", borger)
    from matching.reminders import cancel_for_borger

    with transaction.atomic():
        borger.mark_archived()
        borger.save(update_fields=["arkiveret"])
        log_action(actor=actor, handling="arkiveret", obj=borger)
        cancel_for_borger(borger)
    return borger


# Fields a samtale may update on the borger record, in the same form and transaction.
SAMTALE_BORGER_FIELDS = ("interesser", "barrierer", "tilgaengelighedsbehov", "tilgaengelighed", "oensket_rolle")


def samtale_create(*, actor, borger: Borger, data: dict, borger_data: dict, maalinger=()) -> Samtale:
    """Log a samtale, update what matters to the borger, and record measures: all or nothing."""
    with transaction.atomic():
        borger = Borger.objects.select_for_update().get(pk=borger.pk)
        access.check(actor, "samtale", "create", Samtale(borger=borger, center_id=borger.center_id))
        samtale = Samtale(center_id=borger.center_id, borger=borger, brobygger=actor.user)
        felter = apply_changes(samtale, data)
        log_action(actor=actor, handling="oprettet", obj=samtale, felter=felter)
        borger.version += 1  # an edit form opened before this samtale must not overwrite what it changed
        changed = apply_changes(borger, {k: v for k, v in borger_data.items() if k in SAMTALE_BORGER_FIELDS})
        if borger.status == BorgerStatus.NY:
            borger.status = BorgerStatus.AKTIV
            borger.save(update_fields=["status"])
            changed.append("status")
        if changed:
            log_action(actor=actor, handling="ændret", obj=borger, felter=changed)
        for type_, svar in maalinger:
            maaling_record(actor=actor, borger=borger, type=type_, svar=svar, samtale=samtale)
    return samtale


def har_samtykke(borger: Borger, formaal: str) -> bool:
    return borger.samtykker.filter(formaal=formaal, tilbagekaldt__isnull=True).exists()


def gaeldende_samtykketekst(*, center_id: int, formaal: str) -> SamtykkeTekst:
    """The centre's newest text for the purpose; a centre that has none yet starts from the standard text."""
    tekst = SamtykkeTekst.objects.filter(center_id=center_id, formaal=formaal).order_by("-version").first()
    if tekst is None:
        tekst, _created = SamtykkeTekst.objects.get_or_create(
            center_id=center_id, formaal=formaal, version=1,
            defaults={"tekst": str(STANDARD_SAMTYKKETEKSTER[formaal])})
    return tekst


def samtykke_give(*, actor, borger: Borger, formaal: str, maade: str) -> Samtykke:
    """Records consent to the text the borger was shown: the centre's current version for the purpose."""
    with transaction.atomic():
        access.check(actor, "samtykke", "create", Samtykke(borger=borger, center_id=borger.center_id))
        if har_samtykke(borger, formaal):
            raise ValidationError(_("Samtykket er allerede givet."))
        tekst = gaeldende_samtykketekst(center_id=borger.center_id, formaal=formaal)
        samtykke = Samtykke(center_id=borger.center_id, borger=borger, registreret_af=actor.user, tekst=tekst)
        apply_changes(samtykke, {"formaal": formaal, "maade": maade})
        log_action(actor=actor, handling="samtykke givet", obj=samtykke, felter=["formaal"])
        transaction.on_commit(lambda: _resync_reminders(borger.pk))  # reminders it now allows are armed
    return samtykke


def samtykke_withdraw(*, actor, samtykke: Samtykke) -> Samtykke:
    """Withdrawal stops the processing from now on; pending reminders re-check consent when sent."""
    with transaction.atomic():
        samtykke = Samtykke.objects.select_for_update().select_related("borger").get(pk=samtykke.pk)
        access.check(actor, "samtykke", "change", samtykke)
        if samtykke.tilbagekaldt is None:
            samtykke.tilbagekaldt = timezone.now()
            samtykke.save(update_fields=["tilbagekaldt"])
            log_action(actor=actor, handling="samtykke trukket tilbage", obj=samtykke, felter=["tilbagekaldt"])
            transaction.on_commit(lambda: _resync_reminders(samtykke.borger_id))
    return samtykke


def _resync_reminders(borger_id: int) -> None:
    """Consent changed: let the planned meetings' reminders follow it."""
    from matching.models import Ledsagelse, LedsagelseStatus
    from matching.reminders import sync_ledsagelse

    for ledsagelse in Ledsagelse.objects.filter(match__borger_id=borger_id, status=LedsagelseStatus.PLANLAGT):
        sync_ledsagelse(ledsagelse)


def maaling_record(*, actor, borger: Borger, type: str, svar: list[int], samtale=None, opfoelgning=None) -> Maaling:
    access.check(actor, "maaling", "create", Maaling(borger=borger, center_id=borger.center_id))
    if not har_samtykke(borger, Formaal.MAALINGER):
        raise ValidationError(_("Borgeren har ikke givet samtykke til trivsels- og ensomhedsmålinger."))
    with transaction.atomic():
        maaling = Maaling(center_id=borger.center_id, borger=borger, registreret_af=actor.user,
                          samtale=samtale, opfoelgning=opfoelgning)
        apply_changes(maaling, {"type": type, "svar": svar})
        log_action(actor=actor, handling="måling", obj=maaling, felter=["type"])
    return maaling


def samtykketekst_create(*, actor, formaal: str, tekst: str) -> SamtykkeTekst:
    """A koordinator changes a consent text: a new version. Old versions, and the consents given to
    them, are never touched."""
    access.check(actor, "samtykketekst", "create")
    tekst = (tekst or "").strip()
    if formaal not in Formaal.values:
        raise ValidationError({"formaal": _("Ukendt formål.")})
    if len(tekst) < 20:
        raise ValidationError({"tekst": _("Skriv hele samtykketeksten (mindst 20 tegn).")})
    with transaction.atomic():
        current = gaeldende_samtykketekst(center_id=actor.center_id, formaal=formaal)
        current = SamtykkeTekst.objects.select_for_update().get(pk=current.pk)
        if current.tekst == tekst:
            raise ValidationError({"tekst": _("Teksten er uændret; der er ikke lavet en ny version.")})
        ny = SamtykkeTekst.objects.create(center_id=actor.center_id, formaal=formaal, version=current.version + 1,
                                          tekst=tekst, oprettet_af=actor.user)
        log_action(actor=actor, handling="ny samtykketekst", obj=ny, felter=["tekst"])
    return ny
