"""Borgere: the list, registering, the borger page, editing and archiving."""

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from brobygning import access, adgangslog
from brobygning.availability import SLOTS
from brobygning.decorators import member_required
from brobygning.forms import save_valid_form
from brobygning.pagination import paginate_keys
from brobygning.selectors import brobygger_list

from .. import selectors, services
from ..filters import BorgerFilter
from ..forms import BorgerCreateForm, BorgerForm
from ..journey_forms import maade_felt
from ..models import SPROG, Formaal

FILTER_SESSION_KEY = "borger_filter"


@member_required
def borger_list(request):
    """Search criteria may be names, so they are POSTed and kept in the session, never in the URL."""
    access.check(request.actor, "borger", "list")
    if request.method == "POST":
        criteria = {} if "nulstil" in request.POST else {k: request.POST.getlist(k) for k in BorgerFilter.base_filters}
        request.session[FILTER_SESSION_KEY] = criteria
        return redirect("borgere:borger_list")
    criteria = QueryDict(mutable=True)
    for key, values in request.session.get(FILTER_SESSION_KEY, {}).items():
        criteria.setlist(key, values)
    filterset = BorgerFilter(criteria, queryset=selectors.borger_list(actor=request.actor), actor=request.actor)
    adgangslog.log_search(actor=request.actor, criteria=dict(criteria.lists()))
    # The keys in name order (index `borger_liste_idx`, the search's text INCLUDEd: one index-only
    # pass, capped; a search word's few hundred matches by the trigram index), then the page's 25 rows by key.
    page = paginate_keys(request, filterset.qs, selectors.borger_list_rows(actor=request.actor),
                         loft=selectors.BORGER_LISTE_LOFT, random_page_cost=selectors.BORGER_LISTE_RANDOM_PAGE_COST)
    return render(request, "borgere/borger/borger_list.html", {
        "filter": filterset, "filter_method": "post", "page": page,
    })


@member_required
def borger_detail(request, pk):
    borger = selectors.borger_get(actor=request.actor, pk=pk)
    side = selectors.borger_side(actor=request.actor, borger=borger)
    return render(request, "borgere/borger/borger_detail.html", {
        "borger": borger,
        "tags": side.tags,
        "samtykke_rows": side.samtykke_rows,
        "tidligere_samtykker": side.tidligere_samtykker,
        "samtykke_maade": maade_felt(get_language()),
        "maalinger": side.maalinger,
        "tidslinje": side.tidslinje,
        "sprog": [label for code, label in SPROG if code in borger.sprog],
        "tidspunkter": [label for code, label in SLOTS if code in borger.tilgaengelighed],
    })


@member_required
def borger_create(request):
    access.check(request.actor, "borger", "create")
    return _borger_form(request, None)


@member_required
def borger_update(request, pk):
    return _borger_form(request, selectors.borger_get(actor=request.actor, pk=pk, action="change"))


def _borger_form(request, borger):
    brobyggere = brobygger_list(actor=request.actor)
    context = {"titel": _("Ny borger") if borger is None else _("Ret borger"), "tilbage": borger}
    if borger is None:
        tekst = services.gaeldende_samtykketekst(center_id=request.actor.center_id, formaal=Formaal.REGISTRERING)
        form = BorgerCreateForm(request.POST or None, brobyggere=brobyggere, samtykketekst=tekst)
        context["samtykketekst"] = tekst
    else:
        form = BorgerForm(request.POST or None, instance=borger, brobyggere=brobyggere)
    if not request.actor.is_koordinator:
        form.fields["brobygger"].disabled = True

    def save():
        if borger is None:
            return services.borger_create(actor=request.actor, data=form.borger_data(), **form.consent())
        return services.borger_update(actor=request.actor, borger=borger, data=form.cleaned_data)

    if response := save_valid_form(request, form, save, _("Borgeren er gemt.")):
        return response
    return render(request, "brobygning/form.html", {"form": form, **context})


@member_required
def borger_archive(request, pk):
    borger = selectors.borger_get(actor=request.actor, pk=pk, action="archive")
    if request.method == "POST":
        services.borger_archive(actor=request.actor, borger=borger)
        messages.success(request, _("Borgeren er arkiveret."))
        return redirect("borgere:borger_list")
    return render(request, "brobygning/archive_confirm.html", {"objekt": borger, "tilbage": borger})
