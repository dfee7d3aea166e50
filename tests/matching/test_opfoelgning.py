"""Opfølgning through the services: recording the follow-ups."""


import pytest
from django.core.exceptions import ValidationError

from borgere.models import Maaling
from brobygning.models import Paamindelse, PaamindelseStatus
from matching import services
from matching.models import Opfoelgning, Resultat, Stage

from ..journey_factories import attend


class TestOpfoelgning:
    def test_stopped_needs_a_reason_and_ends_the_match(self, brobygger, match):
        services.match_transition(actor=brobygger, match=match, til=Stage.ACCEPTERET)
        attend(brobygger, match)
        opf = Opfoelgning.objects.get(match=match, type="dagen_efter")
        with pytest.raises(ValidationError):
            services.opfoelgning_record(actor=brobygger, opfoelgning=opf, resultat=Resultat.STOPPET)
        opf.refresh_from_db()
        assert opf.udfoert is None
        services.opfoelgning_record(actor=brobygger, opfoelgning=opf, resultat=Resultat.STOPPET, aarsag="For langt")
        match.refresh_from_db()
        assert match.stage == Stage.AFSLUTTET and match.afslutningsnote == "For langt"
        pending = Paamindelse.objects.filter(emne_type="opfoelgning", status=PaamindelseStatus.AFVENTER)
        assert not pending.exists()

    def test_measure_without_consent_saves_nothing(self, brobygger, match):
        services.match_transition(actor=brobygger, match=match, til=Stage.ACCEPTERET)
        attend(brobygger, match)
        opf = Opfoelgning.objects.get(match=match, type="dagen_efter")
        with pytest.raises(ValidationError, match="samtykke"):
            services.opfoelgning_record(actor=brobygger, opfoelgning=opf, resultat=Resultat.DELTAGER_STADIG,
                                        maalinger=[("who5", [3, 3, 3, 3, 3])])
        opf.refresh_from_db()
        assert opf.udfoert is None and Maaling.objects.count() == 0
