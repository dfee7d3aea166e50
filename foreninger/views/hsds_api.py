"""The read-only HSDS 3.0 API: public JSON, no login, `Access-Control-Allow-Origin: *`.

Every endpoint exists twice: for the whole deployment under `/api/hsds/` and for one centre
under `/api/hsds/c/<centre-slug>/`. Only active fællesskaber of non-archived foreninger are shown.

The service lists are keyset-paginated: each page carries `next_cursor`, and `?cursor=` fetches the
next page by (titel, id) > the last row's, through a partial index, so page 500 costs what page 1
does. The total is counted once, on the first page, and carried in the cursor. `?page=` still works
(with OFFSET). `export` streams every service at once (`foreninger/hsds/export.py`).
"""

import math
import uuid
from datetime import datetime
from functools import wraps

from django.core import signing
from django.db.models import Q
from django.http import JsonResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.views.decorators.http import require_GET

from .. import hooks
from ..hsds import export as hsds_export
from ..hsds import selectors, serialize

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 500


class BadRequest(Exception):
    pass


def _json(data, status=200):
    response = JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})
    response["Access-Control-Allow-Origin"] = "*"
    return response


def api(view):
    """GET only; resolves the optional centre; answers errors as JSON with the CORS header."""

    @require_GET
    @wraps(view)
    def wrapper(request, *args, center_slug=None, **kwargs):
        center = None
        if center_slug is not None:
            center = selectors.center_by_slug(center_slug)
            if center is None:
                return _json({"error": "Ukendt frivilligcenter."}, status=404)
        try:
            return _json(view(request, *args, center=center, **kwargs))
        except BadRequest as error:
            return _json({"error": str(error)}, status=400)
        except LookupError:
            return _json({"error": "Findes ikke."}, status=404)

    return wrapper


def _int_param(request, name, default, minimum=1, maximum=None):
    raw = request.GET.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"'{name}' skal være et helt tal.") from None
    if value < minimum:
        raise BadRequest(f"'{name}' skal være mindst {minimum}.")
    return min(value, maximum) if maximum else value


def _uuid_param(request, name):
    raw = request.GET.get(name)
    if raw in (None, ""):
        return None
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise BadRequest(f"'{name}' skal være et UUID.") from None


def _bool_param(request, name):
    return request.GET.get(name, "").lower() in ("1", "true", "yes", "ja")


def _datetime_param(request, name):
    raw = request.GET.get(name)
    if raw in (None, ""):
        return None
    try:
        value = parse_datetime(raw)
        if value is None and (day := parse_date(raw)):
            value = datetime(day.year, day.month, day.day)
    except ValueError:
        value = None
    if value is None:
        raise BadRequest(f"'{name}' skal være en dato eller et tidspunkt (ISO 8601).")
    return timezone.make_aware(value) if timezone.is_naive(value) else value


def _offset_rows(request, items, count=None):
    """(page, per_page, total, rows) of `items` (a queryset or a list) by `page` and `per_page`;
    `count` is a cheaper way to count it."""
    per_page = _int_param(request, "per_page", DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE)
    page = _int_param(request, "page", 1)
    if count is not None:
        total = count()
    else:
        total = items.count() if hasattr(items, "count") and not isinstance(items, list) else len(items)
    start = (page - 1) * per_page
    return page, per_page, total, (list(items[start:start + per_page]) if start < total else [])


def _page_object(*, page, per_page, total, rows, serialize_one, last_page=None):
    """The HSDS page object for `rows`; `last_page` defaults to what the total says."""
    total_pages = max(1, math.ceil(total / per_page))
    return {"total_items": total, "total_pages": total_pages, "page_number": page, "size": len(rows),
            "first_page": page == 1, "last_page": page >= total_pages if last_page is None else last_page,
            "empty": total == 0, "contents": [serialize_one(item) for item in rows]}


def _page(request, items, serialize_one, count=None):
    """The HSDS page object, by `page` (OFFSET)."""
    page, per_page, total, rows = _offset_rows(request, items, count)
    return _page_object(page=page, per_page=per_page, total=total, rows=rows, serialize_one=serialize_one)


CURSOR_SALT = "foreninger.hsds.cursor"


def _cursor_param(request):
    """The signed (page number, total, last titel, last id) of the previous page, or None."""
    raw = request.GET.get("cursor")
    if raw in (None, ""):
        return None
    try:
        page, total, titel, pk = signing.loads(raw, salt=CURSOR_SALT)
        return int(page), int(total), str(titel), int(pk)
    except (signing.BadSignature, ValueError, TypeError):
        raise BadRequest("'cursor' er ugyldig; brug next_cursor fra den forrige side.") from None


def _keyset_page(request, qs, serialize_one, count=None):
    """An HSDS page of `qs` (ordered by titel, pk), by cursor when one is given, else by `page`.

    Adds `next_cursor` (null on the last page). The rows come from an index walk from the cursor
    on; the count runs only when there is no cursor.
    """
    cursor = _cursor_param(request)
    if cursor is None:
        page, per_page, total, items = _offset_rows(request, qs, count)
        data = _page_object(page=page, per_page=per_page, total=total, rows=items, serialize_one=serialize_one)
        more = not data["last_page"] and len(items) == per_page
    else:
        previous, total, titel, pk = cursor
        per_page = _int_param(request, "per_page", DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE)
        # titel >= t narrows the index range; the OR picks up the rows after the last one.
        rows = list(qs.filter(Q(titel__gte=titel) & (Q(titel__gt=titel) | Q(pk__gt=pk)))[:per_page + 1])
        more, items = len(rows) > per_page, rows[:per_page]
        page = previous + 1
        total = max(total, (page - 1) * per_page + len(items))  # the carried total may have gone stale
        data = _page_object(page=page, per_page=per_page, total=total, rows=items, serialize_one=serialize_one,
                            last_page=not more)
    data["next_cursor"] = (signing.dumps([page, total, items[-1].titel, items[-1].pk], salt=CURSOR_SALT)
                           if more and items else None)
    return data


def _get(qs, **lookup):
    try:
        return qs.get(**lookup)
    except (qs.model.DoesNotExist, ValueError):
        raise LookupError from None


def _uuid(value):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise LookupError from None


@api
def root(request, center):
    kwargs = {"center_slug": center.slug} if center else {}
    name = "foreninger:hsds_center_services" if center else "foreninger:hsds_services"
    return {"version": serialize.HSDS_VERSION,
            "profile": "https://docs.openreferral.org/en/latest/hsds/",
            "openapi_url": "https://raw.githubusercontent.com/openreferral/specification/3.0/schema/openapi.json",
            "services_url": request.build_absolute_uri(reverse(name, kwargs=kwargs)),
            "events_url": request.build_absolute_uri(reverse(name.replace("_services", "_events"), kwargs=kwargs)),
            "scope": center.slug if center else "alle"}


@api
def services(request, center):
    term = None
    if term_uuid := _uuid_param(request, "taxonomy_term_id"):
        term = selectors.term_lookup(term_uuid)
        if term is None:
            return _page(request, [], None) | {"next_cursor": None}
        term = term if term[0] == "rolle" else ("tag", term[1].pk)
    full = _bool_param(request, "full")
    filters = {"search": request.GET.get("search", "").strip()[:200], "term": term,
               "organization": _uuid_param(request, "organization_id"),
               "modified_after": _datetime_param(request, "modified_after")}
    qs = selectors.filter_services(selectors.public_faellesskaber(center, full=full), **filters)
    count = None if any(filters.values()) else (lambda: selectors.public_service_count(center))
    return _keyset_page(request, qs, serialize.service if full else serialize.service_brief, count)


@api
def service(request, center, pk):
    """A fællesskab, or a public arrangement (issue 14), by its id."""
    service_uuid = _uuid(pk)
    try:
        return serialize.service(_get(selectors.public_faellesskaber(center, full=True), uuid=service_uuid))
    except LookupError:
        found = next((e for e in hooks.hsds_events(center, EVENTS_MAX) if e.uid == str(service_uuid)), None)
        if found is None:
            raise
        return serialize.event_service(found)


EVENTS_MAX = 500  # coming public arrangementer at most, per deployment or centre


@api
def events(request, center):
    """The coming public arrangementer as HSDS services (a schedule per date), soonest first. Not in
    the HSDS 3.0 list of endpoints; each item is a valid `service` (issue 14)."""
    return _page(request, hooks.hsds_events(center, EVENTS_MAX), serialize.event_service)


@api
def organizations(request, center):
    qs = selectors.public_foreninger(center)
    if search := request.GET.get("search", "").strip()[:200]:
        qs = qs.filter(navn__icontains=search)
    return _page(request, qs, serialize.organization_brief)


@api
def organization(request, center, pk):
    forening = _get(selectors.public_foreninger(center), uuid=_uuid(pk))
    services = [serialize.service(f) for f in selectors.public_faellesskaber(center, full=True).filter(forening=forening)]
    return serialize.organization(forening, services)


@api
def service_at_locations(request, center):
    return _keyset_page(request, selectors.public_faellesskaber(center, full=True),
                        lambda f: serialize.service_at_location(f, with_service=True),
                        lambda: selectors.public_service_count(center))


@api
def service_at_location(request, center, pk):
    service_uuid = serialize.flipped(_uuid(pk), "service_at_location")
    found = _get(selectors.public_faellesskaber(center, full=True), uuid=service_uuid)
    return serialize.service_at_location(found, with_service=True)


@api
def taxonomies(request, center):
    return _page(request, serialize.taxonomies(), lambda t: t)


@api
def taxonomy(request, center, pk):
    found = next((t for t in serialize.taxonomies() if t["id"] == str(_uuid(pk))), None)
    if found is None:
        raise LookupError
    return found


def _all_terms():
    return [serialize.tag_term(tag) for tag in selectors.exported_tags()] + serialize.role_terms()


@api
def taxonomy_terms(request, center):
    terms = _all_terms()
    if taxonomy_id := _uuid_param(request, "taxonomy_id"):
        terms = [t for t in terms if t["taxonomy_id"] == taxonomy_id]
    if search := request.GET.get("search", "").strip().lower():
        terms = [t for t in terms if search in t["name"].lower()]
    return _page(request, terms, lambda t: t)


@api
def taxonomy_term(request, center, pk):
    found = next((t for t in _all_terms() if t["id"] == str(_uuid(pk))), None)
    if found is None:
        raise LookupError
    return found


@require_GET
def export(request, center_slug=None):
    """Every public service of the deployment (or one centre) as one JSON array, streamed."""
    center = None
    if center_slug is not None:
        center = selectors.center_by_slug(center_slug)
        if center is None:
            return _json({"error": "Ukendt frivilligcenter."}, status=404)
    response = StreamingHttpResponse(hsds_export.stream(center), content_type="application/json; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    response["Content-Disposition"] = f'attachment; filename="hsds-services-{center.slug if center else "alle"}.json"'
    return response
