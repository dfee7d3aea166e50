"""Matches: made from a suggestion, moved through the stages, ended; the koordinator's board."""


from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from borgere.models import Formaal
from borgere.selectors import borger_get
from borgere.services import har_samtykke
from brobygning import adgangslog
from brobygning.decorators import member_required
from brobygning.links import pk_urls
from brobygning.markup import escape
from brobygning.pagination import paginate
from brobygning.templatetags.brobygning_tags import i_tid_siden_liste
from foreninger.selectors import faellesskab_get

from .. import selectors, services, stages
from ..forms import MatchEndForm
from ..models import Stage
from ..suggest import suggestions_for


@require_POST
@member_required
def match_create(request, pk):
    borger = borger_get(actor=request.actor, pk=pk, action="change")
    faellesskab = faellesskab_get(actor=request.actor, pk=request.POST.get("faellesskab"))
    # No suggestions are computed without the registration consent; the service refuses the match.
    found = {s.faellesskab_id: s for s in suggestions_for(borger, k=50)}.get(faellesskab.pk) \
        if har_samtykke(borger, Formaal.REGISTRERING) else None
    try:
        match = services.match_create(
            actor=request.actor, borger=borger, faellesskab=faellesskab, rolle=request.POST.get("rolle", "deltager"),
            score=found.score if found else None, begrundelser=found.reasons if found else (),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("borgere:borger_detail", pk=borger.pk)
    messages.success(request, _("Matchet er oprettet. Var det en fejl, kan du fortryde det på denne side i %(n)d minutter.")
                     % {"n": services.FORTRYD_MINUTTER})
    return redirect(match)


@require_POST
@member_required
def match_fortryd(request, pk):
    match = selectors.match_get(actor=request.actor, pk=pk, action="change")
    try:
        borger = services.match_fortryd(actor=request.actor, match=match)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(match)
    messages.success(request, _("Matchet er fortrudt."))
    return redirect(borger)


@member_required
def match_detail(request, pk):
    match = selectors.match_get(actor=request.actor, pk=pk)
    return render(request, "matching/match/match_detail.html", {
        "match": match,
        "overgange": match.overgange.select_related("actor"),
        "ledsagelser": match.ledsagelser.select_related("brobygger").prefetch_related("svar"),
        "opfoelgninger": selectors.opfoelgninger_med_aabner(match.opfoelgninger.all()),
        "naeste_trin": [(stage, Stage(stage).label) for stage in stages.MANUAL.get(match.stage, [])],
        # Planning the first meeting is the next step from "foreslået" too: it is the borger's yes.
        "kan_planlaegge": match.stage in (Stage.FORESLAAET, Stage.ACCEPTERET),
        "trin": stages.stepper(match.stage),
        "kan_fortrydes": services.match_kan_fortrydes(match, actor=request.actor),
        "fortryd_minutter": services.FORTRYD_MINUTTER,
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


@member_required
def pipeline_board(request):
    """The board: each open stage's longest-waiting matches; `?fase=` pages through one stage."""
    fase = request.GET.get("fase")
    if fase in Stage.values and fase != Stage.AFSLUTTET:
        page = paginate(request, selectors.pipeline_stage(actor=request.actor, stage=fase))
        adgangslog.log_search(actor=request.actor, criteria={"liste": "matchtavle", "fase": fase})
        return render(request, "matching/match/pipeline_fase.html",
                      {"fase": fase, "fase_label": Stage(fase).label, "page": page})
    kolonner = [(fase, label, liste, _kort(liste.rows)) for fase, label, liste in selectors.pipeline(actor=request.actor)]
    adgangslog.log_search(actor=request.actor, criteria={"liste": "matchtavle"})
    return render(request, "matching/match/pipeline.html", {"kolonner": kolonner})


# One card as the template wrote it, with the whitespace its loop left around each card; filled by `%`
# with (link, first name, title, "i 3 uger"), at half the cost of `str.format` with names.
_KORT = ('\n            <li class="list-group-item"><a href="%s">%s → %s</a><br>'
         '<small class="text-body-secondary">%s</small></li>\n          ')


def _kort(rows) -> str:
    """The board's cards of one stage as HTML, every value escaped, written here, not by the template:
    per card, the template engine's own work on its four variables (context lookups, escaping through
    lazy wrappers) cost more than the values, 1.2 ms for the 140 cards at national size (issue 15).
    The link and "i 3 uger" are made for the whole list at once (`pk_urls`, `i_tid_siden_liste`), not
    by a tag and a filter on each card (PERFORMANCE.md, "The match board and the sent påmindelser:
    cheaper rows")."""
    return mark_safe("".join([  # noqa: S308 -- every value escaped; `siden` is escaped by i_tid_siden_liste
        _KORT % (escape(url), escape(k.fornavn), escape(k.titel), siden)
        for k, url, siden in zip(rows, pk_urls("matching:match_detail", [k.pk for k in rows]),
                                 i_tid_siden_liste([k.stage_siden for k in rows]), strict=True)]))
