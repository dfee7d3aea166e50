"""The host side of a first meeting (værtsskab): "Nye på vej", "Vi tager imod" and the host's report afterwards."""

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brobygning.decorators import member_required
from brobygning.forms import act

from .. import selectors as matching_selectors
from .. import services as matching_services


@member_required
def nye_paa_vej(request):
    nye = matching_selectors.nye_paa_vej(actor=request.actor)
    # Over and reported: under "Tidligere", so the list on top is what still needs the host.
    return render(request, "matching/vaert/nye_paa_vej.html", {
        "nye": [n for n in nye if not n.tidligere], "tidligere": [n for n in nye if n.tidligere]})


@require_POST
@member_required
def vaert_bekraeft(request, pk):
    ledsagelse = matching_selectors.ledsagelse_for_host(actor=request.actor, pk=pk)
    act(request, lambda: matching_services.vaert_bekraeft(actor=request.actor, ledsagelse=ledsagelse),
        _("Tak! Brobyggeren kan se, at I tager imod."))
    return redirect("matching:nye_paa_vej")


@require_POST
@member_required
def vaert_rapport(request, pk):
    ledsagelse = matching_selectors.ledsagelse_for_host(actor=request.actor, pk=pk)
    act(request, lambda: matching_services.vaert_rapporter(actor=request.actor, ledsagelse=ledsagelse,
                                                           rapport=request.POST.get("rapport", "")),
        _("Tak for meldingen. Brobyggeren får den med det samme."))
    return redirect("matching:nye_paa_vej")
