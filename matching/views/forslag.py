"""Forslag: the explained match suggestions for one borger."""


from django.middleware.csrf import get_token
from django.shortcuts import render
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from borgere.models import Formaal
from borgere.selectors import borger_get
from brobygning.decorators import member_required
from brobygning.links import pk_urls
from brobygning.markup import escape

from ..forms import SuggestionFilterForm, kategori_laesning
from ..suggest import forslag_for, kontekst_for


@member_required
def forslag(request, pk):
    """Ranked fællesskaber for a borger, with reasons. Filters re-render this fragment via htmx.

    What the borger's needs or full groups hide is counted per reason; `?vis_skjulte=1` shows those too.
    """
    # Only the postal code (its coordinates are the search's origin): the page shows neither the
    # brobygger nor the referral source.
    borger = borger_get(actor=request.actor, pk=pk, action="change", related=("postnummer",))
    # Suggestions process what the borger told us: not without the registration consent (issue 12;
    # checked in the borger's first query, and forslag_for gives None without it); match_create
    # refuses too. The form's category choices come in the same round trip.
    kontekst = kontekst_for(borger, samtykke=Formaal.REGISTRERING, ekstra=[kategori_laesning()])
    form = SuggestionFilterForm(request.GET or None, kategorier=kontekst.ekstra[0])
    filters = form.cleaned_data if form.is_valid() else {}
    vis_skjulte = bool(filters.get("vis_skjulte"))
    result = forslag_for(
        borger, max_km=filters.get("max_km"), kategori_id=filters.get("kategori"), rolle=filters.get("rolle") or None,
        k=20, vis_skjulte=vis_skjulte, samtykke=Formaal.REGISTRERING, kontekst=kontekst)
    mangler_samtykke = result is None
    forslag = result.forslag if result else []
    template = "matching/forslag/_forslag_list.html" if request.htmx else "matching/forslag/forslag.html"
    return render(request, template, {"borger": borger, "form": form, "forslag": forslag,
                                      "kort": _kort(forslag, borger_pk=borger.pk, request=request),
                                      "felter": "" if mangler_samtykke else _felter(form, borger),
                                      "skjulte": result.skjulte if result else [],
                                      "antal_skjulte": result.antal_skjulte if result else 0,
                                      "vis_skjulte": vis_skjulte, "mangler_samtykke": mangler_samtykke})


_FELT = """
      <div class="col-6 col-md-3">
        <label class="form-label small" for="{id}">{label}</label>
        {boks}
      </div>
    """


def _felter(form, borger) -> str:
    """The filter form's boxes (all but the hidden `vis_skjulte`) as the template wrote them: the
    distance as a number box with the borger's own as placeholder, the others as selects with the
    value sent selected. Written here: the template compared the value with each of ~20 options
    through two `stringformat` filters (issue 15)."""
    felter = []
    for field in form:
        if field.name == "vis_skjulte":
            continue
        id_ = escape(field.id_for_label)
        value = field.value()
        if field.name == "max_km":
            boks = (f'<input type="number" name="max_km" id="{id_}" class="form-control" min="1" max="200" '
                    f'value="{escape(localize(value or ""))}" placeholder="{escape(localize(borger.max_afstand_km))}">\n        ')
        else:
            valgt = _stringformat(value)
            options = "".join(
                f'<option value="{escape(localize(v))}"{" selected" if valgt == _stringformat(v) else ""}>{escape(label)}</option>'
                for v, label in field.field.choices)
            boks = f'<select name="{escape(field.name)}" id="{id_}" class="form-select">{options}</select>'
        felter.append(_FELT.format(id=id_, label=escape(field.label), boks=boks))
    return mark_safe("".join(felter))  # noqa: S308 -- every value escaped above


def _stringformat(value) -> str:
    """`value|stringformat:"s"`."""
    try:
        return "%s" % (value,)  # noqa: UP031 -- as the filter formats it
    except (ValueError, TypeError):
        return ""


_KORT = """
      <li class="border rounded p-3 mb-2">
        <div class="d-flex flex-wrap justify-content-between gap-2">
          <div>
            <a class="fw-semibold" href="{url}">{titel}</a>
            <span class="text-body-secondary small">· {forening}</span>
          </div>
          <span class="badge text-bg-primary align-self-start">{vurdering}<span class="visually-hidden"> ({point})</span></span>
        </div>
        {skjult}
        {reasons}
        {caveats}
        <form method="post" action="{opret_url}" class="d-flex gap-2 align-items-center">
          {csrf}
          <input type="hidden" name="faellesskab" value="{id}">
          <button type="submit" class="btn btn-sm btn-success">{opret}</button>
        </form>
      </li>
    """



def _kort(forslag, *, borger_pk: int, request) -> str:
    """The suggestions' cards as HTML, every value escaped as the template escaped it.

    Written here, not by the template: per card, the template engine's own work on its variables,
    tags and filters (a `blocktranslate`, `{% csrf_token %}`, `join`, lookups and escaping through
    lazy wrappers) cost more than the values, ~1.5 ms for 20 cards (issue 15). The fixed words are
    translated once, the links made for the list at once, the CSRF field written once."""
    if not forslag:
        return ""
    # `{% translate "…" %}` of a literal is not escaped (the literal is safe); a variable is.
    passer, men, normalt_skjult = _("Det passer:"), _("Men:"), _("Normalt skjult")
    point = _("%(score)s af 100")
    opret_url = escape(reverse("matching:match_create", args=[borger_pk]))
    csrf = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))
    opret = _("Opret match")
    kort = []
    for s, url in zip(forslag, pk_urls("foreninger:faellesskab_detail", [s.faellesskab_id for s in forslag]),
                      strict=True):
        skjult = (f'<p class="small mb-1 mt-1"><span class="badge text-bg-warning">{normalt_skjult}</span> '
                  f'{"; ".join(escape(x) for x in s.skjult)}</p>') if s.skjult else ""
        reasons = (f'<p class="small mb-0 mt-1 fw-semibold">{passer}</p>\n        <ul class="small mb-1"><li>'
                   f'{"</li><li>".join(escape(x) for x in s.reasons)}</li></ul>') if s.reasons else ""
        caveats = (f'<p class="small mb-0 text-warning-emphasis fw-semibold">{men}</p>\n        '
                   f'<ul class="small mb-2 text-warning-emphasis"><li>'
                   f'{"</li><li>".join(escape(x) for x in s.caveats)}</li></ul>') if s.caveats else ""
        kort.append(_KORT.format(
            url=escape(url), titel=escape(s.titel), forening=escape(s.forening_navn),
            vurdering=escape(s.vurdering), point=point % {"score": escape(localize(s.score))},
            skjult=skjult, reasons=reasons, caveats=caveats, opret_url=opret_url, csrf=csrf,
            id=escape(localize(s.faellesskab_id)), opret=opret))
    return mark_safe("".join(kort))  # noqa: S308 -- every value escaped above
