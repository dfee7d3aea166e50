from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "matching"
    verbose_name = _("Matching")

    def ready(self):
        from borgere import hooks  # noqa: PLC0415 - app modules load once the apps are ready
        from brobygning import access  # noqa: PLC0415
        from foreninger import hooks as foreninger_hooks  # noqa: PLC0415

        from . import arrangement_paamindelser, arrangementer, paamindelser  # noqa: PLC0415
        from .borgerdata import PART  # noqa: PLC0415

        access.register_kinds("matching", {"match", "ledsagelse", "opfoelgning", "nyankomst", "frivilligrolle",
                                           "rollekandidat", "rollematch", "raadgivning", "rapport", "arrangement",
                                           "velkomst"})
        hooks.register(PART)
        foreninger_hooks.register_public_events(arrangementer.public_events)
        foreninger_hooks.register_hsds_events(arrangementer.hsds_events)
        for emne in (arrangement_paamindelser.EMNE_TILMELDING, arrangement_paamindelser.EMNE_FREMMOEDE):
            paamindelser.ANDRE_EMNER[emne] = arrangement_paamindelser.ArrangementResolver
