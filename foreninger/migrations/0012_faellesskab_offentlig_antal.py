"""Issue 15: each centre's number of public fællesskaber, kept beside them (PostgreSQL only).

The HSDS list (`/api/hsds/services`, and a centre's) shows `total_items` on its first page. Counting the
public rows read the whole partial index of public rows on every request: 9.8 ms of a 23 ms request for
the deployment's list at national size (47,000 rows), against 1.1 ms on the demo, so the page grew with
the deployment. ``foreninger_faellesskab_offentlig_antal`` holds (center_id, antal): the rows that are
public by their own columns (``PUBLIC_ROW``: not archived, public, active). The forening's part of
"public" (not archived) is still counted from the archived foreninger's side (`public_service_count`).

As matching.0023 keeps the board's counts, the database keeps this one, whoever writes (the services,
bulk_create, a queryset's ``update()`` and ``delete()``, the national dataset's COPY), in the writing
transaction:

- INSERT and DELETE: a statement-level trigger with the statement's rows (transition table) adds or
  subtracts each centre's public rows in one statement;
- UPDATE: a row-level trigger, only when a row's being public or its centre changes;
- TRUNCATE empties the table too (the test runner's flush).

Each change is an upsert in center_id order. A centre's row stays locked until the writing transaction
ends: two transactions that both change whether a fællesskab of the same centre is public wait for each
other. Not a model, no foreign key to the centre (as matching.0023, and for the same reasons). Filled
from the existing rows here.
"""

from django.db import migrations

TABLE = "foreninger_faellesskab_offentlig_antal"
FUNCTION = "foreninger_faellesskab_offentlig_antal"


def offentlig(row: str) -> str:
    """`PUBLIC_ROW` of `row` (a table alias, NEW or OLD) in SQL."""
    return f"({row}.arkiveret IS NULL AND {row}.offentlig AND {row}.status = 'aktiv')"


# Adds each (center_id, n) of `aendringer` (a SELECT) to the table, in key order.
UPSERT = f"""
    INSERT INTO {TABLE} AS a (center_id, antal)
    SELECT center_id, SUM(n) FROM ({{aendringer}}) AS d(center_id, n)
    GROUP BY center_id HAVING SUM(n) <> 0 ORDER BY center_id
    ON CONFLICT (center_id) DO UPDATE SET antal = a.antal + EXCLUDED.antal"""


def _table(apps):
    return apps.get_model("foreninger", "Faellesskab")._meta.db_table


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    faellesskab = _table(apps)
    schema_editor.execute(f"CREATE TABLE {TABLE} (center_id bigint PRIMARY KEY, antal integer NOT NULL)")
    aendringer = {
        "insert": f"SELECT center_id, 1 FROM ny WHERE {offentlig('ny')}",
        "delete": f"SELECT center_id, -1 FROM gl WHERE {offentlig('gl')}",
    }
    for event, referencing in (("insert", "NEW TABLE AS ny"), ("delete", "OLD TABLE AS gl")):
        schema_editor.execute(f"""
            CREATE FUNCTION {FUNCTION}_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                {UPSERT.format(aendringer=aendringer[event])};
                RETURN NULL;
            END $$""")
        schema_editor.execute(
            f"CREATE TRIGGER {FUNCTION}_{event} AFTER {event.upper()} ON {faellesskab} REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}_{event}()")
    schema_editor.execute(f"""
        CREATE FUNCTION {FUNCTION}_update() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {UPSERT.format(aendringer=f"SELECT OLD.center_id, -1 WHERE {offentlig('OLD')} "
                                      f"UNION ALL SELECT NEW.center_id, 1 WHERE {offentlig('NEW')}")};
            RETURN NULL;
        END $$""")
    schema_editor.execute(
        f"CREATE TRIGGER {FUNCTION}_update AFTER UPDATE OF arkiveret, offentlig, status, center_id ON {faellesskab} "
        f"FOR EACH ROW WHEN ({offentlig('OLD')} IS DISTINCT FROM {offentlig('NEW')} "
        f"OR OLD.center_id IS DISTINCT FROM NEW.center_id) EXECUTE FUNCTION {FUNCTION}_update()")
    schema_editor.execute(f"""
        CREATE FUNCTION {FUNCTION}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM {TABLE};
            RETURN NULL;
        END $$""")
    schema_editor.execute(
        f"CREATE TRIGGER {FUNCTION}_truncate AFTER TRUNCATE ON {faellesskab} FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {FUNCTION}_truncate()")
    # the backfill, in the migration's transaction
    schema_editor.execute(f"INSERT INTO {TABLE} (center_id, antal) SELECT center_id, COUNT(*) FROM {faellesskab} AS f "
                          f"WHERE {offentlig('f')} GROUP BY center_id")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    faellesskab = _table(apps)
    for event in ("insert", "delete", "update", "truncate"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {FUNCTION}_{event} ON {faellesskab}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}_{event}()")
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("foreninger", "0011_faellesskab_titel_idx")]
    operations = [migrations.RunPython(forwards, backwards)]
