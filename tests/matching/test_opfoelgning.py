"""Opfølgning through the services: recording the follow-ups."""


from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from borgere.models import Maaling
from brobygning.models import Paamindelse, PaamindelseStatus
from matching import services
from matching.models import LedsagelseStatus, Opfoelgning, Resultat, Stage

from ..journey_factories import attend, moved_clock, plan


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


# Danish names, written out here so the test does not share the code's formatting.
UGEDAGE = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"]
MAANEDER = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
            "november", "december"]


def dansk(d) -> str:
    return f"{UGEDAGE[d.weekday()]} {d.day}. {MAANEDER[d.month - 1]}"


@pytest.fixture
def attended(brobygger, match):
    """The first meeting took place (and is over); the three follow-ups are scheduled from it."""
    services.match_transition(actor=brobygger, match=match, til=Stage.ACCEPTERET)
    ledsagelse = attend(brobygger, match)
    match.refresh_from_db()
    return ledsagelse


def record(actor, match, type_, resultat=Resultat.DELTAGER_STADIG, **kwargs):
    opf = Opfoelgning.objects.get(match=match, type=type_)
    return services.opfoelgning_record(actor=actor, opfoelgning=opf, resultat=resultat, **kwargs)


def days_after_meeting(ledsagelse, due_type, offset):
    """How far to move the clock to land `offset` days from the follow-up's due date."""
    meeting_day = timezone.localtime(ledsagelse.tidspunkt).date()
    return (meeting_day - timezone.localdate()).days + services.OPFOELGNING_DAGE[due_type] + offset


class TestWindow:
    @pytest.mark.parametrize("type_", ["1_md", "3_md"])
    def test_too_early_is_refused_with_the_opening_day_and_nothing_changes(self, brobygger, match, attended, type_):
        record(brobygger, match, "dagen_efter")
        opf = Opfoelgning.objects.get(match=match, type=type_)
        opens = opf.forfalder - timedelta(days=services.OPFOELGNING_AABNER_DAGE_FOER[type_])
        navn = {"1_md": "Opfølgningen efter 1 måned", "3_md": "Opfølgningen efter 3 måneder"}[type_]
        # Right after the first meeting (what the issue found), and on the last day before the window.
        for days in (0, (opens - timezone.localdate()).days - 1):
            with moved_clock(days=days), pytest.raises(ValidationError) as refused:
                services.opfoelgning_record(actor=brobygger, opfoelgning=opf, resultat=Resultat.DELTAGER_STADIG)
            assert refused.value.messages == [f"{navn} kan registreres fra {dansk(opens)}."]
        opf.refresh_from_db()
        match.refresh_from_db()
        assert opf.udfoert is None and match.stage == Stage.BUDT_VELKOMMEN

    def test_in_the_window_from_its_first_day(self, brobygger, match, attended):
        record(brobygger, match, "dagen_efter")
        with moved_clock(days=days_after_meeting(attended, "1_md", -7)):
            record(brobygger, match, "1_md")
        match.refresh_from_db()
        assert match.stage == Stage.AKTIV_1_MD
        with moved_clock(days=days_after_meeting(attended, "3_md", -14)):
            record(brobygger, match, "3_md")
        match.refresh_from_db()
        assert match.stage == Stage.AKTIV_3_MD

    def test_late_is_allowed_and_shown_as_overdue(self, brobygger, match, attended, as_brobygger_a):
        record(brobygger, match, "dagen_efter")
        # As if the first meeting were 50 days ago: the 1-month follow-up is 20 days late.
        opf = Opfoelgning.objects.get(match=match, type="1_md")
        Opfoelgning.objects.filter(pk=opf.pk).update(forfalder=timezone.localdate() - timedelta(days=20))
        url = reverse("matching:opfoelgning_record", args=[opf.pk])
        page = as_brobygger_a.get(reverse("matching:match_detail", args=[match.pk])).content.decode()
        assert "forfalden" in page and url in page
        home = as_brobygger_a.get(reverse("matching:forside")).content.decode()
        assert "forfalden" in home and url in home
        response = as_brobygger_a.post(url, {"resultat": Resultat.DELTAGER_STADIG})
        match.refresh_from_db()
        assert response.status_code == 302 and match.stage == Stage.AKTIV_1_MD

    def test_day_after_waits_for_the_end_of_the_meeting(self, brobygger, match):
        services.match_transition(actor=brobygger, match=match, til=Stage.ACCEPTERET)
        ledsagelse = plan(brobygger, match)
        ledsagelse.tidspunkt = timezone.now() - timedelta(minutes=30)  # begun, not over (it lasts 120 minutes)
        ledsagelse.save()
        services.ledsagelse_outcome(actor=brobygger, ledsagelse=ledsagelse, status=LedsagelseStatus.MOEDT_OP)
        slut = timezone.localtime(ledsagelse.slut)
        with pytest.raises(ValidationError) as refused:
            record(brobygger, match, "dagen_efter")
        assert refused.value.messages == [
            f"Opfølgningen dagen efter kan registreres, når mødet er slut: fra {dansk(slut.date())} kl. "
            f"{slut:%H.%M}."]
        match.refresh_from_db()
        assert match.stage == Stage.LEDSAGET
        with moved_clock(hours=2):
            record(brobygger, match, "dagen_efter")
        match.refresh_from_db()
        assert match.stage == Stage.BUDT_VELKOMMEN


class TestStage:
    def test_each_follow_up_moves_the_match_at_the_time_it_is_recorded(self, brobygger, match, attended):
        for type_, stage in [("dagen_efter", Stage.BUDT_VELKOMMEN), ("1_md", Stage.AKTIV_1_MD),
                             ("3_md", Stage.AKTIV_3_MD)]:
            days = days_after_meeting(attended, type_, 2)  # two days late
            with moved_clock(days=days):
                record(brobygger, match, type_)
                recorded = timezone.now()
            match.refresh_from_db()
            assert match.stage == stage
            overgang = match.overgange.get(til=stage)
            assert abs(overgang.tidspunkt - recorded) < timedelta(minutes=1)  # when recorded, not when due
            assert abs(match.stage_siden - recorded) < timedelta(minutes=1)

    def test_a_skipped_follow_up_that_is_overdue_is_walked_through(self, brobygger, match, attended):
        with moved_clock(days=days_after_meeting(attended, "1_md", 0)):
            record(brobygger, match, "1_md")
        match.refresh_from_db()
        assert match.stage == Stage.AKTIV_1_MD
        steps = list(match.overgange.order_by("pk").values_list("til", flat=True))
        assert steps[-2:] == [Stage.BUDT_VELKOMMEN, Stage.AKTIV_1_MD]

    def test_three_months_cannot_pass_a_one_month_not_recorded_and_not_due(self, brobygger, match, attended):
        record(brobygger, match, "dagen_efter")
        # The 1-month follow-up was moved later by hand: it is neither recorded nor overdue at 3 months.
        Opfoelgning.objects.filter(match=match, type="1_md").update(
            forfalder=Opfoelgning.objects.get(match=match, type="3_md").forfalder + timedelta(days=5))
        with moved_clock(days=days_after_meeting(attended, "3_md", 0)):
            record(brobygger, match, "3_md")
        match.refresh_from_db()
        assert match.stage == Stage.BUDT_VELKOMMEN

    def test_a_late_earlier_follow_up_never_moves_the_match_back(self, brobygger, match, attended):
        with moved_clock(days=days_after_meeting(attended, "1_md", 0)):
            record(brobygger, match, "1_md")
            record(brobygger, match, "dagen_efter")
        match.refresh_from_db()
        assert match.stage == Stage.AKTIV_1_MD


class TestPages:
    def test_before_the_window_the_pages_say_when_and_offer_no_form(self, brobygger, match, attended,
                                                                   as_brobygger_a):
        opf = Opfoelgning.objects.get(match=match, type="1_md")
        opens = dansk(opf.forfalder - timedelta(days=7))
        url = reverse("matching:opfoelgning_record", args=[opf.pk])
        page = as_brobygger_a.get(reverse("matching:match_detail", args=[match.pk])).content.decode()
        assert f"Kan registreres fra {opens}" in page and url not in page
        page = as_brobygger_a.get(url).content.decode()
        assert f"Kan registreres fra {opens}" in page and "Gem opfølgning" not in page
        response = as_brobygger_a.post(url, {"resultat": Resultat.DELTAGER_STADIG})
        opf.refresh_from_db()
        assert response.status_code == 200 and opf.udfoert is None
        # The day the window opens (the meeting, as if 23 days ago): the form is offered.
        Opfoelgning.objects.filter(pk=opf.pk).update(forfalder=timezone.localdate() + timedelta(days=7))
        assert "Gem opfølgning" in as_brobygger_a.get(url).content.decode()
        assert url in as_brobygger_a.get(reverse("matching:forside")).content.decode()

    def test_min_dag_says_when_a_follow_up_opens(self, brobygger, match, as_brobygger_a):
        services.match_transition(actor=brobygger, match=match, til=Stage.ACCEPTERET)
        ledsagelse = plan(brobygger, match)
        ledsagelse.tidspunkt = timezone.now() - timedelta(minutes=30)  # begun, not over
        ledsagelse.save()
        services.ledsagelse_outcome(actor=brobygger, ledsagelse=ledsagelse, status=LedsagelseStatus.MOEDT_OP)
        opf = Opfoelgning.objects.get(match=match, type="dagen_efter")
        home = as_brobygger_a.get(reverse("matching:forside")).content.decode()
        assert "Kan registreres, når mødet er slut" in home
        assert reverse("matching:opfoelgning_record", args=[opf.pk]) not in home
