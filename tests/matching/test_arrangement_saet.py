"""Arrangementer (issue 14): changes that touch every registrant are set-based. Cancelling the
event or a date, moving a date, adding a date and moving the waiting list up run the same number of
queries for 2 registrants as for 10, and keep the outbox behaviour (one "flyttet"/"aflyst" message
per person told, reminders moved or cancelled)."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from brobygning.access import actor_for
from brobygning.models import AuditEntry, Paamindelse, PaamindelseStatus
from matching import arrangement_paamindelser as arr
from matching import services
from matching.models import ArrangementType, Fremmoede, TilmeldingStatus

from .. import factories as f
from .. import journey_factories as rf

pytestmark = pytest.mark.django_db
S = PaamindelseStatus


@pytest.fixture(autouse=True)
def _channels(locmem_channels):
    cache.clear()


@pytest.fixture
def k(koordinator_a):
    return actor_for(koordinator_a)


def _arrangement(actor, *, kapacitet=None, antal=2):
    start = timezone.now() + timedelta(days=5)
    return services.arrangement_create(actor=actor, data={
        "type": ArrangementType.WORKSHOP, "titel": "Workshop", "beskrivelse": "", "maalgruppe": "",
        "sted": "Salen", "online_link": "", "kapacitet": kapacitet, "offentlig": False, "ansvarlige": []},
        datoer=[(start + timedelta(weeks=i), 120) for i in range(antal)])


def _fyld(actor, arrangement, n, center):
    """n registrants: half other people by e-mail, half borgere with the consent "paamindelser"; all
    told (their confirmation has gone out)."""
    for i in range(n):
        if i % 2:
            borger = f.BorgerFactory(center=center, email=f"b{i}@x.test", foretrukken_kanal="email")
            rf.give_consent(borger, "paamindelser")
            services.tilmelding_opret(actor=actor, arrangement=arrangement, borger=borger)
        else:
            services.tilmelding_opret(actor=actor, arrangement=arrangement, navn=f"Person {i}",
                                      email=f"p{i}@x.test")
    Paamindelse.objects.filter(art="arr_bekraeftelse").update(status=S.SENDT, sendt=timezone.now())


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def _both(k, center, action, *, kapacitet=None, n_small=2, n_big=10):
    counts = []
    for n in (n_small, n_big):
        arrangement = _arrangement(k, kapacitet=kapacitet)
        _fyld(k, arrangement, n, center)
        counts.append((_queries(lambda a=arrangement: action(a)), arrangement))
    return counts


def test_cancelling_the_event_does_not_grow_with_registrants(k, center_a):
    (small, _), (big, arrangement) = _both(k, center_a, lambda a: services.arrangement_aflys(actor=k, arrangement=a))
    assert big == small, (small, big)
    # every date of every person told: an "aflyst" message; every 24-hour reminder and evaluation cancelled
    fremmoeder = Fremmoede.objects.filter(dato__arrangement=arrangement)
    assert fremmoeder.count() == 20
    assert Paamindelse.objects.filter(emne_type=arr.EMNE_FREMMOEDE, emne_id__in=fremmoeder.values("pk"),
                                      art="arr_aflyst", status=S.AFVENTER).count() == 20
    assert not Paamindelse.objects.filter(emne_type=arr.EMNE_FREMMOEDE, emne_id__in=fremmoeder.values("pk"),
                                          art="arr_24t", status=S.AFVENTER).exists()
    assert not Paamindelse.objects.filter(emne_type=arr.EMNE_TILMELDING, art="arr_evaluering",
                                          emne_id__in=arrangement.tilmeldinger.values("pk"),
                                          status=S.AFVENTER).exists()
    assert all(d.aflyst and d.sekvens == 1 for d in arrangement.datoer.all())


def test_moving_a_date_does_not_grow_with_registrants(k, center_a):
    def flyt(a):
        dato = a.datoer.order_by("start").first()
        services.dato_flyt(actor=k, dato=dato, start=dato.start + timedelta(days=1))

    (small, _), (big, arrangement) = _both(k, center_a, flyt)
    assert big == small, (small, big)
    dato = arrangement.datoer.order_by("start").first()
    rows = Paamindelse.objects.filter(emne_type=arr.EMNE_FREMMOEDE, emne_id__in=dato.fremmoeder.values("pk"))
    assert rows.filter(art="arr_flyttet", sekvens=1, status=S.AFVENTER, begivenhed=dato.start).count() == 10
    assert rows.filter(art="arr_24t", status=S.AFVENTER, forfalder=dato.start - timedelta(hours=24)).count() == 10


def test_moving_twice_replaces_the_pending_message(k, center_a):
    arrangement = _arrangement(k, antal=1)
    _fyld(k, arrangement, 4, center_a)
    dato = arrangement.datoer.get()
    services.dato_flyt(actor=k, dato=dato, start=dato.start + timedelta(days=1))
    services.dato_flyt(actor=k, dato=dato, start=dato.start + timedelta(days=2))
    rows = Paamindelse.objects.filter(art="arr_flyttet")
    assert rows.filter(sekvens=1, status=S.ANNULLERET).count() == 4
    assert rows.filter(sekvens=2, status=S.AFVENTER).count() == 4


def test_cancelling_a_date_does_not_grow_with_registrants(k, center_a):
    (small, _), (big, arrangement) = _both(
        k, center_a, lambda a: services.dato_aflys(actor=k, dato=a.datoer.order_by("start").first()))
    assert big == small, (small, big)
    dato = arrangement.datoer.order_by("start").first()
    assert Paamindelse.objects.filter(emne_type=arr.EMNE_FREMMOEDE, emne_id__in=dato.fremmoeder.values("pk"),
                                      art="arr_aflyst", status=S.AFVENTER).count() == 10
    # the other date's reminders are untouched
    other = arrangement.datoer.order_by("start").last()
    assert Paamindelse.objects.filter(emne_type=arr.EMNE_FREMMOEDE, emne_id__in=other.fremmoeder.values("pk"),
                                      art="arr_24t", status=S.AFVENTER).count() == 10


def test_adding_a_date_does_not_grow_with_registrants(k, center_a):
    (small, _), (big, arrangement) = _both(
        k, center_a, lambda a: services.dato_tilfoej(actor=k, arrangement=a, start=timezone.now() + timedelta(days=30)))
    assert big == small, (small, big)
    ny = arrangement.datoer.order_by("start").last()
    assert ny.fremmoeder.count() == 10
    assert Paamindelse.objects.filter(emne_type=arr.EMNE_FREMMOEDE, emne_id__in=ny.fremmoeder.values("pk"),
                                      art="arr_24t", status=S.AFVENTER).count() == 10


def test_raising_capacity_moves_many_up_in_the_same_queries(k, center_a):
    def raise_(a):
        services.arrangement_update(actor=k, arrangement=a, data={"kapacitet": 12})

    (small, _), (big, arrangement) = _both(k, center_a, raise_, kapacitet=1, n_small=3, n_big=11)
    assert big == small, (small, big)
    tilmeldinger = arrangement.tilmeldinger.order_by("tilmeldt", "pk")
    assert all(t.status == TilmeldingStatus.TILMELDT for t in tilmeldinger)
    moved = list(tilmeldinger)[1:]
    assert Paamindelse.objects.filter(emne_type=arr.EMNE_TILMELDING, art="arr_rykket_op",
                                      emne_id__in=[t.pk for t in moved], status=S.AFVENTER).count() == 10
    assert Fremmoede.objects.filter(tilmelding__in=moved).count() == 20
    assert AuditEntry.objects.filter(handling="tilmelding.rykket_op",
                                     objekt_id__in=[str(t.pk) for t in moved]).count() == 10


def test_capacity_raised_by_some_moves_the_oldest_only(k, center_a):
    arrangement = _arrangement(k, kapacitet=1)
    _fyld(k, arrangement, 5, center_a)
    services.arrangement_update(actor=k, arrangement=arrangement, data={"kapacitet": 3})
    statuses = list(arrangement.tilmeldinger.order_by("tilmeldt", "pk").values_list("status", flat=True))
    assert statuses == [TilmeldingStatus.TILMELDT] * 3 + [TilmeldingStatus.VENTELISTE] * 2
