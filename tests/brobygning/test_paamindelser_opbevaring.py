"""Issue 15: påmindelser at national scale. Old sent, cancelled and missed rows are purged (never
those about a meeting still planned or ahead, nor an open follow-up), and the koordinator's tab
counts stop at a cap instead of counting the centre's whole history."""

import re
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


# The table's rows as the template's loop wrote them before `_raekker` wrote them in Python.
_GAMMEL_LOEKKE = """{% load i18n %}{% translate "Til" as til %}{% translate "Kanal" as kanal %}{% translate "Forsøg" as forsoeg %}
  {% for d in rows %}
    <tr>
      <td>{{ d.tid }}
        {% if d.row.status == "sender" %}<span class="badge text-bg-info">{% translate "sendes nu" %}</span>{% endif %}</td>
      <td><span class="d-sm-none text-body-secondary">{{ til }}: </span>{{ d.modtager }}</td>
      <td>{{ d.art }}</td>
      <td><span class="d-sm-none text-body-secondary">{{ kanal }}: </span>{{ d.kanal }}</td>
      <td>{% if d.url %}<a href="{{ d.url }}">{{ d.emne }}</a>{% else %}{{ d.emne }}{% endif %}</td>
      {% if aktiv != "sendt" %}<td><span class="d-sm-none text-body-secondary">{{ forsoeg }}: </span>{{ d.row.forsoeg }}</td>{% endif %}
      {% if aktiv == "fejlet" or aktiv == "annulleret" or aktiv == "kommende" %}<td class="text-break small">{{ d.row.sidste_fejl|default:"–" }}</td>{% endif %}
      {% if aktiv == "fejlet" %}
      <td>
        <form method="post" action="{% url 'brobygning:paamindelse_retry' d.row.pk %}">{% csrf_token %}
          <button type="submit" class="btn btn-sm btn-outline-primary">{% translate "Prøv igen" %}</button>
        </form>
      </td>
      {% endif %}
    </tr>
  {% endfor %}"""


@pytest.mark.parametrize("sprog", ["da", "en"])
def test_the_tables_rows_written_in_python_are_what_the_templates_loop_wrote(as_koordinator_a, world, sprog):
    """Every tab's rows (a row being sent, a failed one with its error and retry form, a cancelled one,
    a subject deleted, markup in a name) are byte for byte what the template's loop wrote."""
    from django.template import engines
    from django.test import RequestFactory
    from django.utils import translation

    meeting = _meeting(world.center_a, days=2)
    meeting.match.borger.fornavn = '<b>Ane & "Bo"</b>'
    meeting.match.borger.save()
    rows = [_row(meeting, art="brobygger_24t", status="sendt", days_ago=1),
            _row(meeting, art="borger_24t", status="sender", days_ago=0),
            _row(meeting, art="borger_2t", status="afventer", days_ago=0),
            _row(meeting, art="vaert_48t", status="fejlet", days_ago=3),
            _row(meeting, art="brobygger_2t", status="annulleret", days_ago=3),
            _row(meeting, art="ukendt_art", status="forpasset", days_ago=3)]
    Paamindelse.objects.filter(pk=rows[3].pk).update(sidste_fejl="SMTPError: <nej> & 'x'", forsoeg=5)
    Paamindelse.objects.filter(pk=rows[4].pk).update(sidste_fejl="Borgeren har trukket samtykket tilbage")
    Paamindelse.objects.create(center=world.center_a, emne_type="ledsagelse", emne_id=10**9, art="x",
                                         kanal="sms", status="fejlet", forfalder=timezone.now())
    request = RequestFactory().get("/")
    gammel = engines["django"].from_string(_GAMMEL_LOEKKE)
    with translation.override(sprog):
        for aktiv, _label, statuses, orden in paamindelse_views.TABS:
            described = dispatch.describe(Paamindelse.objects.filter(status__in=statuses).order_by(*orden))
            assert described or aktiv not in ("sendt", "fejlet"), aktiv
            ny = paamindelse_views._raekker(request, described, aktiv)
            forventet = gammel.render({"rows": described, "aktiv": aktiv}, request)
            token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')  # masked anew on each read
            assert token.sub("T", "  " + ny) == token.sub("T", forventet.split("\n", 1)[1]), aktiv
            assert (aktiv == "fejlet") == ("csrfmiddlewaretoken" in ny)
