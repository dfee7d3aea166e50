"""Frivillige til foreninger (issue 14): volunteer roles, their explained candidates, and the
volunteer candidates a koordinator registers."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from brobygning import access
from brobygning.decorators import member_required
from brobygning.forms import save_valid_form
from brobygning.pagination import paginate
from foreninger import selectors as forening_selectors

from .. import frivilligroller
from ..forms import FrivilligrolleForm, RolleKandidatForm
from ..models import RolleAfslutningsaarsag


@member_required
def frivilligrolle_list(request):
    access.check(request.actor, "frivilligrolle", "list")
    return render(request, "matching/frivilligrolle/frivilligrolle_list.html",
                  {"page": paginate(request, frivilligroller.frivilligrolle_list(actor=request.actor))})


@member_required
def frivilligrolle_detail(request, pk):
    rolle = frivilligroller.frivilligrolle_get(actor=request.actor, pk=pk)
    return render(request, "matching/frivilligrolle/frivilligrolle_detail.html", {
        "rolle": rolle, "kan_rette": access.can(request.actor, "frivilligrolle", "change", rolle),
        "forslag": frivilligroller.rolle_forslag(actor=request.actor, rolle=rolle),
        "kan_gemme": access.can(request.actor, "rollematch", "create"),
        "matches": frivilligroller.rollematch_list(actor=request.actor, rolle=rolle),
        "paa_vej": (frivilligroller.rollematch_paa_vej(actor=request.actor, rolle=rolle)
                    if request.actor.is_foreningskontakt else None),
        "aarsager": RolleAfslutningsaarsag.choices,
    })


@member_required
def frivilligrolle_create(request):
    access.check(request.actor, "frivilligrolle", "create")
    foreninger = forening_selectors.forening_list(actor=request.actor)
    initial = {"forening": foreninger.first()} if request.actor.is_foreningskontakt else None
    form = FrivilligrolleForm(request.POST or None, initial=initial, foreninger=foreninger)
    if response := save_valid_form(request, form, lambda: frivilligroller.frivilligrolle_create(
            actor=request.actor, data=form.cleaned_data), _("Frivilligrollen er oprettet.")):
        return response
    return render(request, "brobygning/form.html", {"form": form, "titel": _("Ny frivilligrolle")})


@member_required
def frivilligrolle_update(request, pk):
    rolle = frivilligroller.frivilligrolle_get(actor=request.actor, pk=pk, action="change")
    form = FrivilligrolleForm(request.POST or None, instance=rolle,
                              foreninger=forening_selectors.forening_list(actor=request.actor))
    if response := save_valid_form(request, form, lambda: frivilligroller.frivilligrolle_update(
            actor=request.actor, rolle=rolle, data=form.cleaned_data), _("Frivilligrollen er gemt.")):
        return response
    return render(request, "brobygning/form.html",
                  {"form": form, "titel": _("Ret %(titel)s") % {"titel": rolle.titel}, "tilbage": rolle})


@member_required
def rollekandidat_list(request):
    access.check(request.actor, "rollekandidat", "list")
    return render(request, "matching/frivilligrolle/rollekandidat_list.html",
                  {"page": paginate(request, frivilligroller.rollekandidat_list(actor=request.actor))})


@member_required
def rollekandidat_create(request):
    access.check(request.actor, "rollekandidat", "create")
    form = RolleKandidatForm(request.POST or None)
    if response := save_valid_form(request, form, lambda: _redirect_to_list(frivilligroller.rollekandidat_create(
            actor=request.actor, data=form.cleaned_data)), _("Frivilligkandidaten er registreret.")):
        return response
    return render(request, "brobygning/form.html", {"form": form, "titel": _("Ny frivilligkandidat")})


@member_required
def rollekandidat_update(request, pk):
    kandidat = frivilligroller.rollekandidat_get(actor=request.actor, pk=pk)
    form = RolleKandidatForm(request.POST or None, instance=kandidat)
    if response := save_valid_form(request, form, lambda: _redirect_to_list(frivilligroller.rollekandidat_update(
            actor=request.actor, kandidat=kandidat, data=form.cleaned_data)), _("Frivilligkandidaten er gemt.")):
        return response
    return render(request, "brobygning/form.html", {"form": form, "titel": _("Ret frivilligkandidat")})


def _redirect_to_list(_kandidat):
    return "matching:rollekandidat_list"


class AnonymiserForm(forms.Form):
    bekraeft = forms.BooleanField(
        label=gettext_lazy("Jeg forstår, at anonymiseringen ikke kan fortrydes."), required=True,
        error_messages={"required": gettext_lazy("Sæt kryds for at bekræfte, at anonymiseringen ikke kan fortrydes.")})


@member_required
def rollekandidat_indsigt(request, pk):
    kandidat = frivilligroller.rollekandidat_get(actor=request.actor, pk=pk, action="export")
    data = frivilligroller.rollekandidat_indsigt(actor=request.actor, kandidat=kandidat)
    return render(request, "matching/frivilligrolle/rollekandidat_indsigt.html", {
        "person": kandidat, "center": request.actor.center, "sektioner": frivilligroller.rollekandidat_sektioner(data),
        "udskrevet": timezone.localdate()})


@member_required
def rollekandidat_anonymiser(request, pk):
    kandidat = frivilligroller.rollekandidat_get(actor=request.actor, pk=pk, action="erase")
    form = AnonymiserForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            frivilligroller.rollekandidat_anonymiser(actor=request.actor, kandidat=kandidat)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Frivilligkandidaten er anonymiseret. Statistikken er bevaret."))
        return redirect("matching:rollekandidat_list")
    return render(request, "matching/frivilligrolle/rollekandidat_anonymiser.html", {
        "kandidat": kandidat, "navn": kandidat, "fortryd_url": reverse("matching:rollekandidat_list"), "form": form})
