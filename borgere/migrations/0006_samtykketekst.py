import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.utils import translation


def first_versions(apps, schema_editor):
    """Every centre that already has consents gets version 1 of each text; its consents point to it."""
    from borgere.models import STANDARD_SAMTYKKETEKSTER

    Samtykke = apps.get_model("borgere", "Samtykke")
    SamtykkeTekst = apps.get_model("borgere", "SamtykkeTekst")
    with translation.override("da"):
        for samtykke in Samtykke.objects.all():
            tekst, _ = SamtykkeTekst.objects.get_or_create(
                center_id=samtykke.center_id, formaal=samtykke.formaal, version=1,
                defaults={"tekst": str(STANDARD_SAMTYKKETEKSTER[samtykke.formaal])})
            samtykke.tekst = tekst
            samtykke.save(update_fields=["tekst"])


class Migration(migrations.Migration):
    dependencies = [
        ("borgere", "0005_samtykke"),
        ("brobygning", "0006_oekonomi_slug"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SamtykkeTekst",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("formaal", models.CharField(choices=[("registrering", "Registrering i systemet"), ("deling_med_vaert", "Fornavn og velkomstnote deles med værten"), ("paamindelser", "Påmindelser på SMS eller e-mail"), ("maalinger", "Trivsels- og ensomhedsmålinger")], max_length=20, verbose_name="formål")),
                ("version", models.PositiveIntegerField(verbose_name="version")),
                ("tekst", models.TextField(verbose_name="tekst")),
                ("oprettet", models.DateTimeField(default=django.utils.timezone.now, verbose_name="oprettet")),
                ("center", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="+", to="brobygning.frivilligcenter")),
                ("oprettet_af", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={
                "verbose_name": "samtykketekst",
                "verbose_name_plural": "samtykketekster",
                "ordering": ["formaal", "-version"],
                "constraints": [models.UniqueConstraint(fields=("center", "formaal", "version"), name="en_samtykketekst_per_version")],
            },
        ),
        migrations.AddField(
            model_name="samtykke",
            name="tekst",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="samtykker", to="borgere.samtykketekst", verbose_name="samtykketekst"),
        ),
        migrations.RunPython(first_versions, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="samtykke",
            name="tekst",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="samtykker", to="borgere.samtykketekst", verbose_name="samtykketekst"),
        ),
        migrations.RemoveField(model_name="samtykke", name="tekst_version"),
    ]
