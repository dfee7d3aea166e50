"""The public referral form (no login) and its confirmation page."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from brobygning.forms import add_service_errors
from brobygning.public import public_language, public_page
from brobygning.ratelimit import rate_limited
from foreninger.selectors import public_center_get, public_faellesskab_list

from . import services
from .models import Formaal
from .public_forms import HenvisningForm


def _tak_url(center, request) -> str:
    lang = public_language(request)
    url = reverse("public_henvisning_tak", args=[center.slug])
    return url + (f"?sprog={lang}" if lang != settings.LANGUAGE_CODE else "")


@public_page(cacheable=False)
def henvisning_create(request, slug):
    center = public_center_get(slug=slug)
    samtykketekst = services.gaeldende_samtykketekst(center_id=center.pk, formaal=Formaal.REGISTRERING)
    initial = {}
    pk = request.GET.get("faellesskab", "")
    if request.method == "GET" and pk.isdigit():
        titel = public_faellesskab_list(center=center).filter(pk=pk).values_list("titel", flat=True).first()
        if titel:
            initial["oensker"] = _("Interesseret i fællesskabet: %(titel)s") % {"titel": titel}
    form = HenvisningForm(request.POST or None, samtykketekst=samtykketekst, initial=initial)
    status = 200
    if request.method == "POST":
        if rate_limited(request, "henvisning", limit=settings.HENVISNING_RATE_LIMIT,
                        period=settings.HENVISNING_RATE_PERIOD):
            form.add_error(None, _("Der er sendt mange henvisninger fra din forbindelse på kort tid. Vent lidt, "
                                   "og prøv igen, eller ring til frivilligcentret."))
            status = 429
        elif form.is_spam:
            return redirect(_tak_url(center, request))  # looks like success; nothing is saved
        elif form.is_valid():
            try:
                services.henvisning_create(center=center, data=form.cleaned_data, samtykketekst=samtykketekst)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return redirect(_tak_url(center, request))
    return render(request, "public/henvisning_form.html",
                  {"center": center, "form": form, "samtykketekst": samtykketekst}, status=status)


@public_page()
def henvisning_tak(request, slug):
    return render(request, "public/henvisning_tak.html", {"center": public_center_get(slug=slug)})
