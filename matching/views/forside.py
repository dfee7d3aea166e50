"""The front page (forside): each role's overview."""

from django.shortcuts import redirect, render

from ..forside import for_actor


def forside(request):
    if not request.user.is_authenticated:
        return redirect("account_login")
    if request.actor.medlemskab is None:
        return render(request, "matching/forside/no_center.html", status=403)
    template, data = for_actor(actor=request.actor)
    return render(request, template, data)
