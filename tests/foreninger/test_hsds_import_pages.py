"""The import pages: upload, template download, preview, confirm, progress polling, and who may use them."""

import csv
import io
from datetime import timedelta

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from foreninger import tasks
from foreninger.hsds import parse
from foreninger.models import Faellesskab, ImportJob, ImportStatus

pytestmark = pytest.mark.django_db


def _upload(client, content, name="fil.csv"):
    return client.post(reverse("foreninger:import_start"), {"fil": SimpleUploadedFile(name, content)})


def test_template_download_is_a_valid_import(as_koordinator_a, world):
    response = as_koordinator_a.get(reverse("foreninger:import_template"))
    assert response["Content-Type"].startswith("text/csv")
    content = response.content
    header = next(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert header == parse.CSV_HEADER
    response = _upload(as_koordinator_a, content)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert job.status == ImportStatus.KLAR, job.resultat


def test_upload_preview_confirm(as_koordinator_a, world):
    content = as_koordinator_a.get(reverse("foreninger:import_template")).content
    _upload(as_koordinator_a, content)
    job = ImportJob.objects.get()
    page = as_koordinator_a.get(job.get_absolute_url()).content.decode()
    assert "Importér nu" in page and "Strik og snak" in page
    assert not Faellesskab.objects.filter(ekstern_id="F1-1").exists()
    response = as_koordinator_a.post(reverse("foreninger:import_confirm", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.FAERDIG
    assert Faellesskab.objects.get(center=world.center_a, ekstern_id="F1-1").moedetider.count() == 2
    assert "Resultat" in as_koordinator_a.get(job.get_absolute_url()).content.decode()


def test_bad_file_shows_a_danish_error(as_koordinator_a, world):
    _upload(as_koordinator_a, "titel;navn\nÆble;x\n".encode("cp1252"))
    job = ImportJob.objects.get()
    page = as_koordinator_a.get(job.get_absolute_url()).content.decode()
    assert "Filen kan ikke importeres" in page and "UTF-8" in page and "Importér nu" not in page


def test_row_errors_listed_with_row_and_field(as_koordinator_a, world):
    content = (",".join(parse.CSV_HEADER) + "\n" + ",".join(
        {"forening_id": "F1", "forening_navn": "X", "faellesskab_id": "S1", "titel": "T", "postnummer": "9999"}
        .get(c, "") for c in parse.CSV_HEADER) + "\n").encode()
    _upload(as_koordinator_a, content)
    page = as_koordinator_a.get(ImportJob.objects.get().get_absolute_url()).content.decode()
    assert "Postnummeret findes ikke i Danmark" in page and "<td>2</td>" in page


def test_progress_partial_and_refresh_when_done(as_koordinator_a, world):
    job = ImportJob.objects.create(center=world.center_a, filnavn="x.csv", format="csv", indhold=b"",
                                   status=ImportStatus.TJEKKER, antal=10000, behandlet=2500)
    url = reverse("foreninger:import_progress", args=[job.pk])
    page = as_koordinator_a.get(url, headers={"HX-Request": "true"}).content.decode()
    assert 'value="2500"' in page and 'hx-trigger="every 1s"' in page
    job.status = ImportStatus.KLAR
    job.save()
    response = as_koordinator_a.get(url, headers={"HX-Request": "true"})
    assert response["HX-Refresh"] == "true"


def test_too_large_upload_gets_form_error(as_koordinator_a, world, settings):
    settings.IMPORT_MAX_MB = 1
    response = _upload(as_koordinator_a, b"x" * (2 * 1024 * 1024))
    assert response.status_code == 200 and "for stor" in response.content.decode()
    assert not ImportJob.objects.exists()


@pytest.mark.parametrize("name", ["foreninger:import_start", "foreninger:import_template"])
def test_only_koordinator(as_brobygger_a, as_foreningskontakt_a, world, name):
    assert as_brobygger_a.get(reverse(name)).status_code == 403
    assert as_foreningskontakt_a.get(reverse(name)).status_code == 403


def test_other_centre_gets_404(as_koordinator_b, world):
    job = ImportJob.objects.create(center=world.center_a, filnavn="x.csv", format="csv", indhold=b"",
                                   status=ImportStatus.KLAR)
    for name in ("foreninger:import_detail", "foreninger:import_progress"):
        assert as_koordinator_b.get(reverse(name, args=[job.pk])).status_code == 404
    assert as_koordinator_b.post(reverse("foreninger:import_confirm", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == ImportStatus.KLAR


def test_deeply_nested_json_is_rejected_with_a_danish_error(as_koordinator_a, world):
    """Issue 11: a RecursionError left the job in "tjekker" for good, its upload kept and its page polling."""
    response = _upload(as_koordinator_a, b"[" * 100_000 + b"]" * 100_000, name="dyb.json")
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.AFVIST and bytes(job.indhold) == b""
    assert "indlejret for dybt" in job.resultat["filfejl"]
    progress = as_koordinator_a.get(reverse("foreninger:import_progress", args=[job.pk]), headers={"HX-Request": "true"})
    assert progress["HX-Refresh"] == "true"
    page = as_koordinator_a.get(job.get_absolute_url()).content.decode()
    assert "Filen kan ikke importeres" in page and "every 1s" not in page


def test_a_stuck_job_is_shown_failed_at_once_and_marked_by_beat(as_koordinator_a, world, settings):
    """Issue 11: a job whose worker died stops the page polling, and the beat task stops the job."""
    settings.IMPORT_STUCK_SECONDS = 60
    long_ago = timezone.now() - timedelta(seconds=61)
    tjek = ImportJob.objects.create(center=world.center_a, filnavn="a.json", format="hsds", indhold=b"[]",
                                    status=ImportStatus.TJEKKER, status_siden=long_ago)
    importerer = ImportJob.objects.create(center=world.center_a, filnavn="b.json", format="hsds", indhold=b"[]",
                                          status=ImportStatus.IMPORTERER, status_siden=long_ago)
    fresh = ImportJob.objects.create(center=world.center_a, filnavn="c.json", format="hsds", indhold=b"[]",
                                     status=ImportStatus.TJEKKER, status_siden=timezone.now())
    progress = as_koordinator_a.get(reverse("foreninger:import_progress", args=[tjek.pk]),
                                    headers={"HX-Request": "true"})
    assert progress["HX-Refresh"] == "true"
    page = as_koordinator_a.get(tjek.get_absolute_url()).content.decode()
    assert "every 1s" not in page and "blev afbrudt" in page
    assert "every 1s" in as_koordinator_a.get(fresh.get_absolute_url()).content.decode()

    assert tasks.import_mark_stuck() == 2
    tjek.refresh_from_db()
    importerer.refresh_from_db()
    fresh.refresh_from_db()
    assert (tjek.status, bytes(tjek.indhold)) == (ImportStatus.AFVIST, b"") and "afbrudt" in tjek.resultat["filfejl"]
    assert (importerer.status, bytes(importerer.indhold)) == (ImportStatus.FEJLET, b"")
    assert fresh.status == ImportStatus.TJEKKER


def test_import_tasks_have_time_limits_and_stop_the_job_at_the_soft_one(world, monkeypatch, settings):
    for task in (tasks.import_check, tasks.import_run):
        assert task.soft_time_limit and task.time_limit and task.soft_time_limit < task.time_limit
    assert settings.CELERY_BEAT_SCHEDULE["import-mark-stuck"]["task"] == "foreninger.tasks.import_mark_stuck"
    job = ImportJob.objects.create(center=world.center_a, filnavn="a.json", format="hsds", indhold=b"[]")

    def too_slow(job_id, *, center):
        ImportJob.objects.filter(pk=job_id).update(status=ImportStatus.TJEKKER)
        raise SoftTimeLimitExceeded

    monkeypatch.setattr(tasks.hsds, "import_check", too_slow)
    tasks.import_check.delay(center_id=world.center_a.pk, job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportStatus.AFVIST and bytes(job.indhold) == b""
    assert "for lang tid" in job.resultat["filfejl"]
