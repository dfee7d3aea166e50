from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from foreninger.schedule import BIWEEKLY, MONTHLY, WEEKLY, Moede, naeste_forekomster

CPH = ZoneInfo("Europe/Copenhagen")
MONDAY_NOON = datetime(2026, 11, 23, 12, 0, tzinfo=CPH)  # a Monday


def starts(rules, efter=MONDAY_NOON, antal=4):
    return [f.start.strftime("%a %d.%m %H:%M") for f in naeste_forekomster(rules, efter, antal)]


def test_weekly_starts_after_now_and_skips_todays_past_meeting():
    morning = Moede(WEEKLY, 0, time(10), time(11))
    assert starts([morning], antal=2) == ["Mon 30.11 10:00", "Mon 07.12 10:00"]
    evening = Moede(WEEKLY, 0, time(19), time(21))
    assert starts([evening], antal=1) == ["Mon 23.11 19:00"]


def test_biweekly_is_anchored_to_valid_from():
    rule = Moede(BIWEEKLY, 2, time(17), time(19), gyldig_fra=date(2026, 11, 4))
    assert starts([rule], antal=3) == ["Wed 02.12 17:00", "Wed 16.12 17:00", "Wed 30.12 17:00"]


def test_monthly_nth_and_last_weekday():
    first_tuesday = Moede(MONTHLY, 1, time(18), time(20), uge_i_maaned=1)
    assert starts([first_tuesday], antal=2) == ["Tue 01.12 18:00", "Tue 05.01 18:00"]
    last_friday = Moede(MONTHLY, 4, time(10), time(12), uge_i_maaned=-1)
    assert starts([last_friday], antal=2) == ["Fri 27.11 10:00", "Fri 25.12 10:00"]


def test_validity_window_and_merge_of_rules():
    ended = Moede(WEEKLY, 1, time(10), time(11), gyldig_til=date(2026, 11, 20))
    assert starts([ended]) == []
    rules = [Moede(WEEKLY, 3, time(10), time(11)), Moede(WEEKLY, 1, time(18), time(19))]
    assert starts(rules, antal=3) == ["Tue 24.11 18:00", "Thu 26.11 10:00", "Tue 01.12 18:00"]


def test_summer_time_keeps_local_clock_time():
    rule = Moede(WEEKLY, 6, time(10), time(12))
    [before, after] = naeste_forekomster([rule], datetime(2026, 3, 21, 12, tzinfo=CPH), 2)
    assert (before.start.hour, after.start.hour) == (10, 10)
    assert before.start.utcoffset() != after.start.utcoffset()  # the clocks moved on 29 March


@given(st.sampled_from([WEEKLY, BIWEEKLY, MONTHLY]), st.integers(0, 6), st.integers(1, 4),
       st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 1, 1)))
def test_occurrences_are_ordered_on_the_right_weekday(frekvens, ugedag, uge, efter):
    rule = Moede(frekvens, ugedag, time(17), time(19), uge_i_maaned=uge, gyldig_fra=date(2025, 1, 6))
    found = naeste_forekomster([rule], efter.replace(tzinfo=CPH), 4)
    assert found and all(f.start > efter.replace(tzinfo=CPH) and f.start.weekday() == ugedag for f in found)
    assert [f.start for f in found] == sorted(f.start for f in found)
