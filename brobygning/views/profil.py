"""Min profil, with the personal calendar link (made and revoked here; the feed is matching's)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .. import access, services
from ..decorators import member_required
from ..forms import TelefonForm
from ..models import Kalenderfeed

NYT_KALENDERLINK = "nyt_kalenderlink"


@never_cache
@member_required
def profil(request):
    access.check(request.actor, "kalenderfeed", "manage")
    feed = Kalenderfeed.objects.filter(user=request.user).first()
    # A new link is shown once, on the page the POST redirects to; only its hash is kept.
    feed_url = request.session.pop(NYT_KALENDERLINK, None)
    form = TelefonForm(request.POST or None, initial={"telefon": request.user.telefon})
    if request.method == "POST" and form.is_valid():
        services.user_telefon_update(actor=request.actor, telefon=form.cleaned_data["telefon"])
        messages.success(request, _("Dit telefonnummer er gemt."))
        return redirect("brobygning:profil")
    return render(request, "brobygning/profil/profil.html", {"feed": feed, "feed_url": feed_url, "form": form})


@require_POST
@member_required
def kalender_ny(request):
    token = services.kalenderfeed_new(actor=request.actor)
    request.session[NYT_KALENDERLINK] = request.build_absolute_uri(reverse("matching:kalender_feed", args=[token]))
    messages.success(request, _("Dit kalenderlink er klar. Kopiér det nu: det bliver ikke vist igen."))
    return redirect("brobygning:profil")


@require_POST
@member_required
def kalender_slet(request):
    services.kalenderfeed_revoke(actor=request.actor)
    messages.success(request, _("Kalenderlinket er slettet og virker ikke længere."))
    return redirect("brobygning:profil")
