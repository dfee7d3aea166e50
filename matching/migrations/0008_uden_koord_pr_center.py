"""Issue 15: matching's second KNN branch (fællesskaber without their own coordinates) per centre.

0002's partial index on ``postnummer_id WHERE lat IS NULL OR lng IS NULL`` holds every centre's
rows, so in a centre with fewer than N eligible fællesskaber the walk over postal codes read every
row without coordinates in the deployment. This one leads with ``center_id``: a probe per postal
code finds only the centre's rows, and for a small centre the planner can instead read the
centre's few rows straight from it and sort them. It replaces 0002's index (every stage-1 query
filters on the centre). PostgreSQL only, like 0002.
"""

from django.db import migrations

OLD = "matching_faellesskab_uden_koord"
NEW = "matching_faellesskab_uden_koord_c"
WHERE = "WHERE lat IS NULL OR lng IS NULL"


def _table(apps):
    return apps.get_model("foreninger", "Faellesskab")._meta.db_table


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {NEW} ON {_table(apps)} (center_id, postnummer_id) {WHERE}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {OLD}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {OLD} ON {_table(apps)} (postnummer_id) {WHERE}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {NEW}")


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0007_tavle_sidste_aktivitet"),
        ("foreninger", "0007_offentlig_orden_og_fts"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
