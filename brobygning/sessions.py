"""The session engine (settings.SESSION_ENGINE): Django's database sessions, the same table and data,
with the session read on every request as one plain statement instead of a `Session.objects.get(…)`
built and compiled anew each time (PERFORMANCE.md; the fixed cost of a logged-in page). What it reads
is the ORM's: the unexpired row with this key; a missing or expired one gives an empty session and
forgets the key, as Django's `load` does. Writes, `exists`, deletion and the async methods are Django's."""

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone


class SessionStore(db.SessionStore):
    def load(self):
        if self.session_key is None:  # no cookie, or a key Django refused (`_validate_session_key`)
            return {}
        connection = connections[router.db_for_read(self.model)]
        tabel, ops = self.model._meta.db_table, connection.ops
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {ops.quote_name('session_data')} FROM {ops.quote_name(tabel)} "  # noqa: S608 - names from the model
                f"WHERE {ops.quote_name('session_key')} = %s AND {ops.quote_name('expire_date')} > %s",
                [self.session_key, ops.adapt_datetimefield_value(timezone.now())])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return {}
        return self.decode(row[0])
