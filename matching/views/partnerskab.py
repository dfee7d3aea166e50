"""The partnership overview and its CSV export (issue 14), for koordinatorer."""

from django.shortcuts import render
from django.utils import timezone

from brobygning import access
from brobygning.decorators import member_required

from .. import eksport
from ..arrangementer import kommende_netvaerksmoeder
from ..partnerskab import partnerskab_oversigt
from ..rapport_kriterier import rapport_kriterier
from .eksport import fil_svar


def _tabeller(request):
    access.check(request.actor, "partnerskab", "list")
    form, kriterier = rapport_kriterier(request.GET)
    return form, kriterier, partnerskab_oversigt(center_id=request.actor.center_id, periode=kriterier.periode)


@member_required
def partnerskab_oversigt_side(request):
    form, kriterier, tabeller = _tabeller(request)
    netvaerksmoeder = kommende_netvaerksmoeder(center_id=request.actor.center_id, fra=timezone.now())
    return render(request, "matching/partnerskab/partnerskab_oversigt.html",
                  {"form": form, "kriterier": kriterier, "tabeller": tabeller, "netvaerksmoeder": netvaerksmoeder})


@member_required
def partnerskab_oversigt_csv(request):
    """All tables in one CSV, with counts of people under 5 suppressed, written to the access log."""
    _form, kriterier, tabeller = _tabeller(request)
    return fil_svar(eksport.eksporter_oversigt(actor=request.actor, alle=tabeller, kriterier=kriterier,
                                               navn="partnerskab"))
