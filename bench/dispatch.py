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

``--mode processes`` (default) runs each dispatcher in its own forked process with its own
connection, like several Celery workers; ``--mode threads`` runs them as threads in one process
(bound by the GIL while rendering). ``--resolver trivial`` replaces the resolver with one that
builds a fixed message, to show what the queue itself costs. The database is dropped at the end
unless ``--keep``. ``--smoke`` (for CI) runs the same code and checks on 10 meetings (50
reminders) with 1 and 2 dispatchers; it exits non-zero if a reminder was duplicated or missing.
"""

from __future__ import annotations

import argparse
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

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/brobygning_bench_dispatch"
KINDS_PER_MEETING = 5


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", default=os.environ.get("BENCH_DISPATCH_URL", DEFAULT_URL),
                   help=f"PostgreSQL URL of the bench database (default {DEFAULT_URL})")
    p.add_argument("--reminders", type=int, default=10_000, help="reminders to dispatch (default 10,000)")
    p.add_argument("--workers", default="1,4", help="dispatcher counts to run, comma-separated (default 1,4)")
    p.add_argument("--strategies", default="skip_locked,cas", help="claim strategies (default skip_locked,cas)")
    p.add_argument("--mode", choices=["processes", "threads"], default="processes")
    p.add_argument("--resolver", choices=["real", "trivial"], default="real")
    p.add_argument("--batch-size", type=int, default=50)
    p.add_argument("--keep", action="store_true", help="keep the database afterwards")
    p.add_argument("--smoke", action="store_true",
                   help="tiny run for CI: 50 reminders, 1 and 2 dispatchers, the same checks")
    args = p.parse_args()
    if args.smoke:
        args.reminders, args.workers = 50, "1,2"
    return args


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
DELIVERED: list[str] = []  # "email:<row pk>" or "sms:<number>" (every borger has their own number)


class RecordingEmailBackend:
    def __init__(self, *args, **kwargs):
        pass

    def send_messages(self, messages):
        with _lock:
            DELIVERED.extend(f"email:{m.extra_headers['X-Brobygning-Paamindelse']}" for m in messages)
        return len(messages)


class RecordingSmsBackend:
    def send(self, to, message, *, key=""):
        with _lock:
            DELIVERED.append(f"sms:{to}")


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


def dispatcher(strategy: str, batch_size: int, start_at: float, mode: str):
    """Run dispatch passes until nothing is due; return (counts, what this dispatcher delivered)."""
    from django.db import connections

    from brobygning.paamindelser import dispatch_due

    while time.time() < start_at:  # start together
        time.sleep(0.001)
    totals: dict[str, int] = {}
    try:
        while True:
            result = dispatch_due(batch_size=batch_size, strategy=strategy).as_dict()
            for key, value in result.items():
                totals[key] = totals.get(key, 0) + value
            if not any(result.values()):
                break
    finally:
        connections.close_all()
    # A forked process has its own DELIVERED list; threads share the parent's.
    return totals, list(DELIVERED) if mode == "processes" else []


def run(workers: int, strategy: str, mode: str, batch_size: int) -> tuple[float, list[dict], list[str]]:
    from django.db import connections

    DELIVERED.clear()
    connections.close_all()  # never share a connection with a forked child
    start_at = time.time() + 1.0
    if mode == "processes":
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"))
    else:
        pool = ThreadPoolExecutor(workers)
    with pool:
        futures = [pool.submit(dispatcher, strategy, batch_size, start_at, mode) for _ in range(workers)]
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


def main():
    args = parse_args()
    url = check_url(args.url)
    meetings = args.reminders // KINDS_PER_MEETING
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
        sync_seconds = seed(meetings)
        from brobygning.models import Paamindelse

        total = Paamindelse.objects.count()
        if total != meetings * KINDS_PER_MEETING:
            sys.exit(f"FAILED: sync_ledsagelse made {total:,} reminders for {meetings:,} meetings, "
                     f"expected {meetings * KINDS_PER_MEETING:,}")
        print(f"PostgreSQL {connection.pg_version // 10000}, Python {platform.python_version()}, "
              f"{os.cpu_count()} CPUs, mode={args.mode}, resolver={args.resolver}, batch={args.batch_size}")
        print(f"Seeded {meetings:,} meetings → {total:,} reminders; sync_ledsagelse: "
              f"{meetings / sync_seconds:,.0f} meetings/s ({sync_seconds:.1f} s)")
        print(f"{'strategy':<12} {'workers':>7} {'seconds':>8} {'reminders/s':>12} {'delivered':>10} "
              f"{'duplicates':>10} {'missing':>8} {'load':>5}")
        failed = False
        for strategy in args.strategies.split(","):
            for workers in (int(w) for w in args.workers.split(",")):
                reset_all_due()
                load_before = os.getloadavg()[0]
                elapsed, totals, delivered = run(workers, strategy, args.mode, args.batch_size)
                duplicates, missing = verify(total, delivered)
                failed |= bool(duplicates or missing)
                busy = sum(1 for t in totals if t.get("sent"))
                print(f"{strategy:<12} {workers:>7} {elapsed:>8.1f} {total / elapsed:>12,.0f} {len(delivered):>10,} "
                      f"{duplicates:>10} {missing:>8} {load_before:>5.1f}   ({busy} of {workers} dispatchers sent)")
        if failed:
            sys.exit("FAILED: some reminders were duplicated or missing")
        print(f"OK: every run delivered each of the {total:,} reminders exactly once.")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin(url, f'DROP DATABASE IF EXISTS "{db_name(url)}" WITH (FORCE)')
            print(f"Dropped {db_name(url)}.")


if __name__ == "__main__":
    main()
