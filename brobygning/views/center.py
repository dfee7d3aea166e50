"""Switching centre, and a centre's settings."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from .. import access, services
from ..decorators import member_required
from ..forms import helper, save_valid_form
from ..middleware import SESSION_CENTER_KEY
from ..models import Frivilligcenter


@require_POST
@member_required
def switch_center(request):
    wanted = request.POST.get("center")
    choices = {str(m.center_id) for m in request.actor.medlemskaber}
    if wanted in choices:
        request.session[SESSION_CENTER_KEY] = int(wanted)
        messages.success(request, _("Du har skiftet center."))
    else:
        messages.error(request, _("Du er ikke medlem af det center."))
    return redirect("matching:forside")


class CenterSettingsForm(forms.ModelForm):
    class Meta:
        model = Frivilligcenter
        fields = ["venteliste_synlig", "bekraeft_interval_uger", "deler_med_netvaerk"]
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
        return "matching:forside"

    if response := save_valid_form(request, form, save, _("Indstillingerne er gemt.")):
        return response
    return render(request, "brobygning/form.html", {"form": form, "titel": _("Centrets indstillinger")})
