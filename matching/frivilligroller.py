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
from django.db.models import Case, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from borgere.gdpr import ANONYM, aktivitet_registreret, export_fields
from borgere.indsigt import Sektion, post
from borgere.models import Borger, BorgerStatus, Formaal, OensketRolle, Samtykke
from brobygning import access, adgangslog
from brobygning.audit import log_action
from brobygning.availability import slot_labels
from brobygning.changes import apply_changes
from brobygning.models import AuditAction

from . import engine
from .candidates import haversine_km
from .models import Frivilligrolle, RolleAfslutningsaarsag, RolleKandidat, RolleMatch, RolleMatchStatus
from .selectors import Liste, bounded

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
    gemt: bool = False  # already saved as an open match to the role


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


def _frivillige_borgere_qs(center_id):
    return (Borger.objects.active().filter(center_id=center_id, anonymiseret__isnull=True,
                                           oensket_rolle__in=[OensketRolle.FRIVILLIG, OensketRolle.BEGGE])
            .exclude(status=BorgerStatus.AFSLUTTET))


def _frivillige_borgere(center_id):
    return (_frivillige_borgere_qs(center_id).select_related("postnummer").prefetch_related("interesser")
            .order_by("-sidste_aktivitet")[:MAX_PERSONER])


def _kandidater(center_id):
    return (RolleKandidat.objects.filter(center_id=center_id, aktiv=True, anonymiseret__isnull=True)
            .select_related("postnummer")
            .prefetch_related("interesser").order_by("-oprettet")[:MAX_PERSONER])


def _vurder(rolle: Frivilligrolle, base: engine.Kandidat, person, today):
    """The engine's verdict on one person for the role (None when a hard filter drops them)."""
    pn, other = rolle.postnummer, person.postnummer
    km = (haversine_km(pn.lat, pn.lng, other.lat, other.lng)
          if None not in (pn.lat, pn.lng, other.lat, other.lng) else 0.0)
    return engine.vurder(profil(person), dataclasses.replace(base, distance_km=km), today=today)


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
    today = today or timezone.localdate()
    scored = []
    for art, person in [("borger", b) for b in borgere] + [("kandidat", k) for k in kandidater]:
        forslag = _vurder(rolle, base, person, today)
        if forslag is not None:
            scored.append((forslag, art, person))
    scored.sort(key=lambda row: (-row[0].score, row[0].kandidat.distance_km, row[1], row[2].pk))
    gemt = _gemte(rolle) if koordinator else set()
    out = []
    for forslag, art, person in scored[:top]:
        if koordinator:
            url = (reverse("borgere:borger_detail", args=[person.pk]) if art == "borger"
                   else reverse("matching:rollekandidat_update", args=[person.pk]))
            out.append(RolleForslag(art=art, pk=person.pk, navn=str(person), score=forslag.score,
                                    reasons=forslag.reasons, caveat=forslag.caveat, url=url,
                                    gemt=(art, person.pk) in gemt))
        else:
            out.append(RolleForslag(art=art, pk=person.pk, navn=person.fornavn, score=forslag.score,
                                    reasons=[], caveat=None, url=None))
    return out


# --- Matches to a role (issue 14: "the forening sees the candidate only with consent") ----------------
# A koordinator saves a suggested person as a `RolleMatch`; its status moves one step at a time,
# foreslået → kontaktet → aftalt, and it can be ended from any open status with a reason. The
# forening sees the matches the centre has contacted or agreed, each with the first name only when
# the person consented (a borger's `deling_med_vaert`, read through `access.visible_fields` as for a
# newcomer on "Nye på vej"; a candidate's `deling_med_foreninger`), else only that someone is on the way.

STATUS_HANDLING = {RolleMatchStatus.KONTAKTET: AuditAction.ROLLEMATCH_KONTAKTET,
                   RolleMatchStatus.AFTALT: AuditAction.ROLLEMATCH_AFTALT,
                   RolleMatchStatus.AFSLUTTET: AuditAction.ROLLEMATCH_AFSLUTTET}
PAA_VEJ = (RolleMatchStatus.KONTAKTET, RolleMatchStatus.AFTALT)
MAX_MATCHES = 50


def _gemte(rolle) -> set[tuple[str, int]]:
    rows = RolleMatch.objects.filter(rolle=rolle).exclude(status=RolleMatchStatus.AFSLUTTET) \
        .values_list("borger_id", "kandidat_id")
    return {("borger", b) if b else ("kandidat", k) for b, k in rows}


def rollematch_list(*, actor, rolle) -> Liste:
    """The role's matches for a koordinator: open ones first, then the most recently ended; bounded."""
    if not actor.is_koordinator:
        return Liste([], 0)
    qs = access.scope(actor, "rollematch", RolleMatch.objects.filter(rolle=rolle)).select_related(
        "borger", "kandidat")
    aaben = Case(When(status=RolleMatchStatus.AFSLUTTET, then=Value(1)), default=Value(0))
    liste = bounded(qs.order_by(aaben, "-status_siden", "-pk"), MAX_MATCHES)
    if any(m.borger_id for m in liste.rows):
        adgangslog.log_search(actor=actor, criteria={"liste": "rollematch", "frivilligrolle": rolle.pk})
    return liste


def rollematch_get(*, actor, pk):
    return access.get_or_deny(actor, "rollematch", "change",
                              RolleMatch.objects.select_related("rolle", "borger", "kandidat"), pk)


@dataclass(frozen=True)
class RollePaaVej:
    """A match to the forening's role as the forening may see it: no model object reaches the template."""

    fornavn: str  # "" without the person's consent to share their first name with foreninger
    status: str
    siden: object


def rollematch_paa_vej(*, actor, rolle) -> Liste:
    """The people the centre has contacted or agreed with for the role, as its forening sees them."""
    qs = access.scope(actor, "rollematch", RolleMatch.objects.filter(rolle=rolle, status__in=PAA_VEJ)) \
        .select_related("borger", "kandidat").order_by("-status_siden", "-pk")
    liste = bounded(qs, MAX_MATCHES)
    consented = set(Samtykke.objects.filter(
        borger_id__in={m.borger_id for m in liste.rows if m.borger_id}, formaal=Formaal.DELING_MED_VAERT,
        tilbagekaldt__isnull=True).values_list("borger_id", flat=True))
    rows = []
    for m in liste.rows:
        person = m.person
        consent = m.borger_id in consented if m.borger_id else bool(person.deling_med_foreninger)
        consent = consent and not getattr(person, "anonymiseret", None)
        fornavn = access.visible_fields(actor, "borger", person, ["fornavn"], host_consent=consent).get("fornavn", "")
        if fornavn and m.borger_id:
            adgangslog.log_read(actor=actor, borger_id=m.borger_id, center_id=m.center_id,
                                kriterium=f"rollematch={m.pk}")
        rows.append(RollePaaVej(fornavn=fornavn, status=m.get_status_display(), siden=m.status_siden))
    return Liste(rows, liste.antal)


def _person_for_rolle(rolle, art: str, pk):
    if art == "borger":
        qs = _frivillige_borgere_qs(rolle.center_id)
    elif art == "kandidat":
        qs = RolleKandidat.objects.filter(center_id=rolle.center_id, aktiv=True, anonymiseret__isnull=True)
    else:
        qs = None
    try:
        person = qs.prefetch_related("interesser").select_related("postnummer").get(pk=int(pk)) if qs is not None \
            else None
    except (RolleKandidat.DoesNotExist, Borger.DoesNotExist, ValueError, TypeError):
        person = None
    if person is None:
        raise ValidationError(_("Personen kan ikke længere foreslås til rollen."))
    return person


def rollematch_create(*, actor, rolle: Frivilligrolle, art: str, person_pk) -> RolleMatch:
    """Save a suggested person as a match to the role, with the engine's score and reasons now."""
    access.check(actor, "rollematch", "create")
    access.check(actor, "frivilligrolle", "view", rolle)
    with transaction.atomic():
        rolle = Frivilligrolle.objects.select_for_update().select_related("forening", "postnummer") \
            .prefetch_related("interesser").get(pk=rolle.pk)
        if not rolle.aaben:
            raise ValidationError(_("Rollen søger ikke frivillige lige nu."))
        person = _person_for_rolle(rolle, art, person_pk)
        if (art, person.pk) in _gemte(rolle):
            raise ValidationError(_("Personen er allerede gemt som match til rollen."))
        forslag = _vurder(rolle, rolle_som_kandidat(rolle), person, timezone.localdate())
        if forslag is None:
            raise ValidationError(_("Personen passer ikke til rollen lige nu (fx afstand eller tidspunkt)."))
        rollematch = RolleMatch.objects.create(
            center_id=rolle.center_id, rolle=rolle, borger=person if art == "borger" else None,
            kandidat=person if art == "kandidat" else None, score=forslag.score,
            begrundelser=[str(r) for r in forslag.reasons], oprettet_af=actor.user)
        log_action(actor=actor, handling=AuditAction.ROLLEMATCH_OPRETTET, obj=rollematch,
                   felter=["rolle", "borger" if art == "borger" else "kandidat", "score", "begrundelser"])
        if rollematch.borger_id:
            aktivitet_registreret(rollematch.borger_id)
    return rollematch


def rollematch_status(*, actor, rollematch: RolleMatch, status: str, aarsag: str = "",
                      note: str = "") -> RolleMatch:
    """One step on (kontaktet, aftalt), or ended from any open status with a reason."""
    with transaction.atomic():
        rollematch = RolleMatch.objects.select_for_update().get(pk=rollematch.pk)
        access.check(actor, "rollematch", "change", rollematch)
        if rollematch.er_afsluttet:
            raise ValidationError(_("Matchet er allerede afsluttet."))
        felter = ["status", "status_siden"]
        if status == RolleMatchStatus.AFSLUTTET:
            if aarsag not in RolleAfslutningsaarsag.values:
                raise ValidationError({"aarsag": _("Vælg en årsag til, at matchet afsluttes.")})
            note = (note or "").strip()
            if len(note) > 500:
                raise ValidationError({"note": _("Noten må højst være 500 tegn.")})
            rollematch.afslutningsaarsag, rollematch.afslutningsnote = aarsag, note
            felter += ["afslutningsaarsag"] + (["afslutningsnote"] if note else [])
        elif status != rollematch.naeste_status:
            raise ValidationError(_("Matchet kan kun gå ét trin frem ad gangen."))
        rollematch.status, rollematch.status_siden = status, timezone.now()
        rollematch.save(update_fields=[*felter])
        log_action(actor=actor, handling=STATUS_HANDLING[RolleMatchStatus(status)], obj=rollematch, felter=felter)
        if rollematch.borger_id:
            aktivitet_registreret(rollematch.borger_id)
    return rollematch


# --- GDPR: the candidate's art. 15 and art. 17, and a borger's role matches ----------------------------


def rollematch_export(qs) -> list[dict]:
    """Role matches for an art. 15 letter: the role, its forening, the status and the dates."""
    return [{**export_fields(m, exclude={"borger", "kandidat", "begrundelser", "rolle"}),
             "rolle": m.rolle.titel, "forening": m.rolle.forening.navn}
            for m in qs.select_related("rolle__forening").order_by("oprettet", "pk")]


def rollematch_anonymise(qs) -> None:
    """Art. 17 for the person behind these matches: open ones end, free text and reasons go."""
    qs.exclude(status=RolleMatchStatus.AFSLUTTET).update(
        status=RolleMatchStatus.AFSLUTTET, status_siden=timezone.now(),
        afslutningsaarsag=RolleAfslutningsaarsag.ANDET)
    qs.update(afslutningsnote="", begrundelser=[])


def rollekandidat_indsigt(*, actor, kandidat: RolleKandidat) -> dict:
    """Everything the centre holds about a volunteer candidate, for them (art. 15). Logged as an export."""
    access.check(actor, "rollekandidat", "export", kandidat)
    data = {
        "kandidat": {
            **export_fields(kandidat, exclude={"tilgaengelighed"}),
            str(RolleKandidat._meta.get_field("interesser").verbose_name): [t.navn for t in kandidat.interesser.all()],
            str(RolleKandidat._meta.get_field("tilgaengelighed").verbose_name): slot_labels(kandidat.tilgaengelighed),
        },
        "frivilligroller": rollematch_export(RolleMatch.objects.filter(kandidat=kandidat)),
    }
    adgangslog.log(actor=actor, handling=adgangslog.H.EKSPORT, center_id=kandidat.center_id,
                  kriterium=f"rollekandidat={kandidat.pk}", formaal="indsigt (art. 15)")
    return data


def rollekandidat_sektioner(data: dict) -> list[Sektion]:
    return [Sektion("kandidat", str(_("Oplysninger")), [post(data["kandidat"])]),
            Sektion("frivilligroller", str(_("Frivilligroller")), [post(x) for x in data["frivilligroller"]])]


def rollekandidat_anonymiser(*, actor, kandidat: RolleKandidat) -> RolleKandidat:
    """Art. 17: remove what identifies the candidate; keep the row and its role matches for the counts."""
    access.check(actor, "rollekandidat", "erase", kandidat)
    with transaction.atomic():
        kandidat = RolleKandidat.objects.select_for_update().get(pk=kandidat.pk)
        if kandidat.anonymiseret:
            raise ValidationError(_("Frivilligkandidaten er allerede anonymiseret."))
        kandidat.fornavn, kandidat.efternavn, kandidat.email, kandidat.telefon = ANONYM, "", "", ""
        kandidat.foedselsaar = kandidat.foedselsaar - kandidat.foedselsaar % 10 if kandidat.foedselsaar else None
        kandidat.tilgaengelighed, kandidat.deling_med_foreninger, kandidat.aktiv = [], False, False
        kandidat.anonymiseret = timezone.now()
        kandidat.save()
        kandidat.interesser.clear()
        rollematch_anonymise(RolleMatch.objects.filter(kandidat=kandidat))
        log_action(actor=actor, handling=AuditAction.ROLLEKANDIDAT_ANONYMISERET, obj=kandidat)
        adgangslog.log(actor=actor, handling=adgangslog.H.SLETTET, center_id=kandidat.center_id,
                      kriterium=f"rollekandidat={kandidat.pk}", formaal="sletning (art. 17)")
    return kandidat
