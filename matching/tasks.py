from celery import shared_task

from . import forloeb, services, velkomst


@shared_task(ignore_result=True)
def beregn_velkomst():
    """Run by beat nightly: every centre's welcome scores (matching/velkomst.py)."""
    return velkomst.beregn_alle()


@shared_task(ignore_result=True)
def anonymiser_tilmeldinger():
    """Run by beat daily: public registrants' names and e-mails go ARRANGEMENT_OFFENTLIG_OPBEVARING_DAGE
    days after the event (matching.services.tilmelding_anonymiser_udloebne)."""
    return services.tilmelding_anonymiser_udloebne()


@shared_task(ignore_result=True)
def genberegn_forloeb():
    """Run by beat nightly: every borger's forløb summary (matching/forloeb.py), a safety net for
    the rows the services keep."""
    return forloeb.genberegn()
