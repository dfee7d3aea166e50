"""Overdragelse: after a member is deactivated, the borgere and planned meetings they still hold in
the centre, for the koordinator to give to someone else (issue 11). The core's deactivation leads
here through the setting MEDLEMSKAB_OVERDRAGELSE_URL, since the core imports no domain app."""

from django.shortcuts import render

from brobygning.decorators import member_required
from brobygning.pagination import paginate
from brobygning.selectors import medlemskab_get

from .. import selectors


@member_required
def medlem_overdragelse(request, pk):
    medlemskab = medlemskab_get(actor=request.actor, pk=pk, action="change")  # a koordinator's, own centre
    return render(request, "matching/overdragelse/medlem_overdragelse.html", {
        "medlemskab": medlemskab,
        "borgere": paginate(request, selectors.overdragelse_borgere(actor=request.actor, medlemskab=medlemskab)),
        "ledsagelser": paginate(request, selectors.overdragelse_ledsagelser(actor=request.actor,
                                                                            medlemskab=medlemskab),
                                param="side_moeder"),
    })
