"""Several reads in one round trip (brobygning.planner.fetch_together): each read's rows, parsed, in
order, with its own parameters; one query on PostgreSQL, one each elsewhere."""

import pytest
from django.db import connection

from brobygning.planner import Laesning, fetch_together


@pytest.mark.django_db
def test_each_read_gets_its_own_rows_and_parameters_in_one_round_trip(django_assert_num_queries):
    laesninger = [
        Laesning("SELECT %s + 1", [1], lambda rows, _c: rows[0][0]),
        Laesning("SELECT 'a' UNION ALL SELECT %s ORDER BY 1", ["b"], lambda rows, _c: [r[0] for r in rows]),
        Laesning("SELECT 1 WHERE 1 = %s", [2], lambda rows, _c: rows),
        Laesning("SELECT %s, %s", [3, "x"], lambda rows, _c: rows[0]),
    ]
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 4):
        assert fetch_together(connection, laesninger) == [2, ["a", "b"], [], (3, "x")]
    assert fetch_together(connection, laesninger[1:2]) == [["a", "b"]]
