from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForeningerConfig(AppConfig):
    name = "foreninger"
    verbose_name = _("Foreninger og fællesskaber")

    def ready(self):
        from brobygning import access  # noqa: PLC0415 - app modules load once the apps are ready

        from .models import public_faellesskaber  # noqa: PLC0415

        access.register_kinds("foreninger", {"forening", "faellesskab", "import", "partnerskab", "partner"},
                              public={"faellesskab": public_faellesskaber})
