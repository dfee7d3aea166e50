from django.core.exceptions import EmptyResultSet, FullResultSet
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Count, Expression, IntegerField, Subquery, Window
from django.utils.functional import cached_property

from .planner import fetch_with_random_page_cost

PAGE_SIZE = 25


class AntalHoejst(Subquery):
    """COUNT(*) of a sliced queryset, as an expression: a count that stops reading at the slice's end
    (`qs.order_by().values("pk")[:n]`). Uncorrelated, PostgreSQL computes it once per statement."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS antal_hoejst)"
    output_field = IntegerField()


class LoftPaginator(Paginator):
    """A paginator that counts only as far as it needs (issue 15): at least `loft` rows, and always
    the rows up to the asked-for page and one row beyond it, so "Næste" appears whenever there are
    more and every page stays reachable one click at a time. A long history (a centre's sent
    påmindelser, its access log) is then one bounded count instead of a count of everything.
    `over_loft` says the count stopped: the page count is shown as "40+"."""

    ANTAL = "_antal_hoejst"

    def __init__(self, object_list, per_page, *, loft: int, side: int, antal: int | None = None,
                 i_siden: bool = False):
        super().__init__(object_list, per_page)
        self.i_siden = i_siden
        self.graense = _graense(side, per_page, loft)
        self.over_loft = False
        # A count read elsewhere as far as this one would read (`loft` + 1 rows), e.g. with other counts in
        # one query (`selectors.capped_counts`); a page beyond the cap still counts here.
        self.antal = antal if self.graense == loft + 1 else None

    def get_page(self, number):
        """With `i_siden`, the capped count rides in the page's own query (a scalar subquery), one round
        trip instead of two; a page with no rows (past the end) counts as Paginator does."""
        if not self.i_siden or self.antal is not None:
            return super().get_page(number)
        side = _side(number)
        bottom = (side - 1) * self.per_page
        antal = AntalHoejst(self.object_list.order_by().values("pk")[:self.graense])
        rows = list(self.object_list.annotate(**{self.ANTAL: antal})[bottom:bottom + self.per_page])
        if not rows:
            return super().get_page(number)
        self.antal = getattr(rows[0], self.ANTAL)
        _ = self.count  # sets `over_loft` now, as Paginator.get_page's check of the number would
        return self._get_page(rows, side, self)

    @cached_property
    def count(self):
        n = self.object_list.order_by()[:self.graense].count() if self.antal is None else self.antal
        self.over_loft = n >= self.graense
        return n


class AntalAlle(Expression):
    """COUNT(*) of the rows of the query it is annotated on, as a scalar subquery over that query's own
    table and WHERE, compiled once more from the query itself (no copy of the queryset to build, resolve
    and relabel: ~0.3 ms a page less than a Subquery of it). Uncorrelated, PostgreSQL computes it once per
    statement and plans it on its own: by the index that suits the count, not the list's order. The
    subquery names the table as the query does, so the WHERE's columns are the subquery's own rows.
    For a query of one table: one that joins another is refused."""

    output_field = IntegerField()

    def as_sql(self, compiler, connection):
        query = compiler.query
        if any(count for alias, count in query.alias_refcount.items() if alias != query.base_table):
            raise ValueError("AntalAlle counts the rows of one table; the query joined another")
        tabel = query.alias_map[query.base_table]
        fra = compiler.quote_name_unless_alias(tabel.table_name)
        if tabel.table_alias != tabel.table_name:
            fra += f" {tabel.table_alias}"
        try:
            where, params = compiler.compile(query.where)
        except FullResultSet:
            where, params = "", ()
        return f"(SELECT COUNT(*) FROM {fra}{f' WHERE {where}' if where else ''})", tuple(params)  # noqa: S608 -- compiled


class AntalMedSidenPaginator(Paginator):
    """A paginator that counts in the page's own query (`COUNT(*) OVER ()`) for a `values_list`
    queryset: one pass over the matching rows instead of two, where finding the page reads them all
    anyway (the public directory ordered by distance; PERFORMANCE.md, "Public pages at national size").
    With `antal_for_sig`, the count is a scalar subquery of the same rows instead (`AntalAlle`), still
    in the one statement, for a list whose count an index finds without the list's order while its page
    lies near the start of that order: the directory's text search (the centre's matches by foreninger
    0010's GIN index, the page by the title index; the window read every public row of the centre).
    Only a page past the end (no rows to carry the count) counts separately, as Paginator does.
    `rader(noegler, antal=…)`: reads the page's rows from its sliced keys in the same statement and
    returns `(count, rows)` (with `antal`, the keys' last column is the count; else the count is None)."""

    ANTAL = "_antal_i_alt"

    def __init__(self, object_list, per_page, *, rader=None, antal_for_sig: bool = False):
        super().__init__(object_list, per_page)
        self.rader, self.antal_for_sig = rader, antal_for_sig

    def get_page(self, number):
        side = _side(number)
        bottom = (side - 1) * self.per_page
        antal = AntalAlle() if self.antal_for_sig else Window(Count("*"))
        noegler = self.object_list.annotate(**{self.ANTAL: antal})[bottom:bottom + self.per_page]
        if self.rader is None:
            rows = list(noegler)
            antal, rows = (rows[0][-1] if rows else 0), [row[:-1] for row in rows]
        else:
            antal, rows = self.rader(noegler, antal=True)
        if not rows and side > 1:
            page = super().get_page(side)  # past the end: count, then the last page
            if self.rader is not None:
                page.object_list = self.rader(page.object_list, antal=False)[1]
            return page
        self.__dict__["count"] = antal
        return self._get_page(rows, side, self)


def _side(value) -> int:
    """The asked-for page number as Paginator.get_page reads it; 1 for junk."""
    try:
        return max(int(value), 1)
    except (TypeError, ValueError):
        return 1


def paginate(request, queryset, per_page=PAGE_SIZE, *, param="side", loft=None, antal_med_siden=False, antal=None,
             loft_i_siden=False, rader=None, antal_for_sig=False):
    """One page of `queryset`; an out-of-range or junk page number gives the nearest valid page.
    `param` names the page's query parameter, for a page with two lists. With `loft`, the count
    stops at `loft` rows (or just past the asked-for page), for lists that grow with the history.
    With `antal_med_siden` (a `values_list` queryset), the page's query also counts
    (`AntalMedSidenPaginator`; `rader` reads the page's rows in that query too; `antal_for_sig`: the
    count as a subquery of its own). With `loft`, `antal` is the count already read up to `loft` + 1 rows,
    used while the asked-for page lies within the cap; `loft_i_siden` counts in the page's query
    (`LoftPaginator.get_page`)."""
    if antal_med_siden:
        paginator = AntalMedSidenPaginator(queryset, per_page, rader=rader, antal_for_sig=antal_for_sig)
    elif loft is None:
        paginator = Paginator(queryset, per_page)
    else:
        paginator = LoftPaginator(queryset, per_page, loft=loft, side=_side(request.GET.get(param)), antal=antal,
                                  i_siden=loft_i_siden)
    page = paginator.get_page(request.GET.get(param))
    page.param = param  # for partials/pagination.html's links
    # "Side 3 af 40" or, when the count stopped, "Side 3 af 40+"
    page.sider = f"{paginator.num_pages}+" if getattr(paginator, "over_loft", False) else paginator.num_pages
    return page


class NoeglePaginator(Paginator):
    """Pages over a list of keys read up to a limit (`paginate_keys`): `over_loft` when the read stopped."""

    def __init__(self, keys, per_page, *, graense: int):
        super().__init__(keys, per_page)
        self.over_loft = len(keys) >= graense
        self.mindst = graense - 1  # "over 1000": at least this many, when the read stopped


def _keys(queryset, random_page_cost: float | None) -> list:
    """The first column of `queryset`'s rows; with `random_page_cost`, the statement is planned with
    that setting (`planner.fetch_with_random_page_cost`, as matching's KNN query)."""
    if random_page_cost is None:
        return [row[0] for row in queryset]
    connection = connections[queryset.db]
    try:
        sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:
        return []
    with connection.cursor() as cursor:
        return [row[0] for row in fetch_with_random_page_cost(cursor, sql, params, random_page_cost)]


def paginate_keys(request, queryset, rows, per_page=PAGE_SIZE, *, param="side", loft=1000,
                  random_page_cost: float | None = None):
    """One page of an ordered `queryset` in two reads, for a list whose filter must look at every row
    (a search in a centre of 19,000 borgere): first the keys in the list's order, up to `loft` and just
    past the asked-for page (one pass; index-only when an index holds the order and the filter's
    columns), which is also the count, capped as in `paginate(loft=)`; then the page's rows, by key,
    from `rows` (a queryset scoped as the list is). That replaces a count over every matching row and
    a second scan for the page. Beyond `loft` the count shows "40+" pages and "Næste" still leads on.
    `random_page_cost` (PostgreSQL) plans the keys' statement with that cost of a heap page fetched out
    of order, for a list whose index choice depends on it (the borger search, `borgere.selectors`)."""
    graense = _graense(_side(request.GET.get(param)), per_page, loft)
    if connections[queryset.db].vendor != "postgresql":
        random_page_cost = None
    keys = _keys(queryset.values_list("pk")[:graense], random_page_cost)
    paginator = NoeglePaginator(keys, per_page, graense=graense)
    page = paginator.get_page(request.GET.get(param))
    found = ({obj.pk: obj for obj in rows.filter(pk__in=list(page.object_list)).order_by()}
             if page.object_list else {})
    page.object_list = [found[key] for key in page.object_list if key in found]
    page.param = param
    page.sider = f"{paginator.num_pages}+" if paginator.over_loft else paginator.num_pages
    return page


class KendtAntalPaginator(Paginator):
    """Pages whose count a caller has already taken, capped at `graense` rows as `paginate(loft=)` caps
    it (`over_loft`, `mindst`: "Over 1000 …"); the page's rows are read separately
    (`paginate_counted`)."""

    def __init__(self, antal: int, per_page, *, graense: int):
        super().__init__((), per_page)
        self.__dict__["count"] = antal
        self.over_loft = antal >= graense
        self.mindst = graense - 1


def side_nummer(request, param="side") -> int:
    """The asked-for page number; 1 for junk."""
    return _side(request.GET.get(param))


def graense(request, per_page=PAGE_SIZE, *, param="side", loft=1000) -> int:
    """How far a capped count reads for the asked-for page: `loft` rows, or just past that page."""
    return _graense(_side(request.GET.get(param)), per_page, loft)


def _graense(side: int, per_page: int, loft: int) -> int:
    """At least `loft` rows and one row past page `side`, so "Næste" shows whenever there are more."""
    return max(loft, side * per_page) + 1


def paginate_counted(request, antal: int, rows, per_page=PAGE_SIZE, *, param="side", loft=1000):
    """One page of a list whose capped count (up to `graense(request, …)`) is `antal`, for a list that
    finds its page in its own way: `rows(offset, limit)` reads the page's rows once the page number
    is known (an out-of-range or junk number gives the nearest valid page, as `paginate` does)."""
    paginator = KendtAntalPaginator(antal, per_page, graense=graense(request, per_page, param=param, loft=loft))
    page = paginator.get_page(request.GET.get(param))
    page.object_list = rows((page.number - 1) * per_page, per_page) if antal else []
    page.param = param
    page.sider = f"{paginator.num_pages}+" if paginator.over_loft else paginator.num_pages
    return page
