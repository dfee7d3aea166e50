"""Issue 15: each centre's number of matches per stage, kept beside the matches (PostgreSQL only).

The koordinator's match board and overview showed each stage's count, capped at 999 ("999+"): counting
read up to 1,000 index entries per stage on every request (~1.8 ms of the board's statement at national
size, against ~0.03 ms on the demo: most of the statement's growth). ``matching_match_fase_antal`` holds
(center_id, stage, antal) for every stage a centre has had a match in, so both pages read exact counts
from a handful of rows.

The database keeps it, whoever writes (the services, bulk_create, a queryset's ``update()`` and
``delete()``, seed_demo, the national dataset's COPY), in the writing transaction:

- INSERT and DELETE: a statement-level trigger with the statement's rows (transition table) adds or
  subtracts each (centre, stage)'s number in one statement;
- UPDATE: a row-level trigger, only on a change of ``stage`` or ``center_id`` (PostgreSQL allows no
  column list on a trigger with transition tables, and a statement-level one would run on every update
  of a match, which mostly changes other columns); it moves one from the old (centre, stage) to the new;
- TRUNCATE empties the table too (the test runner's flush).

Each change is an upsert in (center_id, stage) order, so one statement never takes two rows' locks in
an order another takes them the other way round. The row of a (centre, stage) stays locked until the
writing transaction ends: two transactions that both add, remove or move a match of the same centre in
the same stage wait for each other (they serialise per centre and stage, not per deployment).

Not a model: only the board's and the overview's SQL read it, on PostgreSQL; elsewhere (SQLite) they
count the matches, capped, as before. No foreign key to the centre: the test runner's flush truncates
the centres without CASCADE, which a reference from this table would refuse; a deleted centre's matches
are deleted first (their rows here come back to 0) and its rows are never read again. Filled from the
existing matches here.
"""

from django.db import migrations

TABLE = "matching_match_fase_antal"
FUNCTION = "matching_match_fase_antal"

# Adds each (center_id, stage, n) of `aendringer` (a SELECT) to the table, in key order.
UPSERT = f"""
    INSERT INTO {TABLE} AS a (center_id, stage, antal)
    SELECT center_id, stage, SUM(n) FROM ({{aendringer}}) AS d(center_id, stage, n)
    GROUP BY center_id, stage HAVING SUM(n) <> 0 ORDER BY center_id, stage
    ON CONFLICT (center_id, stage) DO UPDATE SET antal = a.antal + EXCLUDED.antal"""


def _match_table(apps):
    return apps.get_model("matching", "Match")._meta.db_table


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    match = _match_table(apps)
    schema_editor.execute(f"""
        CREATE TABLE {TABLE} (
            center_id bigint NOT NULL,
            stage varchar(20) NOT NULL,
            antal integer NOT NULL,
            PRIMARY KEY (center_id, stage)
        )""")
    aendringer = {
        "insert": "SELECT center_id, stage, 1 FROM ny",
        "delete": "SELECT center_id, stage, -1 FROM gl",
    }
    for event, referencing in (("insert", "NEW TABLE AS ny"), ("delete", "OLD TABLE AS gl")):
        schema_editor.execute(f"""
            CREATE FUNCTION {FUNCTION}_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                {UPSERT.format(aendringer=aendringer[event])};
                RETURN NULL;
            END $$""")
        schema_editor.execute(
            f"CREATE TRIGGER {FUNCTION}_{event} AFTER {event.upper()} ON {match} REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}_{event}()")
    schema_editor.execute(f"""
        CREATE FUNCTION {FUNCTION}_update() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            {UPSERT.format(aendringer="VALUES (OLD.center_id, OLD.stage, -1), (NEW.center_id, NEW.stage, 1)")};
            RETURN NULL;
        END $$""")
    schema_editor.execute(
        f"CREATE TRIGGER {FUNCTION}_update AFTER UPDATE OF stage, center_id ON {match} FOR EACH ROW "
        f"WHEN (OLD.stage IS DISTINCT FROM NEW.stage OR OLD.center_id IS DISTINCT FROM NEW.center_id) "
        f"EXECUTE FUNCTION {FUNCTION}_update()")
    schema_editor.execute(f"""
        CREATE FUNCTION {FUNCTION}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            DELETE FROM {TABLE};
            RETURN NULL;
        END $$""")
    schema_editor.execute(
        f"CREATE TRIGGER {FUNCTION}_truncate AFTER TRUNCATE ON {match} FOR EACH STATEMENT "
        f"EXECUTE FUNCTION {FUNCTION}_truncate()")
    # the backfill, in the migration's transaction
    schema_editor.execute(f"INSERT INTO {TABLE} (center_id, stage, antal) "
                          f"SELECT center_id, stage, COUNT(*) FROM {match} GROUP BY center_id, stage")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    match = _match_table(apps)
    for event in ("insert", "delete", "update", "truncate"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {FUNCTION}_{event} ON {match}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}_{event}()")
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("matching", "0022_mindag_brobygger")]
    operations = [migrations.RunPython(forwards, backwards)]
