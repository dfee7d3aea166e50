"""CPR numbers must never be stored (SECURITY.md). Free text is checked with python-stdnum's dk.cpr.

A CPR-shaped number is ten digits, optionally DDMMYY-XXXX or with a space; it counts when stdnum
accepts it as a CPR number (a real date of birth in the past). Other ten-digit numbers (a phone
number with a country code, an order number) pass.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.dk import cpr

_CPR_SHAPED = re.compile(r"(?<![\d-])(\d{6})[\s-]?(\d{4})(?![\d-])")

CPR_BESKED = _("Skriv ikke CPR-numre her. Fjern tallet og send igen; vi har ikke brug for CPR-nummeret.")
CPR_FJERNET = _("[CPR-nummer fjernet]")


def _matches(text: str):
    for match in _CPR_SHAPED.finditer(text or ""):
        if cpr.is_valid(match.group(1) + match.group(2)):
            yield match


def indeholder_cpr(text: str) -> bool:
    return next(_matches(text), None) is not None


def fjern_cpr(text: str) -> str:
    """The text with every CPR number replaced by a marker (for text that was stored before the check)."""
    if not text:
        return text
    out, last = [], 0
    for match in _matches(text):
        out += [text[last:match.start()], str(CPR_FJERNET)]
        last = match.end()
    return "".join(out) + text[last:] if out else text


def ingen_cpr(value: str) -> None:
    """Validator: refuse a text with a CPR number in it, with a clear Danish message."""
    if indeholder_cpr(value):
        raise ValidationError(CPR_BESKED, code="cpr")


def tjek_felter(data: dict, felter) -> None:
    """Refuse (one message per field) if any of `felter` in `data` holds a CPR number."""
    errors = {name: CPR_BESKED for name in felter if isinstance(data.get(name), str) and indeholder_cpr(data[name])}
    if errors:
        raise ValidationError(errors)
