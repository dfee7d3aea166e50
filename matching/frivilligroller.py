"""Frivillige til foreninger (issue 14): volunteer roles, volunteer candidates, and explained
matching of people to a role (ARCHITECTURE.md, "Frivillige til foreninger").

Reads (`frivilligrolle_*`, `rollekandidat_*` selectors) and writes (services, with audit) for the
feature live here, like `matching/svar.py` for the answers after a meeting. The ranking reuses the
matching engine: a role becomes an `engine.Kandidat`, each person an `engine.BorgerProfil`, and
`engine.vurder` scores one against the other with the same parts, weights and Danish reasons as a
borger's suggestions. Barriers and accessibility needs are left out of the profile: they are about
taking part, and they must never reach a forening.

Who is considered: borgere in the centre who want to volunteer (`oensket_rolle` frivillig or begge,
not archived or ended) and active `RolleKandidat`s, at most `MAX_PERSONER` of each (the most
recently active), so the page stays flat whatever the centre's size. A foreningskontakt sees only
people who consented to it (a borger's `deling_med_vaert`, a candidate's `deling_med_foreninger`),
and of them the first name and the score only; koordinatorer see everyone, with reasons.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from borgere.models import Borger, BorgerStatus, Formaal, OensketRolle, Samtykke
from brobygning import access, adgangslog
from brobygning.audit import log_action
from brobygning.changes import apply_changes
from brobygning.models import AuditAction

from . import engine
from .candidates import haversine_km
from .models import Frivilligrolle, RolleKandidat

MAX_PERSONER = 300
TOP = 20


# --- Reads ---------------------------------------------------------------------------------------


def frivilligrolle_list(*, actor):
    qs = Frivilligrolle.objects.select_related("forening", "postnummer").order_by("-aaben", "-oprettet")
    return access.scope(actor, "frivilligrolle", qs)


def frivilligrolle_get(*, actor, pk, action="view"):
    qs = Frivilligrolle.objects.select_related("forening", "postnummer").prefetch_related("interesser")
    return access.get_or_deny(actor, "frivilligrolle", action, qs, pk)


def rollekandidat_list(*, actor):
    return access.scope(actor, "rollekandidat", RolleKandidat.objects.select_related("postnummer"))


def rollekandidat_get(*, actor, pk, action="change"):
    return access.get_or_deny(actor, "rollekandidat", action, RolleKandidat.objects.all(), pk)


# --- Writes --------------------------------------------------------------------------------------


def _check_forening(actor, forening) -> None:
    if forening is None or not access.can(actor, "forening", "change", forening):
        raise ValidationError({"forening": _("Du kan kun oprette frivilligroller for din egen forening.")})


def frivilligrolle_create(*, actor, data: dict) -> Frivilligrolle:
    access.check(actor, "frivilligrolle", "create")
    _check_forening(actor, data.get("forening"))
    with transaction.atomic():
        rolle = Frivilligrolle(center_id=actor.center_id, oprettet_af=actor.user if actor.user.is_authenticated else None)
        felter = apply_changes(rolle, data)
        log_action(actor=actor, handling=AuditAction.FRIVILLIGROLLE_OPRETTET, obj=rolle, felter=felter)
    return rolle


def frivilligrolle_update(*, actor, rolle: Frivilligrolle, data: dict) -> Frivilligrolle:
    with transaction.atomic():
        rolle = Frivilligrolle.objects.select_for_update().get(pk=rolle.pk)
        access.check(actor, "frivilligrolle", "change", rolle)
        if "forening" in data:
            _check_forening(actor, data["forening"])
        felter = apply_changes(rolle, data)
        log_action(actor=actor, handling=AuditAction.FRIVILLIGROLLE_AENDRET, obj=rolle, felter=felter)
    return rolle


def rollekandidat_create(*, actor, data: dict) -> RolleKandidat:
    """Registration needs the person's consent (`samtykke`, ticked in the form)."""
    access.check(actor, "rollekandidat", "create")
    data = dict(data)
    if not data.pop("samtykke", False):
        raise ValidationError({"samtykke": _("Personen skal give samtykke, før vi registrerer dem.")})
    with transaction.atomic():
        kandidat = RolleKandidat(center_id=actor.center_id, samtykke_givet=timezone.now(), registreret_af=actor.user)
        felter = apply_changes(kandidat, data)
        log_action(actor=actor, handling=AuditAction.ROLLEKANDIDAT_OPRETTET, obj=kandidat, felter=felter)
    return kandidat


def rollekandidat_update(*, actor, kandidat: RolleKandidat, data: dict) -> RolleKandidat:
    data = {k: v for k, v in data.items() if k != "samtykke"}
    with transaction.atomic():
        kandidat = RolleKandidat.objects.select_for_update().get(pk=kandidat.pk)
        access.check(actor, "rollekandidat", "change", kandidat)
        felter = apply_changes(kandidat, data)
        log_action(actor=actor, handling=AuditAction.ROLLEKANDIDAT_AENDRET, obj=kandidat, felter=felter)
    return kandidat


# --- Matching people to a role ---------------------------------------------------------------------


@dataclass
class RolleForslag:
    art: str  # "borger" or "kandidat"
    pk: int
    navn: str  # the full name for a koordinator; the first name for a foreningskontakt
    score: int
    reasons: list[str]
    caveat: str | None
    url: str | None  # where a koordinator opens the person; None for a foreningskontakt


def rolle_som_kandidat(rolle: Frivilligrolle) -> engine.Kandidat:
    """The role as stage 2 sees a fællesskab (its distance is set per person)."""
    interesser = list(rolle.interesser.all())
    return engine.Kandidat(
        id=rolle.pk, distance_km=0.0, for_deltagere=False, for_frivillige=True,
        interesser=frozenset(t.slug for t in interesser), slots=frozenset(rolle.tider or ()),
        inklusionsparat=rolle.forening.inklusionsparat, sidst_bekraeftet=timezone.localdate(rolle.opdateret),
        kapacitet=rolle.antal, titel=rolle.titel, forening_navn=rolle.forening.navn,
        tag_navne={t.slug: t.navn for t in interesser})


def profil(person) -> engine.BorgerProfil:
    """A borger or a RolleKandidat as a volunteer (interests prefetched)."""
    interesser = list(person.interesser.all())
    return engine.BorgerProfil(
        alder=person.alder, rolle="frivillig", max_afstand_km=float(person.max_afstand_km or 10),
        interesser=frozenset(t.slug for t in interesser), tilgaengelighed=frozenset(person.tilgaengelighed or ()),
        tag_navne={t.slug: t.navn for t in interesser})


def _frivillige_borgere(center_id):
    return (Borger.objects.active().filter(center_id=center_id, anonymiseret__isnull=True,
                                           oensket_rolle__in=[OensketRolle.FRIVILLIG, OensketRolle.BEGGE])
            .exclude(status=BorgerStatus.AFSLUTTET).select_related("postnummer").prefetch_related("interesser")
            .order_by("-sidste_aktivitet")[:MAX_PERSONER])


def _kandidater(center_id):
    return (RolleKandidat.objects.filter(center_id=center_id, aktiv=True).select_related("postnummer")
            .prefetch_related("interesser").order_by("-oprettet")[:MAX_PERSONER])


def rolle_forslag(*, actor, rolle: Frivilligrolle, top: int = TOP, today=None) -> list[RolleForslag]:
    """The people best suited to the role, best first, explained. The caller loaded `rolle` through
    `frivilligrolle_get`, so the actor may see it."""
    koordinator = actor.is_koordinator
    borgere = list(_frivillige_borgere(rolle.center_id))
    kandidater = list(_kandidater(rolle.center_id))
    consented = set(Samtykke.objects.filter(borger_id__in=[b.pk for b in borgere], formaal=Formaal.DELING_MED_VAERT,
                                            tilbagekaldt__isnull=True).values_list("borger_id", flat=True))
    if not koordinator:
        borgere = [b for b in borgere if b.pk in consented]
        kandidater = [k for k in kandidater if k.deling_med_foreninger]
    if borgere:
        adgangslog.log_search(actor=actor, criteria={"liste": "frivilligrolle_forslag"})
    base = rolle_som_kandidat(rolle)
    pn = rolle.postnummer
    today = today or timezone.localdate()
    scored = []
    for art, person in [("borger", b) for b in borgere] + [("kandidat", k) for k in kandidater]:
        other = person.postnummer
        km = (haversine_km(pn.lat, pn.lng, other.lat, other.lng)
              if None not in (pn.lat, pn.lng, other.lat, other.lng) else 0.0)
        forslag = engine.vurder(profil(person), dataclasses.replace(base, distance_km=km), today=today)
        if forslag is not None:
            scored.append((forslag, art, person))
    scored.sort(key=lambda row: (-row[0].score, row[0].kandidat.distance_km, row[1], row[2].pk))
    out = []
    for forslag, art, person in scored[:top]:
        if koordinator:
            url = (reverse("borgere:borger_detail", args=[person.pk]) if art == "borger"
                   else reverse("matching:rollekandidat_update", args=[person.pk]))
            out.append(RolleForslag(art=art, pk=person.pk, navn=str(person), score=forslag.score,
                                    reasons=forslag.reasons, caveat=forslag.caveat, url=url))
        else:
            out.append(RolleForslag(art=art, pk=person.pk, navn=person.fornavn, score=forslag.score,
                                    reasons=[], caveat=None, url=None))
    return out
