"""Issue 15: påmindelser at national scale. Old sent, cancelled and missed rows are purged (never
those about a meeting still planned or ahead, nor an open follow-up), and the koordinator's tab
counts stop at a cap instead of counting the centre's whole history."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from brobygning import paamindelser as dispatch
from brobygning.models import Paamindelse
from brobygning.views import paamindelser as paamindelse_views
from matching import paamindelser
from matching.models import LedsagelseStatus, Moedesvar, Resultat, Stage

from .. import journey_factories as rf

pytestmark = pytest.mark.django_db

DAGE = 90


def _row(subject, emne_type="ledsagelse", *, art="brobygger_24t", status="sendt", days_ago=DAGE + 10, sekvens=0):
    when = timezone.now() - timedelta(days=days_ago)
    return Paamindelse.objects.create(
        center=subject.center, emne_type=emne_type, emne_id=subject.pk, art=art, sekvens=sekvens, kanal="email",
        status=status, forfalder=when, sendt=when if status == "sendt" else None)


def _meeting(center, *, status=LedsagelseStatus.MOEDT_OP, days=-200):
    return rf.LedsagelseFactory(match__borger__center=center, center=center, status=status,
                                tidspunkt=timezone.now() + timedelta(days=days))


@pytest.fixture(autouse=True)
def _period(settings):
    settings.PAAMINDELSE_OPBEVARING_DAGE = DAGE


def test_old_sent_cancelled_and_missed_rows_are_purged_but_failed_and_recent_ones_stay(center_a):
    done = _meeting(center_a)
    old = [_row(done, art="brobygger_24t"), _row(done, art="borger_24t", status="annulleret"),
           _row(done, art="vaert_48t", status="forpasset"), _row(done, art="aflyst_borger", sekvens=1)]
    failed = _row(done, art="brobygger_2t", status="fejlet")
    recent = _row(done, art="borger_straks", days_ago=DAGE - 5)
    svar = Moedesvar.objects.create(center=center_a, ledsagelse=done, modtager="borger", kanal="sms", nonce="n",
                                    paamindelse=old[0])
    assert dispatch.purge_old() == len(old)
    assert set(Paamindelse.objects.values_list("pk", flat=True)) == {failed.pk, recent.pk}
    svar.refresh_from_db()
    assert svar.paamindelse_id is None  # the answer stays; only its link to the purged row goes


def test_rows_of_a_meeting_still_planned_or_ahead_and_of_an_open_follow_up_are_kept(center_a):
    """Those rows decide who was already told about a meeting (`matching.paamindelser.told`), and a
    sync must find the sent ones, or it would plan them again."""
    silent = _meeting(center_a, status=LedsagelseStatus.PLANLAGT)  # planned, long past: the silence alarm's
    ahead = _meeting(center_a, status=LedsagelseStatus.AFLYST, days=30)
    kept = [_row(silent, art="borger_24t"), _row(silent, art="flyttet_borger", sekvens=1),
            _row(ahead, art="borger_24t"), _row(ahead, art="vaert_48t", status="annulleret")]
    open_match = rf.MatchFactory(borger__center=center_a, center=center_a, stage=Stage.LEDSAGET)
    open_opf = rf.OpfoelgningFactory(match=open_match, forfalder=timezone.localdate() - timedelta(days=120))
    kept.append(_row(open_opf, "opfoelgning", art="opfoelgning"))
    done_opf = rf.OpfoelgningFactory(match=open_match, type="en_maaned", udfoert=timezone.now() - timedelta(days=100),
                                     resultat=Resultat.DELTAGER_STADIG)
    purged = _row(done_opf, "opfoelgning", art="opfoelgning")
    told_before = {m: paamindelser.told(silent, m) for m in (paamindelser.BORGER, paamindelser.VAERT)}

    assert dispatch.purge_old() == 1
    assert not Paamindelse.objects.filter(pk=purged.pk).exists()
    assert set(Paamindelse.objects.values_list("pk", flat=True)) == {r.pk for r in kept}
    assert {m: paamindelser.told(silent, m) for m in told_before} == told_before == {
        paamindelser.BORGER: True, paamindelser.VAERT: False}
    # A sync of the planned meeting finds its sent reminder and plans nothing again.
    assert paamindelser.sync_ledsagelse(silent) is not None
    assert Paamindelse.objects.filter(emne_id=silent.pk, art="borger_24t").count() == 1


def test_the_purge_goes_in_bounded_batches_and_runs_daily_from_beat(center_a, settings):
    done = _meeting(center_a)
    for art in ("brobygger_24t", "brobygger_2t", "borger_24t", "borger_2t", "vaert_48t"):
        _row(done, art=art)
    assert dispatch.purge_old(batch_size=2, max_batches=1) == 2
    assert dispatch.purge_old(batch_size=2, max_batches=5) == 3
    assert dispatch.purge_old() == 0
    entry = settings.CELERY_BEAT_SCHEDULE["purge-paamindelser"]
    assert entry["task"] == "brobygning.tasks.purge_paamindelser" and entry["schedule"] == 24 * 3600.0


def test_tab_counts_stop_at_a_cap_and_the_page_does_not_grow(as_koordinator_a, world, monkeypatch,
                                                             django_assert_max_num_queries):
    monkeypatch.setattr(paamindelse_views, "TAELLER_LOFT", 4)
    done = _meeting(world.center_a)
    arts = [f"x{i}" for i in range(40)]
    for art in arts[:3]:
        _row(done, art=art, days_ago=1)
    url = reverse("brobygning:paamindelse_list") + "?vis=sendt"
    as_koordinator_a.get(url)
    with django_assert_max_num_queries(30) as few:
        response = as_koordinator_a.get(url)
    assert ("sendt", 3, "3") in [(k, n, shown) for k, _l, n, shown in response.context["tabs"]]
    for art in arts[3:]:
        _row(done, art=art, days_ago=1)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = as_koordinator_a.get(url)
    assert ("sendt", 5, "4+") in [(k, n, shown) for k, _l, n, shown in response.context["tabs"]]
    assert len(response.context["rows"]) == 25
