from datetime import date

from celery import shared_task

from brobygning.dbrouter import paa_replika

from . import forloeb, rapporter, services, velkomst
from .rapport_tabel import Periode


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


@shared_task(ignore_result=True)
def beregn_rapport(*, center, fra: str, til: str, projekt_id: int | None, sprog: str):
    """A report for the page (queued with `center_id=` by `matching.views.rapport`): every figure,
    computed and kept as the centre's last computation for these criteria (matching/rapporter.py,
    `beregn`). Aggregates only, so from the replica when there is one, like the page."""
    with paa_replika():
        rapporter.beregn(center_ids=[center.pk], periode=Periode(date.fromisoformat(fra), date.fromisoformat(til)),
                         projekt_id=projekt_id, sprog=sprog)
