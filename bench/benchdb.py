"""The throwaway PostgreSQL database every benchmark makes, uses and drops.

Only databases named ``brobygning_bench*`` are accepted, so a benchmark can never drop a database
anyone else uses.
"""

from __future__ import annotations

import os
import sys
from urllib.parse import urlsplit, urlunsplit


def database_url(default: str) -> str:
    url = os.environ.get("DATABASE_URL", default)
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.scheme not in ("postgres", "postgresql", "pgsql") or not name.startswith("brobygning_bench"):
        sys.exit(f"Refusing {url!r}: this benchmark only runs on a PostgreSQL database named brobygning_bench*.")
    return url


def admin_connect(url: str):
    """Autocommit connection to the server's `postgres` database, to create and drop the bench DB."""
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True)


def bench_db_exists(url: str) -> bool:
    name = urlsplit(url).path.lstrip("/")
    with admin_connect(url) as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def recreate_db(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    with admin_connect(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_db(url: str) -> None:
    from django.db import connections

    connections.close_all()
    name = urlsplit(url).path.lstrip("/")
    with admin_connect(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
