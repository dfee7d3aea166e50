"""Opfølgning: recording the follow-ups after the first meeting."""

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from borgere.journey_forms import measure_forms
from borgere.models import Formaal
from borgere.services import har_samtykke
from brobygning.decorators import member_required
from brobygning.forms import save_valid_form

from .. import selectors, services
from ..forms import OpfoelgningForm


@member_required
def opfoelgning_record(request, pk):
    opfoelgning = selectors.opfoelgning_get(actor=request.actor, pk=pk, action="change")
    # The form is not offered before the follow-up opens; the service refuses a post all the same.
    opfoelgning.aabner = services.opfoelgning_aabner(opfoelgning, services.foerste_moede_slut(opfoelgning.match))
    opfoelgning.aaben = timezone.now() >= opfoelgning.aabner
    maa_maale = har_samtykke(opfoelgning.match.borger, Formaal.MAALINGER)
    form = OpfoelgningForm(request.POST or None)
    maalinger = measure_forms(request.POST or None) if maa_maale else []

    def save():
        answers = [(m.type, m.cleaned_data["svar"]) for m in maalinger if m.cleaned_data["svar"]]
        services.opfoelgning_record(actor=request.actor, opfoelgning=opfoelgning, maalinger=answers,
                                    **form.cleaned_data)
        return opfoelgning.match

    measures_ok = request.method != "POST" or all(m.is_valid() for m in maalinger)
    if measures_ok and (response := save_valid_form(request, form, save, _("Opfølgningen er registreret."))):
        return response
    return render(request, "matching/opfoelgning/opfoelgning_form.html", {
        "form": form, "maalinger": maalinger, "opfoelgning": opfoelgning, "o": opfoelgning, "maa_maale": maa_maale,
    })
