from celery import shared_task


@shared_task(ignore_result=True)
def ask_foreninger_to_confirm():
    """Run by beat daily: mail "Er det stadig korrekt?" to each forening that is due (every N weeks)."""
    from .services import bekraeft_send, foreninger_due_for_bekraeft

    return sum(bekraeft_send(forening=forening) for forening in foreninger_due_for_bekraeft())


@shared_task(ignore_result=True)
def import_check(job_id: int):
    """The dry run of an uploaded import file."""
    from .hsds.services import import_check as check

    check(job_id)


@shared_task(ignore_result=True)
def import_run(job_id: int):
    """The confirmed import of a checked file, all or nothing."""
    from .hsds.services import import_run as run

    run(job_id)
