"""The front page (forside): each role's overview."""

from django.shortcuts import redirect, render

from brobygning import access

from ..forside import for_actor


def forside(request):
    if not request.user.is_authenticated:
        return redirect("account_login")
    if request.actor.medlemskab is None:
        if access.is_netvaerk(request.actor):  # the network role has no centre: its page is the network view
            return redirect("matching:netvaerk")
        return render(request, "matching/forside/no_center.html", status=403)
    template, data = for_actor(actor=request.actor)
    return render(request, template, data)
