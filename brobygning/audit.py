"""Writing the audit log. Services call `log_action` inside their transaction."""

from .models import AuditEntry


def log_action(*, actor, handling: str, obj, felter=()) -> AuditEntry:
    """Record that `actor` did `handling` to `obj`. Only field names are kept, never values."""
    return AuditEntry.objects.create(
        center_id=getattr(obj, "center_id", None) or getattr(actor, "center_id", None),
        actor=actor.user if getattr(actor, "user", None) and actor.user.is_authenticated else None,
        handling=handling,
        objekt_type=obj._meta.model_name,
        objekt_id=str(obj.pk),
        felter=sorted(felter),
    )
