"""Issue 15: (id) INCLUDE (fornavn), so a list row's first name by id is read from the index alone (the match
board's cards, the overviews' meetings), not from a heap page per row. PostgreSQL's INCLUDE; elsewhere a plain
index on id."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('borgere', '0016_borger_soeg_trigram'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='borger',
            index=models.Index(fields=['id'], include=('fornavn',), name='borger_fornavn_idx'),
        ),
    ]
