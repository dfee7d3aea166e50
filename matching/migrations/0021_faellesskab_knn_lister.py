"""Issue 15: a fællesskab's tags and meeting times for stage 1, kept on its row (PostgreSQL only).

Stage 1 read, for each of its N (200) candidates, the interests, accessibility features and target
groups (three link tables) and the current meeting times, by a correlated subquery each: 800 index
probes on every suggestions page, about a third of the statement's execution. These columns hold
the same lists on the fællesskab's row, so the candidates' rows carry them:

- ``knn_interesser``, ``knn_tilgaengelighed``, ``knn_maalgrupper``: the tag ids;
- ``knn_moeder``: each meeting as frequency × 1000 + weekday × 100 + starting hour (as stage 1 read
  it), ``knn_moeder_til``: its ``gyldig_til`` at the same position. A meeting stops counting after
  that date, so stage 1 leaves out the ended ones when it reads them, not here.

The database keeps them: a statement-level trigger on each link table and on the meeting times
recomputes the lists of the fællesskaber whose rows a statement inserted, changed or deleted,
whoever writes (the services, ``.set()``, the HSDS import's bulk_create, the national dataset's
COPY). Not model fields: only stage 1's SQL reads them; elsewhere (SQLite) stage 1 reads the tables.
"""

from django.db import migrations

FUNCTION = "matching_faellesskab_knn_lister"
KILDER = ("faellesskab_interesser", "faellesskab_tilgaengelighed", "faellesskab_maalgrupper", "moedetid")
FREKVENS = "(CASE m.frekvens WHEN 'MONTHLY' THEN 2000 WHEN 'BIWEEKLY' THEN 1000 ELSE 0 END)"


def _names(apps):
    faellesskab = apps.get_model("foreninger", "Faellesskab")
    links = {name: getattr(faellesskab, name).through._meta.db_table
             for name in ("interesser", "tilgaengelighed", "maalgrupper")}
    return faellesskab._meta.db_table, links, apps.get_model("foreninger", "Moedetid")._meta.db_table


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    f, links, moedetid = _names(apps)
    schema_editor.execute(
        f"ALTER TABLE {f} ADD COLUMN knn_interesser bigint[] NOT NULL DEFAULT '{{}}', "
        "ADD COLUMN knn_tilgaengelighed bigint[] NOT NULL DEFAULT '{}', "
        "ADD COLUMN knn_maalgrupper bigint[] NOT NULL DEFAULT '{}', "
        "ADD COLUMN knn_moeder int[] NOT NULL DEFAULT '{}', ADD COLUMN knn_moeder_til date[] NOT NULL DEFAULT '{}'")
    tags = {name: f"ARRAY(SELECT x.tag_id FROM {table} x WHERE x.faellesskab_id = f.id ORDER BY x.tag_id)"
            for name, table in links.items()}
    moeder = f"FROM {moedetid} m WHERE m.faellesskab_id = f.id ORDER BY m.id"
    schema_editor.execute(f"""
        CREATE FUNCTION {FUNCTION}(ids bigint[]) RETURNS void LANGUAGE sql AS $$
            UPDATE {f} f SET knn_interesser = {tags["interesser"]},
                knn_tilgaengelighed = {tags["tilgaengelighed"]},
                knn_maalgrupper = {tags["maalgrupper"]},
                knn_moeder = ARRAY(SELECT {FREKVENS} + m.ugedag * 100 + CAST(extract(hour FROM m.fra) AS int) {moeder}),
                knn_moeder_til = ARRAY(SELECT m.gyldig_til {moeder})
            WHERE f.id = ANY(ids)
        $$""")
    for event, rows in (("INSERT", "SELECT faellesskab_id FROM ny"), ("DELETE", "SELECT faellesskab_id FROM gl"),
                        ("UPDATE", "SELECT faellesskab_id FROM ny UNION SELECT faellesskab_id FROM gl")):
        referencing = {"INSERT": "NEW TABLE AS ny", "DELETE": "OLD TABLE AS gl",
                       "UPDATE": "OLD TABLE AS gl NEW TABLE AS ny"}[event]
        schema_editor.execute(f"""
            CREATE FUNCTION {FUNCTION}_{event.lower()}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM {FUNCTION}(ARRAY({rows}));
                RETURN NULL;
            END $$""")
        for kilde in KILDER:
            table = moedetid if kilde == "moedetid" else links[kilde.removeprefix("faellesskab_")]
            schema_editor.execute(
                f"CREATE TRIGGER {FUNCTION}_{event.lower()} AFTER {event} ON {table} REFERENCING {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}_{event.lower()}()")
    schema_editor.execute(f"SELECT {FUNCTION}(ARRAY(SELECT id FROM {f}))")  # the backfill


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    f, links, moedetid = _names(apps)
    for event in ("insert", "delete", "update"):
        for table in (*links.values(), moedetid):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {FUNCTION}_{event} ON {table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}_{event}()")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}(bigint[])")
    schema_editor.execute(
        f"ALTER TABLE {f} DROP COLUMN IF EXISTS knn_interesser, DROP COLUMN IF EXISTS knn_tilgaengelighed, "
        "DROP COLUMN IF EXISTS knn_maalgrupper, DROP COLUMN IF EXISTS knn_moeder, DROP COLUMN IF EXISTS knn_moeder_til")


class Migration(migrations.Migration):
    dependencies = [("matching", "0020_faellesskab_knn_sted")]
    operations = [migrations.RunPython(forwards, backwards)]
