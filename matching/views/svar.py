"""Answers after the first meeting without a login: the page behind the one-tap links in the e-mail,
and the inbound-SMS webhook (docs/SMS_WEBHOOK.md).

A GET never changes anything (mail scanners fetch links): it shows the answer the link chose and a
button; the POST records it. Tampered, expired, used or foreign links get a Danish page and change
nothing.
"""

import hashlib
import hmac
import json
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from brobygning.forms import add_service_errors
from brobygning.ratelimit import rate_limited

from .. import selectors, services
from .. import svar as svarlink
from ..forms import SvarForm
from ..models import SvarVia

logger = logging.getLogger(__name__)

SIGNATUR_HEADER = "X-Brobygning-Signatur"
_UGYLDIG_TEKST = {
    svarlink.UGYLDIG: (gettext_lazy("Linket virker ikke"), gettext_lazy(
        "Linket er ikke gyldigt. Brug linket i den nyeste e-mail, eller kontakt frivilligcentret.")),
    svarlink.UDLOEBET: (gettext_lazy("Linket er udløbet"), gettext_lazy(
        "Linket virker kun i en periode efter mødet. Kontakt frivilligcentret, hvis du vil svare.")),
    svarlink.BRUGT: (gettext_lazy("Du har allerede svaret"), gettext_lazy(
        "Linket er brugt, og dit svar er modtaget. Tak! Vil du rette det, så kontakt frivilligcentret.")),
}


def _ugyldig(request, grund: str):
    titel, tekst = _UGYLDIG_TEKST[grund]
    return render(request, "matching/svar/svar_ugyldig.html", {"titel": titel, "tekst": tekst}, status=410)


@never_cache
def svar_link(request, pk, token):
    opslag = selectors.moedesvar_fra_link(ledsagelse_id=pk, token=token)
    if opslag.grund:
        return _ugyldig(request, opslag.grund)
    side = selectors.svar_side(moedesvar=opslag.moedesvar)
    ja, nej = (value for value, _label in side.valg)
    initial = {"svar": {"ja": ja, "nej": nej}.get(request.GET.get("svar", ""))}
    form = SvarForm(request.POST or None, valg=side.valg, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.moedesvar_registrer(moedesvar=opslag.moedesvar, svar=form.cleaned_data["svar"],
                                         kommentar=form.cleaned_data["kommentar"], via=SvarVia.LINK)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("matching:svar_tak")
    return render(request, "matching/svar/svar_link.html", {"side": side, "form": form})


@never_cache
def svar_tak(request):
    return render(request, "matching/svar/svar_tak.html")


def _signatur_ok(request) -> bool:
    given = request.headers.get(SIGNATUR_HEADER, "").strip().removeprefix("sha256=")
    expected = hmac.new(settings.SMS_WEBHOOK_SECRET.encode(), request.body, hashlib.sha256).hexdigest()
    return bool(given) and hmac.compare_digest(given.lower(), expected)


def _felter(request) -> dict | None:
    """`from`, `text` and the optional `id`, from a JSON or form-encoded body."""
    if request.content_type == "application/json":
        try:
            data = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            return None
        if not isinstance(data, dict):
            return None
    else:
        data = request.POST
    fields = {name: data.get(name) for name in ("from", "text", "id")}
    if not isinstance(fields["from"], str) or not isinstance(fields["text"], str) or not fields["from"].strip():
        return None
    return fields


def _svar(status: str, code: int = 200):
    return JsonResponse({"status": status}, status=code)


@csrf_exempt  # a gateway has no CSRF token; the HMAC signature is the proof
@require_POST
def svar_sms(request):
    """Inbound SMS: a reply "JA …" / "NEJ …" to the question sent to the sender's number."""
    if rate_limited(request, "sms-webhook", limit=settings.SMS_WEBHOOK_RATE_LIMIT,
                    period=settings.SMS_WEBHOOK_RATE_PERIOD):
        return _svar("for_mange", 429)
    if not settings.SMS_WEBHOOK_SECRET:
        logger.warning("SMS webhook: refused, SMS_WEBHOOK_SECRET is not set")
        return _svar("ikke_sat_op", 403)
    if not _signatur_ok(request):
        logger.warning("SMS webhook: refused, bad or missing signature")
        return _svar("forkert_signatur", 403)
    fields = _felter(request)
    if fields is None:
        return _svar("ugyldig", 400)
    if fields["id"] and not cache.add(f"sms-webhook:id:{str(fields['id'])[:100]}", 1, timeout=7 * 24 * 3600):
        return _svar("allerede_modtaget")  # the gateway sent it again
    moedesvar = svarlink.aabent_for_nummer(fields["from"])
    if moedesvar is None:
        logger.info("SMS webhook: reply from a number with no open question; ignored")  # never the number
        return _svar("ignoreret")
    fortolket = svarlink.fortolk_sms(fields["text"])
    if fortolket is None:
        logger.info("SMS webhook: reply to question %s without JA or NEJ; ignored", moedesvar.pk)
        return _svar("ukendt_svar")
    index, kommentar = fortolket
    try:
        services.moedesvar_registrer(moedesvar=moedesvar, svar=svarlink.valg(moedesvar, index),
                                     kommentar=kommentar, via=SvarVia.SMS)
    except ValidationError as error:
        logger.info("SMS webhook: answer to question %s not recorded: %s", moedesvar.pk, " ".join(error.messages))
        return _svar("afvist")
    return _svar("registreret")
