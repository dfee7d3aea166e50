"""Reads for centres and memberships, always scoped to the acting user."""

from django.db import connections

from . import access
from .adgangslog import FORMAAL_ANDET_CENTER
from .models import Adgangslog, Invitation, Medlemskab, Rolle, User


def medlemskab_list(*, actor):
    access.check(actor, "medlemskab", "list")
    qs = Medlemskab.objects.select_related("user").prefetch_related("foreninger").order_by("rolle", "user__first_name")
    return access.scope(actor, "medlemskab", qs)


def medlemskab_get(*, actor, pk, action="change"):
    return access.get_or_deny(actor, "medlemskab", action, Medlemskab.objects.select_related("user"), pk)


def invitation_open_list(*, actor):
    qs = Invitation.objects.filter(accepteret__isnull=True, tilbagekaldt__isnull=True)
    return [i for i in access.scope(actor, "medlemskab", qs) if i.er_aaben]


def brobygger_list(*, actor):
    """The centre's active brobyggere and koordinatorer: who can be responsible for a borger."""
    if actor.medlemskab is None:
        return User.objects.none()
    return User.objects.filter(
        is_active=True,
        medlemskaber__center_id=actor.center_id,
        medlemskaber__aktiv=True,
        medlemskaber__rolle__in=[Rolle.BROBYGGER, Rolle.KOORDINATOR],
    ).order_by("first_name", "last_name")


def user_with_email_exists(*, email) -> bool:
    """Whether an invitation goes to someone who already has a login (and keeps their password)."""
    return User.objects.filter(email__iexact=email, is_active=True).exists()


def adgangslog_list(*, actor, data: dict):
    """The centre's access log, filtered by borger id, user, action and period (koordinatorer)."""
    access.check(actor, "adgangslog", "list")
    qs = access.scope(actor, "adgangslog", Adgangslog.objects.select_related("bruger"))
    if data.get("borger"):
        qs = qs.filter(borger_id=data["borger"])
    if data.get("bruger"):
        qs = qs.filter(bruger=data["bruger"])
    if data.get("handling"):
        qs = qs.filter(handling=data["handling"])
    if data.get("fra"):
        qs = qs.filter(tidspunkt__date__gte=data["fra"])
    if data.get("til"):
        qs = qs.filter(tidspunkt__date__lte=data["til"])
    return qs


def adgangslog_foreign_attempts(*, actor, data: dict, limit: int):
    """Attempts from other centres to reach this centre's objects, newest first: every spot check
    shows them all (up to `limit`), not just those the random draw happens to pick."""
    return adgangslog_list(actor=actor, data=data).filter(
        handling=Adgangslog.Handling.AFVIST, bruger__isnull=True, formaal=FORMAAL_ANDET_CENTER)[:limit]


def invitation_foreninger(*, actor):
    """The centre's foreninger a new foreningskontakt can be invited to represent. The model is the
    one the invitation links to, so the core names no domain app."""
    forening = Invitation._meta.get_field("foreninger").related_model
    return access.scope(actor, "forening", forening.objects.active().select_related("postnummer"))


def capped_counts(querysets, *, loft: int) -> list[int]:
    """Each queryset's row count, counting at most `loft` + 1 rows (so "999+" can be told from 999),
    all in one query: a page of tabs with a badge each pays one round trip, not one per tab."""
    querysets = list(querysets)
    if not querysets:
        return []
    parts, params = [], []
    for i, qs in enumerate(querysets):
        sql, sql_params = qs.order_by().values("pk")[:loft + 1].query.sql_with_params()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS t{i})")  # noqa: S608 - Django's SQL; values are parameters
        params.extend(sql_params)
    with connections[querysets[0].db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return list(cursor.fetchone())
