"""Dates as people say them: one function, used by the `naturlig_dato` template filter
(ARCHITECTURE.md, "Templates and design")."""

import datetime

from django.utils import timezone
from django.utils.dates import MONTHS_3, WEEKDAYS
from django.utils.translation import gettext as _


def _klokken(t: datetime.datetime) -> str:
    if t.minute:
        return _("kl. %(time)d.%(minut)02d") % {"time": t.hour, "minut": t.minute}
    return _("kl. %(time)d") % {"time": t.hour}


def naturlig_dato(value, *, uden_tid: bool = False, idag: datetime.date | None = None) -> str:
    if isinstance(value, datetime.datetime):
        tid = timezone.localtime(value) if timezone.is_aware(value) else value
        dag = tid.date()
    elif isinstance(value, datetime.date):
        tid, dag, uden_tid = None, value, True
    else:
        return "" if value is None else str(value)
    idag = idag or timezone.localdate()
    dato = _("%(ugedag)s %(dag)d. %(maaned)s.") % {
        "ugedag": WEEKDAYS[dag.weekday()], "dag": dag.day, "maaned": MONTHS_3[dag.month]}
    if dag.year != idag.year:
        dato = f"{dato} {dag.year}"
    relativ = {0: _("i dag"), 1: _("i morgen"), -1: _("i går")}.get((dag - idag).days)
    tekst = _("%(relativ)s, %(dato)s") % {"relativ": relativ, "dato": dato} if relativ else dato
    if tid is not None and not uden_tid:
        tekst = f"{tekst} {_klokken(tid)}"
    return tekst
