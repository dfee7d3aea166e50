"""Turn the forms a page rendered into the POST data a browser would send unchanged."""

from django import forms


def _field_items(form):
    for bf in form:
        value = bf.value()
        if isinstance(bf.field, forms.BooleanField):
            if value:
                yield bf.html_name, "on"
            continue
        if isinstance(value, list | tuple):
            yield bf.html_name, [("" if v is None else str(getattr(v, "pk", v))) for v in value]
        else:
            yield bf.html_name, "" if value is None else str(getattr(value, "pk", value))


def post_data(context, names=("form", "formset", "wishes")) -> dict:
    """POST data from the forms in a response's context (form, formset, ...), as they stand."""
    data = {}
    for name in names:
        obj = context.get(name) if hasattr(context, "get") else None
        if obj is None:
            continue
        if isinstance(obj, forms.BaseFormSet):
            data.update(_field_items(obj.management_form))
            for form in obj.forms:
                data.update(_field_items(form))
        else:
            data.update(_field_items(obj))
    return data
