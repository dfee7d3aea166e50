import functools
import html
from datetime import date, datetime

from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms, template
from django.conf import settings
from django.template.defaultfilters import date as date_filter
from django.template.loader import get_template
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone, translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.timesince import TIME_STRINGS, timesince
from django.utils.translation import gettext as _

from brobygning import access, datoer, links
from brobygning import hovedmenu as menu
from brobygning.filters import ChoicesInOneQuery

register = template.Library()

# Widgets `felt` draws itself; anything else (a checkbox, radio buttons, a file, a multiple choice)
# goes through crispy's template.
_EGNE = (forms.widgets.Input, forms.Select)
_CRISPY = (forms.CheckboxInput, forms.FileInput, forms.SelectMultiple, forms.RadioSelect, forms.HiddenInput)
# Checkboxes `felt` draws itself when the field has no errors and no help text (`_afkrydsning`).
_AFKRYDSNING = (forms.CheckboxInput, forms.CheckboxSelectMultiple)


@register.simple_tag
def menu_url(name: str) -> str:
    """`{% menu_url "app:name" %}`: `{% url %}` for a URL without arguments, reversed once per process
    (and URL configuration and prefix) instead of on every page: the menu has some 30 links."""
    return _menu_url(name, get_urlconf(), get_script_prefix())


@functools.lru_cache(maxsize=256)
def _menu_url(name: str, urlconf, prefix: str) -> str:
    return reverse(name, urlconf=urlconf)


@register.simple_tag
def pk_url(name: str, pk) -> str:
    """`{% pk_url "app:name" obj.pk %}`: `{% url name obj.pk %}` for a URL whose only argument is an
    integer id, reversed once per process (`brobygning.links`)."""
    return links.pk_url(name, pk)


class _Tidstekst:
    """One of `timesince`'s unit texts ("%(num)d måneder") in one language, translated once per
    number: `timesince` asks for them with `%`."""

    def __init__(self, sprog: str, name: str):
        self.sprog, self.name = sprog, name

    def __mod__(self, values: dict) -> str:
        return _tidstekst(self.sprog, self.name, values["num"])


@functools.lru_cache(maxsize=2048)
def _tidstekst(_sprog: str, name: str, num: int) -> str:
    return TIME_STRINGS[name] % {"num": num}


@functools.lru_cache(maxsize=64)
def _tidstekster(sprog: str) -> dict[str, _Tidstekst]:
    """`timesince`'s `time_strings` for one language (the language is looked up once per list)."""
    return {name: _Tidstekst(sprog, name) for name in TIME_STRINGS}


def _tid_siden(value, tekster) -> str:
    if not value:
        return ""
    try:
        return timesince(value, time_strings=tekster)
    except (ValueError, TypeError):
        return ""


@register.filter
def tid_siden(value) -> str:
    """`timesince` with the same words, its unit texts translated once per language and number instead
    of on every call."""
    return _tid_siden(value, _tidstekster(translation.get_language()))


# `timesince`'s steps below a month, longest first (its TIME_CHUNKS), with their unit names.
_UNDER_EN_MAANED = (("week", 60 * 60 * 24 * 7), ("day", 60 * 60 * 24), ("hour", 60 * 60), ("minute", 60))
_MAANEDSDAGE = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)  # timesince's MONTHS_DAYS


def _tid_siden_hurtigt(d: datetime, now: datetime, tekst, komma: str) -> str:
    """`timesince(d, now)` (depth 2) for an aware `d` and `now` in d's time zone, step by step as
    Django computes it (years and months by the calendar, then weeks, days, hours, minutes from a
    pivot), without its per-call lookups: the comma and the unit texts (`tekst(name, num)`, with
    non-breaking spaces as `avoid_wrapping` gives them) are the list's, and no lazy wrappers. `test_sidegrundlag` holds it to `timesince` on many dates."""
    delta = now - d
    if delta.days * 86400 + delta.seconds <= 0:
        return tekst("minute", 0)
    total_months = (now.year - d.year) * 12 + (now.month - d.month)
    if d.day > now.day or (d.day == now.day and d.time() > now.time()):
        total_months -= 1
    years, months = divmod(total_months, 12)
    if years:  # "1 år, 7 måneder": two units at most, so the weeks and the rest are not needed
        return komma.join((tekst("year", years), tekst("month", months))) if months else tekst("year", years)
    if years or months:
        pivot_year, pivot_month = d.year + years, d.month + months
        if pivot_month > 12:
            pivot_month -= 12
            pivot_year += 1
        pivot = datetime(pivot_year, pivot_month, min(_MAANEDSDAGE[pivot_month - 1], d.day), d.hour, d.minute,
                         d.second, tzinfo=d.tzinfo)
    else:
        pivot = d
    remaining = (now - pivot).total_seconds()
    partials = [("year", years), ("month", months)]
    for name, chunk in _UNDER_EN_MAANED:
        count = int(remaining // chunk)
        partials.append((name, count))
        remaining -= chunk * count
    first = next((i for i, (_name, value) in enumerate(partials) if value), None)
    if first is None:
        return tekst("minute", 0)
    result = []
    for name, value in partials[first:first + 2]:
        if not value:
            break
        result.append(tekst(name, value))
    return komma.join(result)


def i_tid_siden_liste(values) -> list[str]:
    """`i_tid_siden` for each of `values`, for a view preparing a list (the match board's 140 cards):
    the language, its unit texts, the comma and "i %(d)s" looked up once for the list, not once per
    value, and `timesince`'s arithmetic done without its per-call lookups (`_tid_siden_hurtigt`).
    "Now" is read once per time zone for the list."""
    sprog = translation.get_language()
    tekster = _tidstekster(sprog)
    skabelon, komma = _("i %(d)s"), _(", ")
    nu = {}  # the values' tzinfo -> now in it
    enheder = {}  # (unit, number) -> its text with non-breaking spaces
    faerdige = {}  # a duration's text -> the card's "i …", escaped (many cards share one at national size)

    def tekst(name, num):
        ord_ = enheder.get((name, num))
        if ord_ is None:
            ord_ = enheder[name, num] = _tidstekst(sprog, name, num).replace(" ", "\xa0")
        return ord_

    ud = []
    for value in values:
        if isinstance(value, datetime) and value.utcoffset() is not None:  # aware (`timezone.is_aware`)
            now = nu.get(value.tzinfo)
            if now is None:
                now = nu[value.tzinfo] = datetime.now(value.tzinfo)
            try:
                d = _tid_siden_hurtigt(value, now, tekst, komma)
            except (ValueError, TypeError, OverflowError):  # as `_tid_siden`: a date the calendar cannot shift
                d = _tid_siden(value, tekster)
        else:  # a date, a naive time, None, junk: as the filter does it
            d = _tid_siden(value, tekster)
        i_tekst = faerdige.get(d)
        if i_tekst is None:
            i_tekst = faerdige[d] = mark_safe(skabelon % {"d": html.escape(d)})  # noqa: S308 - escaped
        ud.append(i_tekst)
    return ud


@register.filter
def i_tid_siden(value) -> str:
    """"i 3 uger, 2 dage": what `{% blocktranslate with d=value|tid_siden %}i {{ d }}{% endblocktranslate %}`
    gives (the same msgid, the duration escaped, the text not), as one filter."""
    return i_tid_siden_liste([value])[0]


class _PerSprogNode(template.Node):
    def __init__(self, nodelist):
        self.nodelist = nodelist
        self._html: dict = {}  # the rendered HTML per language, URL configuration and prefix, static URL

    def render(self, context):
        if settings.DEBUG:
            return self.nodelist.render(context)
        key = (translation.get_language(), get_urlconf(), get_script_prefix(), settings.STATIC_URL)
        html = self._html.get(key)
        if html is None:
            html = self._html[key] = self.nodelist.render(context)
        return html


@register.tag
def per_sprog(parser, token):
    """`{% per_sprog %}…{% endper_sprog %}`: the enclosed template, rendered once per process per
    language (and URL configuration, script prefix and static URL), then the same HTML on every
    page: for the page frame's fixed text, translations, `{% static %}` and `{% menu_url %}` links
    (`base.html`, `partials/nav.html`; every staff page rendered them anew). Only for what depends on
    nothing else: no user, request, form or page value, no CSRF token, no variable the page sets.
    With DEBUG on, rendered every time, so template edits show at once."""
    if len(token.split_contents()) != 1:
        raise template.TemplateSyntaxError("per_sprog takes no arguments")
    nodelist = parser.parse(("endper_sprog",))
    parser.delete_first_token()
    return _PerSprogNode(nodelist)


@register.simple_tag(takes_context=True)
def hovedmenu(context, nye: int = 0) -> str:
    """The main menu (`partials/hovedmenu.html`) for the actor's role, the open page and `nye` new
    referrals. Its HTML depends only on the values passed to the template below and the language,
    so each combination is rendered once per process (it was about a tenth of a simple page's
    time); with DEBUG on, every time, so template edits show at once."""
    actor, request = context.get("actor"), context["request"]
    medlemskab = getattr(actor, "medlemskab", None)
    match = request.resolver_match
    key = (bool(medlemskab), medlemskab.rolle if medlemskab else None,
           bool(medlemskab and medlemskab.center.venteliste_synlig),
           bool(medlemskab and medlemskab.center.deler_med_netvaerk),
           bool(getattr(request.user, "netvaerksadgang", False)), min(nye or 0, 100),
           match.namespace if match else "", match.url_name if match else "", translation.get_language(),
           get_urlconf(), get_script_prefix())
    if settings.DEBUG:
        return _hovedmenu.__wrapped__(*key)
    return _hovedmenu(*key)


@functools.lru_cache(maxsize=1024)
def _hovedmenu(medlem, rolle, venteliste_synlig, deler, netvaerk, nye, ns, un, _sprog, _urlconf, _prefix) -> str:
    return get_template("partials/hovedmenu.html").render({"punkter": menu.punkter(
        medlem=medlem, rolle=rolle, venteliste_synlig=venteliste_synlig, deler=deler, netvaerk=netvaerk,
        nye=nye, ns=ns, un=un)})


@register.filter
def felt(field):
    """A search or filter field as Bootstrap 5 markup, the same as crispy's `|as_crispy_field` gives
    for a text, number, date or select box (label, box, errors, help text), without rendering
    crispy's nest of templates: on a list page that was the largest share of the page's Python
    time (PERFORMANCE.md, "Key pages at national size (session 7)"). Other widgets go to crispy."""
    widget = field.field.widget
    if type(widget) in _AFKRYDSNING and not field.errors and not field.help_text:
        return _afkrydsning(field)
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
                       label, _widget(field), fejl, hjaelp)


_FELTER_HUSKET: dict = {}
_FELTER_HUSKET_MAX = 2048


@register.filter
def felt_husket(field, ejer=None) -> str:
    """`felt(field)`, remembered per process (as `hovedmenu`), for the public directory's search form,
    whose four lists of checkboxes cost a tenth of the page's time whatever the results
    (PERFORMANCE.md, "Public pages at national size"). `ejer`: what defines the form's fields, when the
    form's class is made per request (a FilterSet: `{{ filter.form.x|felt_husket:filter }}`).

    The HTML depends only on the form's class, the field, the language, the value sent (`field.data`,
    as the widget draws it) and the choices. So only fields whose choices are fixed in code, or read
    per request (then part of the key), are remembered. A queryset's choices are read here into
    `forhaandslaest` (`brobygning.filters`), which the select then draws from: one query, remembered or
    not. A text box (free text: neither worth keeping nor ours to keep), a field with errors or help
    text, or any field with DEBUG on, is drawn anew. At most 2,048 fields are kept; then the store
    starts again empty."""
    formfelt, form = field.field, field.form
    widget = formfelt.widget
    if (settings.DEBUG or field.errors or field.help_text
            or (isinstance(widget, forms.widgets.Input) and not isinstance(widget, forms.CheckboxInput))):
        return felt(field)
    valg = ()
    if isinstance(formfelt, forms.ModelChoiceField):
        rows = getattr(formfelt, "forhaandslaest", None)
        if rows is None:
            if not issubclass(formfelt.iterator, ChoicesInOneQuery):
                return felt(field)  # drawing would read the queryset again
            rows = formfelt.forhaandslaest = list(formfelt.queryset)
        valg = tuple((obj.pk, str(formfelt.label_from_instance(obj))) for obj in rows)
    data = field.data if form.is_bound else None
    if isinstance(data, list | tuple):
        data = tuple(data)
    if not isinstance(data, str | bool | tuple | None) or not all(isinstance(v, str) for v in
                                                                    (data if isinstance(data, tuple) else ())):
        return felt(field)
    key = (type(form if ejer is None else ejer), field.name, form.prefix, form.auto_id, form.is_bound, data, valg,
           translation.get_language())
    html = _FELTER_HUSKET.get(key)
    if html is None:
        html = felt(field)
        if len(_FELTER_HUSKET) >= _FELTER_HUSKET_MAX:
            _FELTER_HUSKET.clear()
        _FELTER_HUSKET[key] = html
    return html


# Django's widget templates that `_widget` writes out in Python: text, number, date, e-mail and URL
# boxes (each `input.html`) and a select (`select.html` with our `select_option.html`: "Vælg …").
_INPUT_TEMPLATES = frozenset(f"django/forms/widgets/{name}.html" for name in ("text", "number", "date", "email", "url"))
_SELECT_TEMPLATE = "django/forms/widgets/select.html"
_OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _widget(field) -> str:
    """`str(field)` for the simple widgets, as Django's templates render them, without the template
    engine (a select of 30 options was 60 template renders); anything else through Django."""
    widget = field.field.widget
    plain_select = widget.template_name == _SELECT_TEMPLATE and widget.option_template_name == _OPTION_TEMPLATE
    if not (widget.template_name in _INPUT_TEMPLATES or plain_select) or type(widget).render is not forms.Widget.render:
        return str(field)  # another template, or a widget that prepares its value in render()
    attrs = field.build_widget_attrs({}, widget)  # as BoundField.as_widget
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    w = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    if not plain_select:  # input.html
        value = "" if w["value"] is None else format_html(' value="{}"', w["value"])
        return format_html('<input type="{}" name="{}"{}{}>', w["type"], w["name"], value, _attrs(w["attrs"]))
    groups = []
    for group_name, options, _index in w["optgroups"]:
        html = format_html_join("", '\n  <option value="{}"{}>{}</option>', (
            (o["value"], _attrs(o["attrs"]), _("Vælg …") if o["label"] == "---------" else o["label"]) for o in options))
        groups.append(format_html('\n  <optgroup label="{}">{}\n  </optgroup>', group_name, html) if group_name else html)
    return format_html('<select name="{}"{}>{}\n</select>', w["name"], _attrs(w["attrs"]),
                       format_html_join("", "{}", ((g,) for g in groups)))


def _afkrydsning(field) -> str:
    """A checkbox or a list of checkboxes as crispy's bootstrap5 `field.html` draws them (without errors
    or help text, which still go to crispy): the public directory's search form has four lists of
    checkboxes, one template include per box (PERFORMANCE.md, "Public pages at national size")."""
    widget = field.field.widget
    required = field.field.required
    stjerne = mark_safe('<span class="asteriskField">*</span>') if required else ""
    if isinstance(widget, forms.CheckboxInput):  # crispy_field adds its classes, then Django draws the box
        klasser = widget.attrs.get("class", "").split()
        for klasse in ("checkboxinput", "form-check-input"):
            if klasse not in klasser:
                klasser.append(klasse)
        widget.attrs["class"] = " ".join(klasser)
        attrs = field.build_widget_attrs({}, widget)
        if field.auto_id and "id" not in widget.attrs:
            attrs.setdefault("id", field.auto_id)
        w = widget.get_context(field.html_name, field.value(), attrs)["widget"]
        value = "" if w["value"] is None else format_html(' value="{}"', w["value"])
        css = field.css_classes()
        return format_html(
            '<div class="mb-3"><div id="div_{}" class="form-check{}"><input type="{}" name="{}"{}{}>'
            '<label for="{}" class="form-check-label{}">{}{}</label></div></div>',
            field.auto_id, f" {css}" if css else "", w["type"], w["name"], value, _attrs(w["attrs"]),
            field.id_for_label, " requiredField" if required else "", field.label, stjerne)
    # CheckboxSelectMultiple, as crispy's `radio_checkbox_select.html` with its `optgroups` filter
    id_ = widget.attrs.get("id") or field.auto_id
    attrs = field.build_widget_attrs({"id": id_} if id_ else {})
    groups = widget.optgroups(field.html_name, widget.format_value(field.value()), attrs)
    options = format_html_join("", "{}", ((format_html(
        '{}<div class="form-check"><input type="{}" class="form-check-input" name="{}" value="{}"{}>'
        '<label for="{}" class="form-check-label">{}</label></div>',
        format_html("<strong>{}</strong>", group) if group and i == 0 else "", o["type"], field.html_name,
        str(o["value"]), _attrs(o["attrs"]), o["attrs"].get("id", ""), str(o["label"])),)
        for group, group_options, _index in groups for i, o in enumerate(group_options)))
    label = format_html('<fieldset{}><legend{} class="form-label{} fs-6">{}{}</legend>',
                        format_html(' aria-describedby="{}"', field.aria_describedby) if field.aria_describedby else "",
                        format_html(' for="{}"', field.id_for_label) if field.id_for_label else "",
                        " requiredField" if required else "", field.label, stjerne) if field.label else ""
    css = field.css_classes()
    return format_html('<div id="div_{}" class="mb-3{}">{}<div >{}</div>{}</div>', field.auto_id,
                       f" {css}" if css else "", label, options, mark_safe("</fieldset>") if field.label else "")


def _attrs(attrs: dict) -> str:
    """django/forms/widgets/attrs.html"""
    return format_html_join("", " {}{}", ((name, "" if value is True else format_html('="{}"', value))
                                          for name, value in attrs.items() if value is not False))


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
    ("kl. 10", "kl. 10.30"); `|naturlig_dato:"kort"` leaves the time out. Anything else is shown as is.
    Remembered per language, time zone and day (`_naturlig_dato`): the overviews show up to 20 meetings,
    and each took ~50 µs of translations to write (issue 15)."""
    if type(value) not in (datetime, date):
        return datoer.naturlig_dato(value, uden_tid=(arg == "kort"))
    return _naturlig_dato(translation.get_language(), timezone.get_current_timezone(), timezone.localdate(), value,
                          arg == "kort")


@functools.lru_cache(maxsize=4096)
def _naturlig_dato(_sprog: str | None, _tz, idag: date, value, uden_tid: bool) -> str:
    return datoer.naturlig_dato(value, uden_tid=uden_tid, idag=idag)


@register.filter(expects_localtime=True)
def kort_dato(value):
    """`value|date:"SHORT_DATE_FORMAT"`, for a date (not a datetime) from a table per language and
    date: Django's parses the format anew for every value (23 µs; the overviews show a due date on
    each of up to 40 follow-up rows, issue 15). A datetime is shown in local time, as `date` shows it."""
    if type(value) is not date:
        return date_filter(value, "SHORT_DATE_FORMAT")
    return _kort_dato(translation.get_language(), value)


@functools.lru_cache(maxsize=4096)
def _kort_dato(_sprog: str | None, value: date) -> str:
    return date_filter(value, "SHORT_DATE_FORMAT")


@register.filter
def har_fejl(forms) -> bool:
    """True when any of `forms` has errors, so a closed <details> holding them opens (issue 16)."""
    return any(form.errors for form in forms or ())

