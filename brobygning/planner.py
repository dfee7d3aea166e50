"""One statement planned with a PostgreSQL setting of its own (issue 15).

`random_page_cost` is the planner's price of a heap page fetched out of order. A few statements choose
the right index only with a lower price than the server's (matching's KNN query, the borger search);
they set it for themselves, in the same round trip, and reset it after.

`fetch_together`: a page's several reads of the same thing in one round trip.
"""

from collections.abc import Callable
from dataclasses import dataclass


def fetch_with_random_page_cost(cursor, sql: str, params, cost: float, *, then: str | None = None) -> list:
    """The rows of `sql` planned with `random_page_cost = cost`: `SET …; statement; RESET` in one round
    trip (client-side binding). PostgreSQL runs such a string as one implicit transaction, so when the
    statement fails the SET is rolled back with it; no reset is needed then (tests/brobygning/test_planner.py).

    `then`: a second statement (no parameters) sent in the same round trip, after `sql`; its rows are
    returned too, as `(rows, then_rows)`."""
    extra = f"; {then}" if then else ""
    cursor.execute(f"SET random_page_cost = {float(cost)}; {sql}{extra}; RESET random_page_cost", params)
    cursor.nextset()
    rows = cursor.fetchall()
    if not then:
        return rows
    cursor.nextset()
    return rows, cursor.fetchall()


@dataclass(frozen=True)
class Laesning:
    """One read for `fetch_together`: a statement, its parameters, and what makes its rows a result
    (`parse(rows, connection)`)."""

    sql: str
    params: list
    parse: Callable


def fetch_together(connection, laesninger: list[Laesning]) -> list:
    """Each read's result, in order. On PostgreSQL the statements go in one round trip (client-side
    binding: `a; b; c` with all parameters, the results by `cursor.nextset()`; issue 15: a round trip
    costs more than these reads of one borger take to run); elsewhere one query each."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(laesninger) > 1:
            cursor.execute("; ".join(laesning.sql for laesning in laesninger),
                           [param for laesning in laesninger for param in laesning.params])
            sets = []
            for i in range(len(laesninger)):
                if i:
                    cursor.nextset()
                sets.append(cursor.fetchall())
        else:
            sets = []
            for laesning in laesninger:
                cursor.execute(laesning.sql, laesning.params)
                sets.append(cursor.fetchall())
    return [laesning.parse(rows, connection) for laesning, rows in zip(laesninger, sets, strict=True)]
