"""Role fixtures: one of each role in centre A, plus a koordinator in centre B."""

import importlib
import os
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import translation
from hypothesis import settings as hypothesis_settings

from brobygning.access import actor_for
from brobygning.celery import app as celery_app
from brobygning.models import Rolle
from matching import services as match_services

from . import factories as f

# No wall-clock deadline per example: tests assert behaviour, never time, and CI machines are shared.
hypothesis_settings.register_profile("brobygning", deadline=None)
hypothesis_settings.load_profile("brobygning")

# The test-only settings (plain static files storage, no HTTPS redirect, MD5 hasher, eager Celery)
# are in brobygning/settings_test.py, pytest's DJANGO_SETTINGS_MODULE.


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: the ids of a test's rows repeat from test to test, and a
    computed report is cached per centre id (matching.rapporter.rapport_beregning)."""
    cache.clear()


@pytest.fixture(autouse=True)
def _danish():
    """Every test starts in Danish, the default language: a request in English (or a test that
    activates it) must not leave the next test on the same worker reading English labels."""
    translation.activate("da")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _reference_data_after_flush(request):
    """Postal codes and the taxonomy (loaded by data migrations) are back for every transactional test.

    Transactional tests flush the database afterwards. ``serialized_rollback`` should restore the
    data, but once Playwright's sync API has set a running event loop in this thread, Django's
    connection storage (asgiref Local) hands out a new connection object without the stored snapshot,
    so every transactional test after the browser tests would start empty. The data migrations' own
    loaders are idempotent, so they simply run again when the data is missing.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or (
        {"transactional_db", "live_server"} & set(request.fixturenames)
    )
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    from django.apps import apps

    from brobygning.models import Postnummer, Tag

    if not Postnummer.objects.exists():
        importlib.import_module("brobygning.migrations.0003_postnumre").load(apps, None)
    if not Tag.objects.exists():
        importlib.import_module("brobygning.migrations.0004_taksonomi").seed(apps, None)


@dataclass
class World:
    center_a: object
    center_b: object
    forening_a: object
    forening_a2: object
    faellesskab_a: object
    borger_a: object
    borger_b: object
    forening_b: object
    faellesskab_b: object


@pytest.fixture
def center_a(db):
    return f.CenterFactory(navn="Frivilligcenter Odense", slug="odense")


@pytest.fixture
def center_b(db):
    return f.CenterFactory(navn="Frivilligcenter Silkeborg", slug="silkeborg")


def _member(center, rolle, email, foreninger=()):
    user = f.UserFactory(email=email)
    m = f.MedlemskabFactory(user=user, center=center, rolle=rolle)
    if foreninger:
        m.foreninger.set(foreninger)
    if rolle == Rolle.KOORDINATOR:
        f.give_mfa(user)
    return user


@pytest.fixture
def koordinator_a(center_a):
    return _member(center_a, Rolle.KOORDINATOR, "koordinator@a.test")


@pytest.fixture
def koordinator_b(center_b):
    return _member(center_b, Rolle.KOORDINATOR, "koordinator@b.test")


@pytest.fixture
def brobygger_a(center_a):
    return _member(center_a, Rolle.BROBYGGER, "brobygger@a.test")


@pytest.fixture
def brobygger_a2(center_a):
    """A second brobygger in centre A, with no borgere of their own."""
    return _member(center_a, Rolle.BROBYGGER, "brobygger2@a.test")


@pytest.fixture
def world(center_a, center_b, brobygger_a):
    forening_a = f.ForeningFactory(center=center_a, navn="Odense Strikkeklub")
    forening_a2 = f.ForeningFactory(center=center_a, navn="Odense Gå-klub")
    forening_b = f.ForeningFactory(center=center_b, navn="Silkeborg Kor", postnummer=f.postnummer("8600"))
    return World(
        center_a=center_a,
        center_b=center_b,
        forening_a=forening_a,
        forening_a2=forening_a2,
        faellesskab_a=f.FaellesskabFactory(forening=forening_a, titel="Strik og snak"),
        borger_a=f.BorgerFactory(center=center_a, fornavn="Anna", brobygger=brobygger_a),
        borger_b=f.BorgerFactory(center=center_b, fornavn="Bent-Fra-Center-B", postnummer=f.postnummer("8600")),
        forening_b=forening_b,
        faellesskab_b=f.FaellesskabFactory(forening=forening_b, titel="Korsang", postnummer=f.postnummer("8600")),
    )


@pytest.fixture
def foreningskontakt_a(world):
    return _member(world.center_a, Rolle.FORENINGSKONTAKT, "forening@a.test", foreninger=[world.forening_a])


@pytest.fixture
def real_worker(settings):
    """A real Celery worker on Redis, in a thread of this process. Skipped without REDIS_URL, except in CI."""
    if not settings.REDIS_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the real worker tests: set REDIS_URL")
        pytest.skip("needs a Redis server: set REDIS_URL=redis://127.0.0.1:6379/0")
    from celery.contrib.testing.worker import start_worker

    eager = celery_app.conf.task_always_eager  # True: CELERY_TASK_ALWAYS_EAGER in the test settings
    celery_app.conf.task_always_eager = False
    try:
        with start_worker(celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield
    finally:
        celery_app.conf.task_always_eager = eager


@pytest.fixture
def locmem_channels(settings):
    """Email and SMS go to in-memory outboxes."""
    from brobygning.channels import LocmemSmsBackend

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMS_BACKEND = "brobygning.channels.LocmemSmsBackend"
    settings.SMS_URL = ""
    LocmemSmsBackend.outbox, LocmemSmsBackend.keys = [], []
    yield
    LocmemSmsBackend.outbox, LocmemSmsBackend.keys = [], []


def compiles_from_here(monkeypatch) -> list:
    """Every SQL compile of a SELECT from here on (the ORM's `SQLCompiler.as_sql`), by model: for tests
    of statements compiled once per process (`planner.EnGangKompileret`)."""
    from django.db.models.sql.compiler import SQLCompiler

    calls, as_sql = [], SQLCompiler.as_sql

    def counted(self, *args, **kwargs):
        calls.append(self.query.model)
        return as_sql(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counted)
    return calls


def client_for(user) -> Client:
    return f.client_logged_in(user)


@pytest.fixture
def as_koordinator_a(koordinator_a):
    return client_for(koordinator_a)


@pytest.fixture
def as_koordinator_b(koordinator_b):
    return client_for(koordinator_b)


@pytest.fixture
def as_brobygger_a(brobygger_a):
    return client_for(brobygger_a)


@pytest.fixture
def as_brobygger_a2(brobygger_a2):
    return client_for(brobygger_a2)


@pytest.fixture
def as_foreningskontakt_a(foreningskontakt_a):
    return client_for(foreningskontakt_a)


# --- The journey through the services (tests/<app>/test_<feature>.py call services directly) ----------


@pytest.fixture
def brobygger(world, brobygger_a):
    """Brobygger A as an actor, responsible for borger A."""
    return actor_for(brobygger_a)


@pytest.fixture
def match(brobygger, world):
    """A new match of borger A to fællesskab A, made by their brobygger."""
    return match_services.match_create(actor=brobygger, borger=world.borger_a, faellesskab=world.faellesskab_a)
