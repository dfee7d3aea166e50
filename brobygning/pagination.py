from django.core.paginator import Paginator
from django.utils.functional import cached_property

PAGE_SIZE = 25


class LoftPaginator(Paginator):
    """A paginator that counts only as far as it needs (issue 15): at least `loft` rows, and always
    the rows up to the asked-for page and one row beyond it, so "Næste" appears whenever there are
    more and every page stays reachable one click at a time. A long history (a centre's sent
    påmindelser, its access log) is then one bounded count instead of a count of everything.
    `over_loft` says the count stopped: the page count is shown as "40+"."""

    def __init__(self, object_list, per_page, *, loft: int, side: int):
        super().__init__(object_list, per_page)
        self.graense = max(loft, side * per_page) + 1
        self.over_loft = False

    @cached_property
    def count(self):
        n = self.object_list.order_by()[:self.graense].count()
        self.over_loft = n >= self.graense
        return n


def _side(value) -> int:
    """The asked-for page number as Paginator.get_page reads it; 1 for junk."""
    try:
        return max(int(value), 1)
    except (TypeError, ValueError):
        return 1


def paginate(request, queryset, per_page=PAGE_SIZE, *, param="side", loft=None):
    """One page of `queryset`; an out-of-range or junk page number gives the nearest valid page.
    `param` names the page's query parameter, for a page with two lists. With `loft`, the count
    stops at `loft` rows (or just past the asked-for page), for lists that grow with the history."""
    if loft is None:
        paginator = Paginator(queryset, per_page)
    else:
        paginator = LoftPaginator(queryset, per_page, loft=loft, side=_side(request.GET.get(param)))
    page = paginator.get_page(request.GET.get(param))
    page.param = param  # for partials/pagination.html's links
    # "Side 3 af 40" or, when the count stopped, "Side 3 af 40+"
    page.sider = f"{paginator.num_pages}+" if getattr(paginator, "over_loft", False) else paginator.num_pages
    return page
