"""A suggested person saved as a match to a volunteer role, and its status (issue 14, "Frivillige til
foreninger"). The role's page shows the matches; these are its two buttons."""

from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brobygning.decorators import member_required
from brobygning.forms import act

from .. import frivilligroller


@require_POST
@member_required
def rollematch_create(request, pk):
    rolle = frivilligroller.frivilligrolle_get(actor=request.actor, pk=pk)
    act(request, lambda: frivilligroller.rollematch_create(
        actor=request.actor, rolle=rolle, art=request.POST.get("art", ""), person_pk=request.POST.get("person", "")),
        _("Personen er gemt som match til rollen."))
    return redirect(rolle)


@require_POST
@member_required
def rollematch_status(request, pk):
    rollematch = frivilligroller.rollematch_get(actor=request.actor, pk=pk)
    act(request, lambda: frivilligroller.rollematch_status(
        actor=request.actor, rollematch=rollematch, status=request.POST.get("status", ""),
        aarsag=request.POST.get("aarsag", ""), note=request.POST.get("note", "")),
        _("Matchet er opdateret."))
    return redirect("matching:frivilligrolle_detail", rollematch.rolle_id)
