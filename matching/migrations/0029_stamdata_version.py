"""Issue 15: the version of the reference data matching holds per process (tags and postal codes), one number.

Stage 1 remembers its candidates per process with their tags as slugs and names, and the postal codes'
places (``matching.candidate_cache``), and drops them all when the tag table or the postal codes change. It read
the whole tag table (a hundred rows) with every suggestion to see that, and the borger's postal code's place
inside the KNN statement (four reads of it); now it reads this one row, and gives the KNN statement the place.
A trigger gives the row a new value from a sequence after every statement that writes either table (insert,
update, delete, truncate), so a value is never used twice: one that a rolled-back transaction saw cannot come
back with other rows. PostgreSQL only.
"""

from django.db import migrations

TABLE = "matching_stamdataversion"
FUNCTION = "matching_stamdataversion_ny"


def _tables(apps):
    return [apps.get_model("brobygning", name)._meta.db_table for name in ("Tag", "Postnummer")]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE SEQUENCE {TABLE}_seq")
    schema_editor.execute(f"CREATE TABLE {TABLE} (id smallint PRIMARY KEY CHECK (id = 1), version bigint NOT NULL)")
    schema_editor.execute(f"INSERT INTO {TABLE} VALUES (1, nextval('{TABLE}_seq'))")
    schema_editor.execute(f"""
        CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE {TABLE} SET version = nextval('{TABLE}_seq') WHERE id = 1;
            RETURN NULL;
        END $$""")
    for table in _tables(apps):
        schema_editor.execute(f"CREATE TRIGGER {FUNCTION} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                              f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in _tables(apps):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {FUNCTION} ON {table}")
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
    schema_editor.execute(f"DROP TABLE IF EXISTS {TABLE}")
    schema_editor.execute(f"DROP SEQUENCE IF EXISTS {TABLE}_seq")


class Migration(migrations.Migration):
    dependencies = [("matching", "0028_velkomstscore_faellesskab_version"), ("brobygning", "0020_adgangslog_laest_indeks")]
    operations = [migrations.RunPython(forwards, backwards)]
