"""The session engine (settings.SESSION_ENGINE): Django's database sessions, the same table and data,
with the session read on every request as one plain statement instead of a `Session.objects.get(…)`
built and compiled anew each time (PERFORMANCE.md; the fixed cost of a logged-in page). What it reads
is the ORM's: the unexpired row with this key; a missing or expired one gives an empty session and
forgets the key, as Django's `load` does. Writes, `exists`, deletion and the async methods are Django's.

One round trip for the session and the user. Every logged-in request reads its session, then its user
with their memberships (`brobygning.auth.Backend`), the second read needing the user id the first one
holds. So the process remembers whose each session was when it last loaded it (`husk_bruger`, by a
hash of the key, never the key itself; at most `HUSKET_LOFT` sessions, then it starts again empty), and
on PostgreSQL sends that user's memberships statement in the session's round trip (`a; b`, as
`planner.fetch_together`). The rows are kept on the store (`laest_med`) and used only for that user's
`get_user` in this request (`brobygning.middleware.AuthenticationMiddleware`), after Django has read
the user id from the session as always; when the session holds another user, or none, they are not
used. Who is logged in, and what they may do, is decided as before, from rows read in this request."""

import hashlib

from django.contrib.sessions.backends import db
from django.db import connections, router
from django.utils import timezone

from .auth import medlemskaber_sql

HUSKET_LOFT = 20_000
_husket: dict[bytes, int] = {}  # a hash of a session key → the user id that session held


def _noegle(session_key: str) -> bytes:
    return hashlib.blake2b(session_key.encode(), digest_size=16).digest()


def husk_bruger(session_key: str | None, user_id: int) -> None:
    """The session with this key holds this user (as loaded just now)."""
    if session_key:
        if len(_husket) >= HUSKET_LOFT:
            _husket.clear()
        _husket[_noegle(session_key)] = user_id


class SessionStore(db.SessionStore):
    laest_med = None  # (user id, alias, rows): that user's memberships, read in the session's round trip

    def load(self):
        if self.session_key is None:  # no cookie, or a key Django refused (`_validate_session_key`)
            return {}
        connection = connections[router.db_for_read(self.model)]
        tabel, ops = self.model._meta.db_table, connection.ops
        sql = (f"SELECT {ops.quote_name('session_data')} FROM {ops.quote_name(tabel)} "  # noqa: S608 - names from the model
               f"WHERE {ops.quote_name('session_key')} = %s AND {ops.quote_name('expire_date')} > %s")
        params = [self.session_key, ops.adapt_datetimefield_value(timezone.now())]
        user_id = _husket.get(_noegle(self.session_key))
        ogsaa = medlemskaber_sql(user_id) if user_id is not None and connection.vendor == "postgresql" else None
        with connection.cursor() as cursor:
            if ogsaa is not None and ogsaa[0] == connection.alias:
                cursor.execute(f"{sql}; {ogsaa[1]}", [*params, *ogsaa[2]])
                row = cursor.fetchone()
                cursor.nextset()
                self.laest_med = (user_id, connection.alias, cursor.fetchall())
            else:
                cursor.execute(sql, params)
                row = cursor.fetchone()
        if row is None:
            self._session_key = None
            self.laest_med = None
            return {}
        return self.decode(row[0])
