"""python manage.py restore_backup DUMP --database NAME: restore a pg_dump into an empty database."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from brobygning.backup import restore


class Command(BaseCommand):
    help = "Gendan en pg_dump (--format=custom) i en tom PostgreSQL-database (se SECURITY.md)."

    def add_arguments(self, parser):
        parser.add_argument("dump", type=Path)
        parser.add_argument("--database", required=True, help="Navnet på den tomme database, der gendannes i.")

    def handle(self, *args, dump, database, **options):
        db = dict(settings.DATABASES["default"])
        if connection.vendor != "postgresql":  # the vendor, so the test suite's own backend counts too
            raise CommandError("Gendannelse kræver PostgreSQL.")
        if database == db["NAME"]:
            raise CommandError("Gendan i en ny, tom database, ikke i den, systemet kører på.")
        restore({**db, "NAME": database}, dump)
        self.stdout.write(self.style.SUCCESS(f"Gendannet i {database}."))
