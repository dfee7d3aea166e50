"""Borger.sidste_aktivitet (issue 15): the retention clock as an indexed column. Filled here from the
borger's own data (its last change and samtaler); matching's migration adds matches, meetings and
follow-ups, as its `borgere.hooks` part does at run time."""

import borgere.models
import django.utils.timezone
from django.db import migrations, models
from django.db.models import Max, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest


def fill(apps, schema_editor):
    Borger = apps.get_model("borgere", "Borger")
    Samtale = apps.get_model("borgere", "Samtale")
    latest = Subquery(Samtale.objects.filter(borger=OuterRef("pk")).order_by().values("borger")
                      .annotate(m=Max("oprettet")).values("m")[:1])
    Borger.objects.update(sidste_aktivitet=Greatest("opdateret", Coalesce(latest, "opdateret")))


class Migration(migrations.Migration):

    dependencies = [
        ('borgere', '0009_version_anonymisering'),
    ]

    operations = [
        migrations.AddField(
            model_name='borger',
            name='sidste_aktivitet',
            field=borgere.models.AktivitetField(default=django.utils.timezone.now, editable=False, verbose_name='sidste aktivitet'),
        ),
        migrations.AddIndex(
            model_name='borger',
            index=models.Index(fields=['center', 'sidste_aktivitet'], name='borgere_bor_center__331ac6_idx'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
