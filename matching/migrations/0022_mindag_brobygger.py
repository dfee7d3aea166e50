"""Issue 15: the borger's brobygger kept on each meeting and follow-up row, for Min dag (PostgreSQL only).

Min dag (`selectors.min_dags_laesning`) showed the planned meetings and the open follow-ups due of the
brobygger's borgere by walking every one of those borgere, their matches (263 and 403 at national size)
and each match's meetings and follow-ups: ~3,600 shared buffers and ~3 ms of execution, growing with the
brobygger's caseload, for the 19 planned meetings and 51 follow-ups due it found. ``mindag_brobygger``
is the brobygger of the row's match's borger (NULL when the borger has none), on
``matching_ledsagelse`` and ``matching_opfoelgning``; with a partial index on each that holds only the
rows Min dag can show (planned meetings; open follow-ups, by due date) the page reads those rows
directly.

The database keeps the column, whoever writes (the services, the tests' factories, `seed_demo`, the
national dataset's COPY, GDPR anonymisation):

- a row inserted, or moved to another match: its match's borger's brobygger (BEFORE INSERT, and BEFORE
  UPDATE OF match_id when it changed; per row);
- a borger's brobygger changed (overdragelse, assignment, anonymisation): every meeting and follow-up
  of the borger's matches;
- a match moved to another borger: its meetings and follow-ups.

Not a model field: only Min dag's SQL reads it; elsewhere (SQLite) Min dag reads through the borgere.
"""

from django.db import migrations

FUNCTION = "matching_mindag_brobygger"


def _names(apps):
    get = apps.get_model
    return (get("matching", "Ledsagelse")._meta.db_table, get("matching", "Opfoelgning")._meta.db_table,
            get("matching", "Match")._meta.db_table, get("borgere", "Borger")._meta.db_table)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    le, o, m, b = _names(apps)
    raekker = (le, o)
    for t in raekker:
        schema_editor.execute(f"ALTER TABLE {t} ADD COLUMN mindag_brobygger bigint")
    # a new row, or a row moved to another match: its match's borger's brobygger
    schema_editor.execute(f"""
        CREATE FUNCTION {FUNCTION}_raekke() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            NEW.mindag_brobygger := (SELECT b.brobygger_id FROM {m} m JOIN {b} b ON b.id = m.borger_id
                                     WHERE m.id = NEW.match_id);
            RETURN NEW;
        END $$""")
    for t in raekker:  # (a save() names match_id too: only a changed one is looked up)
        schema_editor.execute(
            f"CREATE TRIGGER {FUNCTION}_raekke BEFORE INSERT ON {t} FOR EACH ROW EXECUTE FUNCTION {FUNCTION}_raekke()")
        schema_editor.execute(
            f"CREATE TRIGGER {FUNCTION}_flyttet BEFORE UPDATE OF match_id ON {t} FOR EACH ROW "
            f"WHEN (OLD.match_id IS DISTINCT FROM NEW.match_id) EXECUTE FUNCTION {FUNCTION}_raekke()")
    # a borger's brobygger changed: the rows of all the borger's matches
    schema_editor.execute(f"""
        CREATE FUNCTION {FUNCTION}_borger() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE {le} SET mindag_brobygger = NEW.brobygger_id
                WHERE match_id IN (SELECT id FROM {m} WHERE borger_id = NEW.id);
            UPDATE {o} SET mindag_brobygger = NEW.brobygger_id
                WHERE match_id IN (SELECT id FROM {m} WHERE borger_id = NEW.id);
            RETURN NULL;
        END $$""")
    schema_editor.execute(
        f"CREATE TRIGGER {FUNCTION}_borger AFTER UPDATE OF brobygger_id ON {b} FOR EACH ROW "
        f"WHEN (OLD.brobygger_id IS DISTINCT FROM NEW.brobygger_id) EXECUTE FUNCTION {FUNCTION}_borger()")
    # a match moved to another borger: its rows
    schema_editor.execute(f"""
        CREATE FUNCTION {FUNCTION}_match() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            ny bigint := (SELECT brobygger_id FROM {b} WHERE id = NEW.borger_id);
        BEGIN
            UPDATE {le} SET mindag_brobygger = ny WHERE match_id = NEW.id;
            UPDATE {o} SET mindag_brobygger = ny WHERE match_id = NEW.id;
            RETURN NULL;
        END $$""")
    schema_editor.execute(
        f"CREATE TRIGGER {FUNCTION}_match AFTER UPDATE OF borger_id ON {m} FOR EACH ROW "
        f"WHEN (OLD.borger_id IS DISTINCT FROM NEW.borger_id) EXECUTE FUNCTION {FUNCTION}_match()")
    for t in raekker:  # the backfill
        schema_editor.execute(f"""
            UPDATE {t} x SET mindag_brobygger = b.brobygger_id FROM {m} m JOIN {b} b ON b.id = m.borger_id
            WHERE m.id = x.match_id AND b.brobygger_id IS NOT NULL""")
    # only the rows Min dag can show: planned meetings; open follow-ups, by due date
    schema_editor.execute(f"CREATE INDEX ledsagelse_mindag ON {le} (mindag_brobygger, center_id) "
                          "WHERE status = 'planlagt'")
    schema_editor.execute(f"CREATE INDEX opfoelgning_mindag ON {o} (mindag_brobygger, center_id, forfalder) "
                          "WHERE udfoert IS NULL")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    le, o, m, b = _names(apps)
    for trigger, table in (("raekke", le), ("raekke", o), ("flyttet", le), ("flyttet", o), ("borger", b),
                           ("match", m)):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {FUNCTION}_{trigger} ON {table}")
    for trigger in ("raekke", "borger", "match"):
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}_{trigger}()")
    for t in (le, o):
        schema_editor.execute(f"ALTER TABLE {t} DROP COLUMN IF EXISTS mindag_brobygger")  # and its index


class Migration(migrations.Migration):
    dependencies = [("matching", "0021_faellesskab_knn_lister"), ("borgere", "0016_borger_soeg_trigram")]
    operations = [migrations.RunPython(forwards, backwards)]
