"""The signed links of an arrangement's registration (ARCHITECTURE.md, "Arrangementer"): cancelling
a registration and the short evaluation afterwards, both without a login.

A token is `django.core.signing` over {registration id, purpose, nonce}. The nonce is stored on the
registration, so a token opens that one registration only; the purpose keeps a cancellation link from
opening the evaluation and back. A link expires after its setting's number of days; a used one
(cancelled already, evaluated already) says so.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from .models import Tilmelding, TilmeldingStatus

SALT = "brobygning.arrangement"
AFMELD, EVALUER = "afmeld", "evaluer"
UGYLDIG, UDLOEBET, BRUGT = "ugyldig", "udloebet", "brugt"


def ny_nonce() -> str:
    return secrets.token_urlsafe(16)


def token_for(tilmelding: Tilmelding, formaal: str) -> str:
    return signing.dumps({"t": tilmelding.pk, "f": formaal, "n": tilmelding.nonce}, salt=SALT)


def _max_age(formaal: str) -> int:
    days = (settings.ARRANGEMENT_AFMELD_LINK_MAX_AGE_DAYS if formaal == AFMELD
            else settings.ARRANGEMENT_EVALUERING_LINK_MAX_AGE_DAYS)
    return days * 24 * 3600


@dataclass(frozen=True)
class Opslag:
    """What a link opened: the registration, or why not (`grund`: ugyldig, udloebet or brugt)."""

    tilmelding: Tilmelding | None
    grund: str = ""


def fra_token(pk: int, token: str, formaal: str) -> Opslag:
    try:
        data = signing.loads(token, salt=SALT, max_age=_max_age(formaal))
    except signing.SignatureExpired:
        return Opslag(None, UDLOEBET)
    except signing.BadSignature:
        return Opslag(None, UGYLDIG)
    if not isinstance(data, dict) or data.get("t") != pk or data.get("f") != formaal or not data.get("n"):
        return Opslag(None, UGYLDIG)
    tilmelding = (Tilmelding.objects.select_related("center", "arrangement", "borger", "user")
                  .filter(pk=pk).first())
    if tilmelding is None or not secrets.compare_digest(tilmelding.nonce, str(data["n"])):
        return Opslag(None, UGYLDIG)
    if formaal == AFMELD and tilmelding.status == TilmeldingStatus.AFMELDT:
        return Opslag(tilmelding, BRUGT)
    if formaal == EVALUER and hasattr(tilmelding, "evaluering"):
        return Opslag(tilmelding, BRUGT)
    return Opslag(tilmelding)
