"""Django's PostgreSQL backend, whose flush may empty the access log (see the package docstring)."""

from django.db.backends.postgresql import base

# brobygning.adgangslog.PURGE_SETTING; not imported, because the backend loads before the models
# (tests/brobygning/test_adgangslog.py checks that the two agree).
PURGE_SETTING = "brobygning.adgangslog_oprydning"


class DatabaseOperations(base.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        sql = super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        # execute_sql_flush runs the list in one transaction, so SET LOCAL covers the TRUNCATE.
        return [f"SET LOCAL {PURGE_SETTING} = 'on'", *sql] if sql else sql


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
