from celery import shared_task

from . import velkomst


@shared_task(ignore_result=True)
def beregn_velkomst():
    """Run by beat nightly: every centre's welcome scores (matching/velkomst.py)."""
    return velkomst.beregn_alle()
