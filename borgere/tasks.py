from celery import shared_task

from . import gdpr


@shared_task(ignore_result=True)
def anonymise_inactive():
    """Run by beat daily: borgere past their centre's retention period are anonymised."""
    return gdpr.anonymise_inactive()
