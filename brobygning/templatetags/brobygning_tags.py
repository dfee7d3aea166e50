from django import template

from brobygning import access, datoer

register = template.Library()


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

