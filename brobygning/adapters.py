from allauth.account.adapter import DefaultAccountAdapter
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
