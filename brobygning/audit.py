"""Writing the audit log. Services call `log_action` inside their transaction."""

from django.db import transaction

from .access import BORGER_PATH, borger_id_of
from .adgangslog import H, log
from .models import AuditEntry

# Audit actions with their own access-log entry, written by the service itself.
_OWN_ACCESS_ENTRY = {"anonymiseret", "opbevaring forlænget"}


def log_action(*, actor, handling: str, obj, felter=()) -> AuditEntry:
    """Record that `actor` did `handling` to `obj`. Only field names are kept, never values.

    A change to a borger or anything hanging off one also goes to the access log (as a change of
    that borger), once the transaction has committed."""
    entry = AuditEntry.objects.create(
        center_id=getattr(obj, "center_id", None) or getattr(actor, "center_id", None),
        actor=actor.user if getattr(actor, "user", None) and actor.user.is_authenticated else None,
        handling=handling,
        objekt_type=obj._meta.model_name,
        objekt_id=str(obj.pk),
        felter=sorted(felter),
    )

    kind = obj._meta.model_name
    if kind in BORGER_PATH and handling not in _OWN_ACCESS_ENTRY:
        borger_id, center_id = borger_id_of(obj, kind), entry.center_id
        transaction.on_commit(lambda: log(actor=actor, handling=H.AENDRET, borger_id=borger_id,
                                          center_id=center_id, kriterium=f"{kind}: {handling}"))
    return entry
