"""Issue 15: matching's first KNN branch (fællesskaber with their own coordinates) per centre.

0002's GiST index on ``ll_to_earth(lat, lng)`` holds every centre's rows, so the KNN walk filters on
the centre row by row, and at national size (50,000 fællesskaber, the largest centre 4,806)
PostgreSQL preferred reading the whole centre by its btree and sorting it by distance, computing
``ll_to_earth()`` for each row. This index leads with ``center_id`` (``btree_gist``, a trusted
extension like cube and earthdistance), so the walk reads only the borger's centre, nearest first.
It replaces 0002's index (every stage-1 query filters on the centre). PostgreSQL only, like 0002.
"""

from django.db import migrations

OLD = "matching_faellesskab_earth_knn"
NEW = "matching_faellesskab_earth_knn_c"
WHERE = "WHERE lat IS NOT NULL AND lng IS NOT NULL"


def _table(apps):
    return apps.get_model("foreninger", "Faellesskab")._meta.db_table


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"CREATE INDEX IF NOT EXISTS {NEW} ON {_table(apps)} USING gist (center_id, ll_to_earth(lat, lng)) {WHERE}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {OLD}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The extension stays, as 0002's do.
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {OLD} ON {_table(apps)} USING gist (ll_to_earth(lat, lng)) {WHERE}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {NEW}")


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0017_overblik_indekser"),
        ("foreninger", "0007_offentlig_orden_og_fts"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
