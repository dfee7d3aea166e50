"""A real Celery worker on Redis runs the dispatch task and delivers a reminder end to end."""

import os
import time

import pytest
from django.conf import settings as django_settings
from django.core import mail

from brobygning.celery import app
from brobygning.models import Paamindelse
from brobygning.tasks import dispatch_due_reminders
from matching import reminders

from . import reminder_factories as rf

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def real_worker():
    if not django_settings.REDIS_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the real worker test: set REDIS_URL")
        pytest.skip("needs a Redis server: set REDIS_URL=redis://127.0.0.1:6379/0")
    from celery.contrib.testing.worker import start_worker

    app.conf.task_always_eager = False
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


def test_worker_dispatches_a_due_reminder(settings, real_worker):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ledsagelse = rf.planned_ledsagelse()
    reminders.sync_ledsagelse(ledsagelse)  # the host notice is due at once
    row = Paamindelse.objects.get(art="vaert_nyankomst")

    dispatch_due_reminders.delay()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        row.refresh_from_db()
        if row.status == "sendt":
            break
        time.sleep(0.1)

    [message] = mail.outbox
    assert message.to == ["hanne@forening.test"]
    assert message.extra_headers["X-Brobygning-Paamindelse"] == str(row.pk)
    assert row.status == "sendt" and row.forsoeg == 1
    assert Paamindelse.objects.filter(status="afventer").count() == 4  # the others are not due yet
