"""The network of centres (ARCHITECTURE.md, "Netværksrummet"): the network's meetings with
registration across centres, the meeting notes, and the shared library of methods and tools. For
the network user and the koordinatorer of centres that share with the network; never a borger's data.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brobygning.decorators import netvaerksrum_required
from brobygning.forms import act, save_valid_form
from brobygning.pagination import paginate

from .. import netvaerksrum as rum
from ..forms import NetvaerksmaterialeForm, NetvaerksmoedeForm, NetvaerksreferatForm, NetvaerkTilmeldForm
from ..models import Arrangement, ArrangementType, Netvaerksmateriale, TilmeldingStatus


def _moede_url(moede) -> str:
    return reverse("matching:netvaerksrum_moede", args=[moede.pk])


@netvaerksrum_required
def netvaerksrum(request):
    """The network's meetings (coming, or `?vis=tidligere`) and the newest materials."""
    tidligere = request.GET.get("vis") == "tidligere"
    return render(request, "matching/netvaerksrum/netvaerksrum.html", {
        "page": paginate(request, rum.moede_list(actor=request.actor, kommende=not tidligere), rum.MOEDER_SIDE),
        "tidligere": tidligere,
        "materialer": list(rum.materiale_list(actor=request.actor)[:rum.OVERBLIK_MAX]),
        "kan_tilmelde": rum.kan_tilmelde(request.actor)})


@netvaerksrum_required
def netvaerksrum_moede_ny(request):
    form = NetvaerksmoedeForm(request.POST or None,
                              instance=Arrangement(i_netvaerket=True, type=ArrangementType.NETVAERKSMOEDE))
    response = save_valid_form(request, form, lambda: _moede_url(rum.netvaerksmoede_opret(
        actor=request.actor, data=form.cleaned_data, datoer=form.datoer())), _("Netværksmødet er oprettet."))
    return response or render(request, "brobygning/form.html", {"form": form, "titel": _("Nyt netværksmøde")})


@netvaerksrum_required
def netvaerksrum_moede(request, pk):
    moede = rum.moede_get(actor=request.actor, pk=pk)
    kan_tilmelde = rum.kan_tilmelde(request.actor) and moede.aflyst is None
    context = {
        "moede": moede, "datoer": list(moede.datoer.all()), "er_vaert": rum.er_min(request.actor, moede),
        "ledige": rum.ledige_pladser(moede), "referat": rum.referat_get(moede=moede), "kan_tilmelde": kan_tilmelde,
        "tilmeldte": paginate(request, rum.tilmeldinger(actor=request.actor, moede=moede,
                                                        status=TilmeldingStatus.TILMELDT),
                              rum.TILMELDINGER_SIDE, param="tilmeldte"),
        "venteliste": paginate(request, rum.tilmeldinger(actor=request.actor, moede=moede,
                                                         status=TilmeldingStatus.VENTELISTE),
                               rum.TILMELDINGER_SIDE, param="venteliste"),
    }
    if kan_tilmelde:
        context["tilmeld_form"] = NetvaerkTilmeldForm(medarbejdere=rum.medarbejdere(actor=request.actor))
    return render(request, "matching/netvaerksrum/moede.html", context)


@netvaerksrum_required
def netvaerksrum_moede_rediger(request, pk):
    moede = rum.moede_get(actor=request.actor, pk=pk, action="change")
    form = NetvaerksmoedeForm(request.POST or None, instance=Arrangement.objects.get(pk=moede.pk), ny=False)
    response = save_valid_form(request, form, lambda: _moede_url(rum.netvaerksmoede_ret(
        actor=request.actor, moede=moede, data=form.cleaned_data)), _("Netværksmødet er gemt."))
    return response or render(request, "brobygning/form.html", {
        "form": form, "titel": _("Ret %(titel)s") % {"titel": moede.titel}})


@require_POST
@netvaerksrum_required
def netvaerksrum_moede_aflys(request, pk):
    moede = rum.moede_get(actor=request.actor, pk=pk, action="change")
    act(request, lambda: rum.netvaerksmoede_aflys(actor=request.actor, moede=moede),
        _("Netværksmødet er aflyst. De tilmeldte får besked."))
    return redirect(_moede_url(moede))


@require_POST
@netvaerksrum_required
def netvaerksrum_tilmeld(request, pk):
    """A member centre's koordinator registers one of their own staff."""
    moede = rum.moede_get(actor=request.actor, pk=pk)
    if not rum.kan_tilmelde(request.actor):
        raise PermissionDenied
    form = NetvaerkTilmeldForm(request.POST, medarbejdere=rum.medarbejdere(actor=request.actor))
    if not form.is_valid():
        messages.error(request, _("Vælg en af centrets egne medarbejdere."))
        return redirect(_moede_url(moede))
    try:
        tilmelding = rum.netvaerkstilmelding_opret(actor=request.actor, moede=moede, user=form.cleaned_data["user"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Medarbejderen er på ventelisten.") if tilmelding.status ==
                         TilmeldingStatus.VENTELISTE else _("Medarbejderen er tilmeldt."))
    return redirect(_moede_url(moede))


@require_POST
@netvaerksrum_required
def netvaerksrum_afmeld(request, pk):
    tilmelding = rum.tilmelding_get(actor=request.actor, pk=pk)
    act(request, lambda: rum.netvaerkstilmelding_afmeld(actor=request.actor, tilmelding=tilmelding),
        _("Tilmeldingen er afmeldt. Er der en venteliste, er den første rykket op."))
    return redirect(_moede_url(tilmelding.arrangement))


@netvaerksrum_required
def netvaerksrum_referat(request, pk):
    moede = rum.moede_get(actor=request.actor, pk=pk, action="change")
    referat = rum.referat_get(moede=moede)
    form = NetvaerksreferatForm(request.POST or None, initial={"tekst": referat.tekst if referat else ""})
    response = save_valid_form(request, form, lambda: _moede_url(rum.netvaerksreferat_gem(
        actor=request.actor, moede=moede, tekst=form.cleaned_data["tekst"]).arrangement), _("Referatet er gemt."))
    return response or render(request, "brobygning/form.html", {
        "form": form, "titel": _("Referat: %(titel)s") % {"titel": moede.titel}})


# --- The shared library ------------------------------------------------------------------------------


@netvaerksrum_required
def netvaerksrum_bibliotek(request):
    tag = request.GET.get("tag", "")[:40]
    page = paginate(request, rum.materiale_list(actor=request.actor, tag=tag), rum.MATERIALER_SIDE)
    for materiale in page:
        materiale.er_min = rum.er_min(request.actor, materiale)
    return render(request, "matching/netvaerksrum/bibliotek.html", {
        "page": page, "tag": tag, "tags": rum.tags_i_brug(actor=request.actor)})


def _bibliotek_url(_materiale=None) -> str:
    return reverse("matching:netvaerksrum_bibliotek")


@netvaerksrum_required
def netvaerksrum_materiale_ny(request):
    form = NetvaerksmaterialeForm(request.POST or None, request.FILES or None)
    response = save_valid_form(request, form, lambda: _bibliotek_url(rum.netvaerksmateriale_opret(
        actor=request.actor, data=form.cleaned_data)), _("Materialet er delt i netværket."))
    return response or render(request, "brobygning/form.html", {"form": form, "titel": _("Del et materiale")})


@netvaerksrum_required
def netvaerksrum_materiale_rediger(request, pk):
    materiale = rum.materiale_get(actor=request.actor, pk=pk, action="change")
    form = NetvaerksmaterialeForm(request.POST or None, request.FILES or None,
                                  instance=Netvaerksmateriale.objects.get(pk=materiale.pk))
    response = save_valid_form(request, form, lambda: _bibliotek_url(rum.netvaerksmateriale_ret(
        actor=request.actor, materiale=materiale, data=form.cleaned_data)), _("Materialet er gemt."))
    return response or render(request, "brobygning/form.html", {
        "form": form, "titel": _("Ret %(titel)s") % {"titel": materiale.titel}})


@require_POST
@netvaerksrum_required
def netvaerksrum_materiale_slet(request, pk):
    materiale = rum.materiale_get(actor=request.actor, pk=pk, action="change")
    act(request, lambda: rum.netvaerksmateriale_slet(actor=request.actor, materiale=materiale),
        _("Materialet er slettet."))
    return redirect(_bibliotek_url())


@netvaerksrum_required
def netvaerksrum_materiale_fil(request, pk):
    """The file, as a download (never shown inline: it is an upload), to logged-in members only."""
    materiale = rum.materiale_get(actor=request.actor, pk=pk)
    if not materiale.fil:
        raise Http404
    try:
        fil = materiale.fil.open("rb")
    except OSError:
        raise Http404 from None
    return FileResponse(fil, as_attachment=True, filename=f"materiale-{materiale.pk}.{materiale.filtype or 'bin'}",
                        content_type="application/octet-stream")
