"""No form with free text lets a CPR number through (brobygning/cpr.py)."""

import importlib
import inspect
import pkgutil

import pytest
from django import forms

from brobygning.cpr import IngenCprMixin, indeholder_cpr

APPS = ["brobygning", "borgere", "foreninger", "matching"]
# Forms whose text is a search, a password or a token: nothing is stored from them.
UDEN_FRITEKST = {"SuggestionFilterForm", "PublicFilterForm", "SetPasswordForm", "BorgerSearchForm",
                 "AdgangslogFilterForm", "RapportKriterierForm"}


def projektets_formularer():
    for app in APPS:
        pakke = importlib.import_module(app)
        for info in pkgutil.walk_packages(pakke.__path__, f"{app}."):
            if ".migrations" in info.name or ".management" in info.name or info.name.endswith("settings_test"):
                continue
            modul = importlib.import_module(info.name)
            for _navn, klasse in inspect.getmembers(modul, inspect.isclass):
                if klasse.__module__ == modul.__name__ and issubclass(klasse, forms.BaseForm):
                    yield klasse


def har_fritekst(klasse) -> bool:
    return any(type(f) is forms.CharField for f in klasse.base_fields.values())


@pytest.mark.parametrize("tekst, svar", [
    ("ring på 0101901234", True), ("cpr 010190-1234 tak", True), ("010190 1234", True),
    ("tlf 20304050", False), ("3213901234", False), ("ordre 12345678901234", False), ("", False),
])
def test_cpr_numbers_are_found_by_their_birth_date(tekst, svar):
    assert indeholder_cpr(tekst) is svar


def test_every_form_with_free_text_refuses_cpr_numbers():
    formularer = [k for k in projektets_formularer() if har_fritekst(k) and k.__name__ not in UDEN_FRITEKST]
    assert len(formularer) >= 8  # the walk found the project's forms
    mangler = [k.__name__ for k in formularer if not issubclass(k, IngenCprMixin)]
    assert not mangler, f"free text without the CPR check: {mangler}"
