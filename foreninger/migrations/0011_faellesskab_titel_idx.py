"""Issue 15: (id) INCLUDE (titel), so a list row's fællesskab title by id is read from the index alone (the
match board's cards, the overviews' meetings). PostgreSQL's INCLUDE; elsewhere a plain index on id."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('foreninger', '0010_faellesskab_offentlig_c_fts'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='faellesskab',
            index=models.Index(fields=['id'], include=('titel',), name='faellesskab_titel_idx'),
        ),
    ]
