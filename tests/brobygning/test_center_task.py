"""CenterTask, the one base task: queued only after commit, and run inside the centre it names."""

import pytest
from django.db import transaction

from brobygning.adgangslog import H, log
from brobygning.celery import app
from brobygning.models import Adgangslog
from foreninger import tasks as foreninger_tasks
from foreninger.models import ImportJob, ImportStatus

from .. import factories as f

RUNS = []


@app.task
def record(*, center=None, note=""):
    RUNS.append((center.slug if center else None, note))
    log(handling=H.LAEST, kriterium=note)  # no centre given: the task's centre applies


@pytest.fixture(autouse=True)
def _fresh_runs():
    RUNS.clear()


@pytest.mark.django_db(transaction=True)
def test_a_task_queued_in_a_transaction_waits_for_the_commit():
    with transaction.atomic():
        record.delay(note="efter commit")
        assert RUNS == []  # not before the commit: a worker could not see the rows yet
    assert RUNS == [(None, "efter commit")]


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_queues_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        record.delay(note="aldrig")
        raise RuntimeError("rollback")
    assert RUNS == []


@pytest.mark.django_db
def test_center_id_enters_the_centre_and_its_access_log():
    center = f.CenterFactory(slug="odense")
    record.delay(center_id=center.pk, note="i centret")
    assert RUNS == [("odense", "i centret")]
    assert Adgangslog.objects.get(kriterium="i centret").center_id == center.pk


@pytest.mark.django_db
def test_a_centre_that_is_gone_ends_the_task_quietly():
    record.delay(center_id=987654, note="væk")
    assert RUNS == []


@pytest.mark.django_db
def test_an_import_task_never_touches_another_centres_job():
    mine, other = f.CenterFactory(), f.CenterFactory()
    job = ImportJob.objects.create(center=other, filnavn="x.csv", format="csv", indhold=b"titel\n")
    foreninger_tasks.import_check.delay(center_id=mine.pk, job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.VENTER
