"""Issue 15: a fællesskab's new welcome score gives its row a new version.

Stage 1 remembers what it read of each candidate per process, by the fællesskab row's version
(``matching.candidate_cache``), and that includes its welcome score, so the KNN statement needs no join
to the scores (a probe per candidate, a tenth of the suggestions' round trip). When a score is written,
changed or deleted (the nightly ``velkomst.beregn_center``), this trigger rewrites the fællesskab's row
unchanged, as 0025 does for a forening's name, and stage 1 reads it again. A rewrite that changes no
value (the nightly run's new ``beregnet``) leaves the row alone. PostgreSQL only.
"""

from django.db import migrations

FUNCTION = "matching_velkomstscore_faellesskab_version"


def _tables(apps):
    return (apps.get_model("matching", "Velkomstscore")._meta.db_table,
            apps.get_model("foreninger", "Faellesskab")._meta.db_table)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    velkomstscore, faellesskab = _tables(apps)
    schema_editor.execute(f"""
        CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP <> 'INSERT' THEN
                UPDATE {faellesskab} SET forening_id = forening_id WHERE id = OLD.faellesskab_id;
            END IF;
            IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.faellesskab_id <> OLD.faellesskab_id) THEN
                UPDATE {faellesskab} SET forening_id = forening_id WHERE id = NEW.faellesskab_id;
            END IF;
            RETURN NULL;
        END $$""")
    schema_editor.execute(f"CREATE TRIGGER {FUNCTION} AFTER INSERT OR DELETE ON {velkomstscore} FOR EACH ROW "
                          f"EXECUTE FUNCTION {FUNCTION}()")
    changed = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}"
                          for c in ("faellesskab_id", "center_id", "n", "blevet", "prior", "score"))
    schema_editor.execute(f"CREATE TRIGGER {FUNCTION}_update AFTER UPDATE ON {velkomstscore} FOR EACH ROW "
                          f"WHEN ({changed}) EXECUTE FUNCTION {FUNCTION}()")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    velkomstscore, _faellesskab = _tables(apps)
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {FUNCTION}_update ON {velkomstscore}")
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {FUNCTION} ON {velkomstscore}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [("matching", "0027_match_tavle_idx")]
    operations = [migrations.RunPython(forwards, backwards)]
