"""The samtale through the services: what it records and what it changes on the borger."""


import pytest
from django.core.exceptions import ValidationError
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
