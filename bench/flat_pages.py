"""Flat pages (issue 15): the overview, Min dag, the match board and the påmindelser page, as a
multiple of /healthz in the same run, on one generated centre.

A quick before/after check of the pages changed in issue 15, not the national page bench (that one
builds the full national dataset). It seeds one centre with `--borgere` borgere (default 3,000),
two matches each over every stage, a samtale each, meetings (some this week, some long past and
still planned), overdue follow-ups and påmindelser (most sent), then times each page through
Django's test client, logged in as the koordinator or a brobygger, and checks the lists are bounded.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/brobygning_bench_pages .venv/bin/python bench/flat_pages.py

Flags: --borgere 3000 --runs 15 --warmup 3 --keep/--reuse; --smoke (200 borgere, 2 runs; checks only).
Checks: every front-page list and board column holds at most 20 rows, with its total; exits 1
otherwise. It runs on the code before issue 15 too (it prints the table, then fails the check), which
is how the "before" column in PERFORMANCE.md was measured. CI runs it with --smoke.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.benchdb import bench_db_exists, database_url, drop_db, recreate_db  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/brobygning_bench_flat"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--borgere", type=int, default=3000)
    p.add_argument("--runs", type=int, default=15)
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--keep", action="store_true", help="keep the database afterwards")
    p.add_argument("--reuse", action="store_true", help="reuse a kept database (no seeding)")
    p.add_argument("--smoke", action="store_true")
    args = p.parse_args()
    if args.smoke:
        args.borgere, args.runs, args.warmup = 200, 2, 1
    return args


def seed(n: int):
    """One centre: `n` borgere (a tenth with the brobygger), 2 matches each, meetings, follow-ups, påmindelser."""
    from django.db import transaction
    from django.utils import timezone

    from borgere.models import Borger, Samtale
    from brobygning.models import Paamindelse, Postnummer, Rolle
    from matching.models import Ledsagelse, LedsagelseStatus, Match, Opfoelgning, OpfoelgningType, Stage
    from tests import factories as f
    from tests.conftest import _member

    rng = random.Random(15)  # noqa: S311 -- test data
    now = timezone.now()
    today = timezone.localdate()
    with transaction.atomic():
        center = f.CenterFactory(navn="Bench", slug="bench")
        koordinator = _member(center, Rolle.KOORDINATOR, "koordinator@bench.test")
        brobygger = _member(center, Rolle.BROBYGGER, "brobygger@bench.test")
        forening = f.ForeningFactory(center=center)
        fks = [f.FaellesskabFactory(forening=forening, titel=f"Fællesskab {i}") for i in range(50)]
        pn = Postnummer.objects.get(nr="5000")
        borgere = Borger.objects.bulk_create([
            Borger(center=center, fornavn=f"Borger{i}", postnummer=pn, telefon="+4520123456",
                   brobygger=brobygger if i % 10 == 0 else None, status="aktiv")
            for i in range(n)], batch_size=2000)
        Samtale.objects.bulk_create([Samtale(center=center, borger=b, brobygger=brobygger) for b in borgere],
                                    batch_size=2000)
        open_stages = [s for s in Stage.values if s != Stage.AFSLUTTET]
        matches = Match.objects.bulk_create([
            Match(center=center, borger=b, faellesskab=fks[(i * 2 + k) % len(fks)],
                  stage=rng.choice(open_stages) if k == 0 else Stage.AFSLUTTET,
                  stage_siden=now - timedelta(days=rng.randint(0, 400)))
            for i, b in enumerate(borgere) for k in range(2)], batch_size=2000)
        ledsagelser = Ledsagelse.objects.bulk_create([
            Ledsagelse(center=center, match=m, brobygger=brobygger, moedested="Ved indgangen",
                       tidspunkt=now + timedelta(hours=rng.randint(-24 * 300, 24 * 6)),
                       status=rng.choice([LedsagelseStatus.PLANLAGT, LedsagelseStatus.MOEDT_OP]))
            for m in matches[::3]], batch_size=2000)
        Opfoelgning.objects.bulk_create([
            Opfoelgning(center=center, match=m, type=OpfoelgningType.EN_MAANED,
                        forfalder=today - timedelta(days=rng.randint(1, 200)))
            for m in matches[::6] if m.stage != Stage.AFSLUTTET], batch_size=2000)
        arts = ["brobygger_24t", "brobygger_2t", "borger_24t", "vaert_48t", "vaert_nyankomst", "borger_efter"]
        rows = []
        for le in ledsagelser:
            for art in arts:
                sent = now - timedelta(days=rng.randint(0, 300))
                status = rng.choices(["sendt", "annulleret", "forpasset", "fejlet"], weights=[85, 8, 5, 2])[0]
                rows.append(Paamindelse(center=center, emne_type="ledsagelse", emne_id=le.pk, art=art, kanal="email",
                                        forfalder=sent, status=status, sendt=sent if status == "sendt" else None))
        Paamindelse.objects.bulk_create(rows, batch_size=5000)
    try:  # issue 15: the retention clock is a column; fill it as the migrations do
        from borgere.gdpr import aktivitet_registreret
    except ImportError:
        pass
    else:
        aktivitet_registreret(Borger.objects.filter(center=center).values("pk"))
    return {"borgere": n, "matches": len(matches), "ledsagelser": len(ledsagelser), "paamindelser": len(rows),
            "koordinator": koordinator.pk, "brobygger": brobygger.pk}


def timed(client, url, warmup, runs):
    for _ in range(warmup):
        assert client.get(url).status_code == 200, url
    times, size = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        size = len(response.content)
    return statistics.median(times), size


def main():
    args = parse_args()
    url = database_url(DEFAULT_URL)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-only")
    os.environ["DEBUG"] = "False"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "brobygning.settings_test")  # plain HTTP, eager tasks
    if not (args.reuse and bench_db_exists(url)):
        recreate_db(url)
        args.reuse = False
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    from brobygning.models import User
    from tests.factories import client_logged_in

    setup_test_environment()  # the test client's ALLOWED_HOSTS
    if not args.reuse:
        call_command("migrate", verbosity=0)
        t0 = time.perf_counter()
        info = seed(args.borgere)
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
        print(f"seeded {info} in {time.perf_counter() - t0:.1f} s")
    koordinator = client_logged_in(User.objects.get(email="koordinator@bench.test"))
    brobygger = client_logged_in(User.objects.get(email="brobygger@bench.test"))
    pages = [("/healthz", koordinator, "/healthz"), ("overview /", koordinator, "/"),
             ("Min dag /", brobygger, "/"), ("match board /matches/", koordinator, "/matches/"),
             ("påmindelser ?vis=sendt", koordinator, "/paamindelser/?vis=sendt")]
    results = []
    for _round in range(2):  # healthz first and last; the ratio uses their mean
        for label, client, path in pages:
            results.append((label, *timed(client, path, args.warmup, args.runs)))
    healthz = statistics.mean(ms for label, ms, _s in results if label == "/healthz")
    print(f"\n{'page':28} {'median ms':>10} {'× healthz':>10} {'HTML KB':>8}")
    for label, _c, _p in pages:
        ms = statistics.median(m for lab, m, _s in results if lab == label)
        size = next(s for lab, _m, s in results if lab == label)
        print(f"{label:28} {ms:10.1f} {ms / healthz:10.1f} {size / 1024:8.0f}")
    ok = check(koordinator, brobygger)
    if not args.keep:
        drop_db(url)
    sys.exit(0 if ok else 1)


def check(koordinator, brobygger) -> bool:
    """The lists are bounded: at most 20 rows each, with the total (issue 15). Code from before
    issue 15 has no bounded lists, so this reports them as unbounded."""
    problems = []
    board = koordinator.get("/matches/").context.get("kolonner") or []
    for column in board:
        liste = column[2]  # (stage, label, bounded list, its cards)
        if not hasattr(liste, "antal") or len(liste.rows) > 20:
            problems.append(f"board column {column[0]} is not bounded")
    for client, keys in ((koordinator, ("ledsagelser", "forfaldne", "foraeldede")),
                         (brobygger, ("ledsagelser", "opfoelgninger", "uden_udfald", "kom_ikke"))):
        context = client.get("/").context
        for key in keys:
            liste = context.get(key)
            if not hasattr(liste, "antal") or len(liste.rows) > 20:
                problems.append(f"front page list {key} is not bounded")
    for problem in problems:
        print("CHECK FAILED:", problem)
    return not problems


if __name__ == "__main__":
    main()
