"""A statement planned with its own `random_page_cost` (brobygning.planner): the setting holds for that
statement only, also when the statement fails."""

import pytest
from django.db import DatabaseError, connection

from brobygning.planner import fetch_with_random_page_cost

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL planner setting")


def _setting(cursor) -> str:
    cursor.execute("SHOW random_page_cost")
    return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_the_setting_holds_for_the_statement_only_also_after_an_error():
    with connection.cursor() as cursor:
        before = _setting(cursor)
        rows = fetch_with_random_page_cost(cursor, "SELECT current_setting('random_page_cost')", [], 1.1)
        assert rows == [("1.1",)]
        assert _setting(cursor) == before
        with pytest.raises(DatabaseError):
            fetch_with_random_page_cost(cursor, "SELECT 1 / 0", [], 1.1)
        assert _setting(cursor) == before


@pytest.mark.django_db(transaction=True)
def test_a_second_statement_comes_back_from_the_same_round_trip_and_the_setting_still_resets():
    with connection.cursor() as cursor:
        before = _setting(cursor)
        rows, then_rows = fetch_with_random_page_cost(
            cursor, "SELECT current_setting('random_page_cost')", [], 1.1, then="SELECT 2 UNION ALL SELECT 3")
        assert rows == [("1.1",)]
        assert then_rows == [(2,), (3,)]
        assert _setting(cursor) == before


@pytest.mark.django_db(transaction=True)
def test_a_statement_sent_first_keeps_its_own_parameters_and_the_servers_setting():
    with connection.cursor() as cursor:
        before = _setting(cursor)
        foran, rows, then_rows = fetch_with_random_page_cost(
            cursor, "SELECT current_setting('random_page_cost'), %(x)s", {"x": "100 %"}, 1.1, then="SELECT 2",
            foran=("SELECT current_setting('random_page_cost'), %s, %s", ["5 %", 7]))
        assert foran == [(before, "5 %", 7)]
        assert rows == [("1.1", "100 %")]
        assert then_rows == [(2,)]
        foran, rows = fetch_with_random_page_cost(cursor, "SELECT %s", [3], 1.1, foran=("SELECT 4", []))
        assert (foran, rows) == ([(4,)], [(3,)])
        assert _setting(cursor) == before
