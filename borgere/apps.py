from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BorgereConfig(AppConfig):
    name = "borgere"
    verbose_name = _("Borgere")

    def ready(self):
        from brobygning import access  # noqa: PLC0415 - app modules load once the apps are ready

        from . import selectors  # noqa: PLC0415

        # Nothing about borgere is ever public.
        access.register_kinds("borgere", {"borger", "samtale", "samtykke", "maaling", "venteliste", "anmodning",
                                          "henvisning", "samtykketekst", "projekt"})
        # The menu's badge of new referrals, counted with the user's memberships (no query of its own).
        access.register_medlemskab_tal(selectors.NYE_HENVISNINGER, selectors.nye_henvisninger_antal)
