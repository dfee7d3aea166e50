import logging

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from . import adgangslog, paamindelser

BEAT_KEY = "brobygning:beat-heartbeat"

logger = logging.getLogger(__name__)


@shared_task
def beat_heartbeat():
    """Run by beat every minute; the time it last ran stays in the cache, for monitoring (docs/SCALING.md)."""
    cache.set(BEAT_KEY, timezone.now().isoformat(), timeout=None)


DISPATCH_EXPIRES = 55  # seconds, as beat's own entry: a pass queued behind a long one is not needed later


@shared_task(ignore_result=True)
def dispatch_due_reminders(*, hjaelper: bool = False):
    """Run by beat every minute: one pass over the due påmindelser (ARCHITECTURE.md, "Påmindelser").
    Overlapping runs are safe.

    A burst (more than one batch due) is spread over the workers: the pass first queues up to
    `PAAMINDELSE_PARALLEL_PASSES` - 1 helper passes (`hjaelper=True`, which queue none themselves),
    so that idle workers claim batches alongside it instead of waiting for beat's next minute."""
    if not hjaelper:
        for _ in range(paamindelser.helper_passes_needed()):
            dispatch_due_reminders.apply_async(kwargs={"hjaelper": True}, expires=DISPATCH_EXPIRES)
    return paamindelser.dispatch_due().as_dict()


def dispatch_soon() -> None:
    """Queue a pass now (after a koordinator's retry), rather than wait for beat's next minute."""
    try:
        dispatch_due_reminders.delay()
    except Exception:  # noqa: BLE001 - the beat task picks it up within a minute anyway
        logger.warning("Påmindelser: could not queue an immediate dispatch", exc_info=True)


@shared_task(ignore_result=True)
def purge_access_log():
    """Run by beat daily: access-log entries older than ADGANGSLOG_RETENTION_DAYS are deleted."""
    return adgangslog.purge_old()


@shared_task(ignore_result=True)
def purge_paamindelser():
    """Run by beat daily: old sent, cancelled and missed påmindelser are deleted (`paamindelser.purge_old`)."""
    return paamindelser.purge_old()
