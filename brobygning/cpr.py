"""No CPR numbers, anywhere (SECURITY.md, "What is never stored"). A free-text field that holds a
CPR-shaped number with a real birth date (python-stdnum's `dk.cpr` check) is refused with a Danish
message, before anything is saved."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.dk import cpr

# Ten digits, optionally as 6-4 with a dash or space, not part of a longer number.
CPR_FORM = re.compile(r"(?<!\d)(\d{6})[-\s]?(\d{4})(?!\d)")
CPR_BESKED = _("Skriv ikke CPR-numre her. Fjern nummeret, og gem igen.")


def indeholder_cpr(tekst: str) -> bool:
    return any(cpr.is_valid(a + b) for a, b in CPR_FORM.findall(tekst or ""))


class IngenCprMixin:
    """For every form with free text: each text field holding a CPR number gets an error of its
    own, so the form is invalid and nothing is saved. Runs after the whole cleaning, so a form's
    own `clean()` cannot skip it."""

    def full_clean(self):
        super().full_clean()
        for name, value in list(getattr(self, "cleaned_data", {}).items()):
            if isinstance(value, str) and indeholder_cpr(value):
                self.add_error(name, forms.ValidationError(CPR_BESKED, code="cpr"))


def afvis_cpr(tekst) -> None:
    """The same check as a model field validator, for writes that do not go through a form (a
    service called directly, an import): raises the Danish message."""
    if isinstance(tekst, str) and indeholder_cpr(tekst):
        raise ValidationError(CPR_BESKED, code="cpr")


CPR_FJERNET = _("[CPR-nummer fjernet]")


def fjern_cpr(tekst: str) -> str:
    """The text with every CPR number replaced by a marker: for text stored before the check, so it is
    carried no further (a referral's wishes into a new borger, issue 16)."""
    if not tekst:
        return tekst
    return CPR_FORM.sub(lambda m: str(CPR_FJERNET) if cpr.is_valid(m.group(1) + m.group(2)) else m.group(0), tekst)


def tjek_felter(data: dict, felter) -> None:
    """For services: refuse (one message per field) if any of `felter` in `data` holds a CPR number, so a
    caller that skips the form cannot store one either."""
    errors = {name: CPR_BESKED for name in felter if isinstance(data.get(name), str) and indeholder_cpr(data[name])}
    if errors:
        raise ValidationError(errors)
