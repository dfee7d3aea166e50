"""The centre's users (medlemmer): the list and deactivation."""

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors, services
from ..decorators import member_required
from ..forms import act


@member_required
def medlem_list(request):
    medlemmer = selectors.medlemskab_list(actor=request.actor)
    invitationer = selectors.invitation_open_list(actor=request.actor)
    return render(request, "brobygning/medlemmer/medlem_list.html", {"medlemmer": medlemmer, "invitationer": invitationer})


@require_POST
@member_required
def medlem_deactivate(request, pk):
    medlemskab = selectors.medlemskab_get(actor=request.actor, pk=pk)
    act(request, lambda: services.medlemskab_deactivate(actor=request.actor, medlemskab=medlemskab),
        _("Brugeren er deaktiveret i centret."))
    return redirect("brobygning:medlem_list")
