"""Issue 15: `Opfoelgning.match_aaben` says whether the follow-up's match is open, so the koordinator's
overdue lists and their capped counts read one partial index instead of probing each follow-up's match.
Every writer of a match's stage or of a follow-up keeps it right (the national COPY: test_seed_national)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from brobygning.access import actor_for
from matching import forside, selectors, services
from matching.models import Afslutningsaarsag, Match, Opfoelgning, Stage

from .. import factories as f
from .. import journey_factories as rf

pytestmark = pytest.mark.django_db


def opfoelgning(world, brobygger, *, stage=Stage.LEDSAGET, dage=-9, **kw):
    borger = f.BorgerFactory(center=world.center_a, brobygger=brobygger)
    match = rf.MatchFactory(borger=borger, center=world.center_a, faellesskab=world.faellesskab_a, stage=stage)
    return rf.OpfoelgningFactory(match=match, center=world.center_a,
                                 forfalder=timezone.localdate() + timedelta(days=dage), **kw)


def flag(opf) -> bool:
    return Opfoelgning.objects.values_list("match_aaben", flat=True).get(pk=opf.pk)


def test_a_new_follow_up_takes_its_matchs_stage(world, brobygger_a):
    assert flag(opfoelgning(world, brobygger_a)) is True
    assert flag(opfoelgning(world, brobygger_a, stage=Stage.AFSLUTTET)) is False


def test_closing_a_match_closes_its_follow_ups_for_the_overview(world, koordinator_a, brobygger_a):
    opf = opfoelgning(world, brobygger_a)
    udfoert = rf.OpfoelgningFactory(match=opf.match, center=world.center_a, type="1_md",
                                    forfalder=timezone.localdate(), udfoert=timezone.now())
    andet = opfoelgning(world, brobygger_a)
    koordinator = actor_for(koordinator_a)

    def forfaldne():
        return set(selectors.due_opfoelgninger(actor=koordinator, within_days=0).values_list("pk", flat=True))

    assert forfaldne() == {opf.pk, andet.pk}
    services.match_transition(actor=koordinator, match=opf.match, til=Stage.AFSLUTTET,
                              aarsag=Afslutningsaarsag.values[0])
    assert (flag(opf), flag(udfoert), flag(andet)) == (False, False, True)
    assert forfaldne() == {andet.pk}
    data = forside.koordinator_overblik(actor=koordinator)
    assert [o.pk for o in data["forfaldne"].rows] == [andet.pk] and data["forfaldne"].antal == 1
    assert [o.pk for o in data["stille_opfoelgninger"].rows] == [andet.pk]
    # the brobygger's list joins the match: the same follow-ups
    assert [o.pk for o in forside.min_dag(actor=actor_for(brobygger_a))["opfoelgninger"].rows] == [andet.pk]


def test_a_stage_saved_any_way_through_the_model_is_kept(world, brobygger_a):
    # the admin and the tests' factories save the match: `Match.save` keeps the flag
    opf = opfoelgning(world, brobygger_a)
    match = Match.objects.get(pk=opf.match_id)
    match.stage = Stage.AFSLUTTET
    match.save(update_fields=["afslutningsnote"])  # the stage not saved: nothing changes
    assert flag(opf) is True
    match.save()
    assert flag(opf) is False
    match.stage = Stage.AKTIV_1_MD  # not a step the services allow, but a save keeps the two in step
    match.save(update_fields=["stage"])
    assert flag(opf) is True
