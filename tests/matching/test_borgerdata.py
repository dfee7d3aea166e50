"""matching's part in a borger's life (borgere.hooks): consent changes and archiving reach the meetings' påmindelser."""



from borgere import services as borger_services
from borgere.models import Formaal
from brobygning.access import actor_for
from brobygning.models import Paamindelse, PaamindelseStatus
from matching import services
from matching.models import Stage

from ..journey_factories import plan


def test_consent_given_after_planning_arms_the_borger_reminder(brobygger, match, world,
                                                               django_capture_on_commit_callbacks):
    services.match_transition(actor=brobygger, match=match, til=Stage.ACCEPTERET)
    ledsagelse = plan(brobygger, match)
    pending = Paamindelse.objects.filter(emne_type="ledsagelse", emne_id=ledsagelse.pk, art="borger_24t",
                                         status=PaamindelseStatus.AFVENTER)
    assert not pending.exists()
    with django_capture_on_commit_callbacks(execute=True):
        borger_services.samtykke_give(actor=brobygger, borger=world.borger_a, formaal=Formaal.PAAMINDELSER,
                                      maade="skriftligt")
    assert pending.exists()


def test_archiving_a_borger_cancels_their_reminders(koordinator_a, brobygger, match, world):
    services.match_transition(actor=brobygger, match=match, til=Stage.ACCEPTERET)
    ledsagelse = plan(brobygger, match)
    borger_services.borger_archive(actor=actor_for(koordinator_a), borger=world.borger_a)
    statuses = set(Paamindelse.objects.filter(emne_id=ledsagelse.pk).values_list("status", flat=True))
    assert statuses == {PaamindelseStatus.ANNULLERET}
