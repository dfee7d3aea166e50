"""Benchmark: every key page at national scale, as a multiple of /healthz in the same run (issue 15).

    .venv/bin/python bench/pages.py --size medium            # build, measure, drop
    .venv/bin/python bench/pages.py --size large --keep      # keep the database for the next run
    .venv/bin/python bench/pages.py --size large --reuse     # measure a kept database again
    .venv/bin/python bench/pages.py --size demo              # the hand-written demo (`seed_demo`, what `make run` shows)
    .venv/bin/python bench/pages.py --growth --size large --reuse --keep
        # the demo and the national size, each in its own database and process, and the growth
        # from one to the other (issue 15: no page grows more than 1.5×)
    .venv/bin/python bench/pages.py --growth --national large.json   # national figures of an earlier --json run
    .venv/bin/python bench/pages.py --smoke                  # CI: tiny size and the demo, 1 warm-up + 2 runs

It builds the dataset (`manage.py seed_demo --size …`, PostgreSQL COPY; `--size demo`: the two
hand-written centres, then one pass of the reminder dispatch, as `make run`'s worker) in its own database (``DATABASE_URL``, the name must start with
``brobygning_bench``; default brobygning_bench_pages; with ``--growth`` the demo goes into the same
name + ``_demo``), then serves the pages in-process through Django's test Client with the production settings
(DEBUG off, real PostgreSQL, Redis as cache and broker when REDIS_URL is set; default
redis://127.0.0.1:6379/0; static files without the manifest, which would need collectstatic). Server time is the wall time of `client.get()`: URL resolution,
middleware, view, template — everything but the network and the WSGI server.

It logs in as the largest centre's koordinator (the two-factor step marked as passed in the session,
as after a real login) and one of its brobyggere. Each run requests /healthz, then each page, in
turn, so load on the machine hits both alike; the table shows each page's median over the runs, the
ratio to the median /healthz, and the page's query count (from a separate, untimed request after a
first one, so a page served from a cache is counted as the timed runs see it).
Budgets: ≤ 5× /healthz; with ``--growth``, a page's national multiple ≤ 1.5× its demo multiple.
``--smoke`` exits non-zero only when a page does not answer 200, never for a budget miss.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchdb import bench_db_exists, database_url, drop_db, recreate_db  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/brobygning_bench_pages"
BUDGET = 5.0
GROWTH_BUDGET = 1.5  # national multiple ÷ demo multiple


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--size", choices=["demo", "tiny", "medium", "large"], default="medium",
                   help="demo: the hand-written demo data; tiny/medium/large: the national dataset (default medium)")
    p.add_argument("--runs", type=int, default=15, help="timed runs per page (default 15)")
    p.add_argument("--warmup", type=int, default=2, help="untimed runs per page first (default 2)")
    p.add_argument("--keep", action="store_true", help="keep the database(s) afterwards")
    p.add_argument("--reuse", action="store_true", help="reuse a kept database (skips the build)")
    p.add_argument("--only", action="append", default=[], metavar="TEXT",
                   help="only the pages whose label contains TEXT (repeatable; /healthz always)")
    p.add_argument("--json", metavar="PATH", help="also write the figures to PATH (for --national)")
    p.add_argument("--growth", action="store_true",
                   help="measure the demo too (database DATABASE_URL + _demo) and print each page's growth")
    p.add_argument("--national", metavar="PATH",
                   help="with --growth: read the national figures from an earlier --json run instead of measuring")
    p.add_argument("--smoke", action="store_true",
                   help="CI: tiny size and the demo, 1 warm-up, 2 runs; fails only on non-200")
    # Between --growth and its children: the demo's freshly migrated, empty database is copied for
    # the national build (CREATE DATABASE … TEMPLATE), so one process runs the migrations, not two.
    p.add_argument("--copy-migrated-to", help=argparse.SUPPRESS)
    p.add_argument("--migrated", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.smoke:
        args.size, args.warmup, args.runs, args.growth = "tiny", 1, 2, True
    if args.national and not args.growth:
        p.error("--national needs --growth")
    return args


def log_in(user, *, koordinator: bool, borger_filter: dict | None = None):
    from django.test import Client

    from borgere.views.borger import FILTER_SESSION_KEY
    from brobygning.middleware import MFA_SESSION_KEY

    client = Client()
    client.force_login(user)
    session = client.session
    if koordinator:  # as after the two-factor step: the middleware remembers it in the session
        session[MFA_SESSION_KEY] = user.pk
    if borger_filter:  # the borger list's criteria are POSTed and kept in the session, never in the URL
        session[FILTER_SESSION_KEY] = borger_filter
    session.save()
    return client


# The borger search's word per centre (set by `pages`): its client has it in the session.
SOEGEORD: dict[str, str] = {}
SOEGER = "koordinator, søger"


def pages(slug: str):
    """(label, who, url) for every key page, on the largest centre."""
    from datetime import timedelta

    from django.db.models import Count
    from django.utils import timezone

    from borgere.models import Borger
    from brobygning.models import Frivilligcenter, Medlemskab, Rolle
    from foreninger.models import Faellesskab, public_faellesskaber

    center = Frivilligcenter.objects.get(slug=slug)
    brobygger = (Medlemskab.objects.filter(center=center, rolle=Rolle.BROBYGGER).order_by("user__email")
                 .first().user)
    # The brobygger's borger with the most history: the heaviest detail page.
    borger = (Borger.objects.filter(center=center, brobygger=brobygger).annotate(n=Count("samtaler"))
              .order_by("-n", "pk").first())
    faellesskab = public_faellesskaber(Faellesskab.objects.filter(center=center)).order_by("pk").first()
    common_name = (Borger.objects.filter(center=center).values("fornavn").annotate(n=Count("pk"))
                   .order_by("-n").first()["fornavn"])
    postnummer = Borger.objects.filter(center=center).values_list("postnummer", flat=True).first()
    i_dag = timezone.localdate()
    fem_aar_siden = i_dag.replace(year=i_dag.year - 5) + timedelta(days=2)  # the longest period a report allows
    SOEGEORD[slug] = common_name
    k, b = "koordinator", "brobygger"
    return brobygger, [
        ("Borger list", k, "/borgere/"),
        ("Borger list (brobygger)", b, "/borgere/"),
        ("Borger search", SOEGER, "/borgere/"),  # a common first name, as a search POSTed to the list
        ("Borger detail", b, f"/borgere/{borger.pk}/"),
        ("Suggestions (forslag)", b, f"/borgere/{borger.pk}/forslag/"),
        ("Overview `/`", k, "/"),
        ("Overview `/` (brobygger)", b, "/"),
        ("Match board `/matches/`", k, "/matches/"),
        *[(f"Påmindelser, {tab}", k, f"/paamindelser/?vis={tab}")
          for tab in ("kommende", "sendt", "fejlet", "forpasset", "annulleret")],
        ("Access log", k, "/adgangslog/"),
        ("Rapporter, the year so far", k, "/rapporter/"),
        ("Rapporter, five years", k, f"/rapporter/?fra={fem_aar_siden:%Y-%m-%d}&til={i_dag:%Y-%m-%d}"),
        # The two above are served from the report cache after the first run; these compute every time.
        ("Rapporter, the year so far, computed anew", k, "/rapporter/?beregn=igen"),
        ("Rapporter, five years, computed anew", k,
         f"/rapporter/?fra={fem_aar_siden:%Y-%m-%d}&til={i_dag:%Y-%m-%d}&beregn=igen"),
        ("Public search `?q=kaffe`", None, f"/c/{slug}/?q=kaffe"),
        ("Public search near a postcode", None, f"/c/{slug}/?postnummer={postnummer}"),
        ("Public fællesskab page", None, f"/c/{slug}/faellesskab/{faellesskab.pk}/"),
        ("HSDS list `/api/hsds/services`", None, "/api/hsds/services"),
    ]


def measure(args, slug):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from brobygning.models import Medlemskab, Rolle

    koordinator = Medlemskab.objects.get(center__slug=slug, rolle=Rolle.KOORDINATOR).user
    brobygger, page_list = pages(slug)
    if args.only:
        page_list = [p for p in page_list if any(text.lower() in p[0].lower() for text in args.only)]
    clients = {"koordinator": log_in(koordinator, koordinator=True), "brobygger": log_in(brobygger, koordinator=False),
               SOEGER: log_in(koordinator, koordinator=True, borger_filter={"q": [SOEGEORD[slug]]}), None: Client()}
    health = Client()
    errors, queries, times = [], {}, {label: [] for label, _who, _url in page_list}
    health_times = []

    def get(client, url):
        started = time.perf_counter()
        response = client.get(url, secure=True)
        if getattr(response, "streaming", False):
            b"".join(response.streaming_content)
        return time.perf_counter() - started, response.status_code

    for label, who, url in page_list:  # untimed: whether the page answers, then its query count
        _t, status = get(clients[who], url)  # the first request fills what a page caches (the reports)
        if status != 200:
            errors.append(f"{label} ({url}) as {who or 'the public'}: HTTP {status}")
        with CaptureQueriesContext(connection) as ctx:
            get(clients[who], url)
        queries[label] = len(ctx.captured_queries)
    for run in range(args.warmup + args.runs):
        for label, who, url in page_list:
            t_health, status = get(health, "/healthz")
            if status != 200:
                errors.append(f"/healthz: HTTP {status}")
            t_page, _status = get(clients[who], url)
            if run >= args.warmup:
                health_times.append(t_health)
                times[label].append(t_page)
    return page_list, times, health_times, queries, errors


def table(page_list, times, health_times, queries) -> str:
    health = statistics.median(health_times)
    lines = ["| Page | As | Median ms | × /healthz | Queries | Budget | Result |", "|---|---|---|---|---|---|---|",
             f"| `/healthz` | – | {health * 1000:.1f} | 1.0× | – | – | – |"]
    for label, who, _url in page_list:
        median = statistics.median(times[label])
        ratio = median / health
        lines.append(f"| {label} | {who or 'public'} | {median * 1000:.1f} | {ratio:.1f}× | {queries[label]} "
                     f"| ≤ {BUDGET:.0f}× | {'pass' if ratio <= BUDGET else '**fail**'} |")
    return "\n".join(lines)


def production_env(url: str) -> None:
    """The environment of a production process, for this run (before Django is set up)."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
    os.environ["DEBUG"] = "False"  # like production: no query log, compiled templates cached
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brobygning.settings")


def national_dataset(url: str, *, size: str, reuse: bool, copy_migrated_to: str | None = None,
                     migrated: bool = False) -> tuple[str, float | None]:
    """Set Django up on `url` with the dataset of `size` (built unless `reuse` finds it): the
    national dataset (tiny/medium/large) or the hand-written demo (`demo`, `seed_demo` without a
    size, as `make run` shows it). Returns the largest centre's slug, and the seconds the build took
    (None when reused). `copy_migrated_to`: copy the database, once migrated and before the build,
    to that (bench) URL; `migrated`: the database is such a copy, build in it."""
    reuse = reuse and bench_db_exists(url)
    if not reuse and not migrated:
        recreate_db(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count

    from brobygning.models import Frivilligcenter
    from matching.demo_data import CENTRES
    from matching.national import SLUG_PREFIX

    build_seconds = None
    call_command("migrate", verbosity=0)  # also on a kept database: new indexes apply to the next run
    if copy_migrated_to and not reuse:
        copy_db(url, copy_migrated_to)
    if not reuse:
        started = time.perf_counter()
        call_command("seed_demo", **({} if size == "demo" else {"size": size}), force=True, stdout=io.StringIO())
        if size == "demo":
            dispatch_demo()
        build_seconds = time.perf_counter() - started
        # As a database that grew over years and that autovacuum keeps: the rows' hint bits set and the visibility
        # map current. Measured right after the COPY, the first reads set them, and index-only scans read the heap:
        # the national public search was 6.7× /healthz on the first run, 4.0× after this (session 22).
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
    if size == "demo":  # the demo centre with the most borgere
        slug = (Frivilligcenter.objects.filter(slug__in=[c["slug"] for c in CENTRES])
                .annotate(n=Count("borgere")).order_by("-n", "slug").values_list("slug", flat=True).first())
    else:
        slug = Frivilligcenter.objects.filter(slug__startswith=f"{SLUG_PREFIX}001-").values_list("slug", flat=True).first()
    if slug is None:
        sys.exit(f"No {'demo' if size == 'demo' else 'national'} dataset in this database: run without --reuse.")
    return slug, build_seconds


def dispatch_demo() -> None:
    """One pass of the reminder dispatch over the demo, as `make run`'s worker makes within its first
    minute: the demo as its users see it has sent (and one failed) reminders, so its "sendt" tab is not
    empty. Mail goes to Django's in-memory outbox, not the console."""
    from django.test import override_settings

    from brobygning.paamindelser import dispatch_due

    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        dispatch_due()


def copy_db(url: str, to_url: str) -> None:
    """`to_url`'s database (a bench database, dropped first) as a copy of `url`'s."""
    from django.db import connections

    from bench.benchdb import admin_connect

    source, target = (urlsplit(u).path.lstrip("/") for u in (url, to_url))
    if not target.startswith("brobygning_bench"):
        sys.exit(f"Refusing to overwrite {target!r}: only databases named brobygning_bench*.")
    connections.close_all()  # a template database must have no other connections
    with admin_connect(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{target}" TEMPLATE "{source}"')


def figures(args, slug, page_list, times, health_times, queries, errors, load) -> dict:
    """One run's figures, as --json writes them and --growth reads them."""
    health = statistics.median(health_times)
    return {"size": args.size, "slug": slug, "runs": args.runs, "warmup": args.warmup, "load": load,
            "healthz_ms": health * 1000, "errors": errors, "pages": [
                {"label": label, "who": who, "url": url, "median_ms": statistics.median(times[label]) * 1000,
                 "ratio": statistics.median(times[label]) / health, "queries": queries[label]}
                for label, who, url in page_list]}


def growth_table(demo: dict, national: dict) -> tuple[str, int]:
    """Each page's multiple of /healthz at demo and at national size (each in its own run) and the
    growth, national ÷ demo; and how many pages grew more than GROWTH_BUDGET."""
    demo_pages = {p["label"]: p for p in demo["pages"]}
    lines = [f"| Page | As | Demo ms | Demo × | {national['size'].capitalize()} ms | {national['size'].capitalize()} × "
             f"| Growth | Budget | Result |", "|---|---|---|---|---|---|---|---|---|",
             f"| `/healthz` | – | {demo['healthz_ms']:.1f} | 1.0× | {national['healthz_ms']:.1f} | 1.0× | – | – | – |"]
    failed = 0
    for page in national["pages"]:
        d = demo_pages.get(page["label"])
        if d is None:
            lines.append(f"| {page['label']} | {page['who'] or 'public'} | – | – | {page['median_ms']:.1f} "
                         f"| {page['ratio']:.1f}× | – | – | not measured at demo size |")
            continue
        growth = page["ratio"] / d["ratio"]
        failed += growth > GROWTH_BUDGET
        lines.append(f"| {page['label']} | {page['who'] or 'public'} | {d['median_ms']:.1f} | {d['ratio']:.1f}× "
                     f"| {page['median_ms']:.1f} | {page['ratio']:.1f}× | {growth:.2f}× | ≤ {GROWTH_BUDGET}× "
                     f"| {'pass' if growth <= GROWTH_BUDGET else '**fail**'} |")
    return "\n".join(lines), failed


def demo_url(url: str) -> str:
    """The demo's database next to `url`: the same name + _demo."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "_demo"))


def child(args, *, size: str, url: str, out: Path, reuse: bool, extra: tuple = ()) -> dict | None:
    """Measure one size in its own process (Django is set up once per process, on one database)."""
    argv = [sys.executable, str(Path(__file__).resolve()), "--size", size, "--runs", str(args.runs),
            "--warmup", str(args.warmup), "--json", str(out),
            *(["--keep"] if args.keep else []), *(["--reuse"] if reuse else []),
            *[a for text in args.only for a in ("--only", text)], *extra]
    code = subprocess.call(argv, env={**os.environ, "DATABASE_URL": url})
    if not out.exists():
        sys.exit(f"bench/pages.py --size {size} wrote no figures (exit code {code}).")
    return json.loads(out.read_text())


def growth(args, url: str) -> None:
    """--growth: the demo and the national size, each measured in its own process and database
    (or the national figures read from --national), then the growth table."""
    build_demo = not (args.reuse and bench_db_exists(demo_url(url)))
    build_national = not args.national and not (args.reuse and bench_db_exists(url))
    share = build_demo and build_national  # migrate once: the national build starts from the demo's empty copy
    with tempfile.TemporaryDirectory() as tmp:
        demo = child(args, size="demo", url=demo_url(url), out=Path(tmp) / "demo.json", reuse=args.reuse,
                     extra=("--copy-migrated-to", url) if share else ())
        if args.national:
            national = json.loads(Path(args.national).read_text())
        else:
            national = child(args, size=args.size, url=url, out=Path(tmp) / "national.json",
                             reuse=args.reuse and not share, extra=("--migrated",) if share else ())
    table, failed = growth_table(demo, national)
    print(f"\nGrowth from the demo (/c/{demo['slug']}/, load {demo['load']}) to {national['size']} size "
          f"(/c/{national['slug']}/, load {national['load']}): each page's multiple of /healthz in its own run, "
          f"national ÷ demo; budget ≤ {GROWTH_BUDGET}×.\n")
    print(table)
    print(f"\n{failed} of {len(national['pages'])} pages grew more than {GROWTH_BUDGET}×.")
    errors = demo["errors"] + national["errors"] if not args.national else demo["errors"]
    if errors:
        print("\nErrors:\n  " + "\n  ".join(dict.fromkeys(errors)), file=sys.stderr)
        sys.exit(1)


def main():
    args = parse_args()
    url = database_url(DEFAULT_URL)
    if args.growth:
        growth(args, url)
        return
    production_env(url)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    slug, build_seconds = national_dataset(url, size=args.size, reuse=args.reuse,
                                           copy_migrated_to=args.copy_migrated_to, migrated=args.migrated)
    from django.conf import settings
    from django.test.utils import override_settings

    # The one change from production: static URLs without the manifest, which needs collectstatic first.
    override_settings(STORAGES={**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}).enable()
    try:
        load_before = " / ".join(f"{x:.2f}" for x in os.getloadavg())
        page_list, times, health_times, queries, errors = measure(args, slug)
        load_after = " / ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"\nKey pages, size {args.size}, largest centre /c/{slug}/; {args.runs} runs after {args.warmup} warm-up,"
              f" interleaved with /healthz")
        if build_seconds is not None:
            print(f"Dataset built in {build_seconds:.1f} s (seed_demo{'' if args.size == 'demo' else ' --size ' + args.size}).")
        print(f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} CPUs, "
              f"load average {load_before} before, {load_after} after.\n")
        print(table(page_list, times, health_times, queries))
        if args.json:
            Path(args.json).write_text(json.dumps(figures(
                args, slug, page_list, times, health_times, queries, list(dict.fromkeys(errors)),
                f"{load_before.split(' / ')[0]}–{load_after.split(' / ')[0]}"), indent=1, ensure_ascii=False))
    finally:
        if not args.keep:
            drop_db(url)
    if errors:
        print("\nErrors:\n  " + "\n  ".join(dict.fromkeys(errors)), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
