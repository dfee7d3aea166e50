"""The partnership overview and its CSV export (issue 14), for koordinatorer."""

import csv
import io

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from brobygning import access
from brobygning.decorators import member_required

from ..arrangementer import kommende_netvaerksmoeder
from ..partnerskab import partnerskab_oversigt
from ..rapport_kriterier import rapport_kriterier


def _tabeller(request):
    access.check(request.actor, "partnerskab", "list")
    form, kriterier = rapport_kriterier(request.GET)
    return form, kriterier, partnerskab_oversigt(center_id=request.actor.center_id, periode=kriterier.periode)


@member_required
def partnerskab_oversigt_side(request):
    form, kriterier, tabeller = _tabeller(request)
    netvaerksmoeder = kommende_netvaerksmoeder(center_id=request.actor.center_id, fra=timezone.now())
    return render(request, "matching/partnerskab/partnerskab_oversigt.html",
                  {"form": form, "kriterier": kriterier, "tabeller": tabeller, "netvaerksmoeder": netvaerksmoeder})


@member_required
def partnerskab_oversigt_csv(request):
    """All tables in one CSV (UTF-8 with BOM, for Excel): a title line, the header, the rows.

    LEAD: route each table through `matching.undertrykkelse.undertryk(tabel)` before writing
    (counts of people under 5 blanked); the count columns are marked in `taelle_kolonner`."""
    _form, kriterier, tabeller = _tabeller(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";")
    for tabel in tabeller:
        writer.writerow([tabel.titel])
        writer.writerow(tabel.kolonner)
        writer.writerows(tabel.raekker)
        writer.writerow([])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    navn = f"partnerskab-{kriterier.periode.fra:%Y%m%d}-{kriterier.periode.til:%Y%m%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{navn}"'
    return response
