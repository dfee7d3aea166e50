"""Issue 15: the board's index (center, stage, stage_siden) becomes (center, stage, stage_siden, id) INCLUDE
(borger_id, faellesskab_id): each stage's longest-waiting rows in the board's order (ties by id), and the
borger and fællesskab they name, from the index alone. PostgreSQL's INCLUDE; elsewhere without it."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('matching', '0026_kpi_dag'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='match',
            name='matching_ma_center__e077a5_idx',
        ),
        migrations.AddIndex(
            model_name='match',
            index=models.Index(fields=['center', 'stage', 'stage_siden', 'id'], include=('borger', 'faellesskab'), name='match_tavle_idx'),
        ),
    ]
