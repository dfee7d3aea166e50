"""Rådgivning af fagpersonale (issue 14): the koordinatorer's log of advice sessions."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from brobygning import access
from brobygning.decorators import member_required
from brobygning.forms import save_valid_form
from brobygning.pagination import paginate

from .. import raadgivning as raadgivning_feature
from ..forms import RaadgivningForm


@member_required
def raadgivning_list(request):
    access.check(request.actor, "raadgivning", "list")
    return render(request, "matching/raadgivning/raadgivning_list.html",
                  {"page": paginate(request, raadgivning_feature.raadgivning_list(actor=request.actor))})


@member_required
def raadgivning_create(request):
    access.check(request.actor, "raadgivning", "create")
    form = RaadgivningForm(request.POST or None)
    if response := save_valid_form(request, form, lambda: _til_listen(raadgivning_feature.raadgivning_create(
            actor=request.actor, data=form.cleaned_data)),
            _("Rådgivningen er registreret.")):
        return response
    return render(request, "brobygning/form.html", {"form": form, "titel": _("Ny rådgivning")})


@member_required
def raadgivning_update(request, pk):
    raadgivning = raadgivning_feature.raadgivning_get(actor=request.actor, pk=pk)
    form = RaadgivningForm(request.POST or None, instance=raadgivning)
    if response := save_valid_form(request, form, lambda: _til_listen(raadgivning_feature.raadgivning_update(
            actor=request.actor, raadgivning=raadgivning, data=form.cleaned_data)),
            _("Rådgivningen er gemt.")):
        return response
    return render(request, "brobygning/form.html", {"form": form, "titel": _("Ret rådgivning")})


def _til_listen(_raadgivning):
    """After saving, back to the list (a session has no page of its own)."""
    return "matching:raadgivning_list"
