"""The brobygning samtale: recorded on the borger, with what it changes on the record."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from brobygning.decorators import member_required
from brobygning.forms import save_valid_form

from .. import selectors, services
from ..journey_forms import BorgerWishesForm, SamtaleForm, measure_forms
from ..models import Formaal


@member_required
def samtale_create(request, pk):
    """One screen on a phone: the conversation, what matters to the borger, and optional measures."""
    borger = selectors.borger_get(actor=request.actor, pk=pk, action="change")
    data = request.POST or None
    form, wishes = SamtaleForm(data), BorgerWishesForm.for_borger(borger, data)
    maa_maale = services.har_samtykke(borger, Formaal.MAALINGER)
    maalinger = measure_forms(data) if maa_maale else []

    def save():
        answers = [(m.type, m.cleaned_data["svar"]) for m in maalinger if m.cleaned_data["svar"]]
        services.samtale_create(actor=request.actor, borger=borger, data=form.cleaned_data,
                                borger_data=wishes.cleaned_data, maalinger=answers)
        return borger

    others_ok = request.method != "POST" or (wishes.is_valid() and all(m.is_valid() for m in maalinger))
    if others_ok and (response := save_valid_form(request, form, save, _("Samtalen er gemt."))):
        return response
    return render(request, "borgere/samtale/samtale_form.html", {
        "borger": borger, "form": form, "wishes": wishes, "maalinger": maalinger, "maa_maale": maa_maale,
    })
