from datetime import date

import pytest
from django.http import QueryDict

from matching.rapport_kriterier import Kriterier, rapport_kriterier, standard_periode
from matching.rapport_tabel import Periode


def test_no_query_gives_the_year_so_far():
    form, k = rapport_kriterier(QueryDict(""))
    assert form.is_valid()
    assert k == Kriterier(standard_periode())
    assert k.periode.fra.month == 1 and k.periode.fra.day == 1


def test_period_and_project_are_read():
    form, k = rapport_kriterier(QueryDict("fra=2026-01-01&til=2026-06-30&projekt=7"), projekter=[(7, "Velux")])
    assert k == Kriterier(Periode(date(2026, 1, 1), date(2026, 6, 30)), 7)
    assert k.som_log() == {"fra": "2026-01-01", "til": "2026-06-30", "projekt": 7}


@pytest.mark.parametrize("query, felt, besked", [
    ("fra=2026-06-30&til=2026-01-01", "til", "Slutdatoen skal ligge efter startdatoen."),
    ("fra=2010-01-01&til=2026-01-01", "fra", "En rapport kan højst dække fem år."),
    ("fra=2026-01-01&til=2026-02-01&projekt=99", "projekt", None),
    # the day after 31.12.9999 does not exist: a server error before SENESTE_DATO
    ("fra=2026-01-01&til=9999-12-31", "til", "Datoen ligger for langt ude i fremtiden."),
    ("fra=9999-12-31&til=9999-12-31", "fra", "Datoen ligger for langt ude i fremtiden."),
])
def test_bad_input_falls_back_with_a_danish_error(query, felt, besked):
    form, k = rapport_kriterier(QueryDict(query), projekter=[(7, "Velux")])
    assert not form.is_valid()
    assert felt in form.errors
    if besked:
        assert form.errors[felt] == [besked]
    assert k == Kriterier(standard_periode())
