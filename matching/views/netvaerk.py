"""The network view (FriSe as national coordinator): the report tables aggregated across the
centres that share with the network, and the centres side by side; suppressed, no personal data
(SECURITY.md, "Netværket")."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from brobygning import access
from brobygning.decorators import netvaerk_required

from .. import eksport
from ..rapport_kriterier import rapport_kriterier
from .eksport import fil_svar, tabel_svar


@require_GET
@netvaerk_required
def netvaerk(request):
    form, kriterier = rapport_kriterier(request.GET, projekter=[])  # projects belong to a centre
    center_ids = access.netvaerk_center_ids()
    tabeller = eksport.tabeller(center_ids=center_ids, kriterier=kriterier, netvaerk=True) if center_ids else []
    return render(request, "matching/netvaerk/netvaerk.html", {
        "form": form, "kriterier": kriterier, "antal_centre": len(center_ids), "tabeller": tabeller})


@require_GET
@netvaerk_required
def netvaerk_csv(request):
    return tabel_svar(request, "csv", netvaerk=True)


@require_GET
@netvaerk_required
def netvaerk_xlsx(request):
    return tabel_svar(request, "xlsx", netvaerk=True)


@require_GET
@netvaerk_required
def netvaerk_pdf(request):
    _form, kriterier = rapport_kriterier(request.GET, projekter=[])
    return fil_svar(eksport.eksporter_pdf(actor=request.actor, kriterier=kriterier, netvaerk=True))
