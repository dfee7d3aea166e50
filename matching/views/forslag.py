"""Forslag: the explained match suggestions for one borger."""

from django.shortcuts import render

from borgere.models import Formaal
from borgere.selectors import borger_get
from borgere.services import har_samtykke
from brobygning.decorators import member_required

from ..forms import SuggestionFilterForm
from ..suggest import suggestions_for


@member_required
def forslag(request, pk):
    """Ranked fællesskaber for a borger, with reasons. Filters re-render this fragment via htmx."""
    borger = borger_get(actor=request.actor, pk=pk, action="change")
    form = SuggestionFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    # Suggestions process what the borger told us: not without the registration consent (issue 12);
    # match_create refuses too.
    mangler_samtykke = not har_samtykke(borger, Formaal.REGISTRERING)
    found = [] if mangler_samtykke else suggestions_for(
        borger, max_km=filters.get("max_km"), kategori_id=filters.get("kategori"), rolle=filters.get("rolle") or None,
        k=20)
    template = "matching/forslag/_forslag_list.html" if request.htmx else "matching/forslag/forslag.html"
    return render(request, template, {"borger": borger, "form": form, "forslag": found,
                                      "mangler_samtykke": mangler_samtykke})
