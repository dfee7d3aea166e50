"""Benchmark: the streamed HSDS export and the keyset-paginated HSDS list on PostgreSQL (issue 15).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/brobygning_bench_export .venv/bin/python bench/hsds_export.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/brobygning_bench_export .venv/bin/python bench/hsds_export.py --smoke

It creates its own database (the name must start with ``brobygning_bench``; any other is
refused), migrates it, and seeds ``--rows`` public fællesskaber (50,000 by default) with tags,
meeting times, prices and coordinates (``bench/import_hsds.py``'s generator), plus a second,
small centre whose services must not appear in the first centre's export.

The export: for ``/api/hsds/export`` (every centre) and ``/api/hsds/c/kilde/export`` (one), each
in a fresh Python process (a stand-in for a web worker: Django set up, one small API request
served first), through Django's full request handler and middleware (the test client, DEBUG off),
reading the stream to a file. It measures:

- time to first byte: until the first chunk of the body (the first batch, serialised);
- total time, and throughput in services per second;
- the process's peak RSS, ``VmHWM`` from ``/proc/self/status`` at the end (the high-water mark of
  the whole process, so it includes Django itself), and the same figure before the export
  request, to show what the export adds.

Every run checks the file: valid JSON, exactly the expected services (ids unique; the centre's
export holds none of the other centre's), every service valid against the HSDS schema
(jsonschema-rs, the importer's validator) and a sample (every one in ``--smoke``) with the
pure-Python validator the API's tests use.

The list: median server time of ``/api/hsds/services`` page 1, a deep page by ``?page=`` (OFFSET)
and the same deep page by ``?cursor=`` (keyset), with ``/healthz`` in the same run, as ratios.

``--smoke`` (for CI): 300 services, the same checks, in seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchdb import database_url, drop_db, recreate_db  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/brobygning_bench_export"
TTFB_BUDGET_S = 1.0
RSS_BUDGET_MB = 200
THROUGHPUT_BUDGET = 5_000
OTHER_ROWS = 40


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=50_000, help="public fællesskaber in the big centre (default 50,000)")
    p.add_argument("--runs", type=int, default=2, help="exports per URL, each in a fresh process (default 2)")
    p.add_argument("--list-runs", type=int, default=30, help="timed requests per list page (default 30)")
    p.add_argument("--sample", type=int, default=300, help="services checked with the pure-Python validator")
    p.add_argument("--keep", action="store_true", help="keep the database afterwards")
    p.add_argument("--smoke", action="store_true", help="tiny run for CI: 300 services, the same checks")
    p.add_argument("--child", nargs=2, metavar=("PATH", "OUT"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.smoke:
        args.rows, args.runs, args.list_runs = 300, 1, 3
    return args


def _env(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["DEBUG"] = "False"  # no query log, like production
    os.environ["ALLOWED_HOSTS"] = "testserver"
    os.environ["SECURE_SSL_REDIRECT"] = "false"  # the test client speaks plain HTTP
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brobygning.settings")


def _rss_mb(field: str = "VmHWM") -> float:
    """This process's peak (VmHWM) or current (VmRSS) resident set, from /proc (Linux).

    Not getrusage's ru_maxrss: Linux carries that across fork and exec, so a child started by a
    parent that once held more reports the parent's peak.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024  # kB
    raise RuntimeError(f"no {field} in /proc/self/status")


# --- The measured process --------------------------------------------------------------------------


def child(path: str, out: str) -> None:
    """One export in this process: prints TTFB, total, bytes and peak RSS as JSON."""
    import django

    django.setup()
    from django.test import Client

    client = Client()
    assert client.get("/api/hsds/services?per_page=1").status_code == 200  # a worker that has served before
    before = _rss_mb()
    t0 = time.perf_counter()
    response = client.get(path)
    assert response.status_code == 200 and response.streaming, response.status_code
    ttfb = None
    size = 0
    with open(out, "wb") as fh:
        for chunk in response.streaming_content:
            if ttfb is None and chunk:
                ttfb = time.perf_counter() - t0
            fh.write(chunk)
            size += len(chunk)
    total = time.perf_counter() - t0
    response.close()
    print(json.dumps({"ttfb": ttfb, "total": total, "bytes": size, "rss_before": before, "rss_peak": _rss_mb()}))


# --- Seeding, checking, measuring ------------------------------------------------------------------


def seed(rows: int):
    from bench.import_hsds import seed_source
    from brobygning.models import Frivilligcenter, Postnummer
    from foreninger.models import Faellesskab, Forening

    source = seed_source(rows)
    other = Frivilligcenter.objects.create(navn="Anden", slug="anden")
    forening = Forening.objects.create(center=other, navn="Anden forening")
    pn = Postnummer.objects.first()
    Faellesskab.objects.bulk_create([Faellesskab(center=other, forening=forening, titel=f"Andet {i}", postnummer=pn)
                                     for i in range(OTHER_ROWS)])
    # Hidden rows in the big centre, which no export may show.
    Faellesskab.objects.filter(center=source, pk__in=Faellesskab.objects.filter(center=source)
                               .order_by("?").values("pk")[: max(rows // 100, 1)]).update(offentlig=False)
    return source


def check_file(out: str, expected_ids: set[str], sample: int) -> list[str]:
    from foreninger.hsds import schemas

    problems = []
    try:
        with open(out, "rb") as fh:
            data = json.load(fh)
    except ValueError as error:
        return [f"{out}: not valid JSON ({error})"]
    ids = [s.get("id") for s in data]
    if len(ids) != len(set(ids)):
        problems.append(f"{out}: {len(ids) - len(set(ids))} services twice")
    if set(ids) != expected_ids:
        problems.append(f"{out}: {len(set(ids) - expected_ids)} unexpected and {len(expected_ids - set(ids))} "
                        "missing services")
    bad = [(s["id"], err) for s in data if (err := schemas.fast_errors("service", s, limit=1))]
    if bad:
        problems.append(f"{out}: {len(bad)} services invalid (jsonschema-rs), e.g. {bad[0]}")
    for s in random.Random(1).sample(data, min(sample, len(data))):  # noqa: S311 -- a sample
        if err := schemas.errors("service", s):
            problems.append(f"{out}: service {s['id']} invalid (jsonschema): {err[:2]}")
            break
    return problems


def export_runs(url: str, path: str, runs: int, tmp: Path) -> list[dict]:
    out = []
    for i in range(runs):
        target = tmp / f"export-{path.strip('/').replace('/', '-')}-{i}.json"
        proc = subprocess.run([sys.executable, __file__, "--child", path, str(target)], capture_output=True,  # noqa: S603
                              text=True, env=os.environ | {"DATABASE_URL": url}, check=False)
        if proc.returncode != 0:
            sys.exit(f"export of {path} failed:\n{proc.stderr[-3000:]}")
        out.append(json.loads(proc.stdout.strip().splitlines()[-1]) | {"file": str(target)})
    return out


def median_ms(client, path: str, runs: int) -> float:
    times = []
    for _ in range(runs + 2):
        t0 = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(times[2:])


def list_pages(runs: int) -> list[tuple[str, float]]:
    from django.core import signing
    from django.test import Client

    from foreninger.hsds import selectors
    from foreninger.views import hsds_api

    client = Client()
    qs = selectors.public_faellesskaber(None)
    total = qs.count()
    per_page = 50
    deep = max(1, total // per_page - 1)  # the second-to-last page
    last = qs[(deep - 1) * per_page - 1] if deep > 1 else qs[0]
    cursor = signing.dumps([deep - 1, total, last.titel, last.pk], salt=hsds_api.CURSOR_SALT)
    offset_page = client.get(f"/api/hsds/services?page={deep}").json()["contents"]
    cursor_page = client.get("/api/hsds/services", {"cursor": cursor}).json()["contents"]
    assert [s["id"] for s in offset_page] == [s["id"] for s in cursor_page], "cursor and offset pages differ"
    paths = [("/healthz", "/healthz"), ("services page 1", "/api/hsds/services"),
             (f"services ?page={deep} (OFFSET)", f"/api/hsds/services?page={deep}"),
             (f"services page {deep} by ?cursor=", f"/api/hsds/services?cursor={cursor}"),
             ("services page 1 of one centre", "/api/hsds/c/kilde/services"),
             ("services ?full=true page 1", "/api/hsds/services?full=true")]
    return [(label, median_ms(client, path, runs)) for label, path in paths]


def main():
    args = parse_args()
    url = database_url(DEFAULT_URL)
    _env(url)
    if args.child:
        child(*args.child)
        return
    recreate_db(url)

    import django

    django.setup()
    import tempfile

    from django.core.management import call_command
    from django.db import connection

    from foreninger.hsds import selectors

    problems = []
    try:
        call_command("migrate", verbosity=0)
        t0 = time.perf_counter()
        source = seed(args.rows)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
        print(f"Seeded {args.rows:,} fællesskaber (+{OTHER_ROWS} in another centre) in {time.perf_counter() - t0:.1f} s")
        everyone = {str(u) for u in selectors.public_faellesskaber(None).values_list("uuid", flat=True)}
        kilde = {str(u) for u in selectors.public_faellesskaber(source).values_list("uuid", flat=True)}
        connection.close()
        load_before = " / ".join(f"{x:.2f}" for x in os.getloadavg())
        results = {}
        with tempfile.TemporaryDirectory(prefix="hsds-export-") as tmp:
            for label, path, expected in (("every centre", "/api/hsds/export", everyone),
                                          ("one centre", "/api/hsds/c/kilde/export", kilde)):
                runs = export_runs(url, path, args.runs, Path(tmp))
                results[label] = (runs, len(expected))
                problems += check_file(runs[0]["file"], expected, len(expected) if args.smoke else args.sample)
                for run in runs:
                    os.unlink(run["file"])
        pages = list_pages(args.list_runs)
        load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg = cursor.fetchone()[0]
    finally:
        if not args.keep:
            drop_db(url)

    print(f"\nLoad average (1/5/15 min) before: {load_before}, after: {load}; {os.cpu_count()} cores.")
    print(f"{date.today()} · PostgreSQL {pg} · Python {platform.python_version()} · {args.rows:,} public services "
          f"· {args.runs} run(s) per URL, each in a fresh process · median (min–max)\n")
    print("| Export | services | MB | time to first byte (s) | total (s) | services/s | peak RSS (MB) "
          "| RSS before the request (MB) |")
    print("|---|---|---|---|---|---|---|---|")

    def cell(xs, fmt):
        return f"{statistics.median(xs):{fmt}} ({min(xs):{fmt}}–{max(xs):{fmt}})"

    worst = {"ttfb": 0.0, "rss": 0.0, "rate": float("inf")}
    for label, (runs, n) in results.items():
        rates = [n / r["total"] for r in runs]
        print(f"| {label} | {n:,} | {runs[0]['bytes'] / 1e6:.1f} | {cell([r['ttfb'] for r in runs], '.3f')} "
              f"| {cell([r['total'] for r in runs], '.1f')} | {cell(rates, ',.0f')} "
              f"| {cell([r['rss_peak'] for r in runs], '.0f')} | {cell([r['rss_before'] for r in runs], '.0f')} |")
        worst["ttfb"] = max(worst["ttfb"], *(r["ttfb"] for r in runs))
        worst["rss"] = max(worst["rss"], *(r["rss_peak"] for r in runs))
        worst["rate"] = min(worst["rate"], statistics.median(rates))
    healthz = pages[0][1]
    print("\n| List page | median ms | × /healthz |\n|---|---|---|")
    for label, ms in pages:
        print(f"| {label} | {ms:.1f} | {ms / healthz:.1f}× |")
    verdict = [f"TTFB ≤ {TTFB_BUDGET_S} s: {'met' if worst['ttfb'] <= TTFB_BUDGET_S else 'MISSED'} "
               f"(worst {worst['ttfb']:.3f} s)",
               f"peak RSS ≤ {RSS_BUDGET_MB} MB: {'met' if worst['rss'] <= RSS_BUDGET_MB else 'MISSED'} "
               f"(worst {worst['rss']:.0f} MB)",
               f"≥ {THROUGHPUT_BUDGET:,} services/s: {'met' if worst['rate'] >= THROUGHPUT_BUDGET else 'MISSED'} "
               f"(slowest median {worst['rate']:,.0f}/s)"]
    print("\nBudgets: " + "; ".join(verdict)
          + ("; a smoke run is too small for the budgets to mean anything." if args.smoke else "."))
    if problems:
        print("\nFAILED:\n  " + "\n  ".join(problems), file=sys.stderr)
        sys.exit(1)
    print("OK: every export is valid JSON with exactly the expected services, each valid against the HSDS schema.")


if __name__ == "__main__":
    main()
