"""When a fællesskab meets next, computed from its recurring meeting times. Pure: no database."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings

WEEKLY, BIWEEKLY, MONTHLY = "WEEKLY", "BIWEEKLY", "MONTHLY"


@dataclass(frozen=True)
class Moede:
    """A meeting rule, as stored in `Moedetid`."""

    frekvens: str
    ugedag: int  # 0 = Monday
    fra: time
    til: time
    uge_i_maaned: int | None = None  # 1–4, or -1 for the last
    gyldig_fra: date | None = None
    gyldig_til: date | None = None


@dataclass(frozen=True)
class Forekomst:
    start: datetime
    slut: datetime


def _meets_on(rule: Moede, day: date) -> bool:
    if day.weekday() != rule.ugedag:
        return False
    if (rule.gyldig_fra and day < rule.gyldig_fra) or (rule.gyldig_til and day > rule.gyldig_til):
        return False
    if rule.frekvens == BIWEEKLY:
        anchor = rule.gyldig_fra or day
        return ((day - anchor).days // 7) % 2 == 0
    if rule.frekvens == MONTHLY:
        if rule.uge_i_maaned == -1:
            return day.day + 7 > calendar.monthrange(day.year, day.month)[1]
        return (day.day - 1) // 7 + 1 == rule.uge_i_maaned
    return True


def naeste_forekomster(rules: list[Moede], efter: datetime, antal: int = 5, horisont_dage: int = 400) -> list[Forekomst]:
    """The next `antal` meetings that start after `efter`, across all rules, in order."""
    tz = ZoneInfo(settings.TIME_ZONE)
    efter = efter.astimezone(tz)
    found: list[Forekomst] = []
    day = efter.date()
    for _ in range(horisont_dage):
        for rule in rules:
            if _meets_on(rule, day):
                start = datetime.combine(day, rule.fra, tzinfo=tz)
                if start > efter:
                    found.append(Forekomst(start, datetime.combine(day, rule.til, tzinfo=tz)))
        if len(found) >= antal:
            break
        day += timedelta(days=1)
    return sorted(found, key=lambda f: f.start)[:antal]


def fra_model(moedetid) -> Moede:
    return Moede(moedetid.frekvens, moedetid.ugedag, moedetid.fra, moedetid.til, moedetid.uge_i_maaned,
                 moedetid.gyldig_fra, moedetid.gyldig_til)
