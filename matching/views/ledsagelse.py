"""Ledsagelse: planning the accompanied first meeting, changing it, and recording how it went."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from borgere.models import Formaal
from borgere.services import har_samtykke
from brobygning.decorators import member_required
from brobygning.forms import save_valid_form
from brobygning.selectors import brobygger_list
from foreninger.schedule import fra_model, naeste_forekomster

from .. import selectors, services
from ..forms import LedsagelseForm
from ..models import LedsagelseStatus


def _ledsagelse_form(request, match, instance=None):
    rules = [fra_model(m) for m in match.faellesskab.moedetider.all()]
    return LedsagelseForm(
        request.POST or None, instance=instance,
        initial=None if instance else {"brobygger": request.actor.user.pk if request.actor.is_brobygger else None,
                                       "moedested": _("Ved indgangen")},
        forekomster=naeste_forekomster(rules, timezone.now(), antal=6),
        brobyggere=brobygger_list(actor=request.actor),
        maa_dele_med_vaert=har_samtykke(match.borger, Formaal.DELING_MED_VAERT),
    )


@member_required
def ledsagelse_plan(request, pk):
    match = selectors.match_get(actor=request.actor, pk=pk, action="change")
    form = _ledsagelse_form(request, match)

    def save():
        services.ledsagelse_plan(actor=request.actor, match=match, data=form.service_data)
        return match

    if response := save_valid_form(request, form, save, _("Det første møde er planlagt.")):
        return response
    return render(request, "matching/ledsagelse/ledsagelse_form.html", {"form": form, "match": match,
                                                             "titel": _("Planlæg første møde")})


@member_required
def ledsagelse_update(request, pk):
    ledsagelse = selectors.ledsagelse_get(actor=request.actor, pk=pk, action="change")
    form = _ledsagelse_form(request, ledsagelse.match, instance=ledsagelse)

    def save():
        services.ledsagelse_update(actor=request.actor, ledsagelse=ledsagelse, data=form.service_data)
        return ledsagelse.match

    if response := save_valid_form(request, form, save, _("Mødet er ændret.")):
        return response
    return render(request, "matching/ledsagelse/ledsagelse_form.html", {"form": form, "match": ledsagelse.match,
                                                             "titel": _("Flyt eller ret mødet")})


@require_POST
@member_required
def ledsagelse_outcome(request, pk):
    ledsagelse = selectors.ledsagelse_get(actor=request.actor, pk=pk, action="change")
    status = request.POST.get("status")
    try:
        services.ledsagelse_outcome(actor=request.actor, ledsagelse=ledsagelse, status=status)
        messages.success(request, _("Udfaldet er registreret: %(s)s.") % {"s": LedsagelseStatus(status).label})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(ledsagelse.match)
