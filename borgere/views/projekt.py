"""Projects and grant pools: a koordinator defines them and tags borgere's forløb to them, so every
report can be cut by project (ARCHITECTURE.md, "Rapporter")."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brobygning import access
from brobygning.decorators import member_required
from brobygning.forms import act, save_valid_form
from brobygning.pagination import paginate

from .. import selectors, services
from ..forms import BorgerProjekterForm, ProjektForm


@member_required
def projekt_list(request):
    access.check(request.actor, "projekt", "list")
    arkiverede = request.GET.get("vis") == "arkiverede"
    return render(request, "borgere/projekt/projekt_list.html", {
        "page": paginate(request, selectors.projekt_list(actor=request.actor, arkiverede=arkiverede)),
        "arkiverede": arkiverede,
    })


@member_required
def projekt_create(request):
    access.check(request.actor, "projekt", "create")
    form = ProjektForm(request.POST or None)
    save = lambda: services.projekt_create(actor=request.actor, data=form.cleaned_data)  # noqa: E731
    if response := save_valid_form(request, form, save, _("Projektet er oprettet.")):
        return response
    return render(request, "brobygning/form.html", {"form": form, "titel": _("Nyt projekt")})


@member_required
def projekt_detail(request, pk):
    projekt = selectors.projekt_get(actor=request.actor, pk=pk)
    return render(request, "borgere/projekt/projekt_detail.html", {
        "projekt": projekt,
        "tal": selectors.projekt_naaet(projekt=projekt),
        "rapport_url": f"{reverse('matching:rapport')}?fra={projekt.fra:%Y-%m-%d}&til={projekt.til:%Y-%m-%d}&projekt={projekt.pk}",
    })


@member_required
def projekt_update(request, pk):
    projekt = selectors.projekt_get(actor=request.actor, pk=pk, action="change")
    form = ProjektForm(request.POST or None, instance=projekt)
    save = lambda: services.projekt_update(actor=request.actor, projekt=projekt, data=form.cleaned_data)  # noqa: E731
    if response := save_valid_form(request, form, save, _("Projektet er gemt.")):
        return response
    return render(request, "brobygning/form.html", {"form": form, "titel": _("Ret projekt"), "tilbage": projekt})


@require_POST
@member_required
def projekt_archive(request, pk):
    projekt = selectors.projekt_get(actor=request.actor, pk=pk, action="change")
    act(request, lambda: services.projekt_archive(actor=request.actor, projekt=projekt), _("Projektet er arkiveret."))
    return redirect("borgere:projekt_list")


@member_required
def borger_projekter(request, pk):
    access.check(request.actor, "projekt", "change")
    borger = selectors.borger_get(actor=request.actor, pk=pk, action="change")
    valg = selectors.projekt_list(actor=request.actor)
    form = BorgerProjekterForm(request.POST or None, projekter=valg,
                               initial={"projekter": selectors.borger_projekt_ids(borger=borger)})

    def save():
        services.borger_projekter_set(actor=request.actor, borger=borger, projekter=form.cleaned_data["projekter"])
        return borger

    if response := save_valid_form(request, form, save, _("Borgerens projekter er gemt.")):
        return response
    return render(request, "brobygning/form.html", {"form": form, "titel": _("Projekter for borgerens forløb"),
                                                    "tilbage": borger})
