from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrobygningConfig(AppConfig):
    name = "brobygning"
    verbose_name = _("Brobygning")

    def ready(self):
        from . import signals  # noqa: F401, PLC0415 - connects the access-log receivers once the apps are ready
