"""/healthz: whether the database and the Celery broker answer."""

from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from ..celery import app


@never_cache
def healthz(request):
    """Whether the database and the Celery broker answer: 200 when both do, 503 otherwise."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "fejl", **{k: "ok" if v else "fejl" for k, v in checks.items()}},
        status=200 if healthy else 503,
    )


def _check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        return False


def _check_broker() -> bool:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:  # noqa: BLE001
        return False
