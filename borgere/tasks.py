from celery import shared_task


@shared_task(ignore_result=True)
def anonymise_inactive():
    """Run by beat daily: borgere past their centre's retention period are anonymised."""
    from .gdpr import anonymise_inactive as run

    return run()
