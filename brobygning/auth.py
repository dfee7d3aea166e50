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

Sessions store the backend's dotted path, so introducing this class ended every existing session once.
"""

from django.contrib.auth.backends import ModelBackend
from django.db import router

from .access import AKTIVE_MEDLEMSKABER, aktive_medlemskaber, medlemskab_tal
from .models import Medlemskab
from .planner import EnGangKompileret

# A user id no user has: the compiled statement's stand-in for the request's user.
_STANDIN = -(2 ** 62) - 21

_med_bruger = EnGangKompileret(lambda user_id: aktive_medlemskaber(user_id).select_related("user"), _STANDIN,
                               noegle=medlemskab_tal)


class Backend(ModelBackend):
    def get_user(self, user_id):
        try:
            user_id = Medlemskab._meta.get_field("user").target_field.get_prep_value(user_id)
        except (TypeError, ValueError):
            return super().get_user(user_id)
        medlemskaber = _med_bruger(user_id, alias=router.db_for_read(Medlemskab))
        if not medlemskaber:
            return super().get_user(user_id)
        user = medlemskaber[0].user
        for medlemskab in medlemskaber:
            medlemskab.user = user  # one instance, as `request.user.medlemskaber` would not give
        if not self.user_can_authenticate(user):
            return None
        setattr(user, AKTIVE_MEDLEMSKABER, tuple(medlemskaber))
        return user
