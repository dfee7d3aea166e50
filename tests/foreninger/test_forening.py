"""Foreninger: register, edit, archive; bad input gets a Danish error and saves nothing."""

import pytest
from django.urls import reverse

from foreninger.models import Forening

VALID_CVR = "13585628"


OVERSIZED = "x" * 6000


def forening_data(**overrides):
    data = {"navn": "Odense Strikkecafé", "cvr": VALID_CVR, "kontaktperson": "Lis", "email": "lis@example.org",
            "telefon": "", "postnummer": "5000"}
    data.update(overrides)
    return data


class TestForening:
    def test_create(self, as_koordinator_a, center_a):
        response = as_koordinator_a.post(reverse("foreninger:forening_create"), forening_data(cvr="1358 5628"))
        forening = Forening.objects.get()
        assert response.status_code == 302 and forening.center == center_a and forening.cvr == VALID_CVR

    @pytest.mark.parametrize(("overrides", "field", "message"), [
        ({"cvr": "13585627"}, "cvr", "CVR-nummeret er ikke gyldigt"),
        ({"cvr": "1234"}, "cvr", "CVR-nummeret er ikke gyldigt"),
        ({"email": "ikke@"}, "email", "gyldig e-mail-adresse"),
        ({"telefon": "abc"}, "telefon", "Skriv et gyldigt telefonnummer"),
        ({"postnummer": "9999"}, "postnummer", "findes ikke"),
        ({"navn": OVERSIZED[:201]}, "navn", "højst have 200 tegn"),
        ({"noter": OVERSIZED}, "noter", "højst have 5000 tegn"),
    ])
    def test_bad_input(self, as_koordinator_a, overrides, field, message):
        response = as_koordinator_a.post(reverse("foreninger:forening_create"), forening_data(**overrides))
        assert response.status_code == 200
        assert message.lower() in " ".join(response.context["form"].errors[field]).lower()
        assert Forening.objects.count() == 0

    def test_archive_refused_while_faellesskaber_are_active(self, as_koordinator_a, world):
        as_koordinator_a.post(reverse("foreninger:forening_archive", args=[world.forening_a.pk]))
        world.forening_a.refresh_from_db()
        assert not world.forening_a.er_arkiveret
        as_koordinator_a.post(reverse("foreninger:faellesskab_archive", args=[world.faellesskab_a.pk]))
        as_koordinator_a.post(reverse("foreninger:forening_archive", args=[world.forening_a.pk]))
        world.forening_a.refresh_from_db()
        assert world.forening_a.er_arkiveret
