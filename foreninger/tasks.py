from celery import shared_task

from . import services
from .hsds import services as hsds


@shared_task(ignore_result=True)
def ask_foreninger_to_confirm():
    """Run by beat daily: mail "Er det stadig korrekt?" to each forening that is due (every N weeks)."""
    return sum(services.bekraeft_send(forening=forening) for forening in services.foreninger_due_for_bekraeft())


@shared_task(ignore_result=True)
def import_check(*, center, job_id: int):
    """The dry run of an uploaded import file (queued with `center_id=`; see `CenterTask`)."""
    hsds.import_check(job_id, center=center)


@shared_task(ignore_result=True)
def import_run(*, center, job_id: int):
    """The confirmed import of a checked file, all or nothing (queued with `center_id=`)."""
    hsds.import_run(job_id, center=center)
