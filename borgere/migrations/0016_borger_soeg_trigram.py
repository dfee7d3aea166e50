"""Issue 15: the borger search by a trigram index per centre.

A search for a common first name ("Susanne", 532 of the largest centre's 19,073 borgere) had to read
every active borger of the centre in `borger_liste_idx` and test `soegetekst LIKE '%SUSANNE%'` row by
row (the count needs every match), so it grew with the centre. This GIN index leads with the centre
(``btree_gin``) and holds ``soegetekst``'s trigrams (``pg_trgm``; both trusted extensions), so the
search reads only the centre's candidate rows: 532 rows from 392 heap pages, then a sort of those.
The centre's condition must be bigint, the column's type (`access.scope` casts it for borgere):
``bigint = integer`` is not in btree_gin's operator class. Words shorter than three letters have no
trigram, and a word matching most of the centre is cheaper in the list's order: the planner keeps
`borger_liste_idx` for those. PostgreSQL only, like matching 0018.
"""

from django.db import migrations

NAME = "borger_soeg_trgm"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    table = apps.get_model("borgere", "Borger")._meta.db_table
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {NAME} ON {table} "
                          "USING gin (center_id, soegetekst gin_trgm_ops) WHERE arkiveret IS NULL")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")  # the extensions stay, as matching's do


class Migration(migrations.Migration):
    dependencies = [("borgere", "0015_borger_center_uden_eget_indeks")]
    operations = [migrations.RunPython(forwards, backwards)]
