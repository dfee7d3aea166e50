"""Load test: mixed traffic from koordinatorer, brobyggere and the public against gunicorn with the
production settings, on the national dataset (issue 15; results in PERFORMANCE.md).

    .venv/bin/python bench/load.py --size medium                 # build, run the steps, drop
    .venv/bin/python bench/load.py --size large --keep           # keep the database for the next run
    .venv/bin/python bench/load.py --size large --reuse --users 8,16,32,64 --seconds 60
    .venv/bin/python bench/load.py --smoke                       # CI: tiny size, one short step

It builds the dataset like bench/pages.py (its own database, name starting with brobygning_bench;
default brobygning_bench_load), collects static files, logs in the largest centre's koordinator
(two-factor step passed) and one of its brobyggere, and starts gunicorn (DEBUG off, behind a
pretend TLS proxy, WhiteNoise, Redis as cache and broker). Then Locust (bench/locustfile.py) runs
one step per number of simulated users, each for --seconds: 20 % koordinatorer, 30 % brobyggere,
50 % public, each waiting 0.5–2 s between pages like a person reading. Every key page of
bench/pages.py is in the mix.

It prints, per step, the throughput and the p50/p95/p99 over all requests, marks the first step
whose p95 passes 1 s (the throughput where it does), and the per-page p50/p95/p99 of the busiest
step that stayed under it. Exits non-zero if any request failed (non-200), never for slowness.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchdb import database_url, drop_db  # noqa: E402
from bench.pages import SOEGER, log_in, national_dataset, pages, production_env  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/brobygning_bench_load"
P95_LIMIT_MS = 1000


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", choices=["tiny", "medium", "large"], default="medium")
    p.add_argument("--users", default="4,8,16,32", help="simulated users per step, comma-separated")
    p.add_argument("--seconds", type=int, default=60, help="length of each step (default 60)")
    p.add_argument("--workers", type=int, default=(os.cpu_count() or 1) * 2 + 1, help="gunicorn workers")
    p.add_argument("--keep", action="store_true", help="keep the database afterwards")
    p.add_argument("--reuse", action="store_true", help="reuse a kept database (skips the build)")
    p.add_argument("--smoke", action="store_true", help="CI: tiny size, 3 users for 10 s; fails only on errors")
    args = p.parse_args()
    if args.smoke:
        args.size, args.users, args.seconds, args.workers = "tiny", "3", 10, 2  # every page answers 200
    args.users = [int(n) for n in args.users.split(",")]
    return args


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_plan(slug: str, path: Path) -> int:
    """The pages per role and the session cookies, for bench/locustfile.py. Returns the page count."""
    from brobygning.models import Medlemskab, Rolle

    koordinator = Medlemskab.objects.get(center__slug=slug, rolle=Rolle.KOORDINATOR).user
    brobygger, page_list = pages(slug)
    plan = {"cookies": {"koordinator": log_in(koordinator, koordinator=True).cookies["sessionid"].value,
                        "brobygger": log_in(brobygger, koordinator=False).cookies["sessionid"].value},
            "pages": {"koordinator": [], "brobygger": [], "public": []}}
    for label, who, url in page_list:
        # The load test's koordinator has one session and no saved search: "Borger search" (a search
        # kept in its own session by bench/pages.py) runs as the koordinator's borger list here.
        who = "koordinator" if who == SOEGER else who
        plan["pages"][who or "public"].append([label, url])
    path.write_text(json.dumps(plan), encoding="utf-8")
    return len(page_list)


def start_gunicorn(port: int, workers: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "BEHIND_TLS_PROXY": "true", "ALLOWED_HOSTS": "127.0.0.1", "LOG_LEVEL": "WARNING"}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    server = subprocess.Popen(
        [str(ROOT / ".venv/bin/gunicorn"), "brobygning.wsgi", "--bind", f"127.0.0.1:{port}",
         "--workers", str(workers), "--access-logfile", "/dev/null", "--no-control-socket"],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    for _ in range(60):
        try:
            with urllib.request.urlopen(urllib.request.Request(
                    f"http://127.0.0.1:{port}/healthz", headers={"X-Forwarded-Proto": "https"}), timeout=2) as r:
                if r.status == 200:
                    return server
        except OSError:
            time.sleep(1)
    server.terminate()
    sys.exit(f"gunicorn did not answer /healthz within 60 s:\n{log.read_text()[-3000:]}")


def run_step(users: int, seconds: int, port: int, plan: Path, prefix: Path) -> list[dict]:
    result = subprocess.run(
        [str(ROOT / ".venv/bin/locust"), "-f", str(ROOT / "bench/locustfile.py"), "--headless", "--only-summary",
         "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--host", f"http://127.0.0.1:{port}",
         "--csv", str(prefix), "--loglevel", "WARNING"],
        cwd=ROOT, env={**os.environ, "LOAD_PLAN": str(plan)}, check=False, capture_output=True, text=True)
    if not Path(f"{prefix}_stats.csv").exists():
        sys.exit(f"Locust wrote no statistics:\n{result.stderr[-3000:]}")
    with open(f"{prefix}_stats.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def ms(row: dict, key: str) -> str:
    value = row.get(key) or "0"
    return "–" if value == "N/A" else f"{float(value):.0f}"


def main():
    args = parse_args()
    url = database_url(DEFAULT_URL)
    production_env(url)
    slug, build_seconds = national_dataset(url, size=args.size, reuse=args.reuse)
    tmp = Path(tempfile.mkdtemp(prefix="brobygning-load-"))
    os.environ["STATIC_ROOT"] = str(tmp / "static")
    subprocess.run([str(ROOT / ".venv/bin/python"), "manage.py", "collectstatic", "--noinput", "-v", "0"],
                   cwd=ROOT, env={k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}, check=True)
    plan = tmp / "plan.json"
    n_pages = write_plan(slug, plan)
    port = free_port()
    server = start_gunicorn(port, args.workers, tmp / "gunicorn.log")
    failures, steps = 0, []
    try:
        for users in args.users:
            rows = run_step(users, args.seconds, port, plan, tmp / f"step{users}")
            total = next(r for r in rows if r["Name"] == "Aggregated")
            failures += int(total["Failure Count"])
            steps.append((users, total, [r for r in rows if r["Name"] != "Aggregated"]))
    finally:
        server.terminate()
        server.wait(timeout=30)
        if not args.keep:
            drop_db(url)

    print(f"\nLoad test, size {args.size}, largest centre /c/{slug}/, {n_pages} key pages, gunicorn with "
          f"{args.workers} workers, {args.seconds} s per step, {os.cpu_count()} CPUs.")
    if build_seconds is not None:
        print(f"Dataset built in {build_seconds:.1f} s.")
    print("\n| Users | Requests | Req/s | p50 ms | p95 ms | p99 ms | Failures |\n|---|---|---|---|---|---|---|")
    knee, calm = None, None
    for users, total, _pages in steps:
        p95 = float(total["95%"] or 0)
        flag = ""
        if p95 > P95_LIMIT_MS and knee is None:
            knee, flag = users, " ← p95 passes 1 s"
        elif knee is None:
            calm = (users, total, _pages)
        print(f"| {users} | {total['Request Count']} | {float(total['Requests/s']):.1f} | {ms(total, '50%')} "
              f"| {ms(total, '95%')} | {ms(total, '99%')} | {total['Failure Count']}{flag} |")
    if knee is None:
        print(f"\np95 stayed under {P95_LIMIT_MS} ms at every step.")
    if calm:
        users, total, page_rows = calm
        print(f"\nPer page at {users} users ({float(total['Requests/s']):.1f} req/s):\n")
        print("| Page | Requests | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|---|")
        for r in sorted(page_rows, key=lambda r: -float(r["95%"] or 0)):
            print(f"| {r['Name']} | {r['Request Count']} | {ms(r, '50%')} | {ms(r, '95%')} | {ms(r, '99%')} |")
    if failures:
        print(f"\n{failures} requests failed; gunicorn's log: {tmp / 'gunicorn.log'}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
