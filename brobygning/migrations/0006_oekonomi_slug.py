"""0004 dropped a capital Ø when it made slugs, so "Økonomi (kontingent)" became "konomi-kontingent".
0004 is fixed for new installs; this renames the term where it was already seeded."""

from django.db import migrations


def rename(apps, schema_editor):
    Tag = apps.get_model("brobygning", "Tag")
    if not Tag.objects.filter(type="barriere", slug="oekonomi-kontingent").exists():
        Tag.objects.filter(type="barriere", slug="konomi-kontingent").update(slug="oekonomi-kontingent")


class Migration(migrations.Migration):
    dependencies = [("brobygning", "0005_paamindelse")]
    operations = [migrations.RunPython(rename, migrations.RunPython.noop)]
