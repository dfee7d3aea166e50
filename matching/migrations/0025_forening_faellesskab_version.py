"""Issue 15: a forening's new name or inclusion readiness gives its fællesskaber a new row version.

Stage 1 remembers what it read of each candidate per process, by the fællesskab row's version (xmin,
ctid; ``matching.candidate_cache``), and that includes its forening's name and inclusion readiness, so
the KNN statement needs no join to the foreninger. When either changes, this trigger rewrites the
forening's fællesskab rows unchanged (``SET forening_id = forening_id``: a new version, a HOT update as
no indexed value changes), and stage 1 reads them again. PostgreSQL only: elsewhere stage 1 reads
everything every time.
"""

from django.db import migrations

FUNCTION = "matching_forening_faellesskab_version"


def _tables(apps):
    return (apps.get_model("foreninger", "Forening")._meta.db_table,
            apps.get_model("foreninger", "Faellesskab")._meta.db_table)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    forening, faellesskab = _tables(apps)
    schema_editor.execute(f"""
        CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE {faellesskab} SET forening_id = forening_id WHERE forening_id = NEW.id;
            RETURN NULL;
        END $$""")
    schema_editor.execute(
        f"CREATE TRIGGER {FUNCTION} AFTER UPDATE OF navn, inklusionsparat ON {forening} FOR EACH ROW "
        "WHEN (OLD.navn IS DISTINCT FROM NEW.navn OR OLD.inklusionsparat IS DISTINCT FROM NEW.inklusionsparat) "
        f"EXECUTE FUNCTION {FUNCTION}()")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    forening, _faellesskab = _tables(apps)
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {FUNCTION} ON {forening}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [("matching", "0024_opfoelgning_tre_md_deltager"), ("foreninger", "0010_faellesskab_offentlig_c_fts")]
    operations = [migrations.RunPython(forwards, backwards)]
