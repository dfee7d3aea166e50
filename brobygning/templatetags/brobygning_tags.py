import functools

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from brobygning import access, datoer

register = template.Library()

# Widgets `felt` draws itself; anything else (a checkbox, radio buttons, a file, a multiple choice)
# goes through crispy's template.
_EGNE = (forms.widgets.Input, forms.Select)
_CRISPY = (forms.CheckboxInput, forms.FileInput, forms.SelectMultiple, forms.RadioSelect, forms.HiddenInput)


@register.simple_tag
def menu_url(name: str) -> str:
    """`{% menu_url "app:name" %}`: `{% url %}` for a URL without arguments, reversed once per process
    (and URL configuration and prefix) instead of on every page: the menu has some 30 links."""
    return _menu_url(name, get_urlconf(), get_script_prefix())


@functools.lru_cache(maxsize=256)
def _menu_url(name: str, urlconf, prefix: str) -> str:
    return reverse(name, urlconf=urlconf)


@register.filter
def felt(field):
    """A search or filter field as Bootstrap 5 markup, the same as crispy's `|as_crispy_field` gives
    for a text, number, date or select box (label, box, errors, help text), without rendering
    crispy's nest of templates: on a list page that was the largest share of the page's Python
    time (PERFORMANCE.md, "Key pages at national size (session 7)"). Other widgets go to crispy."""
    widget = field.field.widget
    if field.is_hidden or not isinstance(widget, _EGNE) or isinstance(widget, _CRISPY):
        return as_crispy_field(field)
    # As crispy's `crispy_field`: the widget's own class, its name in lower case, then Bootstrap's.
    klasser = widget.attrs.get("class", "").split()
    for klasse in (type(widget).__name__.lower(), "form-select" if isinstance(widget, forms.Select) else "form-control",
                   "is-invalid" if field.errors else ""):
        if klasse and klasse not in klasser:
            klasser.append(klasse)
    widget.attrs["class"] = " ".join(klasser)
    required = field.field.required
    label = format_html(
        '<label for="{}" class="form-label{}">{}{}</label>', field.id_for_label,
        " requiredField" if required else "", field.label,
        mark_safe('<span class="asteriskField">*</span>') if required else "",
    ) if field.label else ""
    fejl = format_html(
        '<div id="{}_error" class="invalid-feedback">{}</div>', field.auto_id,
        format_html_join("", '<p id="error_{}_{}"><strong>{}</strong></p>',
                         ((i, field.auto_id, e) for i, e in enumerate(field.errors, 1))),
    ) if field.errors else ""
    hjaelp = format_html('<div id="{}_helptext" class="form-text">{}</div>', field.auto_id,
                         mark_safe(field.help_text)) if field.help_text else ""  # noqa: S308 - as crispy: |safe
    css = field.css_classes()
    return format_html('<div id="div_{}" class="mb-3{}">{}{}{}{}</div>', field.auto_id, f" {css}" if css else "",
                       label, str(field), fejl, hjaelp)


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with `changes` applied, to keep filters across pages."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


@register.simple_tag(takes_context=True)
def page_query(context, page, number):
    """The current query string pointing at page `number` of `page`, in the page's own parameter
    (`paginate(param=...)`), so one page can hold two paginated lists."""
    return query_with(context, **{getattr(page, "param", "side"): number})


@register.simple_tag
def can(actor, kind, action, obj=None):
    """Ask the access module from a template: {% can actor "borger" "change" borger as kan_rette %}."""
    return access.can(actor, kind, action, obj)


@register.filter
def join_if_list(value):
    """A list shown as "a, b, c"; anything else as it is."""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "–"
    return value


@register.filter
def naturlig_dato(value, arg=""):
    """A date or time as a person says it (issue 16): "i morgen, torsdag 3. dec. kl. 10".

    "i dag", "i morgen" and "i går" lead when they apply; the weekday is always there; the year only
    when it is not this year. A datetime is shown in the local time zone, with "kl." and the time
    ("kl. 10", "kl. 10.30"); `|naturlig_dato:"kort"` leaves the time out. Anything else is shown as is."""
    return datoer.naturlig_dato(value, uden_tid=(arg == "kort"))


@register.filter
def har_fejl(forms) -> bool:
    """True when any of `forms` has errors, so a closed <details> holding them opens (issue 16)."""
    return any(form.errors for form in forms or ())

