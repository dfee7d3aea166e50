"""A real Celery worker on Redis runs the dispatch task and delivers a reminder end to end."""

import time

import pytest
from django.core import mail

from brobygning.models import Paamindelse
from brobygning.tasks import dispatch_due_reminders
from matching import paamindelser

from .. import journey_factories as rf

pytestmark = [pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_worker_dispatches_a_due_reminder(settings, real_worker):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    ledsagelse = rf.planned_ledsagelse()
    paamindelser.sync_ledsagelse(ledsagelse)  # the host notice is due at once
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
    assert Paamindelse.objects.filter(status="afventer").count() == 6  # the others (and the 2 after it) are not due yet
