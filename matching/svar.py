"""Answers after the first meeting (ARCHITECTURE.md, "Svar efter mødet"): the signed one-tap links,
the key that matches an SMS reply to its question, and the reply keywords.

The questions themselves are påmindelser (`vaert_efter`, `borger_efter` in matching.paamindelser),
and the answers are recorded by `matching.services.moedesvar_registrer`. This module sits below
both: it knows the model and the tokens, nothing else.

A link's token is `django.core.signing` over {meeting id, recipient, nonce}. It opens one question
(the nonce is stored on it; a link for another meeting names another id), works once (`besvaret`
closes the question) and expires after `SVAR_LINK_MAX_AGE_DAYS`.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

import phonenumbers
from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac

from brobygning.models import PaamindelseKanal, PaamindelseStatus

from .models import SVAR_VALG, Moedesvar

SALT = "brobygning.svar"
TELEFON_SALT = "brobygning.svar.telefon"

UGYLDIG, UDLOEBET, BRUGT = "ugyldig", "udloebet", "brugt"


def token_for(moedesvar: Moedesvar) -> str:
    return signing.dumps({"l": moedesvar.ledsagelse_id, "m": moedesvar.modtager, "n": moedesvar.nonce}, salt=SALT)


@dataclass(frozen=True)
class Opslag:
    """What a link opened: the question, or why not (`grund`: ugyldig, udloebet or brugt)."""

    moedesvar: Moedesvar | None
    grund: str = ""


def fra_token(ledsagelse_id: int, token: str) -> Opslag:
    """The open question behind a link for meeting `ledsagelse_id`. Tampered, for another meeting or
    replaced: ugyldig. Older than the setting: udloebet. Answered already: brugt (with the question)."""
    try:
        data = signing.loads(token, salt=SALT, max_age=settings.SVAR_LINK_MAX_AGE_DAYS * 24 * 3600)
    except signing.SignatureExpired:
        return Opslag(None, UDLOEBET)
    except signing.BadSignature:
        return Opslag(None, UGYLDIG)
    if not isinstance(data, dict) or data.get("l") != ledsagelse_id or not data.get("n"):
        return Opslag(None, UGYLDIG)
    moedesvar = (Moedesvar.objects.select_related("center", "ledsagelse__match__borger",
                                                  "ledsagelse__match__faellesskab__forening")
                 .filter(ledsagelse_id=ledsagelse_id, modtager=data.get("m")).first())
    if moedesvar is None or not secrets.compare_digest(moedesvar.nonce, str(data["n"])):
        return Opslag(None, UGYLDIG)
    if moedesvar.besvaret is not None:
        return Opslag(moedesvar, BRUGT)
    return Opslag(moedesvar)


def e164(number: str) -> str:
    """A phone number in E.164 (Danish when it has no country code), or "" when it is not one."""
    try:
        parsed = phonenumbers.parse(str(number or "").strip(), "DK")
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def telefon_noegle(number: str) -> str:
    """A keyed hash of the number (HMAC with SECRET_KEY): matches a reply without storing the number."""
    normalised = e164(number)
    return salted_hmac(TELEFON_SALT, normalised, algorithm="sha256").hexdigest() if normalised else ""


def kendte_spoergsmaal(ledsagelse_ids) -> dict[tuple[int, str], Moedesvar]:
    """The questions already made for these meetings, by (meeting id, recipient), in one query: what
    a batch of påmindelser passes to `til_afsendelse` as `kendte`."""
    ids = set(ledsagelse_ids)
    if not ids:
        return {}
    return {(m.ledsagelse_id, m.modtager): m for m in Moedesvar.objects.filter(ledsagelse_id__in=ids)}


def til_afsendelse(*, row, ledsagelse, modtager: str, kanal: str, to: str,
                   kendte: dict[tuple[int, str], Moedesvar] | None = None) -> Moedesvar:
    """The question a påmindelse asks, made when it is sent (again after a retry: the same question,
    the same nonce, so every copy's link opens it).

    `kendte` (`kendte_spoergsmaal`, loaded once for a batch) says which questions exist already; a
    meeting and recipient not in it has none yet, so the question is inserted without looking first,
    and an unanswered one is written only when its channel, row or number changed. Without it, one
    is looked up (`get_or_create`)."""
    fields = {"center_id": ledsagelse.center_id, "kanal": kanal, "paamindelse": row,
              "telefon_noegle": telefon_noegle(to) if kanal == PaamindelseKanal.SMS else ""}
    key = (ledsagelse.pk, modtager)
    try:
        if kendte is None:
            with transaction.atomic():
                moedesvar, created = Moedesvar.objects.get_or_create(
                    ledsagelse=ledsagelse, modtager=modtager, defaults={**fields, "nonce": secrets.token_urlsafe(16)})
        elif key in kendte:
            moedesvar, created = kendte[key], False
        else:
            with transaction.atomic():
                moedesvar = Moedesvar.objects.create(ledsagelse=ledsagelse, modtager=modtager, **fields,
                                                     nonce=secrets.token_urlsafe(16))
            created = True
    except IntegrityError:  # made meanwhile by another dispatcher
        moedesvar, created = Moedesvar.objects.get(ledsagelse=ledsagelse, modtager=modtager), False
    if kendte is not None:
        kendte[key] = moedesvar
    changed = (moedesvar.kanal, moedesvar.paamindelse_id, moedesvar.telefon_noegle) != (
        fields["kanal"], row.pk, fields["telefon_noegle"])
    if not created and moedesvar.besvaret is None and (kendte is None or changed):
        for name, value in fields.items():
            setattr(moedesvar, name, value)
        moedesvar.save(update_fields=["kanal", "paamindelse", "telefon_noegle"])
    return moedesvar


# --- SMS replies -----------------------------------------------------------------------------------

_KEYWORD = re.compile(r"^\s*(ja|nej)\b[\s.,:;!?\-–]*(.*)$", re.IGNORECASE | re.DOTALL)


def fortolk_sms(text: str) -> tuple[int, str] | None:
    """(0 for JA, 1 for NEJ, the free text after it), or None when the reply starts with neither."""
    found = _KEYWORD.match(text or "")
    if not found:
        return None
    return (0 if found.group(1).lower() == "ja" else 1), found.group(2).strip()


def valg(moedesvar: Moedesvar, index: int) -> str:
    return SVAR_VALG[moedesvar.modtager][index]


def aabent_for_nummer(number: str) -> Moedesvar | None:
    """The most recent unanswered question sent by SMS to this number, while its link would still work."""
    noegle = telefon_noegle(number)
    if not noegle:
        return None
    since = timezone.now() - timedelta(days=settings.SVAR_LINK_MAX_AGE_DAYS)
    gone_out = [PaamindelseStatus.SENDT, PaamindelseStatus.SENDER]
    return (Moedesvar.objects.filter(telefon_noegle=noegle, kanal=PaamindelseKanal.SMS, besvaret__isnull=True,
                                     oprettet__gte=since, paamindelse__status__in=gone_out)
            .order_by("-paamindelse__sendt", "-oprettet", "-pk").first())
