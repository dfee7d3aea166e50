""""Er det stadig korrekt?": a forening confirms or corrects its fællesskaber by signed link, without a password."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from brobygning import access
from brobygning.decorators import member_required

from .. import selectors, services
from ..forms import FaellesskabLinkForm
from .faellesskab import faellesskab_form


def _link_actor(token):
    forening = services.forening_from_bekraeft_token(token)
    if forening is None:
        return None, None
    return forening, access.actor_for_forening_link(forening)


def _invalid(request):
    return render(request, "foreninger/bekraeft/bekraeft_invalid.html", status=410)


@never_cache
def bekraeft_list(request, token):
    forening, actor = _link_actor(token)
    if forening is None:
        return _invalid(request)
    faellesskaber = selectors.faellesskab_list(actor=actor).filter(forening=forening).prefetch_related("moedetider")
    return render(request, "foreninger/bekraeft/bekraeft_list.html",
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
    return redirect("foreninger:bekraeft_list", token=token)


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
    back = reverse("foreninger:bekraeft_list", args=[token])
    # The practical details only: the host's contact and public visibility need a login (issue 11).
    return faellesskab_form(request, faellesskab, actor=actor, done_url=back, tilbage=_Back(back),
                             form_class=FaellesskabLinkForm)


@require_POST
@member_required
def bekraeft_spoerg(request, pk):
    """"Spørg foreningen": a koordinator sends the forening a fresh "Er det stadig korrekt?" link."""
    forening = selectors.forening_get(actor=request.actor, pk=pk, action="spoerg")
    try:
        services.bekraeft_spoerg(actor=request.actor, forening=forening)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(navn)s er bedt om at bekræfte sine fællesskaber.") % {"navn": forening.navn})
    tilbage = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(tilbage, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(tilbage)
    return redirect("matching:forside")
