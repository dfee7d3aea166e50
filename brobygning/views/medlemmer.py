"""The centre's users (medlemmer): the list and deactivation."""

from django.conf import settings
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors, services
from ..decorators import member_required
from ..forms import act


@member_required
def medlem_list(request):
    medlemmer = selectors.medlemskab_list(actor=request.actor)
    invitationer = selectors.invitation_open_list(actor=request.actor)
    return render(request, "brobygning/medlemmer/medlem_list.html", {
        "medlemmer": medlemmer, "invitationer": invitationer,
        "overdragelse_url": settings.MEDLEMSKAB_OVERDRAGELSE_URL,
    })


@require_POST
@member_required
def medlem_deactivate(request, pk):
    medlemskab = selectors.medlemskab_get(actor=request.actor, pk=pk)
    done = act(request, lambda: services.medlemskab_deactivate(actor=request.actor, medlemskab=medlemskab),
               _("Brugeren er deaktiveret i centret. Giv brugerens borgere og planlagte møder til en anden."))
    if done and settings.MEDLEMSKAB_OVERDRAGELSE_URL:
        # The page (in a domain app; the setting names it) lists what the person still holds here.
        return redirect(reverse(settings.MEDLEMSKAB_OVERDRAGELSE_URL, args=[medlemskab.pk]))
    return redirect("brobygning:medlem_list")
