"""The borger's rights: insight (art. 15), anonymisation (art. 17) and extending retention."""

import json

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from brobygning.cpr import IngenCprMixin
from brobygning.decorators import member_required

from .. import gdpr, indsigt, selectors


class EraseForm(forms.Form):
    bekraeft = forms.BooleanField(
        label=gettext_lazy("Jeg forstår, at anonymiseringen ikke kan fortrydes."), required=True,
        error_messages={"required": gettext_lazy("Sæt kryds for at bekræfte, at anonymiseringen ikke kan fortrydes.")})


class ExtendForm(IngenCprMixin, forms.Form):
    begrundelse = forms.CharField(label=gettext_lazy("Begrundelse"), min_length=5, max_length=300,
                                  error_messages={"required": gettext_lazy("Skriv en begrundelse."),
                                                  "min_length": gettext_lazy("Skriv en begrundelse.")})


@member_required
def borger_export(request, pk):
    borger = selectors.borger_get(actor=request.actor, pk=pk, action="export")
    data = gdpr.borger_export(actor=request.actor, borger=borger)
    return render(request, "borgere/gdpr/indsigt.html", {
        "person": borger, "center": borger.center, "sektioner": indsigt.indsigt_sektioner(data),
        "adgange": indsigt.adgange(data),
        "udskrevet": timezone.localdate()})


@member_required
def borger_export_json(request, pk):
    borger = selectors.borger_get(actor=request.actor, pk=pk, action="export")
    data = gdpr.borger_export(actor=request.actor, borger=borger)
    response = HttpResponse(json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="indsigt-borger-{borger.pk}.json"'
    return response


@member_required
def borger_erase(request, pk):
    borger = selectors.borger_get(actor=request.actor, pk=pk, action="erase")
    form = EraseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            gdpr.borger_anonymise(actor=request.actor, borger=borger)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(borger)
        messages.success(request, _("Borgeren er anonymiseret. Statistikken er bevaret."))
        return redirect("borgere:borger_list")
    return render(request, "borgere/gdpr/anonymiser_confirm.html", {
        "borger": borger, "navn": borger, "fortryd_url": borger.get_absolute_url(), "form": form})


@require_POST
@member_required
def borger_retention_extend(request, pk):
    borger = selectors.borger_get(actor=request.actor, pk=pk, action="erase")
    form = ExtendForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Skriv en begrundelse (mindst 5 tegn) for at forlænge opbevaringen."))
        return redirect("matching:forside")
    gdpr.retention_extend(actor=request.actor, borger=borger, begrundelse=form.cleaned_data["begrundelse"])
    messages.success(request, _("Opbevaringen er forlænget, og begrundelsen er logget."))
    return redirect("matching:forside")
