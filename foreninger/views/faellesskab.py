"""Fællesskaber: the list, the page, registering, editing and archiving."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from brobygning import access
from brobygning.decorators import member_required
from brobygning.forms import save_valid_form
from brobygning.pagination import paginate

from .. import selectors, services
from ..filters import FaellesskabFilter
from ..forms import FaellesskabForm, MoedetidFormSet


@member_required
def faellesskab_list(request):
    access.check(request.actor, "faellesskab", "list")
    filterset = FaellesskabFilter(request.GET, queryset=selectors.faellesskab_list(actor=request.actor))
    return render(request, "foreninger/faellesskab/faellesskab_list.html",
                  {"filter": filterset, "page": paginate(request, filterset.qs)})


@member_required
def faellesskab_detail(request, pk):
    faellesskab = selectors.faellesskab_get(actor=request.actor, pk=pk)
    return render(request, "foreninger/faellesskab/faellesskab_detail.html", {"faellesskab": faellesskab})


@member_required
def faellesskab_create(request):
    access.check(request.actor, "faellesskab", "create")
    return faellesskab_form(request, None)


@member_required
def faellesskab_update(request, pk):
    return faellesskab_form(request, selectors.faellesskab_get(actor=request.actor, pk=pk, action="change"))


def faellesskab_form(request, faellesskab, *, actor=None, done_url=None, tilbage=None, form_class=FaellesskabForm):
    """The fællesskab form. `actor`/`done_url`/`form_class` are given for an edit through a signed link."""
    actor = actor or request.actor
    data = request.POST or None
    initial = {"forening": request.GET.get("forening")} if faellesskab is None else None
    form = form_class(data, instance=faellesskab, initial=initial,
                           foreninger=selectors.forening_list(actor=actor))
    formset = MoedetidFormSet(data, instance=faellesskab, prefix="moedetider")
    def save():
        moedetider = [row for row in formset.cleaned_data if row]
        if faellesskab is None:
            return services.faellesskab_create(actor=actor, data=form.cleaned_data, moedetider=moedetider)
        saved = services.faellesskab_update(actor=actor, faellesskab=faellesskab, data=form.cleaned_data,
                                            moedetider=moedetider)
        return done_url or saved

    formset_ok = request.method != "POST" or formset.is_valid()
    if formset_ok and (response := save_valid_form(request, form, save, _("Fællesskabet er gemt."))):
        return response
    titel = _("Nyt fællesskab") if faellesskab is None else _("Ret %(titel)s") % {"titel": faellesskab.titel}
    return render(request, "foreninger/faellesskab/faellesskab_form.html", {
        "form": form, "formset": formset, "titel": titel,
        "tilbage": tilbage or faellesskab,
    })


@member_required
def faellesskab_archive(request, pk):
    faellesskab = selectors.faellesskab_get(actor=request.actor, pk=pk, action="archive")
    if request.method == "POST":
        services.faellesskab_archive(actor=request.actor, faellesskab=faellesskab)
        messages.success(request, _("Fællesskabet er arkiveret."))
        return redirect("foreninger:faellesskab_list")
    return render(request, "brobygning/archive_confirm.html", {"objekt": faellesskab, "tilbage": faellesskab})
