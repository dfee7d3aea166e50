from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BorgereConfig(AppConfig):
    name = "borgere"
    verbose_name = _("Borgere")
