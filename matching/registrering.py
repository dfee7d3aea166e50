"""The arrangement machinery that the centre's arrangementer (`matching.services`) and the network's
meetings (`matching.netvaerksrum`) share: the row lock, dates, cancelling, registering, and moving
the waiting list up (ARCHITECTURE.md, "Arrangementer" and "Netværksrummet").

These functions decide nothing about access: the calling service checks who may act first. Those
that write run inside the caller's transaction (`transaction.atomic`) and, where said, under the
arrangement's row lock (`laas`), so capacity, the waiting list and its moving up are decided one
at a time per arrangement.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from brobygning.audit import log_action, log_actions
from brobygning.models import AuditAction

from . import arrangement_links, arrangement_paamindelser
from .models import Arrangement, ArrangementDato, Fremmoede, Tilmelding, TilmeldingStatus


def laas(arrangement: Arrangement) -> Arrangement:
    """The arrangement read afresh under its row lock (SELECT … FOR UPDATE; inside a transaction)."""
    return Arrangement.objects.select_for_update().get(pk=arrangement.pk)


def ny_dato(arrangement: Arrangement, start, varighed_min: int) -> ArrangementDato:
    """A new date of the arrangement (120 minutes unless given), validated and saved."""
    if start is None:
        raise ValidationError({"start": _("Angiv dato og tidspunkt.")})
    dato = ArrangementDato(center_id=arrangement.center_id, arrangement=arrangement, start=start,
                           varighed_min=varighed_min or 120)
    dato.full_clean(exclude=["arrangement", "center"])
    dato.save()
    return dato


def aflys(*, actor, locked: Arrangement, allerede_aflyst: str) -> Arrangement:
    """Cancel the whole arrangement (the caller holds its lock, `laas`): every coming date is
    cancelled and announced to whoever was told, and the registrations' reminders follow.
    `allerede_aflyst` is the message when it was cancelled already."""
    if locked.aflyst:
        raise ValidationError(allerede_aflyst)
    locked.aflyst = timezone.now()
    locked.save(update_fields=["aflyst"])
    aflys_datoer(locked.datoer.filter(aflyst=False, start__gte=timezone.now()))
    tilmeldinger = list(locked.tilmeldinger.exclude(status=TilmeldingStatus.AFMELDT).select_related("borger"))
    for tilmelding in tilmeldinger:
        tilmelding.arrangement = locked
    arrangement_paamindelser.sync_tilmeldinger(tilmeldinger)
    log_action(actor=actor, handling=AuditAction.ARRANGEMENT_AFLYST, obj=locked, felter=["aflyst"])
    return locked


def aflys_datoer(datoer) -> None:
    """Cancel dates (a queryset) and announce it: one UPDATE for the dates, then the reminders of
    everyone registered in a fixed number of queries (`sync_datoer`, `announce`)."""
    pks = list(datoer.values_list("pk", flat=True))
    if not pks:
        return
    ArrangementDato.objects.filter(pk__in=pks).update(aflyst=True, sekvens=F("sekvens") + 1)
    aflyste = list(ArrangementDato.objects.filter(pk__in=pks).select_related("arrangement__center"))
    arrangement_paamindelser.sync_datoer(aflyste)
    arrangement_paamindelser.announce(aflyste, "aflyst")


def tilmeld(tilmeldinger, arrangement: Arrangement) -> None:
    """Registered: an attendance row per date not cancelled, for each (two queries however many)."""
    datoer = list(arrangement.datoer.filter(aflyst=False).values_list("pk", flat=True))
    Fremmoede.objects.bulk_create([Fremmoede(center_id=t.center_id, tilmelding_id=t.pk, dato_id=d)
                                   for t in tilmeldinger for d in datoer], ignore_conflicts=True)


def registrer(*, actor, arrangement: Arrangement, lukket: str, borger=None, user=None, email: str = "",
              **felter) -> Tilmelding:
    """Register one person (a borger, a user, or an e-mail address: the caller checked who and that
    exactly one is given) under the arrangement's row lock, taken here. Refused when the arrangement
    is cancelled or over (`lukket`: the message) or the person is registered (or waiting) already.
    Within capacity: registered, with an attendance row per date; beyond it: the waiting list. Then
    the audit entry, the status e-mail and the reminders. `felter`: the registration's other fields
    (centre, source, name, forening, consent, who registered)."""
    locked = laas(arrangement)
    if locked.aflyst or not locked.datoer.filter(aflyst=False, start__gte=timezone.now()).exists():
        raise ValidationError(lukket)
    aktive = locked.tilmeldinger.exclude(status=TilmeldingStatus.AFMELDT)
    if (borger is not None and aktive.filter(borger=borger).exists()) or \
            (user is not None and aktive.filter(user=user).exists()) or \
            (email and aktive.filter(borger__isnull=True, user__isnull=True, email__iexact=email).exists()):
        raise ValidationError(_("Personen er allerede tilmeldt (eller på ventelisten)."))
    fuldt = locked.kapacitet is not None and aktive.filter(status=TilmeldingStatus.TILMELDT).count() >= locked.kapacitet
    tilmelding = Tilmelding(arrangement=locked, borger=borger, user=user, email=email or "",
                            nonce=arrangement_links.ny_nonce(),
                            status=TilmeldingStatus.VENTELISTE if fuldt else TilmeldingStatus.TILMELDT, **felter)
    try:
        with transaction.atomic():
            tilmelding.save()
    except IntegrityError:
        raise ValidationError(_("Personen er allerede tilmeldt (eller på ventelisten).")) from None
    if not fuldt:
        tilmeld([tilmelding], locked)
    log_action(actor=actor, handling=AuditAction.TILMELDING_VENTELISTE if fuldt
               else AuditAction.TILMELDING_OPRETTET, obj=tilmelding, felter=["status"])
    arrangement_paamindelser.meddel_status(tilmelding)
    arrangement_paamindelser.sync_tilmelding(tilmelding)
    return tilmelding


def ryk_op(actor, arrangement: Arrangement) -> list[Tilmelding]:
    """Move the waiting list up into the free places, oldest first (the caller holds the arrangement's
    lock, `laas`). Set-based: the same number of queries for one place or a hundred."""
    if arrangement.aflyst:
        return []
    venteliste = (Tilmelding.objects.select_for_update(of=("self",)).filter(arrangement=arrangement,
                                                               status=TilmeldingStatus.VENTELISTE)
                  .select_related("borger").order_by("tilmeldt", "pk"))
    if arrangement.kapacitet is not None:
        ledige = arrangement.kapacitet - arrangement.tilmeldinger.filter(status=TilmeldingStatus.TILMELDT).count()
        if ledige <= 0:
            return []
        venteliste = venteliste[:ledige]
    moved = list(venteliste)
    if not moved:
        return moved
    Tilmelding.objects.filter(pk__in=[t.pk for t in moved]).update(status=TilmeldingStatus.TILMELDT)
    for tilmelding in moved:
        tilmelding.status, tilmelding.arrangement = TilmeldingStatus.TILMELDT, arrangement
    tilmeld(moved, arrangement)
    log_actions(actor=actor, handling=AuditAction.TILMELDING_RYKKET_OP, objs=moved, felter=["status"])
    arrangement_paamindelser.meddel_status_alle(moved, rykket_op=True)
    arrangement_paamindelser.sync_tilmeldinger(moved)
    return moved
