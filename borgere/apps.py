from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BorgereConfig(AppConfig):
    name = "borgere"
    verbose_name = _("Borgere")

    def ready(self):
        from brobygning import access  # noqa: PLC0415 - app modules load once the apps are ready

        # Nothing about borgere is ever public.
        access.register_kinds("borgere", {"borger", "samtale", "samtykke", "maaling", "venteliste", "anmodning",
                                          "henvisning", "samtykketekst", "projekt"})
