"""Issue 15: partial indexes for the public lists' order, and a stored tsvector for the search.

The partial indexes are portable (SQLite has them too). The stored column is PostgreSQL only: a
generated ``fts`` column holding exactly the expression the search used before
(``to_tsvector('danish', COALESCE(titel, '') || ' ' || COALESCE(beskrivelse, ''))``, as Django's
``SearchVector("titel", "beskrivelse", config="danish")`` builds it), with a GIN index. It replaces
the expression index of 0003: the query reads the column, so no row computes to_tsvector any more.
The model does not declare the column (SQLite has no tsvector); ``public_filters.filter_q`` reads it
by name, and COPY without a column list skips generated columns.
"""

from django.db import migrations, models

TABLE = "foreninger_faellesskab"
OLD_INDEX = "faellesskab_fts_danish"
NEW_INDEX = "faellesskab_fts_stored"
EXPRESSION = "to_tsvector('danish'::regconfig, COALESCE(titel, '') || ' ' || COALESCE(beskrivelse, ''))"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {TABLE} ADD COLUMN fts tsvector GENERATED ALWAYS AS ({EXPRESSION}) STORED")
    schema_editor.execute(f"CREATE INDEX {NEW_INDEX} ON {TABLE} USING gin (fts)")
    schema_editor.execute(f"DROP INDEX IF EXISTS {OLD_INDEX}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON {TABLE} USING gin ({EXPRESSION})")
    schema_editor.execute(f"ALTER TABLE {TABLE} DROP COLUMN IF EXISTS fts")  # drops its index too


class Migration(migrations.Migration):

    dependencies = [
        ('brobygning', '0014_svar_efter_moedet'),
        ('foreninger', '0006_importjob_status_siden'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='faellesskab',
            index=models.Index(condition=models.Q(('arkiveret__isnull', True), ('offentlig', True), ('status', 'aktiv')), fields=['titel', 'id'], name='faellesskab_offentlig_titel'),
        ),
        migrations.AddIndex(
            model_name='faellesskab',
            index=models.Index(condition=models.Q(('arkiveret__isnull', True), ('offentlig', True), ('status', 'aktiv')), fields=['center', 'titel', 'id'], name='faellesskab_offentlig_c_titel'),
        ),
        migrations.AddIndex(
            model_name='faellesskab',
            index=models.Index(condition=models.Q(('arkiveret__isnull', True), ('offentlig', True), ('status', 'aktiv')), fields=['center', 'id'], name='faellesskab_offentlig_c_id'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
