"""One statement planned with a PostgreSQL setting of its own (issue 15).

`random_page_cost` is the planner's price of a heap page fetched out of order. A few statements choose
the right index only with a lower price than the server's (matching's KNN query, the borger search);
they set it for themselves, in the same round trip, and reset it after.
"""


def fetch_with_random_page_cost(cursor, sql: str, params, cost: float) -> list:
    """The rows of `sql` planned with `random_page_cost = cost`: `SET …; statement; RESET` in one round
    trip (client-side binding). PostgreSQL runs such a string as one implicit transaction, so when the
    statement fails the SET is rolled back with it; no reset is needed then (tests/brobygning/test_planner.py)."""
    cursor.execute(f"SET random_page_cost = {float(cost)}; {sql}; RESET random_page_cost", params)
    cursor.nextset()
    return cursor.fetchall()
