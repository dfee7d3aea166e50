"""Issue 16: dates as people say them, through one template filter (`naturlig_dato`)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from brobygning.datoer import naturlig_dato

CPH = ZoneInfo("Europe/Copenhagen")
IDAG = datetime.date(2026, 12, 3)  # a Thursday


@pytest.fixture(autouse=True)
def _dansk():
    with translation.override("da"):
        yield


@pytest.mark.parametrize(("value", "expected"), [
    (datetime.datetime(2026, 12, 4, 10, 0, tzinfo=CPH), "i morgen, fredag 4. dec. kl. 10"),
    (datetime.datetime(2026, 12, 3, 14, 30, tzinfo=CPH), "i dag, torsdag 3. dec. kl. 14.30"),
    (datetime.datetime(2026, 12, 2, 9, 5, tzinfo=CPH), "i går, onsdag 2. dec. kl. 9.05"),
    (datetime.datetime(2026, 12, 10, 19, 0, tzinfo=CPH), "torsdag 10. dec. kl. 19"),
    (datetime.datetime(2027, 1, 5, 8, 0, tzinfo=CPH), "tirsdag 5. jan. 2027 kl. 8"),
    (datetime.date(2026, 12, 4), "i morgen, fredag 4. dec."),
    (datetime.date(2026, 11, 20), "fredag 20. nov."),
])
def test_natural_dates(value, expected):
    assert naturlig_dato(value, idag=IDAG) == expected


def test_utc_is_shown_in_local_time():
    # 23:30 UTC on 3 December is 00:30 on 4 December in Copenhagen: "i morgen".
    value = datetime.datetime(2026, 12, 3, 23, 30, tzinfo=datetime.UTC)
    assert naturlig_dato(value, idag=IDAG) == "i morgen, fredag 4. dec. kl. 0.30"


def test_the_template_filter_and_its_short_form():
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    out = Template('{% load brobygning_tags %}{{ t|naturlig_dato }}|{{ t|naturlig_dato:"kort" }}|{{ x|naturlig_dato }}').render(
        Context({"t": tomorrow, "x": None}))
    full, short, empty = out.split("|")
    assert full.startswith("i morgen, ") and " kl. " in full
    assert short.startswith("i morgen, ") and " kl. " not in short
    assert empty == ""


def test_the_filter_remembers_what_naturlig_dato_writes_per_language_time_zone_and_day():
    # the filter's table (`_naturlig_dato`) gives what the function gives, asked twice, in each
    # language and time zone; a new day is a new key
    from brobygning.templatetags import brobygning_tags

    nu = timezone.now()
    values = [nu, nu + datetime.timedelta(days=1), nu - datetime.timedelta(days=1), nu + datetime.timedelta(days=400),
              datetime.datetime(2026, 12, 3, 23, 30, tzinfo=datetime.UTC), datetime.datetime(2026, 12, 3, 23, 30),
              datetime.date(2026, 12, 4), None, "tekst"]
    for sprog in ("da", "en"):
        for tz in ("Europe/Copenhagen", "UTC", "America/New_York"):
            with translation.override(sprog), timezone.override(tz):
                for value in values * 2:
                    for arg in ("", "kort"):
                        assert brobygning_tags.naturlig_dato(value, arg) == naturlig_dato(value, uden_tid=arg == "kort")
    nu = timezone.now()
    imorgen = nu + datetime.timedelta(days=1)
    assert brobygning_tags._naturlig_dato("da", timezone.get_current_timezone(), timezone.localdate(), imorgen, False) \
        != brobygning_tags._naturlig_dato("da", timezone.get_current_timezone(), timezone.localdate(imorgen), imorgen, False)
