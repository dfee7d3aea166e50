"""Reads for arrangementer (ARCHITECTURE.md, "Arrangementer"), scoped to the actor; the public list of a
centre's public events; and two centre-wide figures the partnership overview uses
(`kursus_gennemfoert`, `kommende_netvaerksmoeder`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.conf import settings
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, Lower, NullIf
from django.http import Http404
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.encoding import force_str
from django.utils.translation import gettext as _

from brobygning import access
from brobygning.models import Frivilligcenter, Rolle, User
from brobygning.planner import omform
from foreninger.hooks import EventDate, EventService, PublicEvent, PublicEvents

from .models import (
    Arrangement,
    ArrangementDato,
    ArrangementType,
    Fremmoede,
    Tilmelding,
    TilmeldingStatus,
)

FREMMOEDE_SIDE = 100  # people per page of the door list
TILMELDINGER_SIDE = 50
LISTE_MAX = 200


def _kommende_dato(fra):
    return ArrangementDato.objects.filter(arrangement=OuterRef("pk"), aflyst=False, start__gte=fra)


def arrangement_list(*, actor, kommende: bool = True):
    """The arrangementer the actor may see: coming ones (a date ahead) or past ones, newest first."""
    now = timezone.now()
    qs = access.scope(actor, "arrangement", Arrangement.objects.all())
    qs = qs.annotate(har_kommende=Exists(_kommende_dato(now)),
                     antal_tilmeldt=Count("tilmeldinger", filter=Q(tilmeldinger__status=TilmeldingStatus.TILMELDT),
                                          distinct=True))
    qs = qs.filter(har_kommende=kommende, aflyst__isnull=True) if kommende else qs.filter(
        Q(har_kommende=False) | Q(aflyst__isnull=False))
    return qs.prefetch_related("datoer").order_by("-oprettet", "-pk")


def arrangement_get(*, actor, pk, action: str = "view") -> Arrangement:
    return access.get_or_deny(actor, "arrangement", action, Arrangement.objects.all(), pk)


def dato_get(*, actor, pk, action: str = "fremmoede") -> ArrangementDato:
    """A date, with access decided on its arrangement (404 in another centre, 403 for the role)."""
    dato = access.get_or_deny(actor, "arrangement", "list", ArrangementDato.objects.select_related("arrangement"), pk)
    access.check(actor, "arrangement", action, dato.arrangement)
    return dato


def fremmoede_get(*, actor, pk) -> Fremmoede:
    """One row of a door list, with access decided on its date's arrangement (404 outside the centre
    that holds it, 403 for the role). At a network meeting a row belongs to the registrant's own
    centre, so the holding centre reaches the other centres' rows through the date, not the row."""
    try:
        row = Fremmoede.objects.select_related("dato__arrangement", "tilmelding__borger", "tilmelding__user").get(pk=pk)
    except (Fremmoede.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    dato_get(actor=actor, pk=row.dato_id)
    return row


def medarbejdere(*, center_id: int, roller):
    """The centre's active users with one of `roller`, for choosing who runs or is registered."""
    return User.objects.filter(medlemskaber__center_id=center_id, medlemskaber__aktiv=True,
                               medlemskaber__rolle__in=roller).distinct().order_by("first_name", "email")


SOEG_MAX = 20  # hits of a name search on the registration page
FORENING_VALG_MAX = 50  # foreninger offered in the select before a search narrows it


def foreningskontakt_soeg(*, center_id: int, q: str):
    """At most SOEG_MAX of the centre's active foreningskontakter whose name or e-mail holds `q`."""
    q = (q or "").strip()[:100]
    if not q:
        return []
    qs = medarbejdere(center_id=center_id, roller=[Rolle.FORENINGSKONTAKT])
    for ord_ in q.split()[:4]:
        qs = qs.filter(Q(first_name__icontains=ord_) | Q(last_name__icontains=ord_) | Q(email__icontains=ord_))
    return list(qs[:SOEG_MAX])


def forening_valg(foreninger, *, q: str = "") -> tuple[list, bool]:
    """The foreninger a select offers (the caller's scoped, active ones): the first
    FORENING_VALG_MAX by name, or those whose name holds `q`; and whether there are more."""
    q = (q or "").strip()[:100]
    if q:
        foreninger = foreninger.filter(navn__icontains=q)
    valg = list(foreninger.order_by("navn", "pk")[:FORENING_VALG_MAX + 1])
    return valg[:FORENING_VALG_MAX], len(valg) > FORENING_VALG_MAX


def tilmelding_get(*, actor, pk) -> Tilmelding:
    tilmelding = access.get_or_deny(actor, "arrangement", "list",
                                    Tilmelding.objects.select_related("arrangement", "borger", "user"), pk)
    access.check(actor, "arrangement", "change", tilmelding.arrangement)
    return tilmelding


def tilmeldinger(*, arrangement, status: str):
    """The registered or the waiting list (oldest first) of an arrangement the caller has loaded;
    the view pages through it (`TILMELDINGER_SIDE` a page)."""
    return (arrangement.tilmeldinger.filter(status=status)
            .select_related("borger", "user", "forening").order_by("tilmeldt", "pk"))


def fremmoede_liste(*, dato):
    """The door list of one date: everyone registered, by the name staff see (a borger's first name,
    a user's name, the given name), paged by the view (`FREMMOEDE_SIDE` a page)."""
    navn = Lower(Coalesce("tilmelding__borger__fornavn", NullIf("tilmelding__user__first_name", Value("")),
                          NullIf("tilmelding__navn", Value("")), "tilmelding__email"))
    return (Fremmoede.objects.filter(dato=dato, tilmelding__status=TilmeldingStatus.TILMELDT)
            .select_related("tilmelding__borger", "tilmelding__user").order_by(navn, "pk"))


def ledige_pladser(arrangement) -> int | None:
    if arrangement.kapacitet is None:
        return None
    taken = arrangement.tilmeldinger.filter(status=TilmeldingStatus.TILMELDT).count()
    return max(arrangement.kapacitet - taken, 0)


# --- Public --------------------------------------------------------------------------------------


def public_arrangement_list(*, center, fra: datetime | None = None, limit: int = 50):
    """The centre's (None: every centre's) public, not cancelled arrangementer with a date ahead,
    soonest first."""
    fra = fra or timezone.now()
    naeste = ArrangementDato.objects.filter(arrangement=OuterRef("pk"), aflyst=False, start__gte=fra) \
        .order_by("start").values("start")[:1]
    qs = Arrangement.objects.filter(center=center) if center is not None else Arrangement.objects.all()
    return list(qs.filter(offentlig=True, aflyst__isnull=True)
                .annotate(naeste=Subquery(naeste)).filter(naeste__isnull=False).order_by("naeste", "pk")[:limit])


def public_arrangement_get(*, center, pk) -> Arrangement:
    return Arrangement.objects.get(center=center, pk=pk, offentlig=True)


def public_datoer(*, center, fra: datetime, til: datetime, limit: int = 60) -> list[ArrangementDato]:
    """Dates of public arrangementer between `fra` and `til`, for the public iCal feed."""
    return list(ArrangementDato.objects.filter(center=center, arrangement__offentlig=True, aflyst=False,
                                               arrangement__aflyst__isnull=True, start__gte=fra, start__lte=til)
                .select_related("arrangement").order_by("start", "pk")[:limit])


@cache
def _kommende_sql() -> str:
    """`public_arrangement_list(center=…, fra=…, limit=…)` as the ORM writes it, with only the columns the
    directory's box shows: written once per process, not built and compiled per request (issue 15).
    Parameters: fra, center id, fra, limit."""
    a, d = Arrangement._meta.db_table, ArrangementDato._meta.db_table
    naeste = (f'(SELECT U0."start" FROM "{d}" U0 WHERE (NOT U0."aflyst" AND U0."arrangement_id" = ("{a}"."id") '  # noqa: S608 -- names
              f'AND U0."start" >= %s) ORDER BY 1 ASC LIMIT 1)')
    return (f'SELECT "{a}"."id", "{a}"."type", "{a}"."titel", "{a}"."sted", "{a}"."online_link", {naeste} AS "naeste" '  # noqa: S608
            f'FROM "{a}" WHERE ("{a}"."center_id" = %s AND "{a}"."aflyst" IS NULL AND "{a}"."offentlig" AND '
            f'{naeste} IS NOT NULL) ORDER BY 6 ASC, "{a}"."id" ASC LIMIT %s')


def public_events(center, limit: int) -> PublicEvents:
    """The provider for the public directory (`foreninger.hooks`): coming public arrangementer, as
    `public_arrangement_list` finds them, in one statement written once (`_kommende_sql`)."""
    lang = translation.get_language()
    suffix = f"?sprog={lang}" if lang and lang != settings.LANGUAGE_CODE else ""
    fra = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute(_kommende_sql(), [fra, center.pk, fra, limit])
        rows = cursor.fetchall()
    typer = dict(ArrangementType.choices)
    items = [PublicEvent(titel=titel, start=omform(connection.alias, ArrangementDato, ("start",), (naeste,))[0], sted=sted or (_("Online") if online_link else ""),
                         slags=force_str(typer.get(type_, type_), strings_only=True),
                         url=reverse("matching:arrangement_public_tilmeld", args=[center.slug, pk]) + suffix)
             for pk, type_, titel, sted, online_link, naeste in rows]
    return PublicEvents(items=items, alle_url=reverse("matching:arrangement_public_list", args=[center.slug]) + suffix,
                        ical_url=reverse("matching:arrangement_public_ics", args=[center.slug]))


HSDS_NS = uuid.UUID("0b6f3f0e-2f5a-4d7b-9f43-61727261676d")  # "arrangm": event ids in the HSDS API


def hsds_id(kind: str, pk: int) -> str:
    """A stable UUID for an arrangement or a date in the HSDS API (no column needed)."""
    return str(uuid.uuid5(HSDS_NS, f"{kind}:{pk}"))


def hsds_events(center, limit: int) -> list[EventService]:
    """The provider for the HSDS API (`foreninger.hooks.register_hsds_events`): coming public
    arrangementer as services, each with its coming dates. Three queries however many."""
    now = timezone.now()
    arrangementer = public_arrangement_list(center=center, fra=now, limit=limit)
    if not arrangementer:
        return []
    centre = {c.pk: c for c in Frivilligcenter.objects.filter(pk__in={a.center_id for a in arrangementer})}
    datoer: dict[int, list] = {}
    for d in ArrangementDato.objects.filter(arrangement__in=arrangementer, aflyst=False, start__gte=now) \
            .order_by("start", "pk"):
        datoer.setdefault(d.arrangement_id, []).append(EventDate(uid=hsds_id("dato", d.pk), start=d.start,
                                                                 slut=d.slut))
    base = settings.SITE_URL.rstrip("/")
    return [EventService(
        uid=hsds_id("arrangement", a.pk), titel=a.titel, beskrivelse=a.beskrivelse, slags=a.get_type_display(),
        maalgruppe=a.maalgruppe, sted=a.sted, online_link=a.online_link,
        url=base + reverse("matching:arrangement_public_tilmeld", args=[centre[a.center_id].slug, a.pk]),
        center_navn=centre[a.center_id].navn, center_email=centre[a.center_id].email, opdateret=a.oprettet,
        datoer=datoer.get(a.pk, [])) for a in arrangementer]


# --- For the partnership overview (issue 14, point 2) ---------------------------------------------


def _gennemfoerte_kurser(center_id: int, now: datetime):
    return Arrangement.objects.filter(center_id=center_id, type=ArrangementType.INKLUSIONSKURSUS,
                                      aflyst__isnull=True).exclude(
        Exists(ArrangementDato.objects.filter(arrangement=OuterRef("pk"), aflyst=False, start__gte=now)))


def kursus_gennemfoert(*, center_id: int, forening_ids) -> dict[int, int]:
    """Per forening id: how many of its foreningskontakter and hosts attended a completed inclusion
    course (all its dates past, not cancelled; the person came to at least one date). A person is
    counted once per forening however many courses they took: by login, else by e-mail (or the key
    kept of an erased one). One query."""
    forening_ids = list(forening_ids)
    if not forening_ids:
        return {}
    rows = (Tilmelding.objects.filter(center_id=center_id, forening_id__in=forening_ids,
                                      status=TilmeldingStatus.TILMELDT,
                                      arrangement__in=_gennemfoerte_kurser(center_id, timezone.now()))
            .filter(Exists(Fremmoede.objects.filter(tilmelding=OuterRef("pk"), moedt=True)))
            .order_by().values_list("forening_id", "user_id", Lower("email"), "email_noegle").distinct())
    personer: dict[int, set] = {}
    for forening_id, user_id, email, noegle in rows:
        # An erased e-mail (retention) is counted by its kept key, so the figure does not change.
        person = ("u", user_id) if user_id else ("e", email_noegle(email) if email else noegle or None)
        personer.setdefault(forening_id, set()).add(person)
    return {forening_id: len(p) for forening_id, p in personer.items()}


EMAIL_SALT = "brobygning.arrangement.email"


def email_noegle(email: str) -> str:
    """A keyed hash of an e-mail address (lower-cased), kept when the address itself is erased."""
    return salted_hmac(EMAIL_SALT, email.strip().lower(), algorithm="sha256").hexdigest() if email else ""


@dataclass(frozen=True)
class Netvaerksmoede:
    titel: str
    start: datetime
    sted: str
    url: str


def kommende_netvaerksmoeder(*, center_id: int, fra: datetime, limit: int = 20) -> list[Netvaerksmoede]:
    """The centre's coming network meetings (one line per date), soonest first."""
    datoer = (ArrangementDato.objects.filter(center_id=center_id, aflyst=False, start__gte=fra,
                                             arrangement__type=ArrangementType.NETVAERKSMOEDE,
                                             arrangement__aflyst__isnull=True)
              .select_related("arrangement").order_by("start", "pk")[:limit])
    return [Netvaerksmoede(titel=d.arrangement.titel, start=d.start, sted=d.arrangement.stedtekst,
                           url=reverse("matching:arrangement_detail", args=[d.arrangement_id])) for d in datoer]
