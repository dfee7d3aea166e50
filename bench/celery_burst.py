"""Benchmark: a burst of 10,000 due reminders (påmindelser) through real Celery workers on Redis,
with one worker killed (SIGKILL) in the middle (issue 15, point 6).

    .venv/bin/python bench/celery_burst.py            # 10,000 reminders, 4 workers, a run without and one with a kill
    .venv/bin/python bench/celery_burst.py --smoke    # 105 reminders, 2 workers, one kill (seconds; CI runs this)

What runs, and how it is checked:

* **Database.** Its own PostgreSQL database ``brobygning_bench_burst`` (any name not starting with
  that is refused), migrated and seeded by ``bench/dispatch.py``'s seeding: one centre, planned
  first meetings, and their reminders made by ``matching.paamindelser.sync_ledsagelse`` (e-mail to
  brobygger and host, the borger's by SMS or e-mail, the questions after the meeting). Every run
  makes all of them due at once. The database is dropped at the end unless ``--keep``.
* **Workers.** ``--workers`` separate ``celery -A brobygning worker --concurrency 1`` processes
  (prefork, as in docker-compose.yml), each in its own process group, with production settings
  (DEBUG off, ``CONN_MAX_AGE=60``) on Redis db 4 (broker and cache, as production's default;
  ``--redis-url``; the bench empties that db first).
* **How work reaches them.** As in production: beat's task ``brobygning.tasks.dispatch_due_reminders``,
  sent with beat's options. The bench plays beat and sends it every ``--beat-interval`` seconds
  (production: 60) until every row is done; the task itself queues the helper passes that spread
  a burst over the workers (``PAAMINDELSE_PARALLEL_PASSES``).
* **Delivery.** E-mail goes over real SMTP (``EMAIL_URL=smtp://``) to an aiosmtpd server in this
  process, which records each message's ``X-Brobygning-Paamindelse`` (the row) and ``Message-ID``.
  SMS goes to ``RecordingSmsBackend`` below, which appends the idempotency key of each message to a
  file (an ``O_APPEND`` write, so a line written before a kill survives it).
* **The kill.** When ``--kill-at`` of the reminders have been delivered, the worker that used the
  most CPU in the last 0.3 s (so one that is sending) is killed with SIGKILL, its pool child
  included (the whole process group, as when a container or machine dies). Its task message is
  gone (acked on receipt); the rows it had claimed stay ``sender`` until their lease
  (``PAAMINDELSE_SENDING_TIMEOUT``, ``--lease``, production 600 s) runs out, and the next pass of
  any worker reclaims and sends them.
* **Checks.** Every row delivered at least once and every row ``sendt`` (0 missing); no reminder
  delivered twice under two different keys (0 real duplicates). A copy sent again with the *same*
  Message-ID / idempotency key can only come from the one known window: the killed worker's row
  whose attempt had started (``forsoeg`` = 2 after the resend) and which the SMTP server or SMS
  gateway had accepted before the kill, before the row was marked ``sendt``. Those are counted
  separately ("window") and may not exceed one per kill; the table shows whether it happened.
  Any other duplicate, or a missing reminder, fails the run (non-zero exit).

Rates: ``rate`` is unique reminders per second from the first delivery to the last, over the whole
run, including the wait for the dead worker's lease and the reclaim; ``rate before kill`` is the
rate up to the kill (all workers alive).
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/brobygning_bench_burst"
DEFAULT_REDIS = "redis://127.0.0.1:6379/4"
SMS_LOG_ENV = "BURST_SMS_LOG"


# --- The SMS backend the workers use (imported by them as celery_burst.RecordingSmsBackend) -------


class RecordingSmsBackend:
    """Appends "<idempotency key> <unix time>" for each SMS to the file $BURST_SMS_LOG."""

    def send(self, to, message, *, key=""):
        line = f"{key} {time.time():.6f}\n".encode()
        fd = os.open(os.environ[SMS_LOG_ENV], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)


# --- The SMTP server ------------------------------------------------------------------------------

_ROW = re.compile(rb"^X-Brobygning-Paamindelse:\s*(\d+)", re.MULTILINE | re.IGNORECASE)
_MSGID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]*>)", re.MULTILINE | re.IGNORECASE)
_KEY_ROW = re.compile(r"^brobygning-paamindelse-(\d+)-")


class Sink:
    """aiosmtpd handler: records (row, Message-ID, time) for each message accepted."""

    def __init__(self):
        self.mails: list[tuple[int, str, float]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        head = envelope.content.split(b"\r\n\r\n", 1)[0]
        row = _ROW.search(head)
        msgid = _MSGID.search(head)
        self.mails.append((int(row.group(1)) if row else -1, msgid.group(1).decode() if msgid else "", time.time()))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class SmsCount:
    """Counts the lines of the SMS file as it grows, reading only what is new."""

    def __init__(self, path: Path):
        self.path, self.offset, self.lines = path, 0, 0

    def __call__(self) -> int:
        with open(self.path, "rb") as f:
            f.seek(self.offset)
            new = f.read()
        done = new.rfind(b"\n") + 1
        self.offset += done
        self.lines += new.count(b"\n", 0, done)
        return self.lines


def read_sms(path: Path) -> list[tuple[int, str, float]]:
    out = []
    if path.exists():
        for line in path.read_text().splitlines():
            key, _, stamp = line.partition(" ")
            m = _KEY_ROW.match(key)
            out.append((int(m.group(1)) if m else -1, key, float(stamp)))
    return out


# --- Arguments and the database -------------------------------------------------------------------


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", default=os.environ.get("BENCH_BURST_URL", DEFAULT_URL),
                   help=f"PostgreSQL URL of the bench database (default {DEFAULT_URL})")
    p.add_argument("--redis-url", default=os.environ.get("BENCH_BURST_REDIS", DEFAULT_REDIS),
                   help=f"broker and cache (default {DEFAULT_REDIS}); emptied first")
    p.add_argument("--reminders", type=int, default=10_000)
    p.add_argument("--workers", type=int, default=4, help="Celery worker processes (concurrency 1 each)")
    p.add_argument("--runs", default="nokill,kill",
                   help="comma-separated runs over the same rows: kill (one SIGKILL mid-burst) or nokill")
    p.add_argument("--kill-at", type=float, default=0.3, help="kill when this share is delivered (default 0.3)")
    p.add_argument("--lease", type=int, default=10,
                   help="PAAMINDELSE_SENDING_TIMEOUT in seconds (default 10; production 600)")
    p.add_argument("--beat-interval", type=float, default=5.0, help="seconds between beat's tasks (production 60)")
    p.add_argument("--batch-size", type=int, default=50, help="PAAMINDELSE_BATCH_SIZE (default 50)")
    p.add_argument("--timeout", type=float, default=600, help="give up a run after this many seconds")
    p.add_argument("--keep", action="store_true", help="keep the database afterwards")
    p.add_argument("--smoke", action="store_true", help="105 reminders, 2 workers, batches of 10, one kill")
    args = p.parse_args()
    if args.smoke:
        args.reminders, args.workers, args.runs, args.batch_size, args.lease = 105, 2, "kill", 10, 5
        args.beat_interval, args.timeout = 1.0, 120
    return args


def check_url(url: str) -> str:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in ("postgres", "postgresql", "pgsql") or not name.startswith("brobygning_bench_burst"):
        sys.exit(f"Refusing {url!r}: this benchmark only runs on a PostgreSQL database named brobygning_bench_burst*.")
    return url


# --- Workers ---------------------------------------------------------------------------------------


def worker_env(args, smtp_port: int, sms_log: Path) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(BENCH)]),
        "DJANGO_SETTINGS_MODULE": "brobygning.settings",
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-" + "x" * 50,
        "ALLOWED_HOSTS": "brobygning.example.dk",
        "SITE_URL": "https://brobygning.example.dk",
        "DATABASE_URL": args.url,
        "CONN_MAX_AGE": "60",
        "REDIS_URL": args.redis_url,
        "CACHE_REDIS_URL": args.redis_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "EMAIL_TIMEOUT": "1",
        "SMS_TIMEOUT": "1",
        "SMS_BACKEND": "celery_burst.RecordingSmsBackend",
        "SMS_URL": "",
        SMS_LOG_ENV: str(sms_log),
        "PAAMINDELSE_SENDING_TIMEOUT": str(args.lease),
        "PAAMINDELSE_BATCH_SIZE": str(args.batch_size),
        "PAAMINDELSE_PARALLEL_PASSES": str(args.workers),
        "LOG_LEVEL": "WARNING",
    }


def start_workers(n: int, env: dict, logdir: Path, tag: str) -> list[subprocess.Popen]:
    procs = []
    for i in range(n):
        log = open(logdir / f"worker-{tag}-{i}.log", "wb")  # noqa: SIM115 - kept open for the process
        procs.append(subprocess.Popen(
            [str(ROOT / ".venv/bin/celery"), "-A", "brobygning", "worker", "--concurrency", "1",
             "--loglevel", "WARNING", "-n", f"burst{i}-{tag}@%h"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
    return procs


def wait_ready(app, procs, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if any(p.poll() is not None for p in procs):
            sys.exit("FAILED: a worker exited while starting (see its log)")
        if len(app.control.ping(timeout=0.5) or []) >= len(procs):
            return
        time.sleep(0.5)
    sys.exit(f"FAILED: the workers did not answer within {timeout:.0f} s")


def group_cpu(pid: int) -> float:
    """CPU seconds of a worker's process group (main process and pool child)."""
    import psutil

    total = 0.0
    try:
        main = psutil.Process(pid)
        for proc in [main, *main.children(recursive=True)]:
            t = proc.cpu_times()
            total += t.user + t.system
    except psutil.NoSuchProcess:
        pass
    return total


class CpuMeter:
    """CPU seconds by process group over one run, from /proc (psutil), sampled as the run goes so a
    process that ends (a killed worker, a PostgreSQL backend that closes) keeps what it used:

    * ``workers``: each worker's process group (main process and pool child), the killed one included
      up to its last sample (taken right before the kill);
    * ``postgres``: the PostgreSQL backends connected to the bench database, except the bench's own
      polling connection (``postgres_bench``); a backend that starts during the run counts from 0;
    * ``postgres_shared``: the server's background processes (WAL writer, checkpointer, background
      writer …); the server is shared with anything else on the machine, so this is an upper bound;
    * ``redis``: the Redis server (shared with anything else using it: an upper bound);
    * ``smtp``: the aiosmtpd server's thread in this process; ``bench``: the rest of this process
      (playing beat, polling for progress, sampling).
    """

    def __init__(self, *, db: str, worker_pids, bench_backend: int | None, smtp_thread: int | None):
        import psutil

        self.psutil, self.db, self.bench_backend, self.smtp_thread = psutil, db, bench_backend, smtp_thread
        self.worker_pids = list(worker_pids)
        self.first: dict[tuple[str, int], float] = {}
        self.last: dict[tuple[str, int], float] = {}
        self._redis = [p for p in psutil.process_iter(["name"]) if (p.info["name"] or "").startswith("redis-server")]
        self._seen_pg: set[int] = set()
        self.sample(first=True)

    @staticmethod
    def _cpu(proc) -> float:
        t = proc.cpu_times()
        return t.user + t.system

    def _record(self, group: str, pid: int, value: float, first: bool) -> None:
        key = (group, pid)
        if key not in self.first:
            self.first[key] = value if first else 0.0  # started during the run: all of it counts
        self.last[key] = max(value, self.last.get(key, 0.0))

    def sample(self, *, first: bool = False) -> None:
        ps = self.psutil
        for pid in self.worker_pids:
            self._record("workers", pid, group_cpu(pid), first)
        for proc in ps.process_iter(["name", "cmdline"]):
            try:
                if proc.info["name"] != "postgres":
                    continue
                cmd = " ".join(proc.info["cmdline"] or [])
                if f" {self.db} " in cmd:
                    group = "postgres_bench" if proc.pid == self.bench_backend else "postgres"
                elif "postgres: " in cmd and "@" not in cmd and " 127.0.0.1(" not in cmd and "[local]" not in cmd:
                    group = "postgres_shared"  # a background process, not any database's backend
                else:
                    continue
                self._record(group, proc.pid, self._cpu(proc), first)
            except ps.Error:
                continue
        for proc in self._redis:
            try:
                self._record("redis", proc.pid, self._cpu(proc), first)
            except ps.Error:
                continue
        me = ps.Process()
        threads = {t.id: t.user_time + t.system_time for t in me.threads()}
        smtp = threads.get(self.smtp_thread, 0.0)
        self._record("smtp", 0, smtp, first)
        self._record("bench", 0, self._cpu(me) - smtp, first)

    def totals(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for (group, pid), value in self.last.items():
            out[group] = out.get(group, 0.0) + value - self.first.get((group, pid), 0.0)
        return out


def stop_workers(procs) -> None:
    for p in procs:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGTERM)
    for p in procs:
        try:
            p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


# --- One run ---------------------------------------------------------------------------------------


def one_run(args, kind: str, sink: Sink, sms_log: Path, env: dict, logdir: Path, total: int, expected: set,
            smtp_thread: int | None = None) -> dict:
    import dispatch
    from django.db import connection
    from django.db.models import Count

    from brobygning.celery import app
    from brobygning.models import Paamindelse
    from brobygning.tasks import dispatch_due_reminders

    beat_options = app.conf.beat_schedule["dispatch-due-reminders"].get("options", {})
    dispatch.reset_all_due()
    Paamindelse.objects.update(sidste_fejl="")
    sink.mails.clear()
    sms_log.write_text("")
    app.control.purge()
    procs = start_workers(args.workers, env, logdir, kind)
    cpu0 = {p.pid: group_cpu(p.pid) for p in procs}
    killed_at = None
    delivered_at_kill = 0
    sms_count = SmsCount(sms_log)
    try:
        wait_ready(app, procs)
        cpu0 = {p.pid: group_cpu(p.pid) for p in procs}
        load = os.getloadavg()[0]
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            bench_backend = cursor.fetchone()[0]
        meter = CpuMeter(db=dispatch.db_name(args.url), worker_pids=[p.pid for p in procs],
                         bench_backend=bench_backend, smtp_thread=smtp_thread)
        last_meter = time.monotonic()
        start = time.time()
        next_beat = 0.0
        last_cpu = {p.pid: group_cpu(p.pid) for p in procs}
        last_cpu_at = time.monotonic()
        sample = dict(last_cpu)
        while True:
            now = time.monotonic()
            if now >= next_beat:
                dispatch_due_reminders.apply_async(**beat_options)  # what beat sends
                next_beat = now + args.beat_interval
            delivered = len(sink.mails) + sms_count()
            if now - last_cpu_at >= 0.3:
                sample = {pid: group_cpu(pid) - last_cpu[pid] for pid in last_cpu}
                last_cpu = {pid: group_cpu(pid) for pid in last_cpu}
                last_cpu_at = now
            if now - last_meter >= 1.0:
                meter.sample()
                last_meter = now
            if kind == "kill" and killed_at is None and delivered >= args.kill_at * total:
                victim = max(procs, key=lambda p: sample.get(p.pid, 0))
                meter.sample()  # the victim's CPU up to now
                os.killpg(victim.pid, signal.SIGKILL)
                killed_at, delivered_at_kill = time.time(), delivered
                victim.wait()
            if delivered >= total and not Paamindelse.objects.filter(status__in=["afventer", "sender"]).exists():
                break
            if time.time() - start > args.timeout:
                print(f"  !! gave up after {args.timeout:.0f} s")
                break
            time.sleep(0.05)
        time.sleep(0.5)  # a straggler would show up now
        cpu = {p.pid: group_cpu(p.pid) - cpu0[p.pid] for p in procs if p.poll() is None}
        meter.sample()
        cpu_by_group = meter.totals()
    finally:
        stop_workers(procs)

    mails, sms = list(sink.mails), read_sms(sms_log)
    copies = Counter(row for row, _key, _t in mails + sms)
    keys_per_row: dict[int, set] = {}
    for row, key, _t in mails + sms:
        keys_per_row.setdefault(row, set()).add(key)
    times = sorted(t for _r, _k, t in mails + sms)
    unique = len(set(copies) & expected)
    missing = len(expected - set(copies))
    stray = len(set(copies) - expected)
    twice = {row for row, n in copies.items() if n > 1}
    same_key = {row for row in twice if len(keys_per_row[row]) == 1 and copies[row] == 2}
    statuses = dict(Paamindelse.objects.values_list("status").annotate(n=Count("pk")).order_by())
    reclaimed = Paamindelse.objects.filter(sidste_fejl__contains="tidsgrænse").count()
    in_flight = Paamindelse.objects.filter(forsoeg__gte=2).count()
    span = (times[-1] - times[0]) if len(times) > 1 else float("nan")
    before = [t for t in times if killed_at is None or t <= killed_at]
    result = {
        "run": kind, "reminders": total, "delivered": len(mails) + len(sms), "unique": unique,
        "missing": missing + stray, "duplicates": len(twice - same_key), "window": len(same_key),
        "sendt": statuses.get("sendt", 0), "statuses": statuses, "seconds": span,
        "rate": unique / span if span else float("nan"),
        "rate_before_kill": (len(before) / (before[-1] - before[0])) if killed_at and len(before) > 1 else None,
        "killed_after": delivered_at_kill if killed_at else None,
        "reclaimed": reclaimed, "in_flight": in_flight, "load": load,
        "busy_workers": sum(1 for c in cpu.values() if c > 1.0), "cpu": cpu_by_group,
        "longest_gap": max((b - a for a, b in zip(times, times[1:], strict=False)), default=0.0),
    }
    return result


CPU_GROUPS = [("workers", "workers"), ("postgres", "PostgreSQL backends"), ("redis", "Redis*"),
              ("smtp", "SMTP server"), ("postgres_shared", "PostgreSQL background*"),
              ("postgres_bench", "bench's PostgreSQL"), ("bench", "bench")]
PIPELINE = ("workers", "postgres", "redis", "smtp", "postgres_shared")  # what sending costs; not the bench's polling


def report(r: dict) -> None:
    before = f"{r['rate_before_kill']:.0f}" if r["rate_before_kill"] else "–"
    print(f"{r['run']:<7} {r['reminders']:>9,} {r['seconds']:>8.1f} {r['rate']:>6.0f} {before:>12} "
          f"{r['unique']:>7,} {r['duplicates']:>5} {r['window']:>6} {r['missing']:>7} "
          f"{r['reclaimed']:>9} {r['in_flight']:>9} {r['longest_gap']:>6.1f} {r['load']:>5.1f}"
          f"   (sendt {r['sendt']:,}; {r['busy_workers']} workers busy"
          + (f"; killed after {r['killed_after']:,} delivered" if r["killed_after"] is not None else "") + ")")
    cpu, n = r["cpu"], r["reminders"]
    per = {group: 1000 * cpu.get(group, 0.0) / n for group, _label in CPU_GROUPS}
    pipeline = sum(per[g] for g in PIPELINE)
    print("        CPU per reminder (ms): " + ", ".join(f"{label} {per[g]:.2f}" for g, label in CPU_GROUPS)
          + f"; pipeline (workers + PostgreSQL + Redis + SMTP) {pipeline:.2f} ms"
          + (f" = {2000 / pipeline:.0f}/s on 2 idle cores" if pipeline else ""))
    print("        (* shared with anything else on the machine: an upper bound)")


def ok(r: dict, kills: int) -> bool:
    return (r["missing"] == 0 and r["duplicates"] == 0 and r["window"] <= kills
            and r["statuses"] == {"sendt": r["reminders"]})


def main():
    args = parse_args()
    url = check_url(args.url)
    os.environ["DATABASE_URL"] = url
    os.environ["REDIS_URL"] = args.redis_url
    os.environ["CACHE_REDIS_URL"] = args.redis_url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brobygning.settings")
    os.environ["LOG_LEVEL"] = "WARNING"

    import dispatch

    name = dispatch.db_name(url)
    print(f"Creating database {name} …")
    dispatch.admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    dispatch.admin(url, f'CREATE DATABASE "{name}"')
    logdir = Path(tempfile.mkdtemp(prefix="celery-burst-"))
    sms_log = logdir / "sms.log"
    from aiosmtpd.controller import Controller

    sink = Sink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    all_ok = True
    try:
        import django

        django.setup()
        import redis
        from django.core.management import call_command
        from django.db import connection

        from brobygning.models import Paamindelse

        redis.Redis.from_url(args.redis_url).flushdb()
        call_command("migrate", verbosity=0)
        total, sync_seconds = dispatch.seed_and_count(-(-args.reminders // dispatch.KINDS_PER_MEETING))
        expected = set(Paamindelse.objects.values_list("pk", flat=True))
        print(f"PostgreSQL {connection.pg_version // 10000}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; "
              f"{total:,} reminders; {args.workers} workers (concurrency 1); batches of {args.batch_size}; "
              f"lease {args.lease} s; beat every {args.beat_interval:g} s; SMTP on port {smtp_port}; logs in {logdir}")
        connection.close()
        env = worker_env(args, smtp_port, sms_log)
        print(f"{'run':<7} {'reminders':>9} {'seconds':>8} {'rate':>6} {'before kill':>12} {'unique':>7} "
              f"{'dupl':>5} {'window':>6} {'missing':>7} {'reclaimed':>9} {'in flight':>9} {'gap s':>6} {'load':>5}")
        for kind in args.runs.split(","):
            if kind not in ("kill", "nokill"):
                sys.exit(f"Unknown run {kind!r}: kill or nokill")
            r = one_run(args, kind, sink, sms_log, env, logdir, total, expected,
                        smtp_thread=getattr(getattr(controller, "_thread", None), "native_id", None))
            report(r)
            if not ok(r, 1 if kind == "kill" else 0):
                print(f"  !! statuses {r['statuses']}")
                all_ok = False
    finally:
        controller.stop()
        from django.db import connections

        connections.close_all()
        if not args.keep:
            dispatch.admin(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            print(f"Dropped {name}.")
    if not all_ok:
        sys.exit("FAILED: a reminder was missing, not sendt, or sent twice outside the crash window")
    print("OK: every reminder delivered and sendt; no duplicate outside the crash window.")


if __name__ == "__main__":
    main()
