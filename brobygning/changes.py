"""Applying validated data to a model instance, for the services' create and update."""

from django.db.models import Model


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
