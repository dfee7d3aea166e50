"""Fællesskaber: register, edit, archive; bad input gets a Danish error and saves nothing."""

import pytest
from django.urls import reverse

from foreninger.models import Faellesskab, Moedetid

from .. import factories as f

OVERSIZED = "x" * 6000


def faellesskab_data(forening, **overrides):
    data = {"forening": forening.pk, "titel": "Strik og snak", "beskrivelse": "Vi strikker.", "postnummer": "5000",
            "for_deltagere": "on", "aaben_for_nye": "on", "pris": "0", "status": "aktiv",
            "moedetider-TOTAL_FORMS": "1", "moedetider-INITIAL_FORMS": "0",
            "moedetider-MIN_NUM_FORMS": "0", "moedetider-MAX_NUM_FORMS": "10",
            "moedetider-0-frekvens": "WEEKLY", "moedetider-0-ugedag": "1",
            "moedetider-0-fra": "17:00", "moedetider-0-til": "19:00"}
    data.update(overrides)
    return data


def all_errors(response) -> str:
    """Every error message on the page's form and formset, as one string."""
    messages = [m for errors in response.context["form"].errors.values() for m in errors]
    formset = response.context.get("formset")
    if formset is not None:
        messages += list(formset.non_form_errors())
        messages += [m for form_errors in formset.errors for errors in form_errors.values() for m in errors]
    return " ".join(messages)


class TestFaellesskab:
    def test_create_with_meeting_time(self, as_koordinator_a, world):
        response = as_koordinator_a.post(reverse("foreninger:faellesskab_create"), faellesskab_data(world.forening_a2))
        faellesskab = Faellesskab.objects.get(titel="Strik og snak", forening=world.forening_a2)
        assert response.status_code == 302
        assert faellesskab.center == world.center_a
        assert [str(m) for m in faellesskab.moedetider.all()] == ["Hver tirsdag kl. 17:00–19:00"]

    def test_edit_keeps_meeting_time_ids(self, as_koordinator_a, world):
        moedetid = f.MoedetidFactory(faellesskab=world.faellesskab_a)
        data = faellesskab_data(world.forening_a, version=world.faellesskab_a.version, **{
            "moedetider-INITIAL_FORMS": "1", "moedetider-TOTAL_FORMS": "1", "moedetider-0-id": moedetid.pk,
            "moedetider-0-faellesskab": world.faellesskab_a.pk, "moedetider-0-fra": "18:00"})
        response = as_koordinator_a.post(reverse("foreninger:faellesskab_update", args=[world.faellesskab_a.pk]), data)
        assert response.status_code == 302
        moedetid.refresh_from_db()
        assert moedetid.fra.hour == 18 and Moedetid.objects.count() == 1

    @pytest.mark.parametrize(("overrides", "message"), [
        ({"moedetider-0-til": "16:00"}, "Sluttidspunktet skal ligge efter starttidspunktet"),
        ({"moedetider-0-frekvens": "BIWEEKLY"}, "Angiv en startdato"),
        ({"moedetider-0-frekvens": "MONTHLY"}, "hvilken uge i måneden"),
        ({"moedetider-0-gyldig_fra": "2026-05-01", "moedetider-0-gyldig_til": "2026-04-01"}, "Slutdatoen"),
        ({"alder_min": "30", "alder_max": "18"}, "'Alder til' skal være større"),
        ({"for_deltagere": ""}, "Vælg mindst én rolle"),
        ({"postnummer": "0001"}, "findes ikke i Danmark"),
        ({"beskrivelse": OVERSIZED}, "højst have 5000 tegn"),
        ({"lat": "40", "lng": "10"}, "54"),
        ({"lat": "56"}, "både bredde- og længdegrad"),
    ])
    def test_bad_input(self, as_koordinator_a, world, overrides, message):
        before = Faellesskab.objects.count()
        response = as_koordinator_a.post(reverse("foreninger:faellesskab_create"), faellesskab_data(world.forening_a, **overrides))
        assert response.status_code == 200
        assert message.lower() in all_errors(response).lower()
        assert Faellesskab.objects.count() == before and Moedetid.objects.count() == 0

    def test_place_is_picked_on_a_map_never_typed_as_coordinates(self, as_koordinator_a, world):
        """Issue 16, point 5: lat/lng are hidden fields filled by the map picker (static/js/placering.js),
        which stays hidden without JavaScript; a coordinate that fails shows its error where it is seen."""
        url = reverse("foreninger:faellesskab_update", args=[world.faellesskab_a.pk])
        html = as_koordinator_a.get(url).content.decode()
        assert '<input type="hidden" name="lat"' in html and '<input type="hidden" name="lng"' in html
        assert 'type="number" name="lat"' not in html and "breddegrad" not in html
        assert '<div id="placering" class="mb-3" hidden' in html and "Fjern præcis placering" in html
        assert "js/placering.js" in html and "vendor/leaflet/leaflet.js" in html
        response = as_koordinator_a.post(url, faellesskab_data(world.forening_a, version=world.faellesskab_a.version,
                                                               lat="40", lng="10"))
        assert response.status_code == 200
        assert 'id="placering-fejl"' in response.content.decode()
        assert "Vælg den igen på kortet" in response.content.decode()

    def test_foreningskontakt_creates_only_for_own_forening(self, as_foreningskontakt_a, world):
        response = as_foreningskontakt_a.post(reverse("foreninger:faellesskab_create"), faellesskab_data(world.forening_a2))
        assert response.status_code == 200 and "forening" in response.context["form"].errors
        response = as_foreningskontakt_a.post(reverse("foreninger:faellesskab_create"), faellesskab_data(world.forening_a))
        assert response.status_code == 302
