"""Import jobs: upload → check (dry run) → confirm → import, all or nothing.

The upload is stored in an `ImportJob` row (and emptied once imported or rejected); the check and
the import run as Celery tasks
(`foreninger.tasks`) that take the job's id, so a 10,000-row file does not hold up a web worker.
The page polls the job row for progress.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from brobygning import access
from brobygning.audit import log_action
from brobygning.models import AuditAction

from ..models import IMPORT_I_GANG, ImportFormat, ImportJob, ImportStatus
from . import importer, parse

S = ImportStatus


def max_bytes() -> int:
    return settings.IMPORT_MAX_MB * 1024 * 1024


def detect_format(filnavn: str, head: bytes) -> str:
    name = filnavn.lower()
    if name.endswith(".json"):
        return ImportFormat.HSDS
    if name.endswith((".csv", ".txt")):
        return ImportFormat.CSV
    return ImportFormat.HSDS if head.lstrip(b"\xef\xbb\xbf \r\n\t")[:1] in (b"[", b"{") else ImportFormat.CSV


def import_upload(*, actor, fil) -> ImportJob:
    """Store an uploaded file as a job. Its dry run is the task `import_check`, queued by the caller."""
    access.check(actor, "import", "create")
    if fil.size > max_bytes():
        raise ValidationError(_("Filen er for stor (%(mb)s MB). Den må højst fylde %(max)s MB; del den op i flere filer.")
                              % {"mb": round(fil.size / 1024 / 1024, 1), "max": settings.IMPORT_MAX_MB})
    content = b"".join(fil.chunks())
    if not content.strip():
        raise ValidationError(_("Filen er tom."))
    with transaction.atomic():
        job = ImportJob.objects.create(center_id=actor.center_id, oprettet_af=actor.user, filnavn=fil.name[:255],
                                       format=detect_format(fil.name, content[:100]), indhold=content)
        log_action(actor=actor, handling=AuditAction.IMPORT_UPLOADET, obj=job)
    return job


def import_confirm(*, actor, job: ImportJob) -> ImportJob:
    """Mark a checked file for import; the task `import_run` (queued by the caller) does it.
    Only a job that is ready may start, and only once."""
    access.check(actor, "import", "create", job)
    with transaction.atomic():
        started = ImportJob.objects.filter(pk=job.pk, status=S.KLAR).update(status=S.IMPORTERER, behandlet=0,
                                                                          status_siden=timezone.now())
        if not started:
            raise ValidationError(_("Importen kan ikke startes: filen er ikke klar, eller den er allerede importeret."))
        log_action(actor=actor, handling=AuditAction.IMPORT_STARTET, obj=job)
    job.refresh_from_db()
    return job


def _parse(job: ImportJob) -> parse.Parsed:
    content = bytes(job.indhold)
    if job.format == ImportFormat.HSDS:
        # The import itself reads the same stored bytes its dry run has already schema-validated.
        return parse.parse_hsds(content, validate=job.status != S.IMPORTERER)
    return parse.parse_csv(content)


def _progress(job_id):
    def report(done):
        ImportJob.objects.filter(pk=job_id).update(behandlet=done)
    return report


def _plan(job: ImportJob):
    """Parse and check the file; on a bad file, mark the job rejected and return None."""
    try:
        parsed = _parse(job)
    except parse.FileRejected as error:
        ImportJob.objects.filter(pk=job.pk).update(status=S.AFVIST, afsluttet=timezone.now(), indhold=b"",
                                                   resultat={"filfejl": str(error)})
        return None
    total = len(parsed.foreninger) + len(parsed.faellesskaber)
    ImportJob.objects.filter(pk=job.pk).update(antal=total)
    return importer.check(job.center_id, parsed, _progress(job.pk))


def import_check(job_id: int, *, center) -> None:
    """The dry run: what would be created and updated, and every row's errors. Changes nothing else."""
    claimed = ImportJob.objects.filter(pk=job_id, center=center, status=S.VENTER).update(
        status=S.TJEKKER, status_siden=timezone.now())
    if not claimed:
        return
    job = ImportJob.objects.get(pk=job_id)
    plan = _plan(job)
    if plan is None:
        return
    if plan.errors:  # the file is done with: it must be fixed and uploaded again
        ImportJob.objects.filter(pk=job_id).update(status=S.AFVIST, resultat=plan.summary(), indhold=b"",
                                                   afsluttet=timezone.now())
    else:
        ImportJob.objects.filter(pk=job_id).update(status=S.KLAR, resultat=plan.summary())


def import_run(job_id: int, *, center) -> None:
    """The import: check again (the centre may have changed since the dry run), then write it all in one
    transaction. Any error leaves the centre as it was."""
    job = ImportJob.objects.select_related("oprettet_af").filter(pk=job_id, center=center).first()
    if job is None or job.status != S.IMPORTERER:
        return
    plan = _plan(job)
    if plan is None:
        return
    if plan.errors:
        ImportJob.objects.filter(pk=job_id).update(status=S.AFVIST, resultat=plan.summary(), indhold=b"",
                                                   afsluttet=timezone.now())
        return
    actor = access.Actor(user=job.oprettet_af, medlemskab=None)
    try:
        with transaction.atomic():
            resultat = importer.apply(plan, actor_id=job.oprettet_af_id)
            job.status, job.resultat, job.afsluttet = S.FAERDIG, resultat, timezone.now()
            job.behandlet = job.antal
            job.indhold = b""  # imported: the uploaded file is not kept
            job.save(update_fields=["status", "resultat", "afsluttet", "behandlet", "indhold"])
            log_action(actor=actor, handling=AuditAction.IMPORT_GENNEMFOERT, obj=job,
                       felter=[f"{kind}:{action}" for kind in ("foreninger", "faellesskaber")
                               for action, n in resultat[kind].items() if n])
    except Exception:
        ImportJob.objects.filter(pk=job_id).update(
            status=S.FEJLET, afsluttet=timezone.now(),
            resultat={"filfejl": _("Importen fejlede uventet, og intet blev gemt. Prøv igen, eller kontakt support.")})
        raise


def _stop(jobs, *, aarsag_tjek: str, aarsag_import: str) -> int:
    """Stop jobs still in progress: a check is rejected (afvist), an import failed (fejlet; its
    transaction was never committed). The uploaded content is dropped either way."""
    now = timezone.now()
    jobs = jobs.filter(status__in=IMPORT_I_GANG)
    stopped = jobs.filter(status=S.IMPORTERER).update(status=S.FEJLET, afsluttet=now, indhold=b"",
                                                      resultat={"filfejl": aarsag_import})
    return stopped + jobs.update(status=S.AFVIST, afsluttet=now, indhold=b"", resultat={"filfejl": aarsag_tjek})


def import_stop_timed_out(job_id: int, *, center) -> int:
    """The task ran into its soft time limit (IMPORT_SOFT_TIME_LIMIT): stop the job with a Danish reason."""
    return _stop(ImportJob.objects.filter(pk=job_id, center=center),
                 aarsag_tjek=_("Tjekket af filen tog for lang tid og blev stoppet. Del filen op i mindre filer, "
                               "og prøv igen."),
                 aarsag_import=_("Importen tog for lang tid og blev stoppet; intet blev gemt. Del filen op i "
                                 "mindre filer, og prøv igen."))


def import_mark_stuck(*, now=None) -> int:
    """Jobs in progress for longer than IMPORT_STUCK_SECONDS (a worker died, a task was lost) are
    stopped, so their page stops waiting. Run by beat (`foreninger.tasks.import_mark_stuck`)."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.IMPORT_STUCK_SECONDS)
    stuck = ImportJob.objects.filter(Q(status_siden__lt=cutoff) | Q(status_siden__isnull=True, oprettet__lt=cutoff))
    return _stop(stuck,
                 aarsag_tjek=_("Tjekket af filen blev afbrudt og nåede ikke at blive færdigt. Upload filen igen."),
                 aarsag_import=_("Importen blev afbrudt; intet blev gemt. Upload filen igen."))
