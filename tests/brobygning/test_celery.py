"""A real Celery worker on Redis runs a task end to end (no eager mode)."""

import time

import pytest
from django.core.cache import cache

from brobygning.tasks import BEAT_KEY, beat_heartbeat

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_worker_runs_the_heartbeat_task(real_worker):
    cache.delete(BEAT_KEY)
    beat_heartbeat.delay()
    deadline = time.monotonic() + 20
    while cache.get(BEAT_KEY) is None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert cache.get(BEAT_KEY) is not None
