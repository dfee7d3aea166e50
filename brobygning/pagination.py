from django.core.paginator import Paginator

PAGE_SIZE = 25


def paginate(request, queryset, per_page=PAGE_SIZE, *, param="side"):
    """One page of `queryset`; an out-of-range or junk page number gives the nearest valid page.
    `param` names the page's query parameter, for a page with two lists."""
    page = Paginator(queryset, per_page).get_page(request.GET.get(param))
    page.param = param  # for partials/pagination.html's links
    return page
