"""Writing the audit log (revisionslog). Services call `log_action` inside their transaction, with
one of the dotted ids of `AuditAction` (brobygning/models.py)."""

from django.db import transaction

from .access import BORGER_PATH, borger_id_of
from .adgangslog import H, log
from .models import AuditAction, AuditEntry

# Audit actions with their own access-log entry, written by the service itself.
_OWN_ACCESS_ENTRY = {AuditAction.BORGER_ANONYMISERET, AuditAction.BORGER_OPBEVARING_FORLAENGET}


def log_action(*, actor, handling: AuditAction, obj, felter=()) -> AuditEntry:
    """Record that `actor` did `handling` to `obj`. Only field names are kept, never values.

    `handling` must be an `AuditAction` (a ValueError otherwise), and it must name the kind of `obj`.
    A change to a borger or anything hanging off one also goes to the access log (as a change of
    that borger), once the transaction has committed."""
    handling = AuditAction(handling)
    kind = obj._meta.model_name
    if not handling.startswith(f"{kind}."):
        raise ValueError(f"audit action {handling.value!r} does not belong to a {kind}")
    entry = AuditEntry.objects.create(
        center_id=getattr(obj, "center_id", None) or getattr(actor, "center_id", None),
        actor=actor.user if getattr(actor, "user", None) and actor.user.is_authenticated else None,
        handling=handling,
        objekt_type=kind,
        objekt_id=str(obj.pk),
        felter=sorted(felter),
    )
    if kind in BORGER_PATH and handling not in _OWN_ACCESS_ENTRY:
        borger_id, center_id = borger_id_of(obj, kind), entry.center_id
        transaction.on_commit(lambda: log(actor=actor, handling=H.AENDRET, borger_id=borger_id,
                                          center_id=center_id, kriterium=handling.value))
    return entry


def log_actions(*, actor, handling: AuditAction, objs, felter=()) -> list[AuditEntry]:
    """`log_action` for many objects of one kind in one INSERT (a set-based service, e.g. the waiting
    list moving up by many places). Borger-related kinds keep their per-object access-log entry."""
    objs = list(objs)
    if not objs:
        return []
    handling = AuditAction(handling)
    kind = objs[0]._meta.model_name
    if kind in BORGER_PATH:
        return [log_action(actor=actor, handling=handling, obj=obj, felter=felter) for obj in objs]
    if not handling.startswith(f"{kind}.") or any(o._meta.model_name != kind for o in objs):
        raise ValueError(f"audit action {handling.value!r} does not belong to a {kind}")
    user = actor.user if getattr(actor, "user", None) and actor.user.is_authenticated else None
    return AuditEntry.objects.bulk_create([
        AuditEntry(center_id=getattr(obj, "center_id", None) or getattr(actor, "center_id", None), actor=user,
                   handling=handling, objekt_type=kind, objekt_id=str(obj.pk), felter=sorted(felter))
        for obj in objs])
