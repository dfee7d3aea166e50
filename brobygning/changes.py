"""Applying validated data to a model instance, for the services' create and update."""

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import AuditAction, AuditEntry


def apply_changes(instance: Model, data: dict) -> list[str]:
    """Set `data` on `instance`, validate, save, then set many-to-many fields.

    Returns the names of the fields that changed (for the audit log; values are never logged).
    Runs inside the caller's transaction, so a validation error leaves nothing half-saved.
    """
    changed, m2m = [], {}
    for name, value in data.items():
        field = instance._meta.get_field(name)
        if field.many_to_many:
            current = set(getattr(instance, name).values_list("pk", flat=True)) if instance.pk else set()
            if current != {item.pk for item in value}:
                changed.append(name)
            m2m[name] = value
            continue
        new = value.pk if isinstance(value, Model) else value
        if instance.pk is None or field.value_from_object(instance) != new:
            changed.append(name)
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    for name, value in m2m.items():
        getattr(instance, name).set(value)
    return changed


class VersionConflict(ValidationError):
    """Someone else saved the object after this form was loaded. Nothing was saved."""

    def __init__(self, message, *, current_version: int):
        super().__init__(message, code="version_conflict")
        self.current_version = current_version


def check_version(instance: Model, data: dict) -> dict:
    """Optimistic locking: refuse the save when `data["version"]` is not the row's current version.

    Call on the row locked with select_for_update. Returns `data` without "version" and bumps
    `instance.version`, so apply_changes saves the next version. The refusal names the fields the
    other person changed, who and when, and their new values, from the audit log.
    """
    data = dict(data)
    expected = data.pop("version", None)
    if expected is not None and expected != instance.version:
        raise VersionConflict(_conflict_message(instance, expected), current_version=instance.version)
    instance.version += 1
    return data


def _conflict_message(instance: Model, expected: int) -> str:
    newer = list(AuditEntry.objects.filter(
        objekt_type=instance._meta.model_name, objekt_id=str(instance.pk), handling=AuditAction(f"{instance._meta.model_name}.aendret"),
    ).select_related("actor").order_by("-tidspunkt", "-pk")[:max(instance.version - expected, 1)])
    felter = sorted({name for entry in newer for name in entry.felter})
    lines = []
    for name in felter:
        try:
            field = instance._meta.get_field(name)
        except Exception:  # noqa: BLE001 - e.g. "moedetider", not a model field
            lines.append(str(name))
            continue
        if field.many_to_many:
            value = ", ".join(str(v) for v in getattr(instance, name).all()) or "–"
        elif field.choices:
            value = getattr(instance, f"get_{name}_display")()
        else:
            value = getattr(instance, name)
            value = "–" if value in (None, "", []) else value
        lines.append(f"{field.verbose_name}: {value}")
    hvem = newer[0].actor if newer and newer[0].actor else _("en anden bruger")
    hvornaar = date_format(timezone.localtime(newer[0].tidspunkt), "SHORT_DATETIME_FORMAT") if newer else ""
    besked = _("%(hvem)s gemte ændringer %(hvornaar)s, mens du redigerede. Intet er overskrevet, og dine "
               "indtastninger står stadig i formularen. Tjek de nye værdier, og gem igen, hvis dine skal gælde.") % {
        "hvem": hvem, "hvornaar": hvornaar}
    if lines:
        besked += " " + _("Ændret af den anden: %(felter)s.") % {"felter": "; ".join(lines)}
    return besked
