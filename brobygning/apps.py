from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrobygningConfig(AppConfig):
    name = "brobygning"
    verbose_name = _("Brobygning")

    def ready(self):
        from . import checks, signals  # noqa: F401, PLC0415 - registers the checks, connects the access-log receivers
