"""The board's index (issue 15), and matching's part of Borger.sidste_aktivitet: the latest stage
change, meeting and follow-up, as `matching.borgerdata.last_activity` reports them at run time."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import F, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest


def fill(apps, schema_editor):
    Borger = apps.get_model("borgere", "Borger")

    def latest(model, path, field):
        model = apps.get_model("matching", model)
        return Subquery(model.objects.filter(**{path: OuterRef("pk")}).order_by().values(path)
                        .annotate(m=Max(field)).values("m")[:1])

    dates = [latest("Match", "borger", "stage_siden"), latest("Ledsagelse", "match__borger", "tidspunkt"),
             latest("Opfoelgning", "match__borger", "udfoert")]
    Borger.objects.update(sidste_aktivitet=Greatest(F("sidste_aktivitet"),
                                                    *(Coalesce(d, F("sidste_aktivitet")) for d in dates)))


class Migration(migrations.Migration):

    dependencies = [
        ('borgere', '0010_sidste_aktivitet'),
        ('brobygning', '0015_paamindelse_sendt_index'),
        ('foreninger', '0006_importjob_status_siden'),
        ('matching', '0006_svar_efter_moedet'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name='match',
            name='matching_ma_center__4a5c86_idx',
        ),
        migrations.AddIndex(
            model_name='match',
            index=models.Index(fields=['center', 'stage', 'stage_siden'], name='matching_ma_center__e077a5_idx'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
    ]
