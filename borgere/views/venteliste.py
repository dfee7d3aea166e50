"""The waiting list: borgere without a brobygger, and brobyggere's requests to take one on."""

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brobygning import access, adgangslog
from brobygning.decorators import member_required
from brobygning.forms import act

from .. import selectors, services


@member_required
def venteliste(request):
    return render(request, "borgere/venteliste/venteliste.html", {"ventende": selectors.venteliste(actor=request.actor)})


@require_POST
@member_required
def venteliste_anmod(request, pk):
    borger = selectors.venteliste_borger_get(actor=request.actor, pk=pk)
    act(request, lambda: services.anmodning_create(actor=request.actor, borger=borger),
        _("Tak! Koordinatoren får besked og svarer dig."))
    return redirect("borgere:venteliste")


@member_required
def anmodning_list(request):
    access.check(request.actor, "anmodning", "list")
    adgangslog.log_search(actor=request.actor, criteria={"liste": "anmodninger"})  # the rows name borgere
    return render(request, "borgere/venteliste/anmodning_list.html", {"anmodninger": selectors.anmodning_list(actor=request.actor)})


@require_POST
@member_required
def anmodning_decide(request, pk):
    anmodning = selectors.anmodning_get(actor=request.actor, pk=pk)
    godkend = request.POST.get("beslutning") == "godkend"
    act(request, lambda: services.anmodning_decide(actor=request.actor, anmodning=anmodning, godkend=godkend),
        _("Brobyggeren har fået borgeren.") if godkend else _("Anmodningen er afvist."))
    return redirect("borgere:anmodning_list")
