"""Retention (issue 14): the name and e-mail of registrants who are no borger and no user are erased
ARRANGEMENT_OFFENTLIG_OPBEVARING_DAGE days after the arrangement's last date, by a daily beat task;
the rows, attendance and evaluation scores stay for the counts."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.utils import timezone

from brobygning.access import actor_for, actor_for_system
from brobygning.models import AuditEntry
from matching import services, tasks
from matching.arrangementer import kursus_gennemfoert
from matching.models import ArrangementType, Evaluering, Fremmoede, Tilmelding, TilmeldingKilde

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear():
    cache.clear()


@pytest.fixture
def k(koordinator_a):
    return actor_for(koordinator_a)


def _held(k, *, slut_dage_siden: float, antal=1, titel="Workshop"):
    """An arrangement whose last date started `slut_dage_siden` days ago (dates moved into the past
    after registration, which the form would refuse)."""
    arrangement = services.arrangement_create(actor=k, data={
        "type": ArrangementType.WORKSHOP, "titel": titel, "beskrivelse": "", "maalgruppe": "",
        "sted": "Salen", "online_link": "", "kapacitet": None, "offentlig": True, "ansvarlige": []},
        datoer=[(timezone.now() + timedelta(days=1 + i), 120) for i in range(antal)])
    return arrangement


def _flyt_tilbage(arrangement, now, slut_dage_siden):
    datoer = list(arrangement.datoer.order_by("start"))
    for i, dato in enumerate(reversed(datoer)):
        dato.start = now - timedelta(days=slut_dage_siden + 30 * i)
        dato.save(update_fields=["start"])


def test_the_boundary_and_what_stays(k, world, foreningskontakt_a, settings):
    settings.ARRANGEMENT_OFFENTLIG_OPBEVARING_DAGE = 90
    now = timezone.now()
    arrangement = _held(k, slut_dage_siden=0, antal=2)
    offentlig = services.tilmelding_opret(actor=actor_for_system(world.center_a), arrangement=arrangement,
                                          navn="Ole Olsen", email="ole@x.test", kilde=TilmeldingKilde.OFFENTLIG,
                                          samtykke=True)
    anden = services.tilmelding_opret(actor=k, arrangement=arrangement, navn="Bo Berg", email="bo@x.test")
    borger = services.tilmelding_opret(actor=k, arrangement=arrangement, borger=world.borger_a)
    kontakt = services.tilmelding_opret(actor=k, arrangement=arrangement, user=foreningskontakt_a)
    Fremmoede.objects.filter(tilmelding=offentlig).update(moedt=True)
    Evaluering.objects.create(center_id=offentlig.center_id, tilmelding=offentlig, udbytte=4,
                              kommentar="Tak, Ole her")
    # the last date started exactly 90 days ago: not yet; the first one long before does not count
    _flyt_tilbage(arrangement, now, 90)
    assert services.tilmelding_anonymiser_udloebne(now=now) == 0
    assert Tilmelding.objects.get(pk=offentlig.pk).navn == "Ole Olsen"
    # a second later it is past
    assert services.tilmelding_anonymiser_udloebne(now=now + timedelta(seconds=1)) == 2
    for t in (offentlig, anden):
        t.refresh_from_db()
        assert t.navn == "" and t.email == "" and t.anonymiseret is not None
        assert t.deltager_navn == "(navn slettet)"
    # borger's and user's registrations are theirs (their own retention); counts stay
    assert Tilmelding.objects.get(pk=borger.pk).borger == world.borger_a
    assert Tilmelding.objects.get(pk=kontakt.pk).user == foreningskontakt_a
    assert Tilmelding.objects.filter(arrangement=arrangement).count() == 4
    assert Fremmoede.objects.filter(tilmelding=offentlig, moedt=True).count() == 2
    evaluering = Evaluering.objects.get(tilmelding=offentlig)
    assert evaluering.udbytte == 4 and evaluering.kommentar == ""
    assert AuditEntry.objects.filter(handling="tilmelding.anonymiseret").count() == 2
    # once only
    assert services.tilmelding_anonymiser_udloebne(now=now + timedelta(days=1)) == 0


def test_a_coming_or_recent_event_keeps_its_registrants(k, world, settings):
    settings.ARRANGEMENT_OFFENTLIG_OPBEVARING_DAGE = 30
    now = timezone.now()
    kommende = _held(k, slut_dage_siden=0)
    services.tilmelding_opret(actor=k, arrangement=kommende, navn="A", email="a@x.test")
    nylig = _held(k, slut_dage_siden=0)
    services.tilmelding_opret(actor=k, arrangement=nylig, navn="B", email="b@x.test")
    _flyt_tilbage(nylig, now, 29)
    assert services.tilmelding_anonymiser_udloebne(now=now) == 0
    assert set(Tilmelding.objects.values_list("navn", flat=True)) == {"A", "B"}


def test_batches_in_bounded_queries(k, world, settings, django_assert_max_num_queries):
    settings.ARRANGEMENT_OFFENTLIG_OPBEVARING_DAGE = 90
    now = timezone.now()
    arrangement = _held(k, slut_dage_siden=0)
    for n in range(5):
        services.tilmelding_opret(actor=k, arrangement=arrangement, navn=f"P {n}", email=f"p{n}@x.test")
    _flyt_tilbage(arrangement, now, 100)
    # 3 batches of 2 + the empty look: each batch a select, two updates and one audit insert
    with django_assert_max_num_queries(4 * 5 + 2):
        assert services.tilmelding_anonymiser_udloebne(now=now, batch_size=2) == 5
    assert not Tilmelding.objects.exclude(email="").exists()


def test_the_daily_beat_task(k, world, settings):
    assert "matching.tasks.anonymiser_tilmeldinger" in {
        e["task"] for e in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert django_settings.ARRANGEMENT_OFFENTLIG_OPBEVARING_DAGE == 90  # the default
    arrangement = _held(k, slut_dage_siden=0)
    services.tilmelding_opret(actor=k, arrangement=arrangement, navn="Ole", email="ole@x.test")
    _flyt_tilbage(arrangement, timezone.now(), 200)
    tasks.anonymiser_tilmeldinger()
    assert Tilmelding.objects.get().anonymiseret is not None


def test_trained_hosts_count_the_same_after_erasure(k, world, settings):
    """The partnership overview's count of people who completed an inclusion course (by e-mail for
    people without a login) is the same before and after their e-mails are erased."""
    settings.ARRANGEMENT_OFFENTLIG_OPBEVARING_DAGE = 90
    now = timezone.now()
    kurser = []
    for n in range(2):  # the same host at two courses, and another host once
        kursus = services.arrangement_create(actor=k, data={
            "type": ArrangementType.INKLUSIONSKURSUS, "titel": f"Kursus {n}", "beskrivelse": "", "maalgruppe": "",
            "sted": "Salen", "online_link": "", "kapacitet": None, "offentlig": False, "ansvarlige": []},
            datoer=[(now + timedelta(days=1), 120)])
        services.tilmelding_opret(actor=k, arrangement=kursus, navn="Hanne", email="Hanne@x.test",
                                  forening=world.forening_a)
        kurser.append(kursus)
    services.tilmelding_opret(actor=k, arrangement=kurser[0], navn="Ib", email="ib@x.test", forening=world.forening_a)
    Fremmoede.objects.update(moedt=True)
    _flyt_tilbage(kurser[0], now, 200)
    _flyt_tilbage(kurser[1], now, 10)
    before = kursus_gennemfoert(center_id=world.center_a.pk, forening_ids=[world.forening_a.pk])
    assert before == {world.forening_a.pk: 2}
    assert services.tilmelding_anonymiser_udloebne(now=now) == 2  # the older course's two
    assert kursus_gennemfoert(center_id=world.center_a.pk, forening_ids=[world.forening_a.pk]) == before
