"""Attendance at the door (issue 14): the server records a state once per registration, so taps the
door page kept while offline can be replayed (static/js/fremmoede.js) without double entries."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from brobygning.access import actor_for
from brobygning.models import AuditEntry
from matching import services
from matching.models import ArrangementType, Fremmoede

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear():
    cache.clear()


@pytest.fixture
def row(koordinator_a):
    k = actor_for(koordinator_a)
    arrangement = services.arrangement_create(actor=k, data={
        "type": ArrangementType.WORKSHOP, "titel": "Workshop", "beskrivelse": "", "maalgruppe": "",
        "sted": "Salen", "online_link": "", "kapacitet": None, "offentlig": False, "ansvarlige": []},
        datoer=[(timezone.now() + timedelta(minutes=10), 120)])
    services.tilmelding_opret(actor=k, arrangement=arrangement, navn="Ole Olsen", email="ole@x.test")
    return Fremmoede.objects.get()


def _audit():
    return AuditEntry.objects.filter(handling="fremmoede.registreret").count()


def test_the_same_state_twice_is_recorded_once(as_koordinator_a, row):
    url = reverse("matching:arrangement_fremmoede_tap", args=[row.pk])
    for _ in range(3):  # a replayed queue may send a tap more than once
        r = as_koordinator_a.post(url, {"moedt": "ja"}, HTTP_HX_REQUEST="true")
        assert r.status_code == 200 and "✓ Ole Olsen" in r.content.decode()
    row.refresh_from_db()
    first = row.registreret
    assert row.moedt is True and first is not None and _audit() == 1
    as_koordinator_a.post(url, {"moedt": "ja"}, HTTP_HX_REQUEST="true")
    row.refresh_from_db()
    assert row.registreret == first  # the time of the first tap stays
    # a different state is a change; the same undo twice is one
    as_koordinator_a.post(url, {"moedt": "fortryd"}, HTTP_HX_REQUEST="true")
    as_koordinator_a.post(url, {"moedt": "fortryd"}, HTTP_HX_REQUEST="true")
    row.refresh_from_db()
    assert row.moedt is None and row.registreret is None and _audit() == 2


def test_the_door_page_carries_the_offline_queue(as_koordinator_a, row):
    page = as_koordinator_a.get(reverse("matching:arrangement_fremmoede", args=[row.dato_id])).content.decode()
    assert f'data-fremmoede-koe="{row.dato_id}"' in page and 'id="fremmoede-status"' in page
    assert "js/fremmoede.js" in page and "__N__ afventer forbindelse" in page
    assert 'data-navn="Ole Olsen"' in page
