"""Foreninger: the list, the page, registering, editing and archiving."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from brobygning import access
from brobygning.decorators import member_required
from brobygning.forms import save_valid_form
from brobygning.pagination import paginate

from .. import selectors, services
from ..filters import ForeningFilter
from ..forms import ForeningForm


@member_required
def forening_list(request):
    access.check(request.actor, "forening", "list")
    filterset = ForeningFilter(request.GET, queryset=selectors.forening_list(actor=request.actor))
    return render(request, "foreninger/forening/forening_list.html",
                  {"filter": filterset, "page": paginate(request, filterset.qs)})


@member_required
def forening_detail(request, pk):
    forening = selectors.forening_get(actor=request.actor, pk=pk)
    faellesskaber = selectors.faellesskab_list(actor=request.actor).filter(forening=forening)
    return render(request, "foreninger/forening/forening_detail.html", {"forening": forening, "faellesskaber": faellesskaber})


@member_required
def forening_create(request):
    access.check(request.actor, "forening", "create")
    return _forening_form(request, ForeningForm(request.POST or None, actor=request.actor), None)


@member_required
def forening_update(request, pk):
    forening = selectors.forening_get(actor=request.actor, pk=pk, action="change")
    return _forening_form(request, ForeningForm(request.POST or None, instance=forening, actor=request.actor),
                          forening)


def _forening_form(request, form, forening):
    def save():
        if forening is None:
            return services.forening_create(actor=request.actor, data=form.cleaned_data)
        return services.forening_update(actor=request.actor, forening=forening, data=form.cleaned_data)

    if response := save_valid_form(request, form, save, _("Foreningen er gemt.")):
        return response
    titel = _("Ny forening") if forening is None else _("Ret %(navn)s") % {"navn": forening.navn}
    return render(request, "brobygning/form.html", {"form": form, "titel": titel, "tilbage": forening})


@member_required
def forening_archive(request, pk):
    forening = selectors.forening_get(actor=request.actor, pk=pk, action="archive")
    if request.method == "POST":
        try:
            services.forening_archive(actor=request.actor, forening=forening)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("foreninger:forening_detail", pk=forening.pk)
        messages.success(request, _("Foreningen er arkiveret."))
        return redirect("foreninger:forening_list")
    return render(request, "brobygning/archive_confirm.html", {"objekt": forening, "tilbage": forening})
