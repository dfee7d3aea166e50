"""A match's stages through the services: what may follow what, and who may move it."""


from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from brobygning.access import actor_for
from brobygning.models import AuditEntry
from matching import services
from matching.models import MatchOvergang, Opfoelgning, Resultat, Stage

from ..journey_factories import attend, moved_clock, plan


class TestStateMachine:
    def test_happy_path_through_the_four_elements(self, brobygger, match):
        services.match_transition(actor=brobygger, match=match, til=Stage.ACCEPTERET)
        attend(brobygger, match)
        match.refresh_from_db()
        assert match.stage == Stage.LEDSAGET and match.element == "foelgeskab"
        for opf_type, days, stage in [("dagen_efter", 1, Stage.BUDT_VELKOMMEN), ("1_md", 30, Stage.AKTIV_1_MD),
                                      ("3_md", 91, Stage.AKTIV_3_MD)]:
            opf = Opfoelgning.objects.get(match=match, type=opf_type)
            with moved_clock(days=days):  # each on its due day
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


class TestRolle:
    """Issue 11, finding 2: the role comes from the POST; only the known roles are stored."""

    @pytest.mark.parametrize("rolle", ["x" * 11, "x" * 5000, "admin", ""])
    def test_unknown_or_overlong_rolle_is_refused_and_nothing_is_saved(self, brobygger, world, rolle):
        with pytest.raises(ValidationError, match="deltager eller frivillig"):
            services.match_create(actor=brobygger, borger=world.borger_a, faellesskab=world.faellesskab_a,
                                  rolle=rolle)
        assert not world.borger_a.matches.exists()

    def test_the_page_answers_an_overlong_rolle_with_a_danish_message(self, world, as_brobygger_a):
        url = reverse("matching:match_create", args=[world.borger_a.pk])
        response = as_brobygger_a.post(url, {"faellesskab": world.faellesskab_a.pk, "rolle": "x" * 5000},
                                       follow=True)
        assert response.status_code == 200
        assert "deltager eller frivillig" in response.content.decode()
        assert not world.borger_a.matches.exists()

    def test_a_known_rolle_is_stored(self, brobygger, world):
        match = services.match_create(actor=brobygger, borger=world.borger_a, faellesskab=world.faellesskab_a,
                                      rolle="frivillig")
        assert match.rolle == "frivillig"


class TestMatchPage:
    """Issue 16: the stepper, planning from "foreslået", ending with no preselected reason, undo."""

    def test_planning_straight_from_foreslaaet_accepts_on_the_way(self, brobygger, match):
        plan(brobygger, match)
        match.refresh_from_db()
        assert match.stage == Stage.MOEDE_PLANLAGT
        steps = list(MatchOvergang.objects.filter(match=match).order_by("pk").values_list("til", flat=True))
        assert steps == [Stage.FORESLAAET, Stage.ACCEPTERET, Stage.MOEDE_PLANLAGT]

    def test_the_page_shows_the_stepper_and_the_next_action(self, match, as_brobygger_a):
        page = as_brobygger_a.get(reverse("matching:match_detail", args=[match.pk])).content.decode()
        assert page.count('<li class=""') + page.count('<li class="trin-gjort"') == 4
        assert 'aria-current="step"' in page and "Kendskab" in page
        assert reverse("matching:ledsagelse_plan", args=[match.pk]) in page  # no "Videre" click first
        assert "<title>Match med " in page
        assert '<option value="" selected>Vælg en årsag …</option>' in page

    def test_ending_needs_a_reason(self, match, as_brobygger_a):
        response = as_brobygger_a.post(reverse("matching:match_end", args=[match.pk]), {"aarsag": ""})
        assert response.status_code == 302
        match.refresh_from_db()
        assert match.stage == Stage.FORESLAAET

    def test_a_new_match_can_be_undone_for_a_while(self, match, as_brobygger_a, world):
        url = reverse("matching:match_fortryd", args=[match.pk])
        assert url in as_brobygger_a.get(reverse("matching:match_detail", args=[match.pk])).content.decode()
        response = as_brobygger_a.post(url)
        assert response.status_code == 302 and response["Location"] == world.borger_a.get_absolute_url()
        assert not type(match).objects.filter(pk=match.pk).exists()
        assert AuditEntry.objects.filter(handling="match.fortrudt", objekt_id=match.pk).exists()

    def test_undo_is_refused_once_time_has_passed_or_the_match_moved(self, brobygger, match, as_brobygger_a):
        type(match).objects.filter(pk=match.pk).update(
            oprettet=match.oprettet - timedelta(minutes=services.FORTRYD_MINUTTER + 1))
        response = as_brobygger_a.post(reverse("matching:match_fortryd", args=[match.pk]))
        assert response.status_code == 302 and type(match).objects.filter(pk=match.pk).exists()
        with pytest.raises(ValidationError):
            services.match_fortryd(actor=brobygger, match=match)

    def test_another_brobyggers_match_cannot_be_undone(self, match, as_brobygger_a2):
        response = as_brobygger_a2.post(reverse("matching:match_fortryd", args=[match.pk]))
        assert response.status_code in (403, 404)
        assert type(match).objects.filter(pk=match.pk).exists()
