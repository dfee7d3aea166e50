"""Min profil (with the personal calendar feed), the feed itself, and a centre's settings."""

from django import forms
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from . import access, services
from .decorators import member_required
from .forms import helper, save_valid_form
from .models import Frivilligcenter, Kalenderfeed

NYT_KALENDERLINK = "nyt_kalenderlink"


@never_cache
@member_required
def profil(request):
    access.check(request.actor, "kalenderfeed", "manage")
    feed = Kalenderfeed.objects.filter(user=request.user).first()
    # A new link is shown once, on the page the POST redirects to; only its hash is kept.
    feed_url = request.session.pop(NYT_KALENDERLINK, None)
    return render(request, "brobygning/profil.html", {"feed": feed, "feed_url": feed_url})


@require_POST
@member_required
def kalender_ny(request):
    token = services.kalenderfeed_new(actor=request.actor)
    request.session[NYT_KALENDERLINK] = request.build_absolute_uri(reverse("kalender_feed", args=[token]))
    messages.success(request, _("Dit kalenderlink er klar. Kopiér det nu: det bliver ikke vist igen."))
    return redirect("profil")


@require_POST
@member_required
def kalender_slet(request):
    services.kalenderfeed_revoke(actor=request.actor)
    messages.success(request, _("Kalenderlinket er slettet og virker ikke længere."))
    return redirect("profil")


@never_cache
def kalender_feed(request, token):
    from matching.kalender import feed_ics

    user = services.user_for_feed_token(token)
    if user is None:
        raise Http404
    response = HttpResponse(feed_ics(user, domain=request.get_host().split(":")[0]),
                            content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="brobygning.ics"'
    response["Referrer-Policy"] = "no-referrer"
    return response


class CenterSettingsForm(forms.ModelForm):
    class Meta:
        model = Frivilligcenter
        fields = ["venteliste_synlig", "bekraeft_interval_uger"]
        labels = {"bekraeft_interval_uger": gettext_lazy("Spørg foreningerne “Er det stadig korrekt?” hver (uger)")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(_("Gem"))


@member_required
def center_indstillinger(request):
    access.check(request.actor, "center", "change")
    form = CenterSettingsForm(request.POST or None, instance=Frivilligcenter.objects.get(pk=request.actor.center_id))

    def save():
        services.center_settings_update(actor=request.actor, data=form.cleaned_data)
        return "home"

    if response := save_valid_form(request, form, save, _("Indstillingerne er gemt.")):
        return response
    return render(request, "brobygning/form.html", {"form": form, "titel": _("Centrets indstillinger")})
