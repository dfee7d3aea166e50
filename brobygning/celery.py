"""The Celery app, and `CenterTask`, the one base class of the project's tasks.

`CenterTask` does two things every task needs, so no task repeats them:

* **Queued after commit.** `delay()`/`apply_async()` inside a transaction wait until it commits, and
  a rolled-back transaction queues nothing; a worker never looks for rows that are not there yet
  (pretix's `TransactionAwareTask` does the same). The test case's own wrapping transaction does
  not count, so tests see the task run, eagerly, as production would after its commit.
* **Enters the centre.** A task queued with `center_id=` is called with `center=` (the
  `Frivilligcenter`) instead, and what it logs to the access log belongs to that centre. A centre
  that no longer exists ends the task quietly: there is nothing left to do for it.

Tasks are queued by whoever starts the work (a view, beat), never by a service: tasks call
services, so a service that queued a task would import its own caller.
"""

import logging
import os

from celery import Celery, Task
from django.db import DEFAULT_DB_ALIAS, connections, transaction

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brobygning.settings")

logger = logging.getLogger(__name__)


def _in_real_transaction(using=DEFAULT_DB_ALIAS) -> bool:
    """Whether an atomic block other than a test case's own wrapper is open."""
    connection = connections[using]
    return connection.in_atomic_block and not all(
        getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


class CenterTask(Task):
    typing = False  # `center_id` is not in the task's signature: `__call__` turns it into `center`

    def apply_async(self, args=None, kwargs=None, **options):
        if _in_real_transaction():
            transaction.on_commit(lambda: super(CenterTask, self).apply_async(args, kwargs, **options))
            return None
        return super().apply_async(args, kwargs, **options)

    def __call__(self, *args, **kwargs):
        if "center_id" not in kwargs:
            return super().__call__(*args, **kwargs)
        from brobygning.models import Frivilligcenter  # noqa: PLC0415 - models load after the Celery app

        center = Frivilligcenter.objects.filter(pk=kwargs.pop("center_id")).first()
        if center is None:
            logger.info("Task %s: the centre no longer exists; nothing to do", self.name)
            return None
        from brobygning.adgangslog import in_center  # noqa: PLC0415 - imports models

        with in_center(center.pk):
            return super().__call__(*args, center=center, **kwargs)


app = Celery("brobygning", task_cls=CenterTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
