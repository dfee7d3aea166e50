"""Henvisninger: the public referral form, and the koordinator's handling of referrals."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from brobygning import access
from brobygning.cpr import fjern_cpr
from brobygning.decorators import member_required
from brobygning.forms import add_service_errors, save_valid_form
from brobygning.models import TagType
from brobygning.pagination import paginate
from brobygning.public import public_language, public_page
from brobygning.ratelimit import rate_limited
from brobygning.selectors import brobygger_list
from foreninger.selectors import public_center_get, public_faellesskab_list

from .. import selectors, services
from ..forms import BorgerForm
from ..models import BorgerStatus, Formaal, HenvisningStatus
from ..public_forms import HenvisningAfvisForm, HenvisningForm

STATUS_TABS = [("ny", gettext_lazy("Nye")), ("oprettet", gettext_lazy("Oprettet som borger")),
               ("afvist", gettext_lazy("Afviste")), ("alle", gettext_lazy("Alle"))]


def _tak_url(center, request) -> str:
    lang = public_language(request)
    url = reverse("borgere:public_henvisning_tak", args=[center.slug])
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
    return render(request, "borgere/henvisning/henvisning_form.html",
                  {"center": center, "form": form, "samtykketekst": samtykketekst}, status=status)


@public_page()
def henvisning_tak(request, slug):
    return render(request, "borgere/henvisning/henvisning_tak.html", {"center": public_center_get(slug=slug)})


@member_required
def henvisning_list(request):
    access.check(request.actor, "henvisning", "list")
    status = request.GET.get("status", HenvisningStatus.NY)
    if status not in dict(STATUS_TABS):
        status = HenvisningStatus.NY
    qs = selectors.henvisning_list(actor=request.actor, status=None if status == "alle" else status)
    return render(request, "borgere/henvisning/henvisning_list.html",
                  {"page": paginate(request, qs), "status": status, "tabs": STATUS_TABS})


@member_required
def henvisning_detail(request, pk):
    henvisning = selectors.henvisning_get(actor=request.actor, pk=pk)
    return render(request, "borgere/henvisning/henvisning_detail.html",
                  {"henvisning": henvisning, "afvis_form": HenvisningAfvisForm()})


def _initial(henvisning) -> dict:
    """The borger form, filled in from the referral. The wishes inform the match: the interests and
    challenges they mention are ticked (the koordinator confirms), not copied into the internal notes.
    Text stored before CPR numbers were refused is carried over without them (issue 16)."""
    fundet = selectors.tags_i_tekst(tekst=henvisning.oensker)
    return {"fornavn": fjern_cpr(henvisning.fornavn), "efternavn": fjern_cpr(henvisning.efternavn),
            "telefon": henvisning.telefon, "email": henvisning.email,
            "foretrukken_kanal": henvisning.foretrukken_kanal, "postnummer": henvisning.postnummer_id,
            "henvisningskilde": henvisning.kilde_id, "status": BorgerStatus.NY,
            "interesser": fundet[TagType.INTERESSE], "udfordringer": fundet[TagType.UDFORDRING],
            "noter": fjern_cpr(henvisning.kontakt_note)}


@member_required
def henvisning_convert(request, pk):
    henvisning = selectors.henvisning_get(actor=request.actor, pk=pk, action="change")
    if henvisning.status != HenvisningStatus.NY:
        messages.info(request, _("Henvisningen er allerede behandlet."))
        return redirect(henvisning)
    form = BorgerForm(request.POST or None, initial=_initial(henvisning),
                      brobyggere=brobygger_list(actor=request.actor))
    form.fields["brobygger"].required = True

    def save():
        return services.henvisning_convert(actor=request.actor, henvisning=henvisning, data=form.cleaned_data)

    if response := save_valid_form(request, form, save, _("Borgeren er oprettet med samtykke fra henvisningen.")):
        return response
    return render(request, "borgere/henvisning/henvisning_convert.html",
                  {"form": form, "henvisning": henvisning, "oensker": fjern_cpr(henvisning.oensker)})


@member_required
@require_POST
def henvisning_decline(request, pk):
    henvisning = selectors.henvisning_get(actor=request.actor, pk=pk, action="change")
    form = HenvisningAfvisForm(request.POST)
    if form.is_valid():
        try:
            services.henvisning_decline(actor=request.actor, henvisning=henvisning,
                                        grund=form.cleaned_data["afvist_grund"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Henvisningen er afvist."))
            return redirect("borgere:henvisning_list")
    return render(request, "borgere/henvisning/henvisning_detail.html", {"henvisning": henvisning, "afvis_form": form})
