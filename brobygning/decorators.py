from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from . import access


def member_required(view):
    """Logged in, and a member of a centre. What the role may do is decided by the access module."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.actor.medlemskab is None:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def netvaerk_required(view):
    """Logged in with network access (`User.netvaerksadgang`); no centre membership is needed."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        access.check_netvaerk(request.actor)
        return view(request, *args, **kwargs)

    return wrapper


def netvaerksrum_required(view):
    """The network space: the network user, or a koordinator of a centre that shares with the network."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        access.check_netvaerksrum(request.actor)
        return view(request, *args, **kwargs)

    return wrapper
