"""Koordinatorer keep the centre's consent texts. Saving makes a new version; old consents keep theirs."""

from django import forms
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from brobygning import access
from brobygning.decorators import member_required
from brobygning.forms import helper, save_valid_form

from . import services
from .models import Formaal, SamtykkeTekst


class SamtykkeTekstForm(forms.Form):
    tekst = forms.CharField(label=gettext_lazy("Ny tekst"), widget=forms.Textarea(attrs={"rows": 6}),
                            min_length=20, max_length=5000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(gettext_lazy("Gem som ny version"))


@member_required
def samtykketekst_list(request):
    access.check(request.actor, "samtykketekst", "list")
    versions = SamtykkeTekst.objects.filter(center_id=request.actor.center_id).select_related("oprettet_af")
    rows = []
    for formaal in Formaal:
        gaeldende = services.gaeldende_samtykketekst(center_id=request.actor.center_id, formaal=formaal)
        rows.append({"formaal": formaal, "gaeldende": gaeldende,
                     "tidligere": [v for v in versions if v.formaal == formaal and v.pk != gaeldende.pk]})
    return render(request, "borgere/samtykketekster.html", {"rows": rows})


@member_required
def samtykketekst_create(request, formaal):
    access.check(request.actor, "samtykketekst", "create")
    if formaal not in Formaal.values:
        raise Http404
    gaeldende = services.gaeldende_samtykketekst(center_id=request.actor.center_id, formaal=formaal)
    form = SamtykkeTekstForm(request.POST or None, initial={"tekst": gaeldende.tekst})

    def save():
        services.samtykketekst_create(actor=request.actor, formaal=formaal, tekst=form.cleaned_data["tekst"])
        return redirect("samtykketekst_list").url

    if response := save_valid_form(request, form, save, _("Samtykketeksten er gemt som en ny version.")):
        return response
    return render(request, "brobygning/form.html", {
        "form": form, "titel": _("Ny version: %(f)s") % {"f": Formaal(formaal).label}})
