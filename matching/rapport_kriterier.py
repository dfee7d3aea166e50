"""The criteria every report, export and the network view share: a period and, optionally, a
project (ARCHITECTURE.md, "Rapporter"). Read from the query string (`?fra=&til=&projekt=`), so
a report's URL can be bookmarked and an export repeats exactly what the page showed."""

from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matching.rapport_tabel import Periode

# A report over more than this many days would read too much history in one go.
LAENGSTE_PERIODE_DAGE = 5 * 366
# The latest date a period may name: the period's end is computed as the day after `til`, which
# does not exist after 31 December 9999 (a typed or bookmarked date far ahead gave a server error).
SENESTE_DATO = date(2999, 12, 31)


@dataclass(frozen=True)
class Kriterier:
    periode: Periode
    projekt_id: int | None = None

    def som_log(self) -> dict:
        """The criteria as the access log records them (no personal data)."""
        return {"fra": self.periode.fra.isoformat(), "til": self.periode.til.isoformat(),
                "projekt": self.projekt_id}


def standard_periode(i_dag: date | None = None) -> Periode:
    """From 1 January to today: the year so far, as an annual report needs it."""
    i_dag = i_dag or timezone.localdate()
    return Periode(fra=i_dag.replace(month=1, day=1), til=i_dag)


class RapportKriterierForm(forms.Form):
    fra = forms.DateField(label=_("Fra"), widget=forms.DateInput(attrs={"type": "date"}))
    til = forms.DateField(label=_("Til"), widget=forms.DateInput(attrs={"type": "date"}))
    projekt = forms.TypedChoiceField(label=_("Projekt"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, projekter: list[tuple[int, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["projekt"].choices = [("", _("Alle borgere"))] + list(projekter)

    def clean(self):
        data = super().clean()
        fra, til = data.get("fra"), data.get("til")
        for felt, dato in (("fra", fra), ("til", til)):
            if dato and dato > SENESTE_DATO:
                self.add_error(felt, _("Datoen ligger for langt ude i fremtiden."))
                return data
        if fra and til:
            if fra > til:
                self.add_error("til", _("Slutdatoen skal ligge efter startdatoen."))
            elif til - fra > timedelta(days=LAENGSTE_PERIODE_DAGE):
                self.add_error("fra", _("En rapport kan højst dække fem år."))
        return data


def rapport_kriterier(query, *, projekter: list[tuple[int, str]] = ()) -> tuple[RapportKriterierForm, Kriterier]:
    """The bound form and the criteria to use. With no query, or invalid input, the criteria fall
    back to the year so far (the form then shows the Danish error next to the field)."""
    standard = standard_periode()
    data = query.copy()
    data.setdefault("fra", standard.fra.isoformat())
    data.setdefault("til", standard.til.isoformat())
    form = RapportKriterierForm(data, projekter=projekter)
    if form.is_valid():
        d = form.cleaned_data
        return form, Kriterier(Periode(d["fra"], d["til"]), d["projekt"])
    return form, Kriterier(standard)
