from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from . import services
from .hsds import services as hsds


@shared_task(ignore_result=True)
def ask_foreninger_to_confirm():
    """Run by beat daily: mail "Er det stadig korrekt?" to each forening that is due (every N weeks).

    Who is due is decided again under each forening's lock, so two overlapping runs mail it once."""
    return sum(services.bekraeft_send(forening=forening, only_if_due=True)
               for forening in services.foreninger_due_for_bekraeft())


# Every import task has a time limit: at the soft limit the job is stopped with a Danish reason;
# the hard limit kills a worker that does not stop. A job whose worker died is caught by
# `import_mark_stuck` (issue 11).
IMPORT_LIMITS = {"soft_time_limit": settings.IMPORT_SOFT_TIME_LIMIT, "time_limit": settings.IMPORT_TIME_LIMIT}


@shared_task(ignore_result=True, **IMPORT_LIMITS)
def import_check(*, center, job_id: int):
    """The dry run of an uploaded import file (queued with `center_id=`; see `CenterTask`)."""
    try:
        hsds.import_check(job_id, center=center)
    except SoftTimeLimitExceeded:
        hsds.import_stop_timed_out(job_id, center=center)


@shared_task(ignore_result=True, **IMPORT_LIMITS)
def import_run(*, center, job_id: int):
    """The confirmed import of a checked file, all or nothing (queued with `center_id=`)."""
    try:
        hsds.import_run(job_id, center=center)
    except SoftTimeLimitExceeded:
        hsds.import_stop_timed_out(job_id, center=center)


@shared_task(ignore_result=True)
def import_mark_stuck():
    """Run by beat: stop import jobs that have been in progress for longer than IMPORT_STUCK_SECONDS."""
    return hsds.import_mark_stuck()
