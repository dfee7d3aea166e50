"""Opfølgning through the services: recording the follow-ups."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from borgere.models import Maaling
from brobygning.access import actor_for
from brobygning.models import Paamindelse, PaamindelseStatus
from matching import services
from matching.models import LedsagelseStatus, Opfoelgning, Resultat, Stage


@pytest.fixture
def brobygger(world, brobygger_a):
    return actor_for(brobygger_a)


@pytest.fixture
def match(brobygger, world):
    return services.match_create(actor=brobygger, borger=world.borger_a, faellesskab=world.faellesskab_a)


def plan(actor, match, when=None, **extra):
    data = {"tidspunkt": when or timezone.now() + timedelta(days=3), "varighed_min": 120,
            "moedested": "Ved indgangen", "transport": "", "brobygger": actor.user, "velkomstnote": ""}
    data.update(extra)
    return services.ledsagelse_plan(actor=actor, match=match, data=data)


def attend(actor, match):
    ledsagelse = plan(actor, match)
    ledsagelse.tidspunkt = timezone.now() - timedelta(hours=1)  # the meeting has happened
    ledsagelse.save()
    return services.ledsagelse_outcome(actor=actor, ledsagelse=ledsagelse, status=LedsagelseStatus.MOEDT_OP)


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
