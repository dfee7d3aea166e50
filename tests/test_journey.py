"""The brobygning journey through the services: match stages, ledsagelse, follow-ups, samtaler, consent."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from borgere import services as borger_services
from borgere.models import BorgerStatus, Formaal, Maaling, Samtale
from brobygning.access import actor_for
from brobygning.models import AuditEntry, Paamindelse, PaamindelseStatus
from matching import services
from matching.models import LedsagelseStatus, Match, MatchOvergang, Opfoelgning, Resultat, Stage

from . import factories as f

pytestmark = pytest.mark.django_db


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


class TestStateMachine:
    def test_happy_path_through_the_four_elements(self, brobygger, match):
        services.match_transition(actor=brobygger, match=match, til=Stage.ACCEPTERET)
        attend(brobygger, match)
        match.refresh_from_db()
        assert match.stage == Stage.LEDSAGET and match.element == "foelgeskab"
        for opf_type, stage in [("dagen_efter", Stage.BUDT_VELKOMMEN), ("1_md", Stage.AKTIV_1_MD),
                                ("3_md", Stage.AKTIV_3_MD)]:
            opf = Opfoelgning.objects.get(match=match, type=opf_type)
            services.opfoelgning_record(actor=brobygger, opfoelgning=opf, resultat=Resultat.DELTAGER_STADIG)
            match.refresh_from_db()
            assert match.stage == stage
        assert match.element == "faellesskab"
        steps = list(MatchOvergang.objects.filter(match=match).values_list("til", flat=True))
        assert steps == ["foreslaaet", "accepteret", "moede_planlagt", "ledsaget", "budt_velkommen",
                         "aktiv_1_md", "aktiv_3_md"]
        assert all(o.actor_id == brobygger.user.pk for o in MatchOvergang.objects.filter(match=match))
        assert AuditEntry.objects.filter(objekt_type="match", handling__startswith="match.fase.").count() == 6

    @pytest.mark.parametrize("til", [Stage.MOEDE_PLANLAGT, Stage.LEDSAGET, Stage.BUDT_VELKOMMEN, Stage.AKTIV_3_MD])
    def test_illegal_transitions_are_refused_with_a_message(self, brobygger, match, til):
        with pytest.raises(ValidationError, match="kan ikke gå fra"):
            services.match_transition(actor=brobygger, match=match, til=til)
        match.refresh_from_db()
        assert match.stage == Stage.FORESLAAET and match.overgange.count() == 1

    def test_ending_needs_a_reason_and_is_final(self, brobygger, match):
        with pytest.raises(ValidationError):
            services.match_transition(actor=brobygger, match=match, til=Stage.AFSLUTTET)
        services.match_transition(actor=brobygger, match=match, til=Stage.AFSLUTTET, aarsag="borger_nej")
        with pytest.raises(ValidationError):
            services.match_transition(actor=brobygger, match=match, til=Stage.ACCEPTERET)

    def test_only_one_open_match_per_faellesskab(self, brobygger, match, world):
        with pytest.raises(ValidationError, match="allerede et åbent match"):
            services.match_create(actor=brobygger, borger=world.borger_a, faellesskab=world.faellesskab_a)
        services.match_transition(actor=brobygger, match=match, til=Stage.AFSLUTTET, aarsag="andet")
        services.match_create(actor=brobygger, borger=world.borger_a, faellesskab=world.faellesskab_a)

    def test_other_brobygger_and_other_centre_cannot_move_it(self, match, brobygger_a2, koordinator_b):
        with pytest.raises(PermissionDenied):
            services.match_transition(actor=actor_for(brobygger_a2), match=match, til=Stage.ACCEPTERET)
        with pytest.raises(Exception) as info:
            services.match_transition(actor=actor_for(koordinator_b), match=match, til=Stage.ACCEPTERET)
        assert info.type.__name__ == "Http404"


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


def test_consent_records_the_text_version_the_borger_was_shown(brobygger, world, koordinator_a):
    from borgere.models import SamtykkeTekst

    first = borger_services.samtykke_give(actor=brobygger, borger=world.borger_a, formaal=Formaal.MAALINGER,
                                          maade="mundtligt")
    assert first.tekst.version == 1 and "trivsel" in first.tekst.tekst
    SamtykkeTekst.objects.create(center_id=world.borger_a.center_id, formaal=Formaal.MAALINGER, version=2,
                                 tekst="Ny tekst om målinger")
    borger_services.samtykke_withdraw(actor=brobygger, samtykke=first)
    second = borger_services.samtykke_give(actor=brobygger, borger=world.borger_a, formaal=Formaal.MAALINGER,
                                           maade="skriftligt")
    first.refresh_from_db()
    assert (first.tekst.version, second.tekst.version) == (1, 2)  # the old consent keeps its text
