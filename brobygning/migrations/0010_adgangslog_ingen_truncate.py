"""The access log cannot be emptied with TRUNCATE (issue 11, finding 3).

TRUNCATE fires no row triggers, so the append-only trigger of 0008 never saw it. A statement
trigger refuses it unless the transaction has SET LOCAL brobygning.adgangslog_oprydning = 'on', the
same flag the purge sets (brobygning.adgangslog.PURGE_SETTING). Nothing in the application
truncates; the test database's flush sets the flag itself (brobygning/testdb, test settings only).
"""

from django.db import migrations

TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION brobygning_adgangslog_ingen_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('brobygning.adgangslog_oprydning', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'Adgangsloggen kan ikke tømmes' USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER brobygning_adgangslog_ingen_truncate
    BEFORE TRUNCATE ON brobygning_adgangslog
    FOR EACH STATEMENT EXECUTE FUNCTION brobygning_adgangslog_ingen_truncate();
"""
REVERSE_SQL = """
DROP TRIGGER IF EXISTS brobygning_adgangslog_ingen_truncate ON brobygning_adgangslog;
DROP FUNCTION IF EXISTS brobygning_adgangslog_ingen_truncate();
"""


def _trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TRIGGER_SQL)


def _drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE_SQL)


class Migration(migrations.Migration):

    dependencies = [
        ("brobygning", "0009_audit_action"),
    ]

    operations = [migrations.RunPython(_trigger, _drop_trigger)]
