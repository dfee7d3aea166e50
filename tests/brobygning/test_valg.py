"""`get_FOO_display` from a table per language (`brobygning.valg`, issue 15): the text Django gives."""

import pytest
from django.db.models import Model
from django.utils import translation

from borgere.models import Borger, Henvisning
from brobygning.models import Adgangslog
from matching.models import Opfoelgning

FELTER = [(Borger, "status"), (Henvisning, "status"), (Opfoelgning, "type"), (Adgangslog, "handling")]


@pytest.mark.parametrize(("model", "navn"), FELTER)
def test_a_choice_reads_as_djangos_display_in_each_language(model, navn):
    felt = model._meta.get_field(navn)
    tekster = {}
    for sprog in ("da", "en", "da"):  # back to Danish: the table is per language, not the first one asked
        with translation.override(sprog):
            for value in [*(v for v, _label in felt.flatchoices), "ukendt"]:
                obj = model(**{navn: value})
                vist = getattr(obj, f"get_{navn}_display")()
                assert vist == Model._get_FIELD_display(obj, felt)
                tekster.setdefault(value, set()).add(vist)
    assert any(len(t) == 2 for t in tekster.values())  # some label differs between the languages
