"""Issue 15: the place stage 1 measures a fællesskab from, kept on its row (PostgreSQL only).

Stage 1 ordered two KNN branches and merged them: rows with their own coordinates (0018's index) and
rows without, walked by their postal code's coordinates (0008's index), because an index expression
cannot reach the postal code table. The second branch cost about as much again as the first, in
planning and in execution, on every suggestions page. ``knn_lat``/``knn_lng`` hold the fællesskab's
own coordinates where it has both, else its postal code's (what both branches used), and one GiST
index on ``(center_id, ll_to_earth(knn_lat, knn_lng))`` serves the whole walk (partial: the active,
open, unarchived rows, which is all stage 1 ever asks for).

The database keeps them: a trigger sets them on every insert and on every update of ``lat``, ``lng``
or ``postnummer_id``, whoever writes (the services, the HSDS import's bulk_create, the national
dataset's COPY), and one on the postal codes carries a change of their coordinates to the rows that
use them. The columns are not model fields: only stage 1's SQL reads them, and elsewhere (SQLite)
stage 1 computes the same place in its query. 0008's and 0018's indexes stay (the public search near
a postal code walks by the own coordinates).
"""

from django.db import migrations

INDEX = "matching_faellesskab_knn_sted"
FUNCTION = "matching_faellesskab_knn_sted"
FUNCTION_PN = "matching_postnummer_knn_sted"


def _tables(apps):
    return (apps.get_model("foreninger", "Faellesskab")._meta.db_table,
            apps.get_model("brobygning", "Postnummer")._meta.db_table)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    f, p = _tables(apps)
    schema_editor.execute(f"ALTER TABLE {f} ADD COLUMN knn_lat double precision, ADD COLUMN knn_lng double precision")
    schema_editor.execute(f"""
        CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.lat IS NOT NULL AND NEW.lng IS NOT NULL THEN
                NEW.knn_lat := NEW.lat;
                NEW.knn_lng := NEW.lng;
            ELSE
                SELECT p.lat, p.lng INTO NEW.knn_lat, NEW.knn_lng FROM {p} p WHERE p.nr = NEW.postnummer_id;
            END IF;
            RETURN NEW;
        END $$""")
    schema_editor.execute(f"CREATE TRIGGER {FUNCTION} BEFORE INSERT OR UPDATE OF lat, lng, postnummer_id ON {f} "
                          f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()")
    schema_editor.execute(f"""
        CREATE FUNCTION {FUNCTION_PN}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE {f} SET knn_lat = NEW.lat, knn_lng = NEW.lng
            WHERE postnummer_id = NEW.nr AND (lat IS NULL OR lng IS NULL);
            RETURN NULL;
        END $$""")
    schema_editor.execute(f"CREATE TRIGGER {FUNCTION_PN} AFTER UPDATE OF lat, lng ON {p} "
                          f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION_PN}()")
    # The backfill: the trigger computes the place as for any other update.
    schema_editor.execute(f"UPDATE {f} SET lat = lat")
    # Only rows stage 1 can offer at all (its every query has these conditions, the status as a
    # literal: client-side binding), so the walk skips fewer rows.
    schema_editor.execute(f"CREATE INDEX {INDEX} ON {f} USING gist (center_id, ll_to_earth(knn_lat, knn_lng)) "
                          "WHERE arkiveret IS NULL AND status = 'aktiv' AND aaben_for_nye")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    f, p = _tables(apps)
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {FUNCTION_PN} ON {p}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION_PN}()")
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {FUNCTION} ON {f}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
    schema_editor.execute(f"ALTER TABLE {f} DROP COLUMN IF EXISTS knn_lat, DROP COLUMN IF EXISTS knn_lng")


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0019_opfoelgning_match_aaben"),
        ("foreninger", "0009_faellesskab_bekraeftet_indeks"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
