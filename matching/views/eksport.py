"""Exports of the report tables for the centre's koordinator: CSV and XLSX per table, the funder
report as PDF. The criteria come from the query string, as on the Rapporter page
(matching/rapport_kriterier.py); the work is in matching/eksport.py."""

from django.http import Http404, HttpResponse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

from borgere.selectors import projekt_valg
from brobygning.decorators import member_required

from .. import eksport
from ..rapport_kriterier import rapport_kriterier


def fil_svar(fil: eksport.Fil) -> HttpResponse:
    response = HttpResponse(fil.indhold, content_type=fil.type)
    response["Content-Disposition"] = f'attachment; filename="{fil.navn}"'
    add_never_cache_headers(response)
    return response


def tabel_svar(request, format: str, *, netvaerk: bool = False) -> HttpResponse:
    projekter = [] if netvaerk else projekt_valg(actor=request.actor)
    _form, kriterier = rapport_kriterier(request.GET, projekter=projekter)
    fil = eksport.eksporter_tabel(actor=request.actor, kriterier=kriterier, noegle=request.GET.get("tabel", ""),
                                  format=format, netvaerk=netvaerk)
    if fil is None:
        raise Http404
    return fil_svar(fil)


@require_GET
@member_required
def eksport_csv(request):
    return tabel_svar(request, "csv")


@require_GET
@member_required
def eksport_xlsx(request):
    return tabel_svar(request, "xlsx")


@require_GET
@member_required
def eksport_pdf(request):
    _form, kriterier = rapport_kriterier(request.GET, projekter=projekt_valg(actor=request.actor))
    return fil_svar(eksport.eksporter_pdf(actor=request.actor, kriterier=kriterier))
