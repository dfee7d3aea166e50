from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

BEAT_KEY = "brobygning:beat-heartbeat"


@shared_task
def beat_heartbeat():
    """Run by beat every minute; /healthz reports when the scheduler and a worker last ran it."""
    cache.set(BEAT_KEY, timezone.now().isoformat(), timeout=None)


@shared_task(ignore_result=True)
def dispatch_due_reminders():
    """Run by beat every minute: one outbox pass (DESIGN.md §5). Overlapping runs are safe."""
    from .outbox import dispatch_due

    return dispatch_due().as_dict()


@shared_task(ignore_result=True)
def purge_access_log():
    """Run by beat daily: access-log entries older than ADGANGSLOG_RETENTION_DAYS are deleted."""
    from .accesslog import purge_old

    return purge_old()
