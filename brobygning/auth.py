"""The authentication backend: ModelBackend, with the user and their active memberships loaded in one
query (ARCHITECTURE.md, "Access"; PERFORMANCE.md, "Fixed cost of a staff page").

Django loads the logged-in user on every request through the backend named in the session
(`get_user`), and `access.actor_for` then needs the user's active memberships and their centres. Here
both come from one SELECT of the memberships joined to the user and the centre; the memberships ride
on the user (`access.AKTIVE_MEDLEMSKABER`) for `actor_for`, in the same request. A user with no active
membership (a network user, staff, a deactivated member) is loaded as before, in a second query.

That SELECT is the ORM's (`access.aktive_medlemskaber`), compiled once per process and database alias
(`planner.EnGangKompileret`): building and compiling it, with the menu badge's subquery, took longer
than running it, on every request.

On PostgreSQL the statement can also ride in the session's round trip: when the session store knows
whose session it reads (`brobygning.sessions`), it sends this statement with its own and keeps the rows;
`brobygning.middleware.AuthenticationMiddleware` hands them to `get_user` (`laest_med_sessionen`) for that
one call, and they are used only when the session's user is the one they were read for.

Sessions store the backend's dotted path, so introducing this class ended every existing session once.
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.auth.backends import ModelBackend
from django.db import router

from .access import AKTIVE_MEDLEMSKABER, aktive_medlemskaber, medlemskab_tal
from .models import Medlemskab
from .planner import EnGangKompileret

# A user id no user has: the compiled statement's stand-in for the request's user.
_STANDIN = -(2 ** 62) - 21

_med_bruger = EnGangKompileret(lambda user_id: aktive_medlemskaber(user_id).select_related("user"), _STANDIN,
                               noegle=medlemskab_tal)


# The request's session store, whose `laest_med` may hold (user id, alias, rows): the memberships
# statement's rows, read in the session's round trip (`laest_med_sessionen`).
_session: ContextVar[object | None] = ContextVar("medlemskaber_laest_med_sessionen", default=None)


def medlemskaber_sql(user_id) -> tuple[str, str, tuple] | None:
    """(alias, SQL, parameters) of the statement `get_user` runs for `user_id` (an int), to send in
    another round trip; None when there is none to send."""
    alias = router.db_for_read(Medlemskab)
    statement = _med_bruger.sql(user_id, alias=alias)
    return None if statement is None else (alias, *statement)


@contextmanager
def laest_med_sessionen(session):
    """Within: `get_user` takes the memberships from the session store's `laest_med` ((user id, alias,
    rows), read with the session by `medlemskaber_sql`'s statement), when it loads that user from that
    alias. (The session is loaded within, when Django reads the user id from it.)"""
    token = _session.set(session)
    try:
        yield
    finally:
        _session.reset(token)


class Backend(ModelBackend):
    def get_user(self, user_id):
        try:
            user_id = Medlemskab._meta.get_field("user").target_field.get_prep_value(user_id)
        except (TypeError, ValueError):
            return super().get_user(user_id)
        alias, laest = router.db_for_read(Medlemskab), getattr(_session.get(), "laest_med", None)
        if laest is not None and laest[:2] == (user_id, alias):
            medlemskaber = _med_bruger.instanser(laest[2], alias=alias)
        else:
            medlemskaber = _med_bruger(user_id, alias=alias)
        if not medlemskaber:
            return super().get_user(user_id)
        user = medlemskaber[0].user
        for medlemskab in medlemskaber:
            medlemskab.user = user  # one instance, as `request.user.medlemskaber` would not give
        if not self.user_can_authenticate(user):
            return None
        setattr(user, AKTIVE_MEDLEMSKABER, tuple(medlemskaber))
        return user
