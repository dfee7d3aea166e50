"""The samtale through the services: what it records and what it changes on the borger."""


from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from borgere import services as borger_services
from borgere.models import BorgerStatus, Formaal, Maaling, Samtale
from brobygning.models import Paamindelse, PaamindelseStatus
from matching import services
from matching.models import Match, Stage

from .. import factories as f
from ..journey_factories import plan


class TestSamtale:
    def test_samtale_updates_the_borger_and_records_measures(self, brobygger, world):
        borger = world.borger_a
        borger_services.samtykke_give(actor=brobygger, borger=borger, formaal=Formaal.MAALINGER, maade="mundtligt")
        strik = f.tag("interesse", "strik")
        borger_services.samtale_create(
            actor=brobygger, borger=borger,
            data={"dato": timezone.localdate(), "type": "foerste", "varighed_min": 40, "oensker": "Strikke",
                  "noter": "", "naeste_skridt": "Find en strikkeklub"},
            borger_data={"interesser": [strik], "barrierer": [], "tilgaengelighedsbehov": [],
                         "tilgaengelighed": ["1-eftermiddag"], "oensket_rolle": "deltager"},
            maalinger=[("who5", [2, 2, 3, 2, 1]), ("ucla3", [3, 2, 3])],
        )
        borger.refresh_from_db()
        assert list(borger.interesser.all()) == [strik] and borger.tilgaengelighed == ["1-eftermiddag"]
        assert borger.status == BorgerStatus.AKTIV
        scores = {m.type: (m.score, m.bekymrende) for m in Maaling.objects.all()}
        assert scores == {"who5": (40, True), "ucla3": (8, True)}

    def test_bad_measure_rolls_back_the_samtale(self, brobygger, world):
        borger_services.samtykke_give(actor=brobygger, borger=world.borger_a, formaal=Formaal.MAALINGER,
                                      maade="skriftligt")
        with pytest.raises(ValidationError):
            borger_services.samtale_create(
                actor=brobygger, borger=world.borger_a,
                data={"dato": timezone.localdate(), "type": "telefon", "varighed_min": 10},
                borger_data={"oensket_rolle": "frivillig"}, maalinger=[("who5", [9, 9, 9, 9, 9])],
            )
        world.borger_a.refresh_from_db()
        assert Samtale.objects.count() == 0 and world.borger_a.oensket_rolle == "deltager"

    def test_withdrawn_consent_cancels_borger_reminders(self, brobygger, match, world, django_capture_on_commit_callbacks):
        borger = world.borger_a
        samtykke = borger_services.samtykke_give(actor=brobygger, borger=borger, formaal=Formaal.PAAMINDELSER,
                                                 maade="mundtligt")
        services.match_transition(actor=brobygger, match=match, til=Stage.ACCEPTERET)
        ledsagelse = plan(brobygger, match)
        borger_row = Paamindelse.objects.get(emne_type="ledsagelse", emne_id=ledsagelse.pk, art="borger_24t")
        assert borger_row.status == PaamindelseStatus.AFVENTER
        with django_capture_on_commit_callbacks(execute=True):
            borger_services.samtykke_withdraw(actor=brobygger, samtykke=samtykke)
        borger_row.refresh_from_db()
        assert borger_row.status == PaamindelseStatus.ANNULLERET
        assert not Match.objects.filter(stage=Stage.AFSLUTTET).exists()


class TestMeasuresOnThePage:
    """Issue 16: a failed measure is not hidden in a closed <details>, and a score has a meaning."""

    def test_a_half_filled_scale_opens_its_section(self, brobygger, world, as_brobygger_a):
        borger_services.samtykke_give(actor=brobygger, borger=world.borger_a, formaal=Formaal.MAALINGER,
                                      maade="mundtligt")
        url = reverse("borgere:samtale_create", args=[world.borger_a.pk])
        assert '<details class="mb-3">' in as_brobygger_a.get(url).content.decode()
        page = as_brobygger_a.post(url, {"who5-q0": "3"}).content.decode()
        assert '<details class="mb-3" open>' in page
        assert "Besvar alle spørgsmål, eller lad skalaen stå tom." in page
        assert Samtale.objects.count() == 0

    @pytest.mark.parametrize(("type_", "svar", "niveau", "tekst"), [
        ("who5", [1, 1, 1, 2, 2], "danger", "Mulig depression"),  # 28
        ("who5", [2, 2, 2, 3, 3], "warn", "Lav trivsel"),         # 48
        ("who5", [3, 3, 3, 3, 3], "ok", "God trivsel"),           # 60
        ("ucla3", [2, 2, 2], "warn", "Føler sig ensom"),          # 6
        ("ucla3", [1, 1, 2], "ok", "Føler sig sjældent ensom"),   # 4
    ])
    def test_the_score_has_a_meaning(self, type_, svar, niveau, tekst):
        maaling = Maaling(type=type_, svar=svar)
        assert maaling.tolkning["niveau"] == niveau and str(maaling.tolkning["tekst"]) == tekst
        assert 0 <= maaling.hoejde <= 10
        if niveau != "ok":
            assert maaling.tolkning["raad"]

    def test_the_borger_page_shows_meaning_advice_and_trend(self, brobygger, world, as_brobygger_a):
        borger_services.samtykke_give(actor=brobygger, borger=world.borger_a, formaal=Formaal.MAALINGER,
                                      maade="mundtligt")
        Maaling.objects.create(center=world.center_a, borger=world.borger_a, type="who5", svar=[4, 4, 4, 4, 4],
                               dato=timezone.localdate() - timedelta(days=40))
        Maaling.objects.create(center=world.center_a, borger=world.borger_a, type="who5", svar=[2, 2, 2, 2, 2])
        page = as_brobygger_a.get(reverse("borgere:borger_detail", args=[world.borger_a.pk])).content.decode()
        assert 'class="status status-warn">Lav trivsel' in page
        assert "Hvad du gør:" in page and "seneste 40, i dag" in page
        assert '<span class="h8"></span><span class="h4"></span>' in page
        assert "Ændring siden første måling: -40" in page
