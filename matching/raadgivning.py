"""Rådgivning af fagpersonale (issue 14): the centre's log of advice sessions with professionals
(jobcenter staff, social workers, teachers, health staff). It holds no borger data: the free-text
fields refuse anything that looks like a CPR number (`brobygning.cpr.afvis_cpr`, a field validator).

Reads, writes (with audit) and the report figure for the feature, in one module like
`matching/frivilligroller.py`."""

from django.db import transaction
from django.db.models import Count, Sum
from django.utils.translation import gettext as _

from brobygning import access
from brobygning.audit import log_action
from brobygning.changes import apply_changes
from brobygning.models import AuditAction

from .models import FagpersonArt, Raadgivning
from .rapport_tabel import Periode, Tabel


def raadgivning_list(*, actor):
    return access.scope(actor, "raadgivning", Raadgivning.objects.select_related("registreret_af"))


def raadgivning_get(*, actor, pk, action="change"):
    return access.get_or_deny(actor, "raadgivning", action, Raadgivning.objects.all(), pk)


def raadgivning_create(*, actor, data: dict) -> Raadgivning:
    access.check(actor, "raadgivning", "create")
    with transaction.atomic():
        raadgivning = Raadgivning(center_id=actor.center_id, registreret_af=actor.user)
        felter = apply_changes(raadgivning, data)
        log_action(actor=actor, handling=AuditAction.RAADGIVNING_OPRETTET, obj=raadgivning, felter=felter)
    return raadgivning


def raadgivning_update(*, actor, raadgivning: Raadgivning, data: dict) -> Raadgivning:
    with transaction.atomic():
        raadgivning = Raadgivning.objects.select_for_update().get(pk=raadgivning.pk)
        access.check(actor, "raadgivning", "change", raadgivning)
        felter = apply_changes(raadgivning, data)
        log_action(actor=actor, handling=AuditAction.RAADGIVNING_AENDRET, obj=raadgivning, felter=felter)
    return raadgivning


def raadgivning_efter_art(*, center_ids: list[int], periode: Periode, projekt_id: int | None = None) -> Tabel:
    """Advice sessions in the period by kind of professional: sessions and hours. One query.

    Sessions are not people counted (a session is the centre's own work, with no borger), so no
    column is marked for suppression. `projekt_id` is accepted for the report contract; advice
    sessions belong to no project, so it does not narrow them."""
    rows = {art: (n, minutter) for art, n, minutter in Raadgivning.objects.filter(
        center_id__in=center_ids, dato__gte=periode.fra, dato__lte=periode.til,
    ).values_list("art").annotate(n=Count("pk"), m=Sum("varighed_min")).order_by().values_list("art", "n", "m")}
    raekker = []
    for value, label in FagpersonArt.choices:
        n, minutter = rows.get(value, (0, 0))
        raekker.append([str(label), n, round((minutter or 0) / 60, 1)])
    return Tabel(
        noegle="raadgivning_efter_art",
        titel=_("Rådgivning af fagpersonale i perioden, efter fagperson"),
        kolonner=[_("Fagperson"), _("Rådgivninger"), _("Timer")],
        raekker=raekker,
        note=_("Rådgivningerne indeholder ingen oplysninger om borgere."),
    )
