"""Benchmark: importing 10,000 fællesskaber (HSDS 3.0 JSON and the CSV template) on PostgreSQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/brobygning_bench_import .venv/bin/python bench/import_hsds.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/brobygning_bench_import .venv/bin/python bench/import_hsds.py --smoke

It creates its own database (the name must start with ``brobygning_bench``; any other is
refused), migrates it, seeds a source centre with ``--rows`` fællesskaber (with tags, meeting
times, prices, capacities, coordinates for most) under ``--rows/20`` foreninger, and builds two
files from it:

- HSDS: the source centre exported exactly as ``/api/hsds/services?full=true`` serialises it;
- CSV: the same fællesskaber in the CSV template.

For each file it then runs the real import pipeline into a fresh centre, as a koordinator
would, with Celery eager (the worker's work, in this process):

(1) upload → dry run (parse, schema-validate, check every row), timed to "preview ready";
(2) confirm → import (parse and check again, since the centre may have changed, then write
    everything in one transaction), timed to "done": **the budgeted figure**;
(3) the same file again (everything found by external id, nothing changes).

Each phase is timed separately as well (parse, check, write). ``--runs`` repeats everything on
fresh centres and reports the median and min. The database is dropped at the end unless
``--keep``. Every import is checked: everything created the first time, nothing changed the second,
no errors. ``--smoke`` (for CI) does all of it once with 40 fællesskaber; it exits non-zero if a
check fails.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import date, timedelta
from datetime import time as dtime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchdb import database_url, drop_db, recreate_db  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/brobygning_bench_import"
BUDGET_S = 30.0


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rows", type=int, default=10_000, help="fællesskaber in the file (default 10,000)")
    p.add_argument("--runs", type=int, default=3, help="imports per format, each into a fresh centre (default 3)")
    p.add_argument("--keep", action="store_true", help="keep the database afterwards")
    p.add_argument("--smoke", action="store_true", help="tiny run for CI: 40 fællesskaber, 1 run, the same checks")
    args = p.parse_args()
    if args.smoke:
        args.rows, args.runs = 40, 1
    return args


# --- Source data and files -------------------------------------------------------------------------


def seed_source(rows: int):
    from django.db import transaction

    from brobygning.models import Frivilligcenter, Postnummer, Tag, TagType
    from foreninger.models import Faellesskab, Forening, Frekvens, Moedetid

    rng = random.Random(20_261_122)  # noqa: S311 -- test data
    postnumre = list(Postnummer.objects.all())
    tags = {t: list(Tag.objects.filter(type=t)) for t in TagType.values}
    today = date.today()
    with transaction.atomic():
        center = Frivilligcenter.objects.create(navn="Kilde", slug="kilde")
        foreninger = Forening.objects.bulk_create([
            Forening(center=center, navn=f"Forening nr. {i} – Ærø", postnummer=rng.choice(postnumre),
                     email=f"forening{i}@eksempel.dk", telefon="+4520304050", adresse=f"Vejen {i}")
            for i in range(max(rows // 20, 1))
        ])
        fks = []
        for i in range(rows):
            pn = rng.choice(postnumre)
            own = rng.random() < 0.88
            fks.append(Faellesskab(
                center=center, forening=foreninger[i % len(foreninger)], titel=f"Fællesskab {i} ☕",
                beskrivelse="Vi mødes, hygger og laver noget sammen. " * 3, velkomst="Værten tager imod dig.",
                kategori=rng.choice(tags[TagType.KATEGORI]), postnummer=pn, adresse=f"Mødestedet {i}",
                lat=round(min(max(pn.lat + rng.uniform(-0.02, 0.02), 54.0), 58.0), 6) if own else None,
                lng=round(min(max(pn.lng + rng.uniform(-0.03, 0.03), 7.5), 15.5), 6) if own else None,
                alder_min=rng.choice([None, None, 16, 18]), for_deltagere=True, for_frivillige=rng.random() < 0.3,
                kapacitet=rng.randint(1, 12) if rng.random() < 0.35 else None, pris=rng.choice([0, 0, 25, 150]),
                sidst_bekraeftet=today - timedelta(days=rng.randint(0, 500)),
            ))
        fks = Faellesskab.objects.bulk_create(fks)
        for name, pool, hi in (("interesser", tags[TagType.INTERESSE], 3),
                               ("tilgaengelighed", tags[TagType.TILGAENGELIGHED], 3),
                               ("maalgrupper", tags[TagType.UDFORDRING], 2)):
            through = getattr(Faellesskab, name).through
            through.objects.bulk_create([through(faellesskab_id=fk.pk, tag_id=tag.pk) for fk in fks
                                         for tag in rng.sample(pool, rng.randint(0, hi))], batch_size=10_000)
        moeder = [Moedetid(faellesskab_id=fk.pk, frekvens=Frekvens.UGENTLIG, ugedag=d, fra=dtime(h), til=dtime(h + 2))
                  for fk in fks if rng.random() < 0.85 for d in rng.sample(range(7), rng.choice([1, 1, 2]))
                  for h in [rng.choice([10, 13, 17, 19])]]
        Moedetid.objects.bulk_create(moeder, batch_size=10_000)
    return center


def build_files(center) -> tuple[bytes, bytes]:
    from foreninger.hsds import parse, selectors, serialize

    faellesskaber = list(selectors.public_faellesskaber(center, full=True))
    hsds = json.dumps([serialize.service(f) for f in faellesskaber], ensure_ascii=False).encode()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(parse.CSV_HEADER)
    days = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"]
    for f in faellesskaber:
        o = f.forening
        row = {
            "forening_id": f"F{o.pk}", "forening_navn": o.navn, "forening_email": o.email,
            "forening_telefon": str(o.telefon), "forening_adresse": o.adresse, "forening_postnummer": o.postnummer_id,
            "faellesskab_id": f"S{f.pk}", "titel": f.titel, "beskrivelse": f.beskrivelse, "velkomst": f.velkomst,
            "kategori": f.kategori.navn if f.kategori else "",
            "interesser": "|".join(t.navn for t in f.interesser.all()),
            "maalgrupper": "|".join(t.navn for t in f.maalgrupper.all()),
            "tilgaengelighed": "|".join(t.navn for t in f.tilgaengelighed.all()),
            "adresse": f.adresse, "postnummer": f.postnummer_id, "lat": f.lat or "", "lng": f.lng or "",
            "alder_min": f.alder_min or "", "for_frivillige": "ja" if f.for_frivillige else "nej",
            "kapacitet": "" if f.kapacitet is None else f.kapacitet, "pris": f.pris,
            "sidst_bekraeftet": f.sidst_bekraeftet.isoformat() if f.sidst_bekraeftet else "",
            "moedetider": "|".join(f"{days[m.ugedag]} {m.fra:%H:%M}-{m.til:%H:%M}" for m in f.moedetider.all()),
        }
        writer.writerow([row.get(c, "") for c in parse.CSV_HEADER])
    return hsds, buffer.getvalue().encode()


# --- Measuring -------------------------------------------------------------------------------------


def fresh_koordinator(n: int):
    from brobygning.access import actor_for
    from brobygning.models import Frivilligcenter, Medlemskab, Rolle, User

    center = Frivilligcenter.objects.create(navn=f"Mål {n}", slug=f"maal-{n}")
    user = User.objects.create_user(f"koordinator{n}@bench.test")
    Medlemskab.objects.create(user=user, center=center, rolle=Rolle.KOORDINATOR)
    return center, actor_for(user, center.pk)


def pipeline(actor, name: str, content: bytes) -> tuple[float, float, dict]:
    """Upload and dry run, then confirm and import, as the pages and the worker do it.

    Returns the seconds for the dry run (upload → preview ready), for the import (confirm → done) and the result.
    """
    from django.core.files.uploadedfile import SimpleUploadedFile

    from foreninger import tasks
    from foreninger.hsds import services
    from foreninger.models import ImportStatus

    t0 = time.perf_counter()
    job = services.import_upload(actor=actor, fil=SimpleUploadedFile(name, content))
    tasks.import_check.delay(center_id=job.center_id, job_id=job.pk)  # as the upload page does
    job.refresh_from_db()
    t1 = time.perf_counter()
    assert job.status == ImportStatus.KLAR, job.resultat
    services.import_confirm(actor=actor, job=job)
    tasks.import_run.delay(center_id=job.center_id, job_id=job.pk)
    job.refresh_from_db()
    t2 = time.perf_counter()
    assert job.status == ImportStatus.FAERDIG, job.resultat
    return t1 - t0, t2 - t1, job.resultat


def phases(center_id: int, fmt: str, content: bytes) -> dict[str, float]:
    """The parts, timed one by one (into a centre where the rows already exist: an idempotent re-check)."""
    from foreninger.hsds import importer, parse

    out = {}
    t0 = time.perf_counter()
    parsed = parse.parse_hsds(content) if fmt == "hsds" else parse.parse_csv(content)
    out["parse"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    plan = importer.check(center_id, parsed)
    out["check"] = time.perf_counter() - t0
    assert not plan.errors, plan.errors[:3]
    return out


def main():
    args = parse_args()
    url = database_url(DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["DEBUG"] = "False"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brobygning.settings")
    recreate_db(url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from brobygning.celery import app as celery_app
    from foreninger.models import Faellesskab

    celery_app.conf.task_always_eager = True
    try:
        call_command("migrate", verbosity=0)
        t0 = time.perf_counter()
        source = seed_source(args.rows)
        hsds, csv_bytes = build_files(source)
        print(f"Seeded the source and built the files in {time.perf_counter() - t0:.1f} s: "
              f"HSDS {len(hsds) / 1e6:.1f} MB, CSV {len(csv_bytes) / 1e6:.1f} MB, {args.rows:,} fællesskaber.")
        load_before = " / ".join(f"{x:.2f}" for x in os.getloadavg())
        results = {}
        n = 0
        for fmt, name, content in (("hsds", "kilde.json", hsds), ("csv", "kilde.csv", csv_bytes)):
            r = {key: [] for key in ("dry", "imp", "dry2", "imp2", "parse", "check")}
            for _run in range(args.runs):
                n += 1
                center, actor = fresh_koordinator(n)
                dry, imp, resultat = pipeline(actor, name, content)
                assert resultat["faellesskaber"]["opret"] == args.rows, resultat
                r["dry"].append(dry)
                r["imp"].append(imp)
                dry, imp, resultat = pipeline(actor, name, content)
                assert resultat["faellesskaber"]["uaendret"] == args.rows, resultat
                r["dry2"].append(dry)
                r["imp2"].append(imp)
                parts = phases(center.pk, fmt, content)
                r["parse"].append(parts["parse"])
                r["check"].append(parts["check"])
                assert Faellesskab.objects.filter(center=center).count() == args.rows
            results[fmt] = r
            print(f"  {fmt}: dry run {statistics.median(r['dry']):.1f} s, import {statistics.median(r['imp']):.1f} s; "
                  f"again: {statistics.median(r['dry2']):.1f} s + {statistics.median(r['imp2']):.1f} s")
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg = cursor.fetchone()[0]
        load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    finally:
        if not args.keep:
            drop_db(url)

    print(f"\nLoad average (1/5/15 min) before: {load_before}, after: {load}; {os.cpu_count()} cores.")
    print(f"\n{date.today()} · PostgreSQL {pg} · Python {platform.python_version()} · {args.rows:,} fællesskaber "
          f"under {max(args.rows // 20, 1):,} foreninger · {args.runs} runs per format · median / min in seconds\n")
    print("| File | dry run: upload → preview | **import: confirm → done** | total | again (nothing changes): "
          "dry run + import | parse | check (one pass) |")
    print("|---|---|---|---|---|---|---|")

    def cell(xs, bold=False):
        text = f"{statistics.median(xs):.1f} / {min(xs):.1f}"
        return f"**{text}**" if bold else text

    for fmt, r in results.items():
        label = {"hsds": f"HSDS JSON ({len(hsds) / 1e6:.0f} MB)", "csv": f"CSV ({len(csv_bytes) / 1e6:.0f} MB)"}[fmt]
        total = [a + b for a, b in zip(r["dry"], r["imp"], strict=True)]
        again = [a + b for a, b in zip(r["dry2"], r["imp2"], strict=True)]
        print(f"| {label} | {cell(r['dry'])} | {cell(r['imp'], True)} | {cell(total)} | {cell(again)} "
              f"| {cell(r['parse'])} | {cell(r['check'])} |")
    worst = max(statistics.median(r["imp"]) for r in results.values())
    print(f"\nBudget ≤ {BUDGET_S:.0f} s for the import of {args.rows:,} rows: "
          f"{'met' if worst <= BUDGET_S else 'NOT met'} (slowest median {worst:.1f} s)"
          f"{'; a smoke run is too small for the budget to mean anything' if args.smoke else ''}.")
    print(f"OK: {args.runs} run(s) per format, each checked: all {args.rows:,} fællesskaber created, "
          f"then unchanged by the same file again, no errors.")


if __name__ == "__main__":
    main()
