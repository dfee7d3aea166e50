from celery import shared_task


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
