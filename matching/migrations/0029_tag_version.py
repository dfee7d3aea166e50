"""Issue 15: the tag table's version, one number kept by the database.

Stage 1 remembers its candidates per process with their tags as slugs and names (``matching.candidate_cache``),
and drops them all when the tag table changes. It read the whole table (a hundred rows) with every
suggestion to see that; now it reads this one row. A trigger gives the row a new value from a sequence after
every statement that writes the tag table (insert, update, delete, truncate), so a value is never used twice:
one that a rolled-back transaction saw cannot come back with other tags. PostgreSQL only.
"""

from django.db import migrations

TABLE = "matching_tagversion"
FUNCTION = "matching_tagversion_ny"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    tag = apps.get_model("brobygning", "Tag")._meta.db_table
    schema_editor.execute(f"CREATE SEQUENCE {TABLE}_seq")
    schema_editor.execute(f"CREATE TABLE {TABLE} (id smallint PRIMARY KEY CHECK (id = 1), version bigint NOT NULL)")
    schema_editor.execute(f"INSERT INTO {TABLE} VALUES (1, nextval('{TABLE}_seq'))")
    schema_editor.execute(f"""
        CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE {TABLE} SET version = nextval('{TABLE}_seq') WHERE id = 1;
            RETURN NULL;
        END $$""")
    schema_editor.execute(f"CREATE TRIGGER {FUNCTION} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {tag} "
                          f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    tag = apps.get_model("brobygning", "Tag")._meta.db_table
    schema_editor.execute(f"DROP TRIGGER IF EXISTS {FUNCTION} ON {tag}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")
    schema_editor.execute(f"DROP SEQUENCE IF EXISTS {TABLE}_seq")


class Migration(migrations.Migration):
    dependencies = [("matching", "0028_velkomstscore_faellesskab_version"), ("brobygning", "0020_adgangslog_laest_indeks")]
    operations = [migrations.RunPython(forwards, backwards)]
