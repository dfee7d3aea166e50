"""Rådgivning af fagpersonale: the log, no borger data, and its report table (issue 14)."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from brobygning import access
from brobygning.cpr import indeholder_cpr
from brobygning.models import AuditEntry
from matching.models import Raadgivning
from matching.raadgivning import raadgivning_create, raadgivning_efter_art
from matching.rapport_tabel import Periode


@pytest.fixture
def koordinator(koordinator_a, world):
    return access.actor_for(koordinator_a)


def data(**kw):
    return {"dato": date(2026, 3, 2), "organisation": "Jobcenter Odense", "art": "jobcenter",
            "emne": "Sådan henviser I", "varighed_min": 60, **kw}


@pytest.mark.parametrize(("tekst", "cpr"), [
    ("010190-1234", True), ("0101901234", True), ("Borger 010190 1234 ringede", True),
    ("Tlf. 20304050", False), ("Møde 2026-03-02 kl. 10", False), ("1234567890", False)])
def test_ligner_cpr(tekst, cpr):
    assert indeholder_cpr(tekst) is cpr


class TestRaadgivning:
    def test_create_audited(self, koordinator):
        raadgivning_create(actor=koordinator, data=data())
        assert Raadgivning.objects.count() == 1
        assert AuditEntry.objects.filter(handling="raadgivning.oprettet").count() == 1

    @pytest.mark.parametrize("field", ["organisation", "emne", "note"])
    def test_cpr_refused_in_danish(self, koordinator, field):
        with pytest.raises(ValidationError, match="Skriv ikke CPR-numre"):
            raadgivning_create(actor=koordinator, data=data(**{field: "Om 010190-1234"}))
        assert Raadgivning.objects.count() == 0

    def test_form_shows_the_cpr_error(self, as_koordinator_a):
        response = as_koordinator_a.post(reverse("matching:raadgivning_create"), {
            "dato": "2026-03-02", "organisation": "Skole", "art": "laerer", "emne": "Elev 0101901234",
            "varighed_min": "30"})
        assert response.status_code == 200 and "CPR-numre" in response.content.decode()
        assert Raadgivning.objects.count() == 0

    def test_only_koordinatorer(self, as_brobygger_a, as_foreningskontakt_a):
        for client in (as_brobygger_a, as_foreningskontakt_a):
            assert client.get(reverse("matching:raadgivning_list")).status_code == 403

    def test_list_paginated(self, as_koordinator_a, koordinator):
        for _i in range(30):
            raadgivning_create(actor=koordinator, data=data())
        response = as_koordinator_a.get(reverse("matching:raadgivning_list"))
        assert len(response.context["page"]) == 25 and response.context["page"].has_next()


def test_raadgivning_efter_art(koordinator, center_b, koordinator_b):
    raadgivning_create(actor=koordinator, data=data(varighed_min=90))
    raadgivning_create(actor=koordinator, data=data(art="laerer", varighed_min=30))
    raadgivning_create(actor=koordinator, data=data(dato=date(2025, 12, 1)))  # outside the period
    raadgivning_create(actor=access.actor_for(koordinator_b), data=data())  # another centre
    tabel = raadgivning_efter_art(center_ids=[koordinator.center_id], periode=Periode(date(2026, 1, 1), date(2026, 12, 31)))
    rows = {row[0]: row[1:] for row in tabel.raekker}
    assert rows["Jobcenter"] == [1, 1.5] and rows["Lærer"] == [1, 0.5] and rows["Sundhed"] == [0, 0]
    assert tabel.noegle == "raadgivning_efter_art"
