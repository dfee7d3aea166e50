import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from django.core.exceptions import PermissionDenied

from .ratelimit import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request):
        # Nobody signs up: a koordinator invites people into a role.
        return False

    def get_client_ip(self, request):
        """The address allauth's rate limits count per: the real client behind NUM_PROXIES proxies,
        the same one the referral form and the admin's throttle count (brobygning.ratelimit.client_ip).
        Without it, every client behind the proxy would share the proxy's address and its limits."""
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def is_reauthentication_required(self, *, app, **kwargs):
        """Not straight after logging in (issue 16): a password (or code) given in this session within
        ACCOUNT_REAUTHENTICATION_TIMEOUT counts, as a reauthentication within it would. allauth
        counts only explicit reauthentications, so setting up two-step login asked for the password
        a second time seconds after it was typed. SECURITY.md, "Logging in"."""
        request = self.request
        if request is not None and getattr(request, "user", None) is not None and request.user.is_authenticated:
            records = get_authentication_records(request, request.user)
            if records and time.time() - records[-1].get("at", 0) < account_settings.REAUTHENTICATION_TIMEOUT:
                return False
        return super().is_reauthentication_required(app=app, **kwargs)
