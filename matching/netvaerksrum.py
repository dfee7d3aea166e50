"""The network of centres (issue 14, point 5; ARCHITECTURE.md, "Netværksrummet"): reads and writes.

The space is for the network user and the koordinatorer of centres that share with the network
(`access.netvaerksrum_adgang`). It holds:

- the network's meetings: arrangementer of kind "netværksmøde" with `i_netvaerket`, held by one
  member centre or by the network itself (`center` empty). A member centre's koordinator registers
  their own staff; each registration belongs to the registrant's centre, and capacity, the waiting
  list and the påmindelser are the arrangement machinery's (`matching.services`);
- a shared library of methods and tools (`Netvaerksmateriale`), each changed only by the side that
  shared it (`access.netvaerk_side`);
- the notes of each meeting (`Netvaerksreferat`), written by the side that holds it.

Nothing here points at a borger, and the forms and services refuse CPR numbers.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from brobygning import access
from brobygning.audit import log_action
from brobygning.cpr import tjek_felter
from brobygning.models import AuditAction, Medlemskab, Rolle, User

from . import registrering, services
from .models import (
    Arrangement,
    ArrangementDato,
    ArrangementType,
    Netvaerksmateriale,
    Netvaerksreferat,
    Tilmelding,
    TilmeldingKilde,
    TilmeldingStatus,
)

MOEDER_SIDE = 20
MATERIALER_SIDE = 20
TILMELDINGER_SIDE = 50
OVERBLIK_MAX = 5  # meetings and materials on the space's front page
MEDARBEJDERE = [Rolle.KOORDINATOR, Rolle.BROBYGGER]  # whom a member centre registers: its own staff
MOEDE_FELTER = ["titel", "beskrivelse", "maalgruppe", "sted", "online_link", "kapacitet"]
MATERIALE_FELTER = ["titel", "beskrivelse", "link", "tags"]
MATERIALE_MAX_MB = 20
# Extension -> the first bytes a real file of that kind starts with (empty: plain text, no NUL bytes).
MATERIALE_TYPER = {"pdf": (b"%PDF-",), "docx": (b"PK\x03\x04",), "xlsx": (b"PK\x03\x04",),
                   "pptx": (b"PK\x03\x04",), "odt": (b"PK\x03\x04",), "txt": ()}


# --- Reads ---------------------------------------------------------------------------------------


def _i_netvaerket():
    """A row of the network: held by the network itself or by a centre that shares with it."""
    return Q(center__isnull=True) | Q(center__deler_med_netvaerk=True)


def er_min(actor, obj) -> bool:
    """Whether a meeting or material is the actor's side's (their centre's, or the network's)."""
    return obj.center_id == access.netvaerk_side(actor)


def moede_list(*, actor, kommende: bool = True):
    """The network's meetings: coming ones (a date ahead, soonest first) or past and cancelled ones
    (newest first). With the next date and the number registered; the view pages through it."""
    access.check_netvaerksrum(actor)
    now = timezone.now()
    naeste = (ArrangementDato.objects.filter(arrangement=OuterRef("pk"), aflyst=False, start__gte=now)
              .order_by("start").values("start")[:1])
    qs = (Arrangement.objects.filter(_i_netvaerket(), i_netvaerket=True, type=ArrangementType.NETVAERKSMOEDE)
          .select_related("center")
          .annotate(naeste=Subquery(naeste),
                    antal_tilmeldt=Count("tilmeldinger", filter=Q(tilmeldinger__status=TilmeldingStatus.TILMELDT))))
    if kommende:
        return qs.filter(naeste__isnull=False, aflyst__isnull=True).order_by("naeste", "pk")
    return qs.filter(Q(naeste__isnull=True) | Q(aflyst__isnull=False)).order_by("-oprettet", "-pk")


def moede_get(*, actor, pk, action: str = "view") -> Arrangement:
    """One network meeting: 404 outside the network, 403 for a change by another side than the host."""
    access.check_netvaerksrum(actor)
    try:
        moede = (Arrangement.objects.select_related("center")
                 .get(_i_netvaerket(), pk=pk, i_netvaerket=True, type=ArrangementType.NETVAERKSMOEDE))
    except (Arrangement.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action == "change" and not er_min(actor, moede):
        raise PermissionDenied
    return moede


def kan_tilmelde(actor) -> bool:
    """A member centre's koordinator registers their own staff; the network user has no staff."""
    return not access.is_netvaerk(actor) and actor.center_id is not None


def tilmeldinger(*, actor, moede: Arrangement, status: str):
    """The registrations the actor may see: the holding side sees everyone (name and centre, to plan
    the meeting); a member centre sees its own staff. Oldest first; the view pages through it."""
    qs = (moede.tilmeldinger.filter(status=status, user__isnull=False)
          .select_related("user", "center").order_by("tilmeldt", "pk"))
    return qs if er_min(actor, moede) else qs.filter(center_id=actor.center_id)


def ledige_pladser(moede: Arrangement) -> int | None:
    if moede.kapacitet is None:
        return None
    return max(moede.kapacitet - moede.tilmeldinger.filter(status=TilmeldingStatus.TILMELDT).count(), 0)


def medarbejdere(*, actor):
    """The actor's centre's active staff not already registered (or waiting) for the meeting."""
    return (User.objects.filter(medlemskaber__center_id=actor.center_id, medlemskaber__aktiv=True,
                                medlemskaber__rolle__in=MEDARBEJDERE, is_active=True)
            .distinct().order_by("first_name", "email"))


def tilmelding_get(*, actor, pk) -> Tilmelding:
    """A registration for a network meeting that the actor may cancel: their own centre's, or any on
    a meeting their side holds."""
    access.check_netvaerksrum(actor)
    try:
        tilmelding = (Tilmelding.objects.select_related("arrangement", "user")
                      .get(pk=pk, arrangement__i_netvaerket=True))
    except (Tilmelding.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    moede = moede_get(actor=actor, pk=tilmelding.arrangement_id)
    if not (er_min(actor, moede) or (tilmelding.center_id == actor.center_id and kan_tilmelde(actor))):
        raise Http404
    tilmelding.arrangement = moede
    return tilmelding


def referat_get(*, moede: Arrangement) -> Netvaerksreferat | None:
    return Netvaerksreferat.objects.filter(arrangement=moede).select_related("skrevet_af").first()


def _tag(tekst: str) -> str:
    return " ".join((tekst or "").lower().replace(",", " ").split())[:40]


def materiale_list(*, actor, tag: str = ""):
    """The shared library, newest first, optionally by one tag; the view pages through it."""
    access.check_netvaerksrum(actor)
    qs = Netvaerksmateriale.objects.filter(_i_netvaerket()).select_related("center").order_by("-oprettet", "-pk")
    tag = _tag(tag)
    return qs.filter(tags__contains=f",{tag},") if tag else qs


def materiale_get(*, actor, pk, action: str = "view") -> Netvaerksmateriale:
    access.check_netvaerksrum(actor)
    try:
        materiale = Netvaerksmateriale.objects.select_related("center").get(_i_netvaerket(), pk=pk)
    except (Netvaerksmateriale.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    if action == "change" and not er_min(actor, materiale):
        raise PermissionDenied
    return materiale


# --- Writes: meetings ----------------------------------------------------------------------------


def netvaerksmoede_opret(*, actor, data: dict, datoer) -> Arrangement:
    """A new network meeting held by the actor's side, with its dates ((start, minutes) pairs)."""
    access.check_netvaerksrum(actor)
    tjek_felter(data, ["titel", "beskrivelse", "maalgruppe", "sted"])
    datoer = [d for d in datoer if d[0] is not None]
    if not datoer:
        raise ValidationError({"start": _("Et netværksmøde skal have mindst én dato.")})
    if any(start <= timezone.now() for start, _m in datoer):
        raise ValidationError({"start": _("Vælg et tidspunkt i fremtiden.")})
    with transaction.atomic():
        moede = Arrangement(center_id=access.netvaerk_side(actor), i_netvaerket=True,
                            type=ArrangementType.NETVAERKSMOEDE, offentlig=False,
                            oprettet_af=actor.user if actor.user.is_authenticated else None,
                            **{k: data.get(k) for k in MOEDE_FELTER if k in data})
        moede.beskrivelse = moede.beskrivelse or ""
        moede.maalgruppe = moede.maalgruppe or ""
        moede.full_clean(exclude=["center", "oprettet_af"])
        moede.save()
        for start, minutter in datoer:
            registrering.ny_dato(moede, start, minutter)
        log_action(actor=actor, handling=AuditAction.ARRANGEMENT_OPRETTET, obj=moede,
                   felter=[*MOEDE_FELTER, "i_netvaerket"])
    return moede


def netvaerksmoede_ret(*, actor, moede: Arrangement, data: dict) -> Arrangement:
    """The holding side changes the meeting; more places move the waiting list up."""
    access.check_netvaerksrum(actor)
    if not er_min(actor, moede):
        raise PermissionDenied
    tjek_felter(data, ["titel", "beskrivelse", "maalgruppe", "sted"])
    with transaction.atomic():
        locked = registrering.laas(moede)
        changed = [k for k in MOEDE_FELTER if k in data and getattr(locked, k) != data[k]]
        for k in changed:
            setattr(locked, k, data[k] if data[k] is not None or k == "kapacitet" else "")
        locked.full_clean(exclude=["center", "oprettet_af"])
        locked.save()
        log_action(actor=actor, handling=AuditAction.ARRANGEMENT_AENDRET, obj=locked, felter=changed)
        if "kapacitet" in changed:
            registrering.ryk_op(actor, locked)
    return locked


def netvaerksmoede_aflys(*, actor, moede: Arrangement) -> Arrangement:
    """The holding side cancels the meeting: every coming date, with word to whoever was told."""
    access.check_netvaerksrum(actor)
    if not er_min(actor, moede):
        raise PermissionDenied
    with transaction.atomic():
        return registrering.aflys(actor=actor, locked=registrering.laas(moede),
                                  allerede_aflyst=_("Mødet er allerede aflyst."))


def netvaerkstilmelding_opret(*, actor, moede: Arrangement, user) -> Tilmelding:
    """A member centre's koordinator registers one of their own staff for a network meeting. Within
    capacity: registered; beyond it: the waiting list. The registration belongs to the actor's centre
    and gets the same påmindelser as any arrangement's."""
    access.check_netvaerksrum(actor)
    if not kan_tilmelde(actor):
        raise PermissionDenied
    if user is None or not Medlemskab.objects.filter(user=user, center_id=actor.center_id, aktiv=True,
                                                     rolle__in=MEDARBEJDERE).exists():
        raise ValidationError({"user": _("Vælg en af centrets egne medarbejdere.")})
    with transaction.atomic():
        return registrering.registrer(
            actor=actor, arrangement=moede, user=user,
            lukket=_("Mødet er aflyst eller overstået; der kan ikke tilmeldes flere."),
            center_id=actor.center_id, kilde=TilmeldingKilde.PERSONALE, oprettet_af=actor.user)


def netvaerkstilmelding_afmeld(*, actor, tilmelding: Tilmelding) -> Tilmelding:
    """Cancel a registration (the registrant's koordinator, or the holding side); the first on the
    waiting list moves up (`services.tilmelding_afmeld`, under the meeting's row lock)."""
    tilmelding = tilmelding_get(actor=actor, pk=tilmelding.pk)  # decides access
    return services.tilmelding_afmeld(actor=actor, tilmelding=tilmelding, via_link=True)


def netvaerksreferat_gem(*, actor, moede: Arrangement, tekst: str) -> Netvaerksreferat:
    """The holding side writes (or rewrites) the meeting's notes."""
    access.check_netvaerksrum(actor)
    if not er_min(actor, moede):
        raise PermissionDenied
    tjek_felter({"tekst": tekst}, ["tekst"])
    with transaction.atomic():
        referat, _ny = Netvaerksreferat.objects.select_for_update().get_or_create(arrangement=moede)
        referat.tekst = (tekst or "").strip()
        referat.skrevet_af = actor.user
        referat.full_clean(exclude=["arrangement", "skrevet_af"])
        referat.save()
        log_action(actor=actor, handling=AuditAction.NETVAERKSREFERAT_GEMT, obj=referat, felter=["tekst"])
    return referat


# --- Writes: the library -------------------------------------------------------------------------


def tjek_materialefil(fil) -> None:
    """An uploaded file: PDF, Word, Excel, PowerPoint, OpenDocument or plain text, of a sane size,
    whose first bytes match its type (an .exe renamed .pdf is refused)."""
    ext = fil.name.rsplit(".", 1)[-1].lower() if "." in fil.name else ""
    if ext not in MATERIALE_TYPER:
        raise ValidationError({"fil": _("Filen skal være PDF, Word (.docx), Excel (.xlsx), PowerPoint (.pptx), "
                                        "OpenDocument (.odt) eller tekst (.txt).")})
    if fil.size > MATERIALE_MAX_MB * 1024 * 1024:
        raise ValidationError({"fil": _("Filen er for stor. Den må højst fylde %(max)s MB.") % {"max": MATERIALE_MAX_MB}})
    fil.seek(0)
    head = fil.read(2048)
    fil.seek(0)
    if not head:
        raise ValidationError({"fil": _("Filen er tom.")})
    magic = MATERIALE_TYPER[ext]
    if (magic and not head.startswith(magic)) or (ext == "txt" and b"\x00" in head):
        raise ValidationError({"fil": _("Filens indhold passer ikke til dens type.")})


def _tags(tekst: str) -> str:
    """Tags as stored: lower case, unique, in the order given, wrapped in commas (",a,b,") so one
    tag is found with `contains`."""
    out = []
    for tag in (tekst or "").split(","):
        tag = _tag(tag)
        if tag and tag not in out:
            out.append(tag)
    return f",{','.join(out)}," if out else ""


def _materiale_data(data: dict) -> dict:
    tjek_felter(data, ["titel", "beskrivelse", "tags"])
    data = {k: data[k] for k in [*MATERIALE_FELTER, "fil"] if k in data}
    if "tags" in data:
        data["tags"] = _tags(data["tags"])
    fil = data.pop("fil", None)
    if isinstance(fil, UploadedFile):
        tjek_materialefil(fil)
        data["fil"] = fil
    elif fil is False:  # "clear" ticked
        data["fil"] = ""
    return data


def _gem_materiale(materiale: Netvaerksmateriale, data: dict) -> list[str]:
    changed = [k for k, v in data.items() if k == "fil" or getattr(materiale, k) != (v or "")]
    for k, v in data.items():
        setattr(materiale, k, v if k == "fil" else (v or ""))
    if "fil" in data:
        materiale.filtype = materiale.fil.name.rsplit(".", 1)[-1].lower() if materiale.fil else ""
    materiale.full_clean(exclude=["center", "oprettet_af"])
    materiale.save()
    return changed


def netvaerksmateriale_opret(*, actor, data: dict) -> Netvaerksmateriale:
    """Share a method or tool in the name of the actor's side (their centre, or the network)."""
    access.check_netvaerksrum(actor)
    data = _materiale_data(data)
    with transaction.atomic():
        materiale = Netvaerksmateriale(center_id=access.netvaerk_side(actor), oprettet_af=actor.user)
        felter = _gem_materiale(materiale, data)
        log_action(actor=actor, handling=AuditAction.NETVAERKSMATERIALE_OPRETTET, obj=materiale, felter=felter)
    return materiale


def netvaerksmateriale_ret(*, actor, materiale: Netvaerksmateriale, data: dict) -> Netvaerksmateriale:
    access.check_netvaerksrum(actor)
    if not er_min(actor, materiale):
        raise PermissionDenied
    data = _materiale_data(data)
    with transaction.atomic():
        locked = Netvaerksmateriale.objects.select_for_update().get(pk=materiale.pk)
        gammel_fil = locked.fil.name if locked.fil else ""
        felter = _gem_materiale(locked, data)
        log_action(actor=actor, handling=AuditAction.NETVAERKSMATERIALE_AENDRET, obj=locked, felter=felter)
        if gammel_fil and gammel_fil != (locked.fil.name if locked.fil else ""):
            storage = locked.fil.storage
            transaction.on_commit(lambda: storage.delete(gammel_fil))
    return locked


def netvaerksmateriale_slet(*, actor, materiale: Netvaerksmateriale) -> None:
    access.check_netvaerksrum(actor)
    if not er_min(actor, materiale):
        raise PermissionDenied
    with transaction.atomic():
        locked = Netvaerksmateriale.objects.select_for_update().get(pk=materiale.pk)
        log_action(actor=actor, handling=AuditAction.NETVAERKSMATERIALE_SLETTET, obj=locked, felter=[])
        fil, storage = (locked.fil.name, locked.fil.storage) if locked.fil else ("", None)
        locked.delete()
        if fil:
            transaction.on_commit(lambda: storage.delete(fil))


def tags_i_brug(*, actor, limit: int = 30) -> list[str]:
    """The tags on the newest materials (at most 200 read), for the library's filter links."""
    access.check_netvaerksrum(actor)
    seen: list[str] = []
    for tags in (Netvaerksmateriale.objects.filter(_i_netvaerket()).exclude(tags="")
                 .order_by("-oprettet").values_list("tags", flat=True)[:200]):
        for tag in tags.strip(",").split(","):
            if tag and tag not in seen:
                seen.append(tag)
    return sorted(seen)[:limit]

