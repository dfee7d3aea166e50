"""Påmindelser (issue 15): an index for the "sendt" tab's newest-first ordering, one for the purge."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('brobygning', '0014_svar_efter_moedet'),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='paamindelse',
            name='brobygning__center__49db6f_idx',
        ),
        migrations.AddIndex(
            model_name='paamindelse',
            index=models.Index(fields=['center', 'status', '-sendt'], name='brobygning__center__b27a90_idx'),
        ),
        migrations.AddIndex(
            model_name='paamindelse',
            index=models.Index(fields=['status', 'sendt'], name='brobygning__status_36a149_idx'),
        ),
    ]
