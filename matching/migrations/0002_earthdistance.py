"""cube + earthdistance and the GiST indexes behind matching's stage 1 (PostgreSQL only).

On SQLite (and any other backend) this migration does nothing: stage 1 uses a bounding box there.

- ``ll_to_earth(lat, lng)`` on fællesskaber, partial ``WHERE lat IS NOT NULL AND lng IS NOT NULL``:
  the KNN index for rows with their own coordinates.
- ``ll_to_earth(lat, lng)`` on postal codes: the KNN index for rows without, which fall back to
  their postal code's coordinates (an index expression cannot reach into another table).
- ``postnummer_id WHERE lat IS NULL OR lng IS NULL`` on fællesskaber: finds those rows per postal code.

cube and earthdistance are trusted extensions (PostgreSQL 13+), so a database owner without
superuser rights can create them.
"""

from django.db import migrations

INDEXES = {
    "matching_faellesskab_earth_knn": "{faellesskab} USING gist (ll_to_earth(lat, lng)) "
                                      "WHERE lat IS NOT NULL AND lng IS NOT NULL",
    "matching_postnummer_earth_knn": "{postnummer} USING gist (ll_to_earth(lat, lng))",
    "matching_faellesskab_uden_koord": "{faellesskab} (postnummer_id) WHERE lat IS NULL OR lng IS NULL",
}


def _tables(apps):
    return {
        "faellesskab": apps.get_model("foreninger", "Faellesskab")._meta.db_table,
        "postnummer": apps.get_model("brobygning", "Postnummer")._meta.db_table,
    }


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    tables = _tables(apps)
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS cube")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS earthdistance")
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition.format(**tables)}")


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # The extensions stay: something else may use them, and they cost nothing.
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0001_initial"),
        ("foreninger", "0001_initial"),
        ("brobygning", "0001_initial"),
    ]
    operations = [migrations.RunPython(forwards, backwards)]
