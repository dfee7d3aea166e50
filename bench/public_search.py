"""Benchmark: the public directory's full-text search with a common word, on PostgreSQL (issue 15).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/brobygning_bench_search .venv/bin/python bench/public_search.py

It creates its own database (``brobygning_bench*`` only), migrates it, seeds ``--centres``
centres of ``--rows`` fællesskaber each, a third of which mention "kaffe", and compares, for
one centre, the directory's search queries (the count and the first page, as
``/c/<slug>/?q=kaffe`` runs them):

- **stored**: what the code does now: ``fts @@ websearch_to_tsquery(...)`` on the generated
  column, with its GIN index (migration foreninger 0007);
- **expression**: what it did before: ``to_tsvector(...) @@ ...`` computed from titel and
  beskrivelse, with 0003's GIN expression index (re-created here for the comparison).

It prints EXPLAIN (ANALYZE) of both, the median time of each over ``--runs``, and checks that
both find exactly the same rows. ``--smoke``: 3 centres of 200, 3 runs.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchdb import database_url, drop_db, recreate_db  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/brobygning_bench_search"
WORDS = ["strik", "sang", "gåtur", "fodbold", "brætspil", "maling", "havearbejde", "læsning", "motion", "madlavning"]


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--centres", type=int, default=20)
    p.add_argument("--rows", type=int, default=500, help="fællesskaber per centre (default 500)")
    p.add_argument("--runs", type=int, default=30)
    p.add_argument("--word", default="kaffe")
    p.add_argument("--keep", action="store_true")
    p.add_argument("--smoke", action="store_true")
    args = p.parse_args()
    if args.smoke:
        args.centres, args.rows, args.runs = 3, 200, 3
    return args


def seed(centres: int, rows: int) -> None:
    from brobygning.models import Frivilligcenter, Postnummer
    from foreninger.models import Faellesskab, Forening

    rng = random.Random(15)  # noqa: S311 -- test data
    pn = list(Postnummer.objects.all()[:50])
    for c in range(centres):
        center = Frivilligcenter.objects.create(navn=f"Center {c}", slug=f"center-{c}")
        forening = Forening.objects.create(center=center, navn=f"Forening {c}")
        Faellesskab.objects.bulk_create([Faellesskab(
            center=center, forening=forening, postnummer=rng.choice(pn),
            titel=f"{rng.choice(WORDS).capitalize()} {i}",
            beskrivelse=" ".join(rng.choices(WORDS, k=25)) + (" Der er kaffe og kage bagefter." if i % 3 == 0 else ""),
        ) for i in range(rows)], batch_size=5000)


def main():
    args = parse_args()
    url = database_url(DEFAULT_URL)
    os.environ.update(DATABASE_URL=url, DEBUG="False")
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brobygning.settings")
    recreate_db(url)

    import django

    django.setup()
    from django.contrib.postgres.search import SearchQuery
    from django.core.management import call_command
    from django.db import connection

    from brobygning.models import Frivilligcenter
    from foreninger import selectors
    from foreninger.public_filters import FTS_CONFIG, search_vector, stored_search

    try:
        call_command("migrate", verbosity=0)
        seed(args.centres, args.rows)
        with connection.cursor() as cursor:
            # 0003's expression index, for the "before" side of the comparison.
            cursor.execute("CREATE INDEX faellesskab_fts_danish ON foreninger_faellesskab USING gin "
                           "(to_tsvector('danish'::regconfig, COALESCE(titel, '') || ' ' || COALESCE(beskrivelse, '')))")
            cursor.execute("VACUUM ANALYZE")
        center = Frivilligcenter.objects.get(slug="center-0")
        base = selectors.public_faellesskab_list(center=center).order_by("titel")
        variants = {
            "stored": base.filter(stored_search(args.word)),
            "expression": base.annotate(v=search_vector()).filter(
                v=SearchQuery(args.word, config=FTS_CONFIG, search_type="websearch")),
        }
        found = {name: set(qs.values_list("pk", flat=True)) for name, qs in variants.items()}
        times = {}
        for name, qs in variants.items():
            print(f"\n--- {name}: every matching row ---\n{qs.explain(analyze=True)}")
            print(f"\n--- {name}: first page ---\n{qs[:25].explain(analyze=True)}")

            def run(qs=qs):
                qs.count()
                list(qs[:25])

            for _ in range(3):
                run()
            times[name] = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                run()
                times[name].append((time.perf_counter() - t0) * 1000)
    finally:
        if not args.keep:
            drop_db(url)

    total = args.centres * args.rows
    print(f"\n{total:,} fællesskaber in {args.centres} centres; centre 0 has {args.rows}; "
          f"'{args.word}' in {len(found['stored'])} of its rows. Count + first page, median of {args.runs}:")
    for name, xs in times.items():
        print(f"  {name}: {statistics.median(xs):.2f} ms (min {min(xs):.2f})")
    if found["stored"] != found["expression"] or not found["stored"]:
        sys.exit("FAILED: the stored column and the expression find different rows (or none)")
    print("OK: both find the same rows.")


if __name__ == "__main__":
    main()
