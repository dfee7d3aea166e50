"""The access log (adgangslog): who read, searched, exported, changed or deleted a borger's data.

How new views get logged without extra work:

* Every borger-related object loaded through ``access.get_or_deny`` (borger, samtale, samtykke,
  maaling, match, ledsagelse, opfoelgning, i.e. every kind in ``access.BORGER_PATH``) records a
  read of that borger. ``borgere.selectors.borger_get`` and the matching selectors go through it,
  so a new view that uses a selector is logged, htmx fragments included.
* Lists and searches over borgere call ``log_search(actor, criteria)`` with the criterion: the
  selector behind a list that shows people (the waiting list, referrals, "Nye på vej") or the view
  (borger search, the board, take-over requests, påmindelser).
* A referral (not a borger yet) is logged as a read whose criterion names it (``henvisning=<id>``).
* Services that change, export or erase call ``log(...)`` with the handling.
* Login, logout and failed logins are logged by signal receivers (``brobygning.apps``); refused
  authorisations (403/404 raised by the access module) by ``AccessLogMiddleware``.
* An attempt to reach another centre's object (the 404 of ``access.get_or_deny`` and
  ``access.check``) is logged twice: under the actor's own centre, with the user, as above; and
  under the TARGET centre by ``log_foreign_attempt``, with the object and its borger but without
  the other centre's user (``bruger`` empty, no name or address), so the target centre's log and
  spot checks show it (purpose ``FORMAAL_ANDET_CENTER``).

During a request, entries are buffered and written in one INSERT when the response is ready
(duplicates within a request collapse to one). Outside a request (tasks, shell) they are written
at once. The purpose of each entry comes from the page (``FORMAAL_BY_VIEW``) unless given.
"""

from __future__ import annotations

import contextlib
import contextvars
import statistics
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import connection, connections, router, transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from .models import Adgangslog, User

H = Adgangslog.Handling

_buffer: contextvars.ContextVar[list | None] = contextvars.ContextVar("adgangslog_buffer", default=None)
_view: contextvars.ContextVar[str] = contextvars.ContextVar("adgangslog_view", default="")
_center: contextvars.ContextVar[int | None] = contextvars.ContextVar("adgangslog_center", default=None)

# The purpose recorded for reads on each page; anything else is ordinary case work.
FORMAAL_BY_VIEW = {
    "forslag": "matching",
    "match_create": "matching",
    "borger_export": "indsigt (art. 15)",
    "borger_export_json": "indsigt (art. 15)",
    "borger_erase": "sletning (art. 17)",
    "adgangslog_borger": "tilsyn med adgangsloggen",
}
STANDARD_FORMAAL = "sagsbehandling"
FORMAAL_ANDET_CENTER = "forsøg fra andet center"


def _bruger(actor):
    user = getattr(actor, "user", None)
    return user if user is not None and user.is_authenticated else None


def log(*, actor=None, handling: str, borger_id=None, center_id=None, kriterium: str = "", formaal: str = "",
        user=None, anonymous: bool = False) -> None:
    """Record one entry (buffered during a request). `anonymous`: without the acting user."""
    view = _view.get()
    entry = Adgangslog(
        bruger=None if anonymous else user or _bruger(actor),
        center_id=next((c for c in (center_id, getattr(actor, "center_id", None), _center.get()) if c is not None), None),
        handling=handling,
        borger_id=borger_id,
        kriterium=kriterium[:300],
        formaal=formaal or FORMAAL_BY_VIEW.get(view, STANDARD_FORMAAL),
        visning=view[:80],
        tidspunkt=timezone.now(),
    )
    buffer = _buffer.get()
    if buffer is None:
        entry.save()
        return
    key = (entry.bruger_id, entry.handling, entry.borger_id, entry.kriterium)
    if key not in {(e.bruger_id, e.handling, e.borger_id, e.kriterium) for e in buffer}:
        buffer.append(entry)


def log_read(*, actor, borger_id, center_id=None, kriterium: str = "") -> None:
    """A read of a borger; `kriterium` names what else was read (``henvisning=<id>``: a referral, which
    is not a borger yet, so `borger_id` is None until it is converted). Ids only, never names."""
    log(actor=actor, handling=H.LAEST, borger_id=borger_id, center_id=center_id, kriterium=kriterium)


def log_foreign_attempt(*, center_id: int, kind: str, obj_id, borger_id=None, from_center_id=None) -> None:
    """Someone in another centre tried to reach this centre's object: a refused access in the
    target centre's log, naming the kind of object, its id and its borger, never the user."""
    fra = f"center #{from_center_id}" if from_center_id else "uden center"
    log(handling=H.AFVIST, center_id=center_id, borger_id=borger_id, anonymous=True,
        kriterium=f"{kind}={obj_id} forsøgt fra et andet center ({fra})", formaal=FORMAAL_ANDET_CENTER)


def log_search(*, actor, criteria: dict) -> None:
    """A list or search over borgere, with its criterion (field names and values, no results)."""
    text = "; ".join(f"{k}={','.join(map(str, v)) if isinstance(v, list | tuple) else v}"
                     for k, v in sorted(criteria.items()) if v not in ("", None, [], ()))
    log(actor=actor, handling=H.SOEGNING, kriterium=text or "(alle)")


@contextlib.contextmanager
def in_center(center_id: int):
    """Entries written inside belong to this centre unless they name another (tasks: `CenterTask`)."""
    token = _center.set(center_id)
    try:
        yield
    finally:
        _center.reset(token)


_SPALTER = ("center", "bruger", "tidspunkt", "handling", "borger_id", "kriterium", "formaal", "visning")


def insert(entries: list[Adgangslog]) -> None:
    """Write new entries in one INSERT statement, atomic by itself, without RETURNING the ids: a
    request's entries at the end of every page that shows a borger (issue 15). `Model.save` would
    add its signals, its RETURNING and the save machinery; `bulk_create` would wrap several rows in
    BEGIN … COMMIT, two more round trips. The entries are not given their ids."""
    db = router.db_for_write(Adgangslog)
    conn = connections[db]
    fields = [Adgangslog._meta.get_field(name) for name in _SPALTER]
    quote = conn.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (f"INSERT INTO {quote(Adgangslog._meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "  # noqa: S608 -- names from the model; values are parameters
           f"VALUES {', '.join([row] * len(entries))}")
    params = [field.get_db_prep_save(getattr(entry, field.attname), conn) for entry in entries for field in fields]
    with conn.cursor() as cursor:
        cursor.execute(sql, params)


class Collect:
    """Buffer a request's entries and write them in one INSERT."""

    def __init__(self, view_name: str = ""):
        self.view_name = view_name

    def __enter__(self):
        self._tokens = (_buffer.set([]), _view.set(self.view_name))
        return self

    def set_view(self, name: str) -> None:
        _view.set(name or "")

    def flush(self) -> None:
        entries = _buffer.get() or []
        if entries:
            insert(entries)
        entries.clear()

    def __exit__(self, *exc):
        try:
            self.flush()
        finally:
            _buffer.reset(self._tokens[0])
            _view.reset(self._tokens[1])


# --- Purge ---------------------------------------------------------------------------------------

PURGE_SETTING = "brobygning.adgangslog_oprydning"


def purge_old(*, now=None) -> int:
    """Delete entries older than ADGANGSLOG_RETENTION_DAYS. The only code path that deletes.

    On PostgreSQL the append-only trigger lets a DELETE through only while the transaction has set
    ``brobygning.adgangslog_oprydning`` (SET LOCAL, so it ends with the transaction).
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.ADGANGSLOG_RETENTION_DAYS)
    table = Adgangslog._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SET LOCAL {PURGE_SETTING} = 'on'")
        cursor.execute(f"DELETE FROM {table} WHERE tidspunkt < %s", [cutoff])  # noqa: S608 - table name is ours
        return cursor.rowcount


# --- Koordinator views: volume alerts --------------------------------------------------------------

ALERT_FACTOR = 3
ALERT_MINIMUM = 20
ALERT_BASELINE_DAYS = 30


def _midnat(dag):
    """Local midnight of `dag`: a range on the column itself, not `tidspunkt__date` (a cast serves no index)."""
    return timezone.make_aware(datetime.combine(dag, time.min))


def _mange_i_dag(center_id, fra, til) -> dict:
    """User id → the distinct borgere they read in the centre from `fra` until `til`, for the users at
    ALERT_MINIMUM or more: a range on the partial index `adgangslog_laest_idx`. Plain SQL: the ORM's
    aggregate took longer to build and compile than to run (~0.7 ms on every koordinator overview, issue 15)."""
    db = router.db_for_read(Adgangslog)
    ops = connections[db].ops
    with connections[db].cursor() as cursor:
        cursor.execute(
            f'SELECT "bruger_id", COUNT(DISTINCT "borger_id") FROM {Adgangslog._meta.db_table}'  # noqa: S608 - our table
            ' WHERE "center_id" = %s AND "handling" = %s AND "bruger_id" IS NOT NULL AND "borger_id" IS NOT NULL'
            ' AND "tidspunkt" >= %s AND "tidspunkt" < %s'
            ' GROUP BY "bruger_id" HAVING COUNT(DISTINCT "borger_id") >= %s',
            [center_id, H.LAEST.value, ops.adapt_datetimefield_value(fra), ops.adapt_datetimefield_value(til), ALERT_MINIMUM])
        return dict(cursor.fetchall())


def volume_alerts(*, center_id, today=None) -> list[dict]:
    """Users who read unusually many borgere today.

    "Usual" is the median, over the previous 30 days (days with no reads count as 0), of the number
    of distinct borgere the user read per day. An alert needs today's count to be at least 20 and
    more than 3 × that median.

    Today's reads come first (one day of the centre's log); only users past the minimum have their
    30 days read, so the overview does not aggregate a month of the log on every request.
    """
    today = today or timezone.localdate()
    mange = _mange_i_dag(center_id, _midnat(today), _midnat(today + timedelta(days=1)))
    if not mange:
        return []
    laest = Adgangslog.objects.filter(center_id=center_id, handling=H.LAEST, bruger__isnull=False,
                                      borger_id__isnull=False)
    rows = (laest.filter(bruger_id__in=mange, tidspunkt__gte=_midnat(today - timedelta(days=ALERT_BASELINE_DAYS)),
                         tidspunkt__lt=_midnat(today))
            .annotate(dag=TruncDate("tidspunkt", tzinfo=timezone.get_current_timezone()))
            .values("bruger_id", "dag").annotate(n=Count("borger_id", distinct=True)))
    per_user: dict[int, dict] = {bruger_id: {today: n} for bruger_id, n in mange.items()}
    for row in rows:
        per_user[row["bruger_id"]][row["dag"]] = row["n"]
    alerts = []
    for bruger_id, days in per_user.items():
        count_today = days.get(today, 0)
        if count_today < ALERT_MINIMUM:
            continue
        baseline = [days.get(today - timedelta(days=i), 0) for i in range(1, ALERT_BASELINE_DAYS + 1)]
        median = statistics.median(baseline)
        if count_today > ALERT_FACTOR * median:
            alerts.append({"bruger_id": bruger_id, "i_dag": count_today, "median": median})
    if alerts:
        users = User.objects.in_bulk([a["bruger_id"] for a in alerts])
        for alert in alerts:
            alert["bruger"] = users.get(alert["bruger_id"])
    return sorted(alerts, key=lambda a: -a["i_dag"])
