"""The outcome measures' item texts, in Danish (WHO-5 Trivselsindeks and the UCLA 3-item loneliness scale)."""

from django.utils.translation import gettext_lazy as _

WHO5_ITEMS = [
    _("I de sidste to uger har jeg været glad og i godt humør"),
    _("I de sidste to uger har jeg følt mig rolig og afslappet"),
    _("I de sidste to uger har jeg følt mig aktiv og energisk"),
    _("I de sidste to uger er jeg vågnet frisk og udhvilet"),
    _("I de sidste to uger har min dagligdag været fyldt med ting, der interesserer mig"),
]
WHO5_CHOICES = [
    (5, _("Hele tiden")),
    (4, _("Det meste af tiden")),
    (3, _("Lidt mere end halvdelen af tiden")),
    (2, _("Lidt mindre end halvdelen af tiden")),
    (1, _("Lidt af tiden")),
    (0, _("På intet tidspunkt")),
]
UCLA3_ITEMS = [
    _("Hvor ofte føler du, at du mangler nogen at være sammen med?"),
    _("Hvor ofte føler du dig holdt udenfor?"),
    _("Hvor ofte føler du dig isoleret fra andre?"),
]
UCLA3_CHOICES = [(1, _("Næsten aldrig")), (2, _("En gang imellem")), (3, _("Ofte"))]
