"""Samtykke: a borger's consents given and withdrawn, and the centre's consent texts."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from brobygning import access
from brobygning.cpr import IngenCprMixin
from brobygning.decorators import member_required
from brobygning.forms import helper, save_valid_form

from .. import selectors, services
from ..journey_forms import SamtykkerForm
from ..models import Formaal, SamtykkeTekst


@require_POST
@member_required
def samtykke_give(request, pk):
    """The borger page's one consent form: every purpose given or withdrawn in one submit."""
    borger = selectors.borger_get(actor=request.actor, pk=pk, action="change")
    form = SamtykkerForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Genindlæs siden, og prøv igen."))
        return redirect(borger)
    tilbage = selectors.samtykker_gaeldende(actor=request.actor, borger=borger) - set(form.cleaned_data["formaal"])
    if tilbage and request.POST.get("bekraeft") != "ja":
        # Withdrawing consent cannot be undone (a new consent needs the text read again): ask first,
        # on a page of its own that posts the same choices again (issue 16).
        return render(request, "borgere/samtykke/samtykke_bekraeft.html", {
            "borger": borger, "tilbage": [Formaal(f).label for f in Formaal.values if f in tilbage],
            "felter": [(k, v) for k, values in request.POST.lists() if k not in ("csrfmiddlewaretoken", "bekraeft")
                       for v in values]})
    try:
        givet, tilbage = services.samtykker_update(
            actor=request.actor, borger=borger, formaal=form.cleaned_data["formaal"],
            maade=form.cleaned_data["maade"], versioner=form.versioner())
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(borger)
    if not givet and not tilbage:
        messages.info(request, _("Samtykkerne er uændrede."))
    else:
        if givet:
            messages.success(request, _("Samtykke registreret: %(f)s.") % {
                "f": ", ".join(str(Formaal(f).label) for f in givet)})
        if tilbage:
            messages.success(request, _("Samtykke trukket tilbage: %(f)s. Det gælder fra nu af.") % {
                "f": ", ".join(str(Formaal(f).label) for f in tilbage)})
    return redirect(borger)


class SamtykkeTekstForm(IngenCprMixin, forms.Form):
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
    return render(request, "borgere/samtykke/samtykketekst_list.html", {"rows": rows})


@member_required
def samtykketekst_create(request, formaal):
    access.check(request.actor, "samtykketekst", "create")
    if formaal not in Formaal.values:
        raise Http404
    gaeldende = services.gaeldende_samtykketekst(center_id=request.actor.center_id, formaal=formaal)
    form = SamtykkeTekstForm(request.POST or None, initial={"tekst": gaeldende.tekst})

    def save():
        services.samtykketekst_create(actor=request.actor, formaal=formaal, tekst=form.cleaned_data["tekst"])
        return redirect("borgere:samtykketekst_list").url

    if response := save_valid_form(request, form, save, _("Samtykketeksten er gemt som en ny version.")):
        return response
    return render(request, "brobygning/form.html", {
        "form": form, "titel": _("Ny version: %(f)s") % {"f": Formaal(formaal).label}})
