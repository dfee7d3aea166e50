"""One statement planned with a PostgreSQL setting of its own (issue 15).

`random_page_cost` is the planner's price of a heap page fetched out of order. A few statements choose
the right index only with a lower price than the server's (matching's KNN query, the borger search);
they set it for themselves, in the same round trip, and reset it after.
"""


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
