"""Påmindelser (issue 15): partial indexes that give the "kommende" tab and the failed, missed and
cancelled tabs their page in order, without sorting the centre's rows."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('brobygning', '0018_netvaerk'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='paamindelse',
            index=models.Index(condition=models.Q(('status__in', ['afventer', 'sender'])), fields=['center', 'forfalder', 'id'], name='paamindelse_kommende_idx'),
        ),
        migrations.AddIndex(
            model_name='paamindelse',
            index=models.Index(condition=models.Q(('status__in', ['fejlet', 'forpasset', 'annulleret'])), fields=['center', 'status', '-forfalder', '-id'], name='paamindelse_historik_idx'),
        ),
    ]
