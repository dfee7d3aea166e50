"""Reads that may go to a PostgreSQL read replica (docs/SCALING.md, "Read replica").

Only code that asks for it reads from the replica: the reports, which aggregate much and can
bear a few seconds of replication lag. Everything else, and every write, uses the primary, so a
page never misses what the same person just saved.

    with paa_replika():
        tabeller = rapport_tabeller(...)

Without a `replika` alias in DATABASES (REPLICA_DATABASE_URL unset) everything uses the primary.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections

REPLIKA = "replika"
_paa_replika: ContextVar[bool] = ContextVar("paa_replika", default=False)


@contextmanager
def paa_replika():
    token = _paa_replika.set(True)
    try:
        yield
    finally:
        _paa_replika.reset(token)


def laese_alias() -> str:
    """The alias reads use here and now."""
    return REPLIKA if _paa_replika.get() and REPLIKA in connections.databases else "default"


class ReplikaRouter:
    def db_for_read(self, model, **hints):
        return laese_alias()

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two ways in

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
