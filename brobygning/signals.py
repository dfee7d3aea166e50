"""Login, logout and failed logins go to the access log. The failed login keeps no address."""

import time

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from .adgangslog import H, log
from .middleware import LAST_SEEN_KEY, LOGIN_AT_KEY


@receiver(user_logged_in, dispatch_uid="adgangslog_login")
def _logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT_KEY] = request.session[LAST_SEEN_KEY] = time.time()  # the 12-hour clock starts
    log(handling=H.LOGIN, user=user, formaal="sikkerhed")


@receiver(user_logged_out, dispatch_uid="adgangslog_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        log(handling=H.LOGOUT, user=user, formaal="sikkerhed")


@receiver(user_login_failed, dispatch_uid="adgangslog_login_fejlet")
def _login_failed(sender, credentials, request=None, **kwargs):
    # The typed address may be a borger's or a mistyped password: never stored, only the fact.
    log(handling=H.LOGIN_FEJLET, formaal="sikkerhed",
        kriterium=f"{request.method} {request.path}" if request is not None else "")
