from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from borgere.journey_forms import measure_forms
from borgere.models import Formaal
from borgere.selectors import borger_get
from borgere.services import har_samtykke
from brobygning import accesslog
from brobygning.decorators import member_required
from brobygning.forms import save_valid_form
from brobygning.selectors import brobygger_list
from foreninger.schedule import fra_model, naeste_forekomster
from foreninger.selectors import faellesskab_get

from . import selectors, services, stages
from .forms import LedsagelseForm, MatchEndForm, OpfoelgningForm, SuggestionFilterForm
from .models import LedsagelseStatus, Stage
from .suggest import suggestions_for


@member_required
def forslag(request, pk):
    """Ranked fællesskaber for a borger, with reasons. Filters re-render this fragment via htmx."""
    borger = borger_get(actor=request.actor, pk=pk, action="change")
    form = SuggestionFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    found = suggestions_for(borger, max_km=filters.get("max_km"), kategori_id=filters.get("kategori"),
                            rolle=filters.get("rolle") or None, k=20)
    template = "matching/_forslag_list.html" if request.htmx else "matching/forslag.html"
    return render(request, template, {"borger": borger, "form": form, "forslag": found})


@require_POST
@member_required
def match_create(request, pk):
    borger = borger_get(actor=request.actor, pk=pk, action="change")
    faellesskab = faellesskab_get(actor=request.actor, pk=request.POST.get("faellesskab"))
    found = {s.faellesskab_id: s for s in suggestions_for(borger, k=50)}.get(faellesskab.pk)
    try:
        match = services.match_create(
            actor=request.actor, borger=borger, faellesskab=faellesskab, rolle=request.POST.get("rolle", "deltager"),
            score=found.score if found else None, begrundelser=found.reasons if found else (),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("borger_detail", pk=borger.pk)
    messages.success(request, _("Matchet er oprettet."))
    return redirect(match)


@member_required
def match_detail(request, pk):
    match = selectors.match_get(actor=request.actor, pk=pk)
    return render(request, "matching/match_detail.html", {
        "match": match,
        "overgange": match.overgange.select_related("actor"),
        "ledsagelser": match.ledsagelser.select_related("brobygger"),
        "opfoelgninger": match.opfoelgninger.all(),
        "naeste_trin": [(stage, Stage(stage).label) for stage in stages.MANUAL.get(match.stage, [])],
        "kan_planlaegge": match.stage == Stage.ACCEPTERET,
        "slut_form": MatchEndForm() if not match.er_afsluttet else None,
    })


@require_POST
@member_required
def match_step(request, pk):
    match = selectors.match_get(actor=request.actor, pk=pk, action="change")
    til = request.POST.get("til")
    if til not in stages.MANUAL.get(match.stage, []):
        messages.error(request, _("Det trin kan ikke tages herfra."))
        return redirect(match)
    services.match_transition(actor=request.actor, match=match, til=til)
    messages.success(request, _("Matchet er flyttet til “%(fase)s”.") % {"fase": Stage(til).label})
    return redirect(match)


@require_POST
@member_required
def match_end(request, pk):
    match = selectors.match_get(actor=request.actor, pk=pk, action="change")
    form = MatchEndForm(request.POST)
    if form.is_valid():
        try:
            services.match_transition(actor=request.actor, match=match, til=Stage.AFSLUTTET,
                                      aarsag=form.cleaned_data["aarsag"], note=form.cleaned_data["note"])
            messages.success(request, _("Matchet er afsluttet."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    else:
        messages.error(request, _("Vælg hvorfor matchet slutter."))
    return redirect(match)


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
    return render(request, "matching/ledsagelse_form.html", {"form": form, "match": match,
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
    return render(request, "matching/ledsagelse_form.html", {"form": form, "match": ledsagelse.match,
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


@member_required
def opfoelgning_record(request, pk):
    opfoelgning = selectors.opfoelgning_get(actor=request.actor, pk=pk, action="change")
    maa_maale = har_samtykke(opfoelgning.match.borger, Formaal.MAALINGER)
    form = OpfoelgningForm(request.POST or None)
    maalinger = measure_forms(request.POST or None) if maa_maale else []

    def save():
        answers = [(m.type, m.cleaned_data["svar"]) for m in maalinger if m.cleaned_data["svar"]]
        services.opfoelgning_record(actor=request.actor, opfoelgning=opfoelgning, maalinger=answers,
                                    **form.cleaned_data)
        return opfoelgning.match

    measures_ok = request.method != "POST" or all(m.is_valid() for m in maalinger)
    if measures_ok and (response := save_valid_form(request, form, save, _("Opfølgningen er registreret."))):
        return response
    return render(request, "matching/opfoelgning_form.html", {
        "form": form, "maalinger": maalinger, "opfoelgning": opfoelgning, "maa_maale": maa_maale,
    })


@member_required
def pipeline_board(request):
    accesslog.log_search(actor=request.actor, criteria={"liste": "matchtavle"})
    return render(request, "matching/pipeline.html", {"kolonner": selectors.pipeline(actor=request.actor)})
