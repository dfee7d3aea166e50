"""The forening portal: "Nye på vej", the host handshake, and "Er det stadig korrekt?" by signed link."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from brobygning import access
from brobygning.decorators import member_required
from brobygning.forms import act
from matching import selectors as matching_selectors
from matching import services as matching_services

from . import selectors, services
from .views import _faellesskab_form


@member_required
def nye_paa_vej(request):
    return render(request, "foreninger/nye_paa_vej.html",
                  {"nye": matching_selectors.nye_paa_vej(actor=request.actor)})


@require_POST
@member_required
def vaert_bekraeft(request, pk):
    ledsagelse = matching_selectors.ledsagelse_for_host(actor=request.actor, pk=pk)
    act(request, lambda: matching_services.vaert_bekraeft(actor=request.actor, ledsagelse=ledsagelse),
        _("Tak! Brobyggeren kan se, at I tager imod."))
    return redirect("nye_paa_vej")


@require_POST
@member_required
def vaert_rapport(request, pk):
    ledsagelse = matching_selectors.ledsagelse_for_host(actor=request.actor, pk=pk)
    act(request, lambda: matching_services.vaert_rapporter(actor=request.actor, ledsagelse=ledsagelse,
                                                           rapport=request.POST.get("rapport", "")),
        _("Tak for meldingen. Brobyggeren får den med det samme."))
    return redirect("nye_paa_vej")


# --- "Er det stadig korrekt?" (no password: the signed link is the key) ---------------------------


def _link_actor(token):
    forening = services.forening_from_bekraeft_token(token)
    if forening is None:
        return None, None
    return forening, access.actor_for_forening_link(forening)


def _invalid(request):
    return render(request, "foreninger/bekraeft_invalid.html", status=410)


@never_cache
def bekraeft_list(request, token):
    forening, actor = _link_actor(token)
    if forening is None:
        return _invalid(request)
    faellesskaber = selectors.faellesskab_list(actor=actor).filter(forening=forening).prefetch_related("moedetider")
    return render(request, "foreninger/bekraeft_list.html",
                  {"forening": forening, "faellesskaber": faellesskaber, "token": token})


@require_POST
@never_cache
def bekraeft_faellesskab(request, token, pk):
    forening, actor = _link_actor(token)
    if forening is None:
        return _invalid(request)
    faellesskab = selectors.faellesskab_get(actor=actor, pk=pk, action="change")
    services.faellesskab_bekraeft(actor=actor, faellesskab=faellesskab)
    messages.success(request, _("Tak! %(titel)s er markeret som stadig korrekt.") % {"titel": faellesskab.titel})
    return redirect("bekraeft_list", token=token)


class _Back:
    def __init__(self, url):
        self.url = url

    def get_absolute_url(self):
        return self.url


@never_cache
def bekraeft_rediger(request, token, pk):
    forening, actor = _link_actor(token)
    if forening is None:
        return _invalid(request)
    faellesskab = selectors.faellesskab_get(actor=actor, pk=pk, action="change")
    back = reverse("bekraeft_list", args=[token])
    return _faellesskab_form(request, faellesskab, actor=actor, done_url=back, tilbage=_Back(back))
