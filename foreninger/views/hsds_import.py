"""The koordinator's import pages: upload, the dry run's preview, confirm, and an htmx-polled progress bar."""

import csv
import io

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from brobygning import access
from brobygning.decorators import member_required
from brobygning.forms import add_service_errors, helper

from .. import selectors, tasks
from ..hsds import parse, services


class ImportForm(forms.Form):
    fil = forms.FileField(label=gettext_lazy("Fil"), help_text=gettext_lazy(
        "HSDS 3.0 som JSON (.json) eller vores CSV-skabelon (.csv, UTF-8)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.csv,application/json,text/csv"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = helper(_("Tjek filen"))
        self.helper.form_tag = True
        self.helper.attrs = {"enctype": "multipart/form-data"}


@member_required
def import_start(request):
    access.check(request.actor, "import", "create")
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.import_upload(actor=request.actor, fil=form.cleaned_data["fil"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            tasks.import_check.delay(center_id=job.center_id, job_id=job.pk)
            return redirect(job)
    return render(request, "foreninger/hsds_import/import_start.html", {
        "form": form, "jobs": selectors.import_job_list(actor=request.actor)[:10],
        "columns": parse.CSV_COLUMNS,
    })


@member_required
def import_template(request):
    access.check(request.actor, "import", "create")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(parse.CSV_HEADER)
    example = {"forening_id": "F1", "forening_navn": "Eksempelforeningen", "forening_postnummer": "5000",
               "faellesskab_id": "F1-1", "titel": "Strik og snak", "beskrivelse": "Vi strikker og drikker kaffe.",
               "kategori": "Kreativitet og håndværk", "maalgrupper": "Ensomhed|Seniorer", "postnummer": "5000",
               "adresse": "Kongensgade 1", "for_deltagere": "ja", "for_frivillige": "nej", "aaben_for_nye": "ja",
               "pris": "0", "moedetider": "mandag 17:00-19:00|første torsdag 10:00-12:00"}
    writer.writerow([example.get(column, "") for column in parse.CSV_HEADER])
    response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="brobygning-import-skabelon.csv"'
    return response


@member_required
def import_detail(request, pk):
    job = selectors.import_job_get(actor=request.actor, pk=pk)
    return render(request, "foreninger/hsds_import/import_detail.html", {"job": job})


@member_required
def import_progress(request, pk):
    job = selectors.import_job_get(actor=request.actor, pk=pk)
    if request.htmx and not job.i_gang:
        return HttpResponseClientRefresh()  # finished: show the preview or the result
    return render(request, "foreninger/hsds_import/_import_status.html", {"job": job})


@member_required
@require_POST
def import_confirm(request, pk):
    job = selectors.import_job_get(actor=request.actor, pk=pk, action="create")
    try:
        services.import_confirm(actor=request.actor, job=job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        tasks.import_run.delay(center_id=job.center_id, job_id=job.pk)
    return redirect(job)
