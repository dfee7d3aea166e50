"""A real Celery worker on Redis runs a task end to end (no eager mode)."""

import os
import time

import pytest
from django.conf import settings
from django.core.cache import cache

from brobygning.celery import app
from brobygning.tasks import BEAT_KEY, beat_heartbeat

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def real_worker():
    if not settings.REDIS_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the real worker test: set REDIS_URL")
        pytest.skip("needs a Redis server: set REDIS_URL=redis://127.0.0.1:6379/0")
    from celery.contrib.testing.worker import start_worker

    app.conf.task_always_eager = False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


def test_worker_runs_the_heartbeat_task(real_worker):
    cache.delete(BEAT_KEY)
    beat_heartbeat.delay()
    deadline = time.monotonic() + 20
    while cache.get(BEAT_KEY) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert cache.get(BEAT_KEY) is not None
