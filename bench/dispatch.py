"""Benchmark: dispatching 10,000 due reminders (påmindelser) on PostgreSQL.

    .venv/bin/python bench/dispatch.py            # 10,000 reminders; 1 and 4 dispatchers; both claims
    .venv/bin/python bench/dispatch.py --smoke    # 50 reminders; 1 and 2 dispatchers; both claims (seconds)

It creates its own database ``brobygning_bench_dispatch`` (any other name is refused), migrates it,
seeds one centre with 2,000 planned first meetings and lets ``matching.paamindelser.sync_ledsagelse``
create their five reminders each (10,000 rows: e-mail to brobygger ×2 and host ×2, the borger's by
SMS or e-mail). It then makes all of them due and runs ``brobygning.paamindelser.dispatch_due`` — the
code path beat and ``send_due_reminders`` use: claim, resolve (load the subject, check consent,
render subject/text/HTML or SMS and the .ics), deliver, mark sent — with no-op backends that only
record what they were given. Every combination of ``--workers`` and ``--strategies`` runs over all
10,000 rows (reset to pending in between). It prints reminders per second and checks that every
reminder was delivered exactly once (0 duplicates, 0 missing, every row ``sendt``).

``--slow-relay`` runs the slow-relay scenario instead (issue 12): every message takes
``--relay-delay`` seconds (default 1.0) in the backends, the lease (``PAAMINDELSE_SENDING_TIMEOUT``)
is ``--lease`` seconds (default 10), shorter than one batch of ``--batch-size`` (default 50), and
``--workers`` dispatchers (default 2) poll like Celery workers under beat: each keeps running passes
until no row is pending or being sent. Rows a dispatcher has claimed but not reached when its lease
runs out are reclaimed by another; the per-row lease check before each send keeps the first from
sending them too. It reports sent (recorded), delivered, duplicates and lost (never delivered), and
the reclaimed/superseded/unrecorded counts, over ``--reminders`` (default 60 in this scenario).

``--mode processes`` (default) runs each dispatcher in its own forked process with its own
connection, like several Celery workers; ``--mode threads`` runs them as threads in one process
(bound by the GIL while rendering). ``--resolver trivial`` replaces the resolver with one that
builds a fixed message, to show what the queue itself costs. The database is dropped at the end
unless ``--keep``. ``--smoke`` (for CI) runs the same code and checks on 10 meetings (50
reminders) with 1 and 2 dispatchers, then a small slow-relay run (40 reminders, 0.1 s per message,
a 2 s lease, batches of 30, 2 dispatchers); it exits non-zero if a reminder was duplicated or missing.
"""

from __future__ import annotations

import argparse
import logging
import multiprocessing
import os
import platform
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from django.core.mail.backends.base import BaseEmailBackend

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/brobygning_bench_dispatch"
KINDS_PER_MEETING = 7  # the five reminders before a meeting, and the two questions after it (issue 12)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", default=os.environ.get("BENCH_DISPATCH_URL", DEFAULT_URL),
                   help=f"PostgreSQL URL of the bench database (default {DEFAULT_URL})")
    p.add_argument("--reminders", type=int, default=None,
                   help="reminders to dispatch (default 10,000; 60 with --slow-relay)")
    p.add_argument("--workers", default=None,
                   help="dispatcher counts to run, comma-separated (default 1,4; 2 with --slow-relay)")
    p.add_argument("--strategies", default=None,
                   help="claim strategies (default skip_locked,cas; skip_locked with --slow-relay)")
    p.add_argument("--mode", choices=["processes", "threads"], default="processes")
    p.add_argument("--resolver", choices=["real", "trivial"], default="real")
    p.add_argument("--batch-size", type=int, default=50)
    p.add_argument("--slow-relay", action="store_true",
                   help="the slow-relay scenario: a relay delay per message and a lease shorter than a batch")
    p.add_argument("--relay-delay", type=float, default=1.0, help="seconds per message with --slow-relay (default 1.0)")
    p.add_argument("--lease", type=float, default=10.0,
                   help="PAAMINDELSE_SENDING_TIMEOUT in seconds with --slow-relay (default 10)")
    p.add_argument("--keep", action="store_true", help="keep the database afterwards")
    p.add_argument("--smoke", action="store_true",
                   help="tiny run for CI: 50 reminders, 1 and 2 dispatchers, then a small slow-relay run")
    args = p.parse_args()
    slow = args.slow_relay
    args.reminders = args.reminders or (60 if slow else 10_000)
    args.workers = args.workers or ("2" if slow else "1,4")
    args.strategies = args.strategies or ("skip_locked" if slow else "skip_locked,cas")
    if args.smoke:
        args.reminders, args.workers, args.strategies = 50, "1,2", "skip_locked,cas"
    return args


SMOKE_SLOW_RELAY = {"reminders": 40, "relay_delay": 0.1, "lease": 2.0, "batch_size": 30, "workers": 2}


def check_url(url: str) -> str:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in ("postgres", "postgresql", "pgsql") or not name.startswith("brobygning_bench_dispatch"):
        sys.exit(f"Refusing {url!r}: this benchmark only runs on a PostgreSQL database named brobygning_bench_dispatch*.")
    return url


def admin(url: str, sql: str) -> None:
    import psycopg

    parts = urlsplit(url)
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
        conn.execute(sql)


def db_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


# --- No-op backends that record what they were given --------------------------------------------

_lock = threading.Lock()
DELIVERED: list[str] = []  # "email:<row pk>" or "sms:<idempotency key>" (one per row and arming)
RELAY_DELAY = 0.0  # seconds per message (--slow-relay); set before the dispatchers start


class RecordingEmailBackend(BaseEmailBackend):
    """A mail backend (open/close included: a batch sends over one connection) that only records."""

    def send_messages(self, messages):
        for m in messages:
            time.sleep(RELAY_DELAY)
            with _lock:
                DELIVERED.append(f"email:{m.extra_headers['X-Brobygning-Paamindelse']}")
        return len(messages)


class RecordingSmsBackend:
    def send(self, to, message, *, key=""):
        time.sleep(RELAY_DELAY)
        with _lock:
            DELIVERED.append(f"sms:{key}")


def trivial_resolver(rows):
    from brobygning.channels import Message

    return lambda row: Message(kanal="email", to="bench@example.org", sprog="da", subject="Bench", text="Bench",
                               headers={"X-Brobygning-Paamindelse": str(row.pk)})


# --- Seeding ------------------------------------------------------------------------------------


def seed(meetings: int) -> float:
    """Bulk-create the people and places, then plan each meeting through sync_ledsagelse."""
    from django.db import transaction
    from django.utils import timezone

    from borgere.models import Borger, Formaal, Samtykke, SamtykkeMaade
    from borgere.services import gaeldende_samtykketekst
    from brobygning.models import Frivilligcenter, Medlemskab, Postnummer, User
    from foreninger.models import Faellesskab, Forening
    from matching.models import Ledsagelse, Match, Stage
    from matching.paamindelser import sync_ledsagelse

    center = Frivilligcenter.objects.create(navn="Bench-centret", slug="bench", email="kontakt@bench.test",
                                            telefon="70 10 20 30")
    postnummer = Postnummer.objects.get(nr="5000")
    brobyggere = User.objects.bulk_create(
        User(email=f"brobygger{i}@bench.test", first_name=f"Brobygger{i}") for i in range(50)
    )
    Medlemskab.objects.bulk_create(Medlemskab(user=u, center=center, rolle="brobygger") for u in brobyggere)
    forening = Forening.objects.create(center=center, navn="Bench-foreningen", postnummer=postnummer)
    steder = Faellesskab.objects.bulk_create(
        Faellesskab(center=center, forening=forening, titel=f"Fællesskab {i}", adresse=f"Vestergade {i}",
                    postnummer=postnummer, vaert_navn=f"Vært{i}", vaert_email=f"vaert{i}@bench.test")
        for i in range(100)
    )
    borgere = Borger.objects.bulk_create(
        Borger(center=center, fornavn=f"Borger{i}", telefon=f"+45{30000000 + i}", email=f"borger{i}@bench.test",
               foretrukken_kanal="sms" if i % 2 else "email", postnummer=postnummer,
               brobygger=brobyggere[i % len(brobyggere)], sprog=["en"] if i % 5 == 0 else ["da"])
        for i in range(meetings)
    )
    # Consent to the centre's current text for each purpose, as samtykke_give records it.
    tekster = {formaal: gaeldende_samtykketekst(center_id=center.pk, formaal=formaal)
               for formaal in (Formaal.PAAMINDELSER, Formaal.DELING_MED_VAERT)}
    Samtykke.objects.bulk_create(
        Samtykke(center=center, borger=b, formaal=formaal, maade=SamtykkeMaade.MUNDTLIGT, tekst=tekst)
        for b in borgere for formaal, tekst in tekster.items()
    )
    matches = Match.objects.bulk_create(
        Match(center=center, borger=b, faellesskab=steder[i % len(steder)], stage=Stage.MOEDE_PLANLAGT)
        for i, b in enumerate(borgere)
    )
    start = timezone.now() + timedelta(days=3)
    ledsagelser = Ledsagelse.objects.bulk_create(
        Ledsagelse(center=center, match=m, brobygger=brobyggere[i % len(brobyggere)],
                   tidspunkt=start + timedelta(minutes=i))
        for i, m in enumerate(matches)
    )
    t0 = time.perf_counter()
    for ledsagelse in Ledsagelse.objects.filter(pk__in=[le.pk for le in ledsagelser]).select_related("match__borger"):
        with transaction.atomic():
            sync_ledsagelse(ledsagelse)
    return time.perf_counter() - t0


def reset_all_due() -> int:
    from django.utils import timezone

    from brobygning.models import Paamindelse

    return Paamindelse.objects.update(status="afventer", forsoeg=0, taget=None, sendt=None, sidste_fejl="",
                                      forfalder=timezone.now() - timedelta(minutes=1))


# --- One dispatcher -----------------------------------------------------------------------------


def dispatcher(strategy: str, batch_size: int, start_at: float, mode: str, poll: bool = False):
    """Run dispatch passes until nothing is due; return (counts, what this dispatcher delivered).

    `poll`: keep polling, like a worker under beat, until no row is pending or being sent (so a
    dispatcher that ran dry takes over rows whose lease runs out in another's batch)."""
    from django.db import connections

    from brobygning.models import Paamindelse
    from brobygning.paamindelser import dispatch_due

    while time.time() < start_at:  # start together
        time.sleep(0.001)
    totals: dict[str, int] = {}
    deadline = time.monotonic() + 3600
    try:
        while True:
            result = dispatch_due(batch_size=batch_size, strategy=strategy).as_dict()
            for key, value in result.items():
                totals[key] = totals.get(key, 0) + value
            if any(result.values()):
                continue
            if not poll or time.monotonic() > deadline:
                break
            if not Paamindelse.objects.filter(status__in=["afventer", "sender"]).exists():
                break
            time.sleep(0.1)  # the next poll
    finally:
        connections.close_all()
    # A forked process has its own DELIVERED list; threads share the parent's.
    return totals, list(DELIVERED) if mode == "processes" else []


def run(workers: int, strategy: str, mode: str, batch_size: int,
        poll: bool = False) -> tuple[float, list[dict], list[str]]:
    from django.db import connections

    DELIVERED.clear()
    connections.close_all()  # never share a connection with a forked child
    start_at = time.time() + 1.0
    if mode == "processes":
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    else:
        pool = ThreadPoolExecutor(workers)
    with pool:
        futures = [pool.submit(dispatcher, strategy, batch_size, start_at, mode, poll) for _ in range(workers)]
        outcomes = [f.result() for f in futures]
    elapsed = time.time() - start_at
    delivered = [item for _totals, items in outcomes for item in items] if mode == "processes" else list(DELIVERED)
    return elapsed, [totals for totals, _items in outcomes], delivered


def verify(expected: int, delivered: list[str]) -> tuple[int, int]:
    from django.db.models import Count

    from brobygning.models import Paamindelse

    duplicates = len(delivered) - len(set(delivered))
    missing = expected - len(set(delivered))
    statuses = dict(Paamindelse.objects.values_list("status").annotate(n=Count("pk")).order_by())
    if duplicates or missing or statuses != {"sendt": expected}:
        print(f"  !! duplicates={duplicates} missing={missing} statuses={statuses}")
    return duplicates, missing + (0 if statuses == {"sendt": expected} else 1)


def seed_and_count(meetings: int) -> tuple[int, float]:
    from brobygning.models import Paamindelse

    sync_seconds = seed(meetings)
    total = Paamindelse.objects.count()
    if total != meetings * KINDS_PER_MEETING:
        sys.exit(f"FAILED: sync_ledsagelse made {total:,} reminders for {meetings:,} meetings, "
                 f"expected {meetings * KINDS_PER_MEETING:,}")
    return total, sync_seconds


def throughput(args, total: int) -> bool:
    """The throughput runs; True when every reminder went out exactly once."""
    print(f"{'strategy':<12} {'workers':>7} {'seconds':>8} {'reminders/s':>12} {'delivered':>10} "
          f"{'duplicates':>10} {'missing':>8} {'load':>5}")
    ok = True
    for strategy in args.strategies.split(","):
        for workers in (int(w) for w in args.workers.split(",")):
            reset_all_due()
            load_before = os.getloadavg()[0]
            elapsed, totals, delivered = run(workers, strategy, args.mode, args.batch_size)
            duplicates, missing = verify(total, delivered)
            ok &= not (duplicates or missing)
            busy = sum(1 for t in totals if t.get("sent"))
            print(f"{strategy:<12} {workers:>7} {elapsed:>8.1f} {total / elapsed:>12,.0f} {len(delivered):>10,} "
                  f"{duplicates:>10} {missing:>8} {load_before:>5.1f}   ({busy} of {workers} dispatchers sent)")
    return ok


def slow_relay(*, total: int, relay_delay: float, lease: float, batch_size: int, workers: int,
               strategies: str, mode: str) -> bool:
    """The slow-relay runs; True when every reminder went out exactly once (0 duplicates, 0 lost)."""
    global RELAY_DELAY
    from django.conf import settings

    RELAY_DELAY = relay_delay
    settings.PAAMINDELSE_SENDING_TIMEOUT = lease
    print(f"Slow relay: {relay_delay} s per message, lease {lease} s, batches of {batch_size} "
          f"({batch_size * relay_delay:.1f} s of sending per batch), {workers} dispatchers, {total} reminders")
    print(f"{'strategy':<12} {'workers':>7} {'seconds':>8} {'sent':>6} {'delivered':>10} {'duplicates':>10} "
          f"{'lost':>5} {'reclaimed':>9} {'superseded':>10} {'unrecorded':>10}")
    ok = True
    try:
        for strategy in strategies.split(","):
            reset_all_due()
            elapsed, totals, delivered = run(workers, strategy, mode, batch_size, poll=True)
            duplicates, lost = verify(total, delivered)
            ok &= not (duplicates or lost)
            count = {key: sum(t.get(key, 0) for t in totals) for key in ("sent", "reclaimed", "superseded", "unrecorded")}
            print(f"{strategy:<12} {workers:>7} {elapsed:>8.1f} {count['sent']:>6} {len(delivered):>10} "
                  f"{duplicates:>10} {lost:>5} {count['reclaimed']:>9} {count['superseded']:>10} {count['unrecorded']:>10}")
    finally:
        RELAY_DELAY = 0.0
    return ok


def main():
    args = parse_args()
    url = check_url(args.url)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brobygning.settings")
    os.environ["LOG_LEVEL"] = "WARNING"

    print(f"Creating database {db_name(url)} …")
    admin(url, f'DROP DATABASE IF EXISTS "{db_name(url)}" WITH (FORCE)')
    admin(url, f'CREATE DATABASE "{db_name(url)}"')
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.db import connection

        settings.EMAIL_BACKEND = f"{__name__}.RecordingEmailBackend"
        settings.SMS_BACKEND = f"{__name__}.RecordingSmsBackend"
        if args.resolver == "trivial":
            settings.PAAMINDELSE_RESOLVER = f"{__name__}.trivial_resolver"
        call_command("migrate", verbosity=0)
        # Taken-over rows are expected here (one warning each); the table below counts them.
        logging.getLogger("brobygning.paamindelser").setLevel(logging.ERROR)
        total, sync_seconds = seed_and_count(args.reminders // KINDS_PER_MEETING)
        meetings = total // KINDS_PER_MEETING
        print(f"PostgreSQL {connection.pg_version // 10000}, Python {platform.python_version()}, "
              f"{os.cpu_count()} CPUs, mode={args.mode}, resolver={args.resolver}, batch={args.batch_size}")
        print(f"Seeded {meetings:,} meetings → {total:,} reminders; sync_ledsagelse: "
              f"{meetings / sync_seconds:,.0f} meetings/s ({sync_seconds:.1f} s)")
        if args.slow_relay:
            ok = slow_relay(total=total, relay_delay=args.relay_delay, lease=args.lease, batch_size=args.batch_size,
                            workers=int(args.workers.split(",")[0]), strategies=args.strategies, mode=args.mode)
        else:
            ok = throughput(args, total)
        if args.smoke:
            smoke = SMOKE_SLOW_RELAY
            from brobygning.models import Paamindelse

            Paamindelse.objects.filter(pk__in=list(Paamindelse.objects.order_by("pk")
                                                   .values_list("pk", flat=True)[smoke["reminders"]:])).delete()
            ok &= slow_relay(total=smoke["reminders"], relay_delay=smoke["relay_delay"], lease=smoke["lease"],
                             batch_size=smoke["batch_size"], workers=smoke["workers"], strategies="skip_locked,cas",
                             mode=args.mode)
        if not ok:
            sys.exit("FAILED: some reminders were duplicated or lost")
        print("OK: every run delivered each reminder exactly once.")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin(url, f'DROP DATABASE IF EXISTS "{db_name(url)}" WITH (FORCE)')
            print(f"Dropped {db_name(url)}.")


if __name__ == "__main__":
    main()
