"""Backup and restore drill (SECURITY.md): pg_dump a seeded database, pg_restore it into a fresh one,
and compare every table's row count. PostgreSQL only; skipped without pg_dump/pg_restore or on SQLite."""

import shutil
import uuid

import pytest
from django.core.management import call_command
from django.db import connection

from brobygning import adgangslog, backup
from brobygning.models import Adgangslog

from .. import factories as f
from ..journey_factories import OpfoelgningFactory, planned_ledsagelse

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the drill restores a PostgreSQL dump"),
    pytest.mark.skipif(not (shutil.which("pg_dump") and shutil.which("pg_restore")), reason="needs pg_dump"),
]


def _row_counts(cursor) -> dict[str, int]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    counts = {}
    for (table,) in cursor.fetchall():
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - names from the catalogue
        counts[table] = cursor.fetchone()[0]
    return counts


def test_dump_and_restore_gives_the_same_rows(tmp_path):
    ledsagelse = planned_ledsagelse()
    OpfoelgningFactory(match=ledsagelse.match, center=ledsagelse.center)
    f.BorgerFactory(center=ledsagelse.center, fornavn="Gendannet")
    adgangslog.log(handling=Adgangslog.Handling.LAEST, borger_id=ledsagelse.match.borger_id,
                  center_id=ledsagelse.center_id)
    with connection.cursor() as cursor:
        expected = _row_counts(cursor)
    assert expected["borgere_borger"] == 2 and expected["brobygning_adgangslog"] == 1

    db = connection.settings_dict
    target = f"{db['NAME']}_gendan_{uuid.uuid4().hex[:8]}"
    path = tmp_path / "brobygning.dump"
    backup.dump(db, path)
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{target}"')
    try:
        call_command("restore_backup", str(path), database=target)
        import psycopg

        settings = connection.settings_dict
        with psycopg.connect(host=settings.get("HOST") or "localhost", port=settings.get("PORT") or 5432,
                             user=settings.get("USER") or "postgres", password=settings.get("PASSWORD") or None,
                             dbname=target) as restored, restored.cursor() as cursor:
            assert _row_counts(cursor) == expected
            # The access log's triggers (append-only, no TRUNCATE) came back with the data.
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgrelid = 'brobygning_adgangslog'::regclass "
                           "AND NOT tgisinternal ORDER BY tgname")
            assert [name for (name,) in cursor.fetchall()] == [
                "brobygning_adgangslog_ingen_truncate", "brobygning_adgangslog_kun_tilfoej"]
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
