"""Issue 15: the public text search's count by a GIN index per centre.

The directory's text search (`?q=kaffe`) counts every public row of the centre that matches. Without
an index that leads with the centre, PostgreSQL read all of the largest centre's 4,318 public rows
(by the centre's index or the list's order) and tested ``fts`` row by row: the count grew with the
centre, not with the matches. This GIN index holds the centre (``btree_gin``) and the stored tsvector
of the public rows (the same condition as the list's partial indexes), so the count reads the
centre's matching rows only: 1,059 rows for "kaffe", from 478 heap pages. The centre's condition must
be bigint, the column's type (`access.scope_public` casts it): ``bigint = integer`` is not in
btree_gin's operator class. The plain GIN index of 0007 stays (a search without a centre). PostgreSQL
only, like 0007.
"""

from django.db import migrations

TABLE = "foreninger_faellesskab"
NAME = "faellesskab_offentlig_c_fts"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {NAME} ON {TABLE} USING gin (center_id, fts) "
                          "WHERE (arkiveret IS NULL AND offentlig AND status = 'aktiv')")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")  # the extension stays, as borgere 0016's does


class Migration(migrations.Migration):
    dependencies = [("foreninger", "0009_faellesskab_bekraeftet_indeks")]
    operations = [migrations.RunPython(forwards, backwards)]
