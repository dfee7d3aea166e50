"""Backup and restore with pg_dump/pg_restore (SECURITY.md). The restore drill in the tests uses this.

A plain ``pg_restore`` of this database fails: pg_dump empties the search_path while restoring,
and earthdistance's ``ll_to_earth`` (used by matching's KNN indexes) names its ``earth`` type
without a schema. So the restore runs in three steps: the schema without indexes, then the
function is given a search_path for the duration, then the data and the indexes.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

LL_TO_EARTH = "public.ll_to_earth(double precision, double precision)"


def _conn_args(db: dict) -> tuple[list[str], dict]:
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    args = ["-h", db.get("HOST") or "localhost", "-p", str(db.get("PORT") or 5432), "-U", db.get("USER") or "postgres"]
    return args, env


def dump(db: dict, path: Path) -> None:
    """pg_dump in the custom format (compressed, restorable table by table)."""
    args, env = _conn_args(db)
    subprocess.run(["pg_dump", "--format=custom", "--no-owner", "--file", str(path), *args, "-d", db["NAME"]],  # noqa: S603,S607
                   env=env, check=True, capture_output=True, timeout=3600)


def _psql(args, env, dbname, sql) -> None:
    subprocess.run(["psql", *args, "-d", dbname, "-v", "ON_ERROR_STOP=1", "-c", sql],  # noqa: S603,S607
                   env=env, check=True, capture_output=True, timeout=60)


def restore(db: dict, path: Path) -> None:
    """Restore `path` into the existing, empty database `db["NAME"]`."""
    args, env = _conn_args(db)
    name = db["NAME"]
    base = ["pg_restore", "--no-owner", "--exit-on-error", *args, "-d", name]

    def run(*extra):
        result = subprocess.run([*base, *extra, str(path)], env=env, capture_output=True, text=True, timeout=3600)  # noqa: S603
        if result.returncode:
            raise RuntimeError(f"pg_restore {' '.join(extra)} failed: {result.stderr.strip()[:2000]}")

    run("--section=pre-data")
    has_earth = subprocess.run(  # noqa: S603
        ["psql", *args, "-d", name, "-tAc", "SELECT to_regprocedure('" + LL_TO_EARTH + "') IS NOT NULL"],  # noqa: S607
        env=env, capture_output=True, text=True, timeout=60).stdout.strip() == "t"
    if has_earth:
        _psql(args, env, name, f"ALTER FUNCTION {LL_TO_EARTH} SET search_path = public")
    try:
        run("--section=data", "--section=post-data")
    finally:
        if has_earth:
            _psql(args, env, name, f"ALTER FUNCTION {LL_TO_EARTH} RESET search_path")
