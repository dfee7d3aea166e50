"""Sending påmindelser (the outbox pattern): claiming due `Paamindelse` rows and delivering them.

The database is the queue; no reminder is ever an ETA task. One dispatch pass:

1. marks rows whose meeting has passed as `forpasset` (missed), never sending them;
2. reclaims rows whose lease has run out: in `sender`, with `taget` older than
   `PAAMINDELSE_SENDING_TIMEOUT` seconds (the lease). Judged per row, before every batch;
3. claims due rows in short transactions: status `sender`, `taget` = now and a new lease token
   (`laas`), commit. PostgreSQL uses `SELECT … FOR UPDATE SKIP LOCKED`; databases without it
   (SQLite) use a compare-and-swap `UPDATE … WHERE status='afventer'` per row. Either way, a row
   is claimed by exactly one dispatcher;
4. for each claimed row, just before it is sent, starts the attempt with a conditional
   `UPDATE … WHERE pk=… AND status='sender' AND laas=<mine>` that renews the lease (`taget` = now)
   and counts the attempt (`forsoeg` + 1). A dispatcher whose row was reclaimed meanwhile (a slow
   relay held up the rest of its batch) gets 0 rows and does not send it: the new holder does;
5. resolves the row (`PAAMINDELSE_RESOLVER` loads the subject and builds the message) and hands it
   to a channel, outside any transaction;
6. records `sendt`, or on failure puts it back to `afventer` with `forfalder` = now + backoff
   (`PAAMINDELSE_BACKOFF_MINUTES`) and the error text with addresses stripped, until
   `PAAMINDELSE_MAX_ATTEMPTS`, after which it is `fejlet`. Every outcome is recorded only while
   the token still matches; the pass totals count only recorded outcomes.

Delivery is at least once, in one bounded window: a send that outlasts its own lease, or a worker
that dies after the gateway accepted a message but before the row was marked `sendt`, leaves the
row to be reclaimed and sent again. The lease is renewed right before each send, and the channel
timeouts (`EMAIL_TIMEOUT`, `SMS_TIMEOUT`) are kept well inside it by a system check
(`brobygning.checks`), so only a crash, or clocks between dispatchers skewed by more than the
margin, can open that window. The SMS gateway gets an idempotency key that stays the same for the
retries of one arming of a row (`idempotency_key`), so a gateway that honours it drops even that
second copy. Everything else (overlapping passes, slow relays, several workers, beat and the
management command at once) sends each row once.
"""

from __future__ import annotations

import functools
import logging
import random
import re
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from . import access, channels
from .audit import log_action
from .models import AuditAction, Paamindelse, PaamindelseStatus

logger = logging.getLogger(__name__)

S = PaamindelseStatus
ERROR_MAX_CHARS = 500


class Unsendable(Exception):
    """Raised by a resolver when a row can never be sent as it stands.

    `status` is `annulleret` (nothing to send: the meeting is cancelled, consent withdrawn, the
    subject deleted) or `fejlet` (it should have gone out but cannot: the recipient has no address).
    `reason` is shown to the koordinator; it must not hold personal data.
    """

    def __init__(self, status: str, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass
class DispatchResult:
    sent: int = 0
    failed: int = 0  # gave up: fejlet
    missed: int = 0  # the meeting had passed: forpasset
    retried: int = 0  # failed this time, will be tried again later
    cancelled: int = 0  # nothing to send any more: annulleret
    reclaimed: int = 0  # taken back from a dispatcher whose lease ran out
    superseded: int = 0  # the lease ran out before the send and another dispatcher took the row: not sent here
    unrecorded: int = 0  # sent, but the lease had run out meanwhile, so the outcome was not recorded

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def add(self, outcome: str) -> None:
        setattr(self, outcome, getattr(self, outcome) + 1)


# --- Helpers -------------------------------------------------------------------------------------

_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<![\w])\+?\d(?:[\s-]?\d){6,}")


def scrub(text: str) -> str:
    """Error text fit for the outbox page: addresses and phone numbers replaced, length capped."""
    text = _EMAIL.sub("<e-mail>", str(text))
    text = _PHONE.sub("<nummer>", text)
    return text[:ERROR_MAX_CHARS]


def error_text(exc: BaseException) -> str:
    message = str(exc).strip()
    return scrub(f"{type(exc).__name__}: {message}" if message else type(exc).__name__)


def backoff(attempt: int) -> timedelta:
    """How long to wait after failed attempt number `attempt` (1-based): 1, 5, 15, 60, 240 min …"""
    steps = settings.PAAMINDELSE_BACKOFF_MINUTES or [1]
    minutes = steps[min(max(attempt, 1), len(steps)) - 1]
    return timedelta(minutes=max(1, int(minutes)))


def _clock(now: datetime | None):
    return (lambda: now) if now is not None else timezone.now


def resolver_class():
    """The class `PAAMINDELSE_RESOLVER` names: the hook through which the app that plans the
    påmindelser (matching) renders and describes them, so that this module imports no domain app.

    `Resolver(rows)` preloads what a batch needs and returns a callable turning one row into a
    `channels.Message` (or raising `Unsendable`); `Resolver.describe(rows)` says, for the
    koordinator's page, whom each row is for, what kind it is, what it is about and its page."""
    return import_string(settings.PAAMINDELSE_RESOLVER)


def resolver_for(rows):
    """The resolver for a batch (see `resolver_class`)."""
    return resolver_class()(rows)


def describe(rows) -> list:
    """Each row described for the koordinator (see `resolver_class`), without personal data in URLs."""
    return resolver_class().describe(rows)


def claim_strategy() -> str:
    return "skip_locked" if connection.features.has_select_for_update_skip_locked else "cas"


def helper_passes_needed(*, now: datetime | None = None) -> int:
    """How many more passes should run alongside this one: one per further batch that is due, at
    most `PAAMINDELSE_PARALLEL_PASSES` - 1. One bounded count query."""
    extra = max(settings.PAAMINDELSE_PARALLEL_PASSES - 1, 0)
    if not extra:
        return 0
    batch = settings.PAAMINDELSE_BATCH_SIZE
    due = _due(now or timezone.now()).order_by()[: batch * (extra + 1)].count()
    return min(extra, max(-(-due // batch) - 1, 0))


# --- The steps of a pass -------------------------------------------------------------------------


def mark_missed(*, now: datetime | None = None) -> int:
    """Pending rows whose meeting has begun are `forpasset`: a reminder after the fact helps nobody."""
    now = now or timezone.now()
    return Paamindelse.objects.filter(status=S.AFVENTER, begivenhed__lt=now).update(status=S.FORPASSET)


def reclaim_stuck(*, now: datetime | None = None) -> tuple[int, int]:
    """Rows whose lease has run out (in `sender`, `taget` older than the timeout) go back to
    `afventer`, or to `fejlet` when out of attempts. Judged per row: each send renews its own row's
    lease. Returns (reclaimed, failed). Safe to run from several dispatchers at once."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.PAAMINDELSE_SENDING_TIMEOUT)
    stuck = Paamindelse.objects.filter(status=S.SENDER, taget__lt=cutoff)
    reason = "Afsendelsen blev afbrudt (tidsgrænse overskredet)"
    failed = stuck.filter(forsoeg__gte=settings.PAAMINDELSE_MAX_ATTEMPTS).update(status=S.FEJLET, sidste_fejl=reason)
    reclaimed = stuck.update(status=S.AFVENTER, sidste_fejl=reason)
    if reclaimed or failed:
        logger.warning("Påmindelser: reclaimed %d reminders whose lease ran out, gave up on %d", reclaimed, failed)
    return reclaimed, failed


def _due(now: datetime):
    return Paamindelse.objects.filter(status=S.AFVENTER, forfalder__lte=now).order_by("forfalder", "pk")


def claim_due(*, now: datetime | None = None, batch_size: int | None = None,
              strategy: str | None = None) -> list[Paamindelse]:
    """Claim up to `batch_size` due rows for this dispatcher and return them (status `sender`).

    Each claim commits before anything is delivered, so the lock is held for milliseconds. The
    rows share one new lease token (`laas`); the attempt is counted when each one's send starts
    (`start_attempt`), so a row reclaimed before its turn has not used up an attempt.
    """
    now = now or timezone.now()
    batch_size = batch_size or settings.PAAMINDELSE_BATCH_SIZE
    strategy = strategy or claim_strategy()
    token = uuid.uuid4()
    claim = {"status": S.SENDER, "taget": now, "laas": token}
    if strategy == "skip_locked" and connection.vendor == "postgresql":
        return _claim_returning(now, batch_size, token)
    if strategy == "skip_locked":
        with transaction.atomic():
            pks = list(_due(now).select_for_update(skip_locked=True).values_list("pk", flat=True)[:batch_size])
            if pks:
                Paamindelse.objects.filter(pk__in=pks, status=S.AFVENTER).update(**claim)
    elif strategy == "cas":
        pks = []
        while not pks:
            candidates = list(_due(now).values_list("pk", flat=True)[:batch_size])
            if not candidates:
                break
            # Parallel dispatchers see the same candidates; trying them in random order spreads them
            # out, and a dispatcher that lost every race looks again instead of ending its pass.
            random.shuffle(candidates)
            pks = [pk for pk in candidates if _claim_one(pk, now, claim)]
    else:
        raise ValueError(f"Unknown claim strategy {strategy!r}")
    return list(Paamindelse.objects.filter(pk__in=pks, status=S.SENDER, laas=token).order_by("forfalder", "pk"))


def _claim_returning(now: datetime, batch_size: int, token: uuid.UUID) -> list[Paamindelse]:
    """The `SKIP LOCKED` claim on PostgreSQL in one statement: lock up to `batch_size` due rows that
    no other dispatcher holds, mark them ours and return them (instead of a locking SELECT, an
    UPDATE and a SELECT in a transaction). The CTE is MATERIALIZED, so the locking SELECT with its
    LIMIT runs exactly once."""
    meta = Paamindelse._meta
    table, pk = connection.ops.quote_name(meta.db_table), meta.pk.column
    sql = (
        f"WITH due AS MATERIALIZED (SELECT {pk} FROM {table} WHERE status = %s AND forfalder <= %s "  # noqa: S608
        f"ORDER BY forfalder, {pk} LIMIT %s FOR UPDATE SKIP LOCKED) "
        f"UPDATE {table} AS p SET status = %s, taget = %s, laas = %s FROM due "
        f"WHERE p.{pk} = due.{pk} AND p.status = %s RETURNING p.*"
    )
    rows = list(Paamindelse.objects.raw(sql, [str(S.AFVENTER), now, batch_size, str(S.SENDER), now, token,
                                              str(S.AFVENTER)]))
    rows.sort(key=lambda row: (row.forfalder, row.pk))
    return rows


def _claim_one(pk: int, now: datetime, claim: dict) -> bool:
    """Compare and swap: the row is ours only if it was still pending when we updated it."""
    with transaction.atomic():
        return Paamindelse.objects.filter(pk=pk, status=S.AFVENTER, forfalder__lte=now).update(**claim) == 1


def _mine(row: Paamindelse):
    """The row, as long as this dispatcher still holds its lease."""
    return Paamindelse.objects.filter(pk=row.pk, status=S.SENDER, laas=row.laas)


@functools.lru_cache(maxsize=32)
def _update_mine_sql(names: tuple[str, ...], count_attempt: bool) -> tuple[str, tuple]:
    meta = Paamindelse._meta
    qn = connection.ops.quote_name
    fields = tuple(meta.get_field(name) for name in names)
    sets = [f"{qn(field.column)} = %s" for field in fields]
    if count_attempt:
        sets.append(f"{qn('forsoeg')} = {qn('forsoeg')} + 1")
    # Only the table and column names are formatted in; the values are parameters.
    sql = (f"UPDATE {qn(meta.db_table)} SET {', '.join(sets)} "  # noqa: S608
           f"WHERE {qn(meta.pk.column)} = %s AND {qn('status')} = %s AND {qn('laas')} = %s")
    return sql, fields


def _update_mine(row: Paamindelse, fields: dict, *, count_attempt: bool = False) -> int:
    """`_mine(row).update(**fields)` (plus `forsoeg = forsoeg + 1` when `count_attempt`) as one
    prepared statement: the same UPDATE, without building an ORM query for every row of a burst
    (PERFORMANCE.md, "Reminder burst with Celery"). Returns the number of rows updated (0 or 1)."""
    sql, model_fields = _update_mine_sql(tuple(fields), count_attempt)
    laas = Paamindelse._meta.get_field("laas")
    params = [field.get_db_prep_save(fields[field.name], connection) for field in model_fields]
    params += [row.pk, str(S.SENDER), laas.get_db_prep_save(row.laas, connection)]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def start_attempt(row: Paamindelse, *, now: datetime | None = None) -> bool:
    """Renew this row's lease and count the attempt, if the row is still ours. Called right before
    the send; False means another dispatcher has it now, and this one must not send it.

    The first attempt after the row was (re)armed (`forsoeg` is 0: new, moved or retried by the
    koordinator) draws a new idempotency key; the retries that follow keep it."""
    now = now or timezone.now()
    noegle = row.noegle if row.forsoeg and row.noegle else uuid.uuid4()
    if not _update_mine(row, {"taget": now, "noegle": noegle}, count_attempt=True):
        logger.warning("Påmindelser: reminder %s was taken over by another dispatcher; not sent here", row.pk)
        return False
    row.taget, row.forsoeg, row.noegle = now, row.forsoeg + 1, noegle
    return True


def idempotency_key(row: Paamindelse) -> str:
    """The same for every attempt at one arming of the row; new when the row is armed again."""
    return f"brobygning-paamindelse-{row.pk}-{row.noegle.hex}" if row.noegle else ""


def _finish(row: Paamindelse, **fields) -> bool:
    """Record the outcome, but only while the row is still ours (its lease token matches)."""
    updated = _update_mine(row, fields)
    if not updated:
        logger.warning("Påmindelser: reminder %s changed while it was being sent; outcome not recorded", row.pk)
    for name, value in fields.items():
        setattr(row, name, value)
    return bool(updated)


def deliver(row: Paamindelse, *, now: datetime | None = None, resolve=None, batch: channels.Batch | None = None) -> str:
    """Deliver one claimed row. Returns the outcome: sent, retried, failed, missed, cancelled,
    superseded (not sent: another dispatcher holds the row now) or unrecorded (sent, but the lease
    ran out meanwhile, so the outcome was not recorded).

    `resolve` is the batch's resolver (see `resolver_for`); without it one is made for this row.
    `batch` (`channels.Batch`) carries the batch's e-mails over one SMTP connection.
    """
    clock = _clock(now)
    if row.begivenhed and row.begivenhed < clock():
        return "missed" if _finish(row, status=S.FORPASSET) else "superseded"
    if not start_attempt(row, now=clock()):
        return "superseded"
    try:
        message = (resolve or resolver_for([row]))(row)
        message.idempotency_key = idempotency_key(row)
        channels.deliver(message, batch=batch)
    except Unsendable as stop:
        if not _finish(row, status=stop.status, sidste_fejl=scrub(stop.reason)):
            return "superseded"
        return "failed" if stop.status == S.FEJLET else "cancelled"
    except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried
        return _failed(row, exc, clock())
    if not _finish(row, status=S.SENDT, sendt=clock(), kanal=message.kanal):
        return "unrecorded"
    return "sent"


def _failed(row: Paamindelse, exc: Exception, now: datetime) -> str:
    """Record a failed attempt (already counted by `start_attempt`)."""
    error = error_text(exc)
    logger.warning("Påmindelser: reminder %s attempt %d failed: %s", row.pk, row.forsoeg, error)
    if row.forsoeg >= settings.PAAMINDELSE_MAX_ATTEMPTS:
        outcome = "failed" if _finish(row, status=S.FEJLET, sidste_fejl=error) else "superseded"
    else:
        outcome = "retried" if _finish(row, status=S.AFVENTER, forfalder=now + backoff(row.forsoeg),
                                       sidste_fejl=error) else "superseded"
    return outcome


def dispatch_due(*, now: datetime | None = None, batch_size: int | None = None, limit: int | None = None,
                 strategy: str | None = None) -> DispatchResult:
    """One dispatch pass: missed, then reclaim, claim and deliver batches until none are due.

    Rows whose lease ran out are reclaimed before every batch, so a long pass also takes over the
    rows a slow dispatcher has not reached yet. `now` fixes the clock for the whole pass (tests);
    `limit` caps how many rows this pass takes.
    """
    clock = _clock(now)
    result = DispatchResult()
    result.missed += mark_missed(now=clock())
    taken = 0
    while limit is None or taken < limit:
        reclaimed, gave_up = reclaim_stuck(now=clock())
        result.reclaimed += reclaimed
        result.failed += gave_up
        size = batch_size or settings.PAAMINDELSE_BATCH_SIZE
        if limit is not None:
            size = min(size, limit - taken)
        rows = claim_due(now=clock(), batch_size=size, strategy=strategy)
        if not rows:
            break
        taken += len(rows)
        try:
            resolve = resolver_for(rows)
        except Exception as exc:  # noqa: BLE001 - e.g. the database went away: retry the whole batch
            for row in rows:
                result.add(_failed(row, exc, clock()) if start_attempt(row, now=clock()) else "superseded")
            continue
        with channels.Batch() as batch:
            for row in rows:
                result.add(deliver(row, now=now, resolve=resolve, batch=batch))
    if any(result.as_dict().values()):
        logger.info("Påmindelser pass: %s", result.as_dict())
    return result


# --- The koordinator's retry ---------------------------------------------------------------------


def retry(*, actor, paamindelse: Paamindelse, now: datetime | None = None) -> Paamindelse:
    """Try a failed reminder again now.

    The attempt counter is reset to 0, so the retry gets the full `PAAMINDELSE_MAX_ATTEMPTS` budget with
    backoff; the last error stays visible until the next outcome replaces it. The caller may queue
    a pass at once (`tasks.dispatch_soon`); otherwise beat sends it within a minute.
    """
    access.check(actor, "paamindelse", "retry", paamindelse)
    now = now or timezone.now()
    with transaction.atomic():
        updated = Paamindelse.objects.filter(pk=paamindelse.pk, status=S.FEJLET).update(
            status=S.AFVENTER, forfalder=now, forsoeg=0, taget=None
        )
        if not updated:
            raise ValidationError(_("Kun fejlede påmindelser kan prøves igen."))
        paamindelse.refresh_from_db()
        log_action(actor=actor, handling=AuditAction.PAAMINDELSE_PROEVET_IGEN, obj=paamindelse, felter=["status", "forfalder"])
    return paamindelse


# --- Retention (issue 15) -----------------------------------------------------------------------


def purge_old(*, now: datetime | None = None, batch_size: int | None = None, max_batches: int | None = None) -> int:
    """Delete sent, cancelled and missed rows older than PAAMINDELSE_OPBEVARING_DAGE (sent rows by
    when they went out, the others by when they were due), in batches of PAAMINDELSE_PURGE_BATCH,
    at most PAAMINDELSE_PURGE_MAX_BATCHES a run (beat runs it daily; what is left waits a day).
    Failed rows stay for the koordinator. Rows about a subject still in progress stay too: the
    resolver's `i_brug(now)` names them (a planned meeting or one ahead, whose rows say who was
    already told; an open follow-up), so a purge never makes a påmindelse go out again.
    Returns how many rows were deleted."""
    now = now or timezone.now()
    batch_size = batch_size or settings.PAAMINDELSE_PURGE_BATCH
    max_batches = max_batches or settings.PAAMINDELSE_PURGE_MAX_BATCHES
    cutoff = now - timedelta(days=settings.PAAMINDELSE_OPBEVARING_DAGE)
    old = Paamindelse.objects.filter(Q(status=S.SENDT, sendt__lt=cutoff)
                                     | Q(status__in=[S.ANNULLERET, S.FORPASSET], forfalder__lt=cutoff))
    i_brug = getattr(resolver_class(), "i_brug", None)
    if i_brug is None:
        return 0  # a resolver that cannot say which rows are still in use: keep everything
    old = old.exclude(i_brug(now)).order_by()
    deleted = 0
    for _batch in range(max_batches):
        pks = list(old.values_list("pk", flat=True)[:batch_size])
        if pks:
            Paamindelse.objects.filter(pk__in=pks).delete()  # an answer's link to its row is set to NULL
            deleted += len(pks)
        if len(pks) < batch_size:
            break
    if deleted:
        logger.info("Påmindelser: purged %d rows older than %d days", deleted, settings.PAAMINDELSE_OPBEVARING_DAGE)
    return deleted
