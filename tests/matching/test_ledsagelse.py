"""Ledsagelse through the services: planning, changing and recording the first meeting."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from brobygning.models import Paamindelse, PaamindelseStatus
from matching import services
from matching.models import LedsagelseStatus, Opfoelgning, Stage

from ..journey_factories import attend, plan


class TestLedsagelse:
    def test_planning_moves_the_match_and_sets_reminders(self, brobygger, match):
        services.match_transition(actor=brobygger, match=match, til=Stage.ACCEPTERET)
        ledsagelse = plan(brobygger, match)
        match.refresh_from_db()
        assert match.stage == Stage.MOEDE_PLANLAGT
        arter = set(Paamindelse.objects.filter(emne_type="ledsagelse", emne_id=ledsagelse.pk,
                                               status=PaamindelseStatus.AFVENTER).values_list("art", flat=True))
        assert {"brobygger_24t", "brobygger_2t"} <= arter

    def test_moving_the_meeting_moves_pending_reminders(self, brobygger, match):
        services.match_transition(actor=brobygger, match=match, til=Stage.ACCEPTERET)
        ledsagelse = plan(brobygger, match)
        row = Paamindelse.objects.get(emne_type="ledsagelse", emne_id=ledsagelse.pk, art="brobygger_2t")
        new_time = ledsagelse.tidspunkt + timedelta(days=2)
        services.ledsagelse_update(actor=brobygger, ledsagelse=ledsagelse, data={"tidspunkt": new_time})
        row.refresh_from_db()
        assert row.forfalder == new_time - timedelta(hours=2)

    def test_no_show_goes_back_to_accepted_and_a_new_time_can_be_planned(self, brobygger, match):
        services.match_transition(actor=brobygger, match=match, til=Stage.ACCEPTERET)
        ledsagelse = plan(brobygger, match)
        services.ledsagelse_outcome(actor=brobygger, ledsagelse=ledsagelse, status=LedsagelseStatus.AFLYST)
        match.refresh_from_db()
        assert match.stage == Stage.ACCEPTERET
        assert not Paamindelse.objects.filter(emne_id=ledsagelse.pk, emne_type="ledsagelse",
                                              status=PaamindelseStatus.AFVENTER).exists()
        plan(brobygger, match)
        match.refresh_from_db()
        assert match.stage == Stage.MOEDE_PLANLAGT

    def test_past_time_and_double_planning_are_refused(self, brobygger, match):
        services.match_transition(actor=brobygger, match=match, til=Stage.ACCEPTERET)
        with pytest.raises(ValidationError, match="fremtiden"):
            plan(brobygger, match, when=timezone.now() - timedelta(hours=1))
        assert not match.ledsagelser.exists()
        plan(brobygger, match)
        with pytest.raises(ValidationError, match="allerede planlagt"):
            plan(brobygger, match)

    def test_cannot_record_attendance_before_the_meeting(self, brobygger, match):
        services.match_transition(actor=brobygger, match=match, til=Stage.ACCEPTERET)
        ledsagelse = plan(brobygger, match)
        with pytest.raises(ValidationError, match="ikke begyndt"):
            services.ledsagelse_outcome(actor=brobygger, ledsagelse=ledsagelse, status=LedsagelseStatus.MOEDT_OP)

    def test_attending_schedules_three_followups(self, brobygger, match):
        services.match_transition(actor=brobygger, match=match, til=Stage.ACCEPTERET)
        ledsagelse = attend(brobygger, match)
        today = timezone.localtime(ledsagelse.tidspunkt).date()  # counted from the meeting's own date
        due = dict(Opfoelgning.objects.filter(match=match).values_list("type", "forfalder"))
        assert due == {"dagen_efter": today + timedelta(days=1), "1_md": today + timedelta(days=30),
                       "3_md": today + timedelta(days=91)}
