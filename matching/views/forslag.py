"""Forslag: the explained match suggestions for one borger."""

from django.shortcuts import render

from borgere.models import Formaal
from borgere.selectors import borger_get
from brobygning.decorators import member_required

from ..forms import SuggestionFilterForm
from ..suggest import forslag_for


@member_required
def forslag(request, pk):
    """Ranked fællesskaber for a borger, with reasons. Filters re-render this fragment via htmx.

    What the borger's needs or full groups hide is counted per reason; `?vis_skjulte=1` shows those too.
    """
    borger = borger_get(actor=request.actor, pk=pk, action="change")
    form = SuggestionFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    vis_skjulte = bool(filters.get("vis_skjulte"))
    # Suggestions process what the borger told us: not without the registration consent (issue 12;
    # checked in the borger's first query, None without it); match_create refuses too.
    result = forslag_for(
        borger, max_km=filters.get("max_km"), kategori_id=filters.get("kategori"), rolle=filters.get("rolle") or None,
        k=20, vis_skjulte=vis_skjulte, samtykke=Formaal.REGISTRERING)
    mangler_samtykke = result is None
    template = "matching/forslag/_forslag_list.html" if request.htmx else "matching/forslag/forslag.html"
    return render(request, template, {"borger": borger, "form": form, "forslag": result.forslag if result else [],
                                      "skjulte": result.skjulte if result else [],
                                      "antal_skjulte": result.antal_skjulte if result else 0,
                                      "vis_skjulte": vis_skjulte, "mangler_samtykke": mangler_samtykke})
