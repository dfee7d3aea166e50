"""A flag for the public directory, and the GIN index behind its Danish full-text search.

The index is PostgreSQL only; on SQLite (and any other backend) the RunPython does nothing and the
search falls back to icontains. The index expression is built by Django from the same
``SearchVector("titel", "beskrivelse", config="danish")`` the search uses
(``foreninger.public_filters.search_vector``), so the planner can match the two.
"""

from django.db import migrations, models

INDEX_NAME = "faellesskab_fts_danish"


def _index():
    from django.contrib.postgres.indexes import GinIndex
    from django.contrib.postgres.search import SearchVector

    return GinIndex(SearchVector("titel", "beskrivelse", config="danish"), name=INDEX_NAME)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.add_index(apps.get_model("foreninger", "Faellesskab"), _index())


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX_NAME}")


class Migration(migrations.Migration):

    dependencies = [
        ('foreninger', '0002_bekraeft_link'),
    ]

    operations = [
        migrations.AddField(
            model_name='faellesskab',
            name='offentlig',
            field=models.BooleanField(default=True, help_text='Fællesskabet kan findes af alle på centrets offentlige side, når det også er aktivt.', verbose_name='vis i den offentlige oversigt'),
        ),
        migrations.RunPython(forwards, backwards),
    ]
