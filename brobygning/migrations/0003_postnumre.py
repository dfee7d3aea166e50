from django.db import migrations


def load(apps, schema_editor):
    from brobygning.postnumre import load_dk_postcodes

    Postnummer = apps.get_model("brobygning", "Postnummer")
    Postnummer.objects.bulk_create(
        [Postnummer(**row) for row in load_dk_postcodes()], ignore_conflicts=True, batch_size=500
    )


class Migration(migrations.Migration):
    dependencies = [("brobygning", "0002_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
