"""Issue 15: the koordinator's overview's figures per centre and day, kept beside their rows (PostgreSQL only).

The overview shows this month's new referrals, samtaler, matches, first meetings held and follow-ups
"still there after 3 months" (`forside._kpi_tal`). Counted from their rows, each figure read every index
entry of the month so far: at national size the largest centre's month-end figures are ~19,000 entries,
1.6 ms of the statement against 0.3 ms on the 3rd, so the page grew through the month.
``matching_kpi_dag`` holds (center_id, noegle, dag, antal) for each figure (``noegle``, as in `forside._KPI`)
and local day (Europe/Copenhagen, as `settings.TIME_ZONE`; a day starts at local midnight, as the month's
start does), so a month is at most 31 rows a figure.

The database keeps it, whoever writes, as `matching_match_fase_antal` (migration 0023): a statement-level
trigger adds the inserted rows and subtracts the deleted ones in one upsert; a row-level trigger moves one
when a counted column changes (the centre, the day's column, or what makes a row count: a first meeting's
status, a follow-up's type, result and time); TRUNCATE empties the figure's rows. Upserts are in key order.
Not a model; no foreign key to the centre (the test runner's flush truncates centres without CASCADE).
"""

from django.db import migrations

TABLE = "matching_kpi_dag"
ZONE = "Europe/Copenhagen"  # settings.TIME_ZONE (tests/matching/test_kpi_dag.py checks they agree)


def _dag(column):
    return f"CAST({{r}}.{column} AT TIME ZONE '{ZONE}' AS date)"


# figure → (app, model, the local day of a row `{r}`, whether row `{r}` counts, the columns those read)
KILDER = {
    "henvisninger": ("borgere", "Henvisning", _dag("oprettet"), "true", ("center_id", "oprettet")),
    "samtaler": ("borgere", "Samtale", "{r}.dato", "{r}.dato IS NOT NULL", ("center_id", "dato")),
    "matches": ("matching", "Match", _dag("oprettet"), "true", ("center_id", "oprettet")),
    "foerste_moeder": ("matching", "Ledsagelse", _dag("tidspunkt"), "{r}.status = 'moedt_op' AND {r}.tidspunkt IS NOT NULL",
                       ("center_id", "tidspunkt", "status")),
    "efter_3_md": ("matching", "Opfoelgning", _dag("udfoert"),
                   "{r}.type = '3_md' AND {r}.resultat = 'deltager' AND {r}.udfoert IS NOT NULL",
                   ("center_id", "udfoert", "type", "resultat")),
}

# Adds each (center_id, noegle, dag, n) of `aendringer` (a SELECT) to the table, in key order.
UPSERT = f"""
    INSERT INTO {TABLE} AS a (center_id, noegle, dag, antal)
    SELECT center_id, noegle, dag, SUM(n) FROM ({{aendringer}}) AS d(center_id, noegle, dag, n)
    GROUP BY center_id, noegle, dag HAVING SUM(n) <> 0 ORDER BY center_id, noegle, dag
    ON CONFLICT (center_id, noegle, dag) DO UPDATE SET antal = a.antal + EXCLUDED.antal"""


def _raekker(noegle, dag, taeller, r, n, fra=None):
    """The change a row `r` (an alias, or OLD/NEW) makes: `n` to its (centre, figure, day) if it counts."""
    kilde = f" FROM {fra} {r}" if fra else ""
    return (f"SELECT {r}.center_id, '{noegle}', {dag.format(r=r)}, {n}{kilde} "
            f"WHERE {taeller.format(r=r)}")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"""
        CREATE TABLE {TABLE} (
            center_id bigint NOT NULL,
            noegle varchar(20) NOT NULL,
            dag date NOT NULL,
            antal integer NOT NULL,
            PRIMARY KEY (center_id, noegle, dag)
        )""")
    for noegle, (app, model, dag, taeller, kolonner) in KILDER.items():
        table = apps.get_model(app, model)._meta.db_table
        fn = f"matching_kpi_dag_{noegle}"
        for event, referencing, rows in (("insert", "NEW TABLE AS ny", _raekker(noegle, dag, taeller, "r", 1, "ny")),
                                         ("delete", "OLD TABLE AS gl", _raekker(noegle, dag, taeller, "r", -1, "gl"))):
            schema_editor.execute(f"""
                CREATE FUNCTION {fn}_{event}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    {UPSERT.format(aendringer=rows)};
                    RETURN NULL;
                END $$""")
            schema_editor.execute(
                f"CREATE TRIGGER {fn}_{event} AFTER {event.upper()} ON {table} REFERENCING {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {fn}_{event}()")
        flyt = (f"{_raekker(noegle, dag, taeller, 'OLD', -1)} UNION ALL {_raekker(noegle, dag, taeller, 'NEW', 1)}")
        schema_editor.execute(f"""
            CREATE FUNCTION {fn}_update() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                {UPSERT.format(aendringer=flyt)};
                RETURN NULL;
            END $$""")
        aendret = " OR ".join(f"OLD.{k} IS DISTINCT FROM NEW.{k}" for k in kolonner)
        schema_editor.execute(
            f"CREATE TRIGGER {fn}_update AFTER UPDATE OF {', '.join(kolonner)} ON {table} FOR EACH ROW "
            f"WHEN ({aendret}) EXECUTE FUNCTION {fn}_update()")
        schema_editor.execute(f"""
            CREATE FUNCTION {fn}_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                DELETE FROM {TABLE} WHERE noegle = '{noegle}';
                RETURN NULL;
            END $$""")
        schema_editor.execute(
            f"CREATE TRIGGER {fn}_truncate AFTER TRUNCATE ON {table} FOR EACH STATEMENT EXECUTE FUNCTION {fn}_truncate()")
        # the backfill, in the migration's transaction
        schema_editor.execute(f"INSERT INTO {TABLE} (center_id, noegle, dag, antal) "
                              f"SELECT center_id, noegle, dag, SUM(n) FROM ({_raekker(noegle, dag, taeller, 'r', 1, table)}) "
                              "AS d(center_id, noegle, dag, n) GROUP BY center_id, noegle, dag")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for noegle, (app, model, *_rest) in KILDER.items():
        table = apps.get_model(app, model)._meta.db_table
        for event in ("insert", "delete", "update", "truncate"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS matching_kpi_dag_{noegle}_{event} ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS matching_kpi_dag_{noegle}_{event}()")
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")


class Migration(migrations.Migration):
    dependencies = [("matching", "0025_forening_faellesskab_version"), ("borgere", "0016_borger_soeg_trigram")]
    operations = [migrations.RunPython(forwards, backwards)]
