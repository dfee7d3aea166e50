"""Borgere waiting for a brobygger: the brobyggere's list, their requests, the koordinator's decisions."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brobygning.decorators import member_required

from . import selectors, services


@member_required
def venteliste(request):
    return render(request, "borgere/venteliste.html", {"ventende": selectors.venteliste(actor=request.actor)})


@require_POST
@member_required
def venteliste_anmod(request, pk):
    borger = selectors.venteliste_borger_get(actor=request.actor, pk=pk)
    try:
        services.anmodning_create(actor=request.actor, borger=borger)
        messages.success(request, _("Tak! Koordinatoren får besked og svarer dig."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("venteliste")


@member_required
def anmodning_list(request):
    from brobygning import access

    access.check(request.actor, "anmodning", "list")
    return render(request, "borgere/anmodning_list.html", {"anmodninger": selectors.anmodning_list(actor=request.actor)})


@require_POST
@member_required
def anmodning_decide(request, pk):
    anmodning = selectors.anmodning_get(actor=request.actor, pk=pk)
    godkend = request.POST.get("beslutning") == "godkend"
    try:
        services.anmodning_decide(actor=request.actor, anmodning=anmodning, godkend=godkend)
        messages.success(request, _("Brobyggeren har fået borgeren.") if godkend else _("Anmodningen er afvist."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("anmodning_list")
