"""Which reminders exist for a ledsagelse or an opfølgning, and what each one says.

The services call `sync_ledsagelse` / `sync_opfoelgning` inside their transaction whenever a
meeting or follow-up is planned, changed, cancelled or done. They keep one `Paamindelse` row per
(subject, kind) in step with it (per revision for the flyttet/aflyst messages, below). brobygning.paamindelser sends due rows and calls `resolve`
at send time, which loads the subject again, checks consent again and renders the message, so a
changed address, time or consent always applies.

Kinds (`ARTER`):

================== =========== =============================== ========================= ===========
art                recipient   channel                         due                       consent
================== =========== =============================== ========================= ===========
brobygger_24t      brobygger   e-mail + .ics                   24 h before the meeting   –
brobygger_2t       brobygger   e-mail + .ics                   2 h before                –
borger_24t         borger      SMS or e-mail (+ .ics) by       24 h before               paamindelser
                               preference ("telefon" = SMS)
vaert_48t          host        e-mail + .ics                   48 h before               deling_med_vaert
vaert_nyankomst    host        e-mail + .ics                   at once, when planned     deling_med_vaert
opfoelgning        brobygger   e-mail                          09:00 local on the due    –
                                                               date of the opfølgning
borger_straks      borger      as borger_24t                   at once, when planned at  paamindelser
                                                               short notice (the 24 h
                                                               reminder cannot go out)
borger_2t          borger      as borger_24t                   2 h before, at short      paamindelser
                                                               notice only
flyttet_brobygger  brobygger   e-mail + .ics (REQUEST)         at once, when the meeting –
                                                               gets a new time or place
flyttet_borger     borger      SMS or e-mail (+ .ics REQUEST)  at once, as above         paamindelser
flyttet_vaert      host        e-mail + .ics (REQUEST)         at once, as above         deling_med_vaert
aflyst_brobygger   brobygger   e-mail + .ics (CANCEL)          at once, when cancelled   –
aflyst_borger      borger      SMS or e-mail (+ .ics CANCEL)   at once, when cancelled   paamindelser
aflyst_vaert       host        e-mail + .ics (CANCEL)          at once, when cancelled,  – (no name,
                                                               or when deling_med_vaert  no reason)
                                                               is withdrawn
vaert_efter        host        e-mail with JA/NEJ links, or    when the meeting ends     deling_med_vaert
                               SMS "Svar JA eller NEJ" when
                               the host has a phone, no e-mail
borger_efter       borger      by preference: e-mail with      when the meeting ends     paamindelser
                               links, or SMS with JA/NEJ
================== =========== =============================== ========================= ===========

The flyttet_* and aflyst_* messages (`announce_move`, `announce_cancel`) go only to a person
already told about the meeting: one of their rows about it has gone out, and the latest of those
was not an "aflyst". Each carries the meeting's revision (`Ledsagelse.sekvens`, counted up by the
services on each move and cancellation) in `Paamindelse.sekvens`, so a meeting moved twice gets two
rows per person; a newer one cancels an older one still pending. Every .ics of a meeting has the
same UID and SEQUENCE = the meeting's revision when sent. The host hears only that the meeting is
cancelled, never why and without the borger's name. Withdrawing "deling_med_vaert" sends the host
an aflyst (a CANCEL of their calendar entry: we can no longer keep it up to date or share who
comes); the meeting stays for the brobygger and the borger.

Rules kept here:

- Messages carry names, time, place and a link with ids only. They never carry health, barrier or
  note fields: templates get a small whitelisted context of plain values, never model objects.
  The host gets only the borger's first name, the time, the place and the welcome note, and only
  with the borger's consent "deling_med_vaert". Without it the host gets nothing from us.
- A reminder whose due time has already passed when it is planned is skipped (no row), except the
  immediate host notice. A pending row that the new plan no longer wants is cancelled (`annulleret`
  with a reason). Sent rows are never touched.
- A moved meeting moves its pending rows; rows that had been cancelled, missed or had failed are
  re-armed when their new due time lies ahead. Cancelled rows are also re-armed for an unchanged
  time when the reason went away (e.g. consent given again), if the due time still lies ahead.
- Recipients get their own language where the site has it (`settings.LANGUAGES`): the borger the
  first entry of `borger.sprog`, staff and hosts the site language (Danish). Adding a language
  means a catalogue and a `LANGUAGES` entry; the templates need no change.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.defaultfilters import date as date_filter
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.formats import get_format
from django.utils.timezone import template_localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from icalendar import Calendar, Event, Timezone, vCalAddress, vText

from borgere.models import Formaal, Kanal, Samtykke
from borgere.services import har_samtykke
from brobygning.channels import Attachment, Message, organizer_address
from brobygning.links import pk_urls
from brobygning.models import Medlemskab, Paamindelse, PaamindelseKanal, PaamindelseStatus
from brobygning.paamindelser import Unsendable

from . import svar
from .models import Ledsagelse, LedsagelseStatus, Opfoelgning, OpfoelgningType, Stage

S = PaamindelseStatus
EMNE_LEDSAGELSE = "ledsagelse"
EMNE_OPFOELGNING = "opfoelgning"
OPFOELGNING_KLOKKEN = time(9, 0)

BROBYGGER, BORGER, VAERT = "brobygger", "borger", "vaert"
MODTAGER_LABELS = {BROBYGGER: gettext_lazy("Brobygger"), BORGER: gettext_lazy("Borger"), VAERT: gettext_lazy("Vært")}


@dataclass(frozen=True)
class Art:
    kode: str
    emne_type: str
    modtager: str
    foer: timedelta | None  # how long before the meeting; None = at once (ledsagelse) / 09:00 (opfølgning)
    kanal: str | None  # a fixed channel, or None for the borger's preferred one
    samtykke: str | None  # the consent it needs, checked when planned and again when sent
    ics: bool
    label: str


ARTER: dict[str, Art] = {
    a.kode: a
    for a in [
        Art("brobygger_24t", EMNE_LEDSAGELSE, BROBYGGER, timedelta(hours=24), PaamindelseKanal.EMAIL, None, True,
            gettext_lazy("24 timer før mødet")),
        Art("brobygger_2t", EMNE_LEDSAGELSE, BROBYGGER, timedelta(hours=2), PaamindelseKanal.EMAIL, None, True,
            gettext_lazy("2 timer før mødet")),
        Art("borger_24t", EMNE_LEDSAGELSE, BORGER, timedelta(hours=24), None, Formaal.PAAMINDELSER, True,
            gettext_lazy("24 timer før mødet")),
        Art("vaert_48t", EMNE_LEDSAGELSE, VAERT, timedelta(hours=48), PaamindelseKanal.EMAIL,
            Formaal.DELING_MED_VAERT, True, gettext_lazy("48 timer før mødet")),
        Art("vaert_nyankomst", EMNE_LEDSAGELSE, VAERT, None, PaamindelseKanal.EMAIL, Formaal.DELING_MED_VAERT, True,
            gettext_lazy("En ny deltager kommer")),
        Art("opfoelgning", EMNE_OPFOELGNING, BROBYGGER, None, PaamindelseKanal.EMAIL, None, False,
            gettext_lazy("Opfølgning")),
    ]
}
LEDSAGELSE_ARTER = [a for a in ARTER.values() if a.emne_type == EMNE_LEDSAGELSE]

# A meeting planned at short notice, when the 24-hour reminder cannot go out (`_sync_kort_varsel`).
KORT_VARSEL_ARTER = [
    Art("borger_straks", EMNE_LEDSAGELSE, BORGER, None, None, Formaal.PAAMINDELSER, True,
        gettext_lazy("Med det samme (kort varsel)")),
    Art("borger_2t", EMNE_LEDSAGELSE, BORGER, timedelta(hours=2), None, Formaal.PAAMINDELSER, True,
        gettext_lazy("2 timer før mødet (kort varsel)")),
]

# Messages about a change to a meeting people were told about (`announce_move`, `announce_cancel`):
# one row per person and revision of the meeting. The host's "aflyst" needs no consent: it carries
# neither the borger's name nor the reason.
FLYTTET, AFLYST = "flyttet", "aflyst"
ALLE_MODTAGERE = (BROBYGGER, BORGER, VAERT)
AENDRING_ARTER = [
    Art("flyttet_brobygger", EMNE_LEDSAGELSE, BROBYGGER, None, PaamindelseKanal.EMAIL, None, True,
        gettext_lazy("Mødet er flyttet")),
    Art("flyttet_borger", EMNE_LEDSAGELSE, BORGER, None, None, Formaal.PAAMINDELSER, True,
        gettext_lazy("Mødet er flyttet")),
    Art("flyttet_vaert", EMNE_LEDSAGELSE, VAERT, None, PaamindelseKanal.EMAIL, Formaal.DELING_MED_VAERT, True,
        gettext_lazy("Mødet er flyttet")),
    Art("aflyst_brobygger", EMNE_LEDSAGELSE, BROBYGGER, None, PaamindelseKanal.EMAIL, None, True,
        gettext_lazy("Mødet er aflyst")),
    Art("aflyst_borger", EMNE_LEDSAGELSE, BORGER, None, None, Formaal.PAAMINDELSER, True,
        gettext_lazy("Mødet er aflyst")),
    Art("aflyst_vaert", EMNE_LEDSAGELSE, VAERT, None, PaamindelseKanal.EMAIL, None, True,
        gettext_lazy("Mødet er aflyst")),
]
AENDRING = {a.kode: a.kode.split("_", 1)[0] for a in AENDRING_ARTER}  # art -> FLYTTET or AFLYST
ARTER.update({a.kode: a for a in [*KORT_VARSEL_ARTER, *AENDRING_ARTER]})

# After the first meeting (issue 12): "Kom {fornavn}?" to the host, "Hvordan gik det?" to the borger.
# Planned by `_plan_efter_moedet`, not by the loop over LEDSAGELSE_ARTER: due when the meeting ends,
# and they outlive a recorded "mødte op". `begivenhed` is the last moment worth asking, so a question
# the dispatcher could not send in time is marked missed instead of arriving days late.
ARTER_EFTER_MOEDET: dict[str, Art] = {
    a.kode: a
    for a in [
        Art("vaert_efter", EMNE_LEDSAGELSE, VAERT, None, None, Formaal.DELING_MED_VAERT, False,
            gettext_lazy("Efter mødet: kom borgeren?")),
        Art("borger_efter", EMNE_LEDSAGELSE, BORGER, None, None, Formaal.PAAMINDELSER, False,
            gettext_lazy("Efter mødet: hvordan gik det?")),
    ]
}
ARTER.update(ARTER_EFTER_MOEDET)
SPOERG_SENEST = timedelta(days=2)  # after the meeting's end


# --- Planning: which rows should exist -----------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What one kind should be for the subject now: a due time, or the reason it should not exist."""

    forfalder: datetime | None = None
    kanal: str = PaamindelseKanal.EMAIL
    begivenhed: datetime | None = None
    grund: str = ""


def borger_kanal(borger) -> str:
    """E-mail when the borger prefers it; SMS otherwise ("telefon" means a text message too)."""
    return PaamindelseKanal.EMAIL if borger.foretrukken_kanal == Kanal.EMAIL else PaamindelseKanal.SMS


def _plan_ledsagelse(ledsagelse: Ledsagelse, art: Art, now: datetime, samtykker: dict[str, bool]) -> Plan:
    borger = ledsagelse.match.borger
    if art.samtykke and not samtykker[art.samtykke]:
        return Plan(grund=_samtykke_grund(art.samtykke))
    kanal = borger_kanal(borger) if art.kanal is None else art.kanal
    if ledsagelse.tidspunkt <= now:
        return Plan(grund="Mødet er allerede begyndt")
    forfalder = now if art.foer is None else ledsagelse.tidspunkt - art.foer
    return Plan(forfalder=forfalder, kanal=kanal, begivenhed=ledsagelse.tidspunkt)


def _samtykke_grund(formaal: str) -> str:
    return {
        Formaal.PAAMINDELSER: "Borgeren har ikke samtykket til påmindelser",
        Formaal.DELING_MED_VAERT: "Borgeren har ikke samtykket til deling med værten",
    }.get(formaal, "Samtykke mangler")


def sync_ledsagelse(ledsagelse: Ledsagelse, *, now: datetime | None = None) -> list[Paamindelse]:
    """Bring the reminders of `ledsagelse` in step with it; call inside the service's transaction.

    Planned: create missing rows, move pending ones, cancel the ones no longer wanted. Cancelled or
    outcome recorded: cancel every pending row. Returns the subject's rows.
    """
    now = now or timezone.now()
    with transaction.atomic():
        rows = _rows(EMNE_LEDSAGELSE, ledsagelse.pk)
        efter = _plan_efter_moedet(ledsagelse, {k: rows.pop(k) for k in list(rows) if k in ARTER_EFTER_MOEDET}, now)
        if ledsagelse.status != LedsagelseStatus.PLANLAGT:
            grund = "Mødet er aflyst" if ledsagelse.status == LedsagelseStatus.AFLYST else "Mødets udfald er registreret"
            for row in rows.values():
                cancel_row(row, grund)
            return list(rows.values()) + efter
        borger = ledsagelse.match.borger
        samtykker = {a.samtykke: har_samtykke(borger, a.samtykke) for a in LEDSAGELSE_ARTER if a.samtykke}
        for art in LEDSAGELSE_ARTER:
            plan = _plan_ledsagelse(ledsagelse, art, now, samtykker)
            rows[art.kode] = apply_plan(rows.get(art.kode), art, plan, ledsagelse, now)
        _sync_kort_varsel(ledsagelse, rows, now, samtykker)
    return [row for row in rows.values() if row is not None] + efter


def vaert_kanal(faellesskab) -> str | None:
    """The host's channel for the question after the meeting: e-mail when the fællesskab has the
    host's address, else SMS when it has the host's phone, else none."""
    if faellesskab.vaert_email:
        return PaamindelseKanal.EMAIL
    return PaamindelseKanal.SMS if faellesskab.vaert_telefon else None


def _efter_moedet_plan(ledsagelse: Ledsagelse, art: Art, samtykker: dict[str, bool]) -> Plan:
    status = ledsagelse.status
    if status == LedsagelseStatus.AFLYST or ledsagelse.match.stage == Stage.AFSLUTTET:
        return Plan(grund="Mødet er aflyst")
    if status == LedsagelseStatus.UDEBLEV:
        return Plan(grund="Borgeren mødte ikke op")
    if not samtykker[art.samtykke]:
        return Plan(grund=_samtykke_grund(art.samtykke))
    if art.modtager == VAERT:
        if ledsagelse.vaert_rapport:
            return Plan(grund="Værten har allerede meldt tilbage")
        kanal = vaert_kanal(ledsagelse.match.faellesskab)
        if kanal is None:
            return Plan(grund="Fællesskabet har ingen e-mail eller telefon til værten")
    else:
        kanal = borger_kanal(ledsagelse.match.borger)
    return Plan(forfalder=ledsagelse.slut, kanal=kanal, begivenhed=ledsagelse.slut + SPOERG_SENEST)


def _plan_efter_moedet(ledsagelse: Ledsagelse, rows: dict[str, Paamindelse], now: datetime) -> list[Paamindelse]:
    """The questions after the meeting: planned while it is planned or attended, cancelled when it is
    cancelled or missed (and the host's once the host has answered another way)."""
    borger = ledsagelse.match.borger
    samtykker = {a.samtykke: har_samtykke(borger, a.samtykke) for a in ARTER_EFTER_MOEDET.values()}
    out = []
    for art in ARTER_EFTER_MOEDET.values():
        row = apply_plan(rows.get(art.kode), art, _efter_moedet_plan(ledsagelse, art, samtykker), ledsagelse, now)
        if row is not None:
            out.append(row)
    return out


def _sync_kort_varsel(ledsagelse: Ledsagelse, rows: dict, now: datetime, samtykker: dict[str, bool]) -> None:
    """The borger's reminders at short notice: when the 24-hour reminder will not go out for the
    meeting's current time, one at once and one 2 hours before. "At once" is left out when the
    borger was already told about the meeting: the "flyttet" message then brings the new time."""
    kort_varsel = not _holds(rows.get("borger_24t"), ledsagelse)
    told = None
    for art in KORT_VARSEL_ARTER:
        plan = _plan_ledsagelse(ledsagelse, art, now, samtykker)
        if plan.forfalder is not None and not kort_varsel:
            plan = Plan(grund="Påmindelsen 24 timer før går ud")
        elif plan.forfalder is not None and art.foer is None:
            if told is None:
                told = _told(_modtagerens(_all_rows(ledsagelse), BORGER))
            if told:
                plan = Plan(grund="Borgeren har fået besked om mødet")
        rows[art.kode] = apply_plan(rows.get(art.kode), art, plan, ledsagelse, now)


def _holds(row: Paamindelse | None, ledsagelse: Ledsagelse) -> bool:
    """Whether a reminder will go out, or went out, for the meeting's current time."""
    if row is None:
        return False
    return row.status in (S.AFVENTER, S.SENDER) or (row.status == S.SENDT and row.begivenhed == ledsagelse.tidspunkt)


def opfoelgning_forfalder(opfoelgning: Opfoelgning) -> datetime:
    """09:00 local time on the follow-up's due date."""
    local = datetime.combine(opfoelgning.forfalder, OPFOELGNING_KLOKKEN)
    return timezone.make_aware(local, ZoneInfo(settings.TIME_ZONE))


def sync_opfoelgning(opfoelgning: Opfoelgning, *, now: datetime | None = None) -> Paamindelse | None:
    """The follow-up reminder to the brobygger: due 09:00 on the due date, cancelled once done."""
    now = now or timezone.now()
    art = ARTER["opfoelgning"]
    with transaction.atomic():
        row = _rows(EMNE_OPFOELGNING, opfoelgning.pk).get(art.kode)
        if opfoelgning.udfoert:
            plan = Plan(grund="Opfølgningen er udført")
        elif opfoelgning.match.stage == Stage.AFSLUTTET:
            plan = Plan(grund="Matchet er afsluttet")
        else:
            plan = Plan(forfalder=opfoelgning_forfalder(opfoelgning))
        return apply_plan(row, art, plan, opfoelgning, now)


def cancel_for_borger(borger, *, grund: str = "Borgeren er arkiveret") -> int:
    """Cancel every pending reminder about a borger's meetings and follow-ups (archive, anonymise,
    erasure). Sent rows stay. Returns how many were cancelled."""
    ledsagelser = Ledsagelse.objects.filter(match__borger=borger).values("pk")
    opfoelgninger = Opfoelgning.objects.filter(match__borger=borger).values("pk")
    return Paamindelse.objects.filter(
        Q(emne_type=EMNE_LEDSAGELSE, emne_id__in=ledsagelser) | Q(emne_type=EMNE_OPFOELGNING, emne_id__in=opfoelgninger),
        status=S.AFVENTER,
    ).update(status=S.ANNULLERET, sidste_fejl=grund)


def _rows(emne_type: str, emne_id: int) -> dict[str, Paamindelse]:
    """The subject's reminders (revision 0; the messages about changes are kept by revision)."""
    qs = Paamindelse.objects.select_for_update().filter(emne_type=emne_type, emne_id=emne_id, sekvens=0)
    return {row.art: row for row in qs}


class Udsat:
    """Deferred writes for a set-based sync (issue 14): `apply_plan`, `arm_row`, `cancel_row` and `create_row` given
    one collect their changes here instead of saving row by row, and `gem` writes them in one
    bulk_create and one bulk_update. The caller holds the lock that keeps concurrent syncs of the
    same subjects out (the arrangement's row lock), so a new row cannot meet a twin."""

    FELTER = ["status", "forfalder", "begivenhed", "kanal", "forsoeg", "sidste_fejl", "taget"]

    def __init__(self):
        self.nye: list[Paamindelse] = []
        self.aendrede: dict[int, Paamindelse] = {}

    def save(self, row: Paamindelse) -> None:
        if row.pk is None:
            return  # a new row is written whole by bulk_create
        self.aendrede[row.pk] = row

    def gem(self) -> None:
        if self.nye:
            Paamindelse.objects.bulk_create(self.nye)
        if self.aendrede:
            Paamindelse.objects.bulk_update(list(self.aendrede.values()), self.FELTER)
        self.nye, self.aendrede = [], {}


def cancel_row(row: Paamindelse | None, grund: str, udsat: Udsat | None = None) -> None:
    """Cancel a pending row with the reason `grund` (deferred into `udsat` when given)."""
    if row is not None and row.status == S.AFVENTER:
        row.status, row.sidste_fejl = S.ANNULLERET, grund
        if udsat is not None:
            udsat.save(row)
        else:
            row.save(update_fields=["status", "sidste_fejl"])


def apply_plan(row: Paamindelse | None, art: Art, plan: Plan, subject, now: datetime,
           udsat: Udsat | None = None) -> Paamindelse | None:
    """Create, move, re-arm or cancel one row so it matches `plan` (deferred into `udsat` when given)."""
    if plan.forfalder is None:
        cancel_row(row, plan.grund, udsat)
        return row
    ahead = plan.forfalder >= now  # the immediate host notice is due exactly `now`
    if row is None:
        if not ahead:
            return None  # too late for this one: skip rather than create a row that is missed at once
        return create_row(art, plan, subject, udsat=udsat)
    if row.status in (S.SENDT, S.SENDER):
        return row  # gone out (or going): never touched
    moved = row.begivenhed != plan.begivenhed or (art.emne_type == EMNE_OPFOELGNING and row.forfalder != plan.forfalder)
    if row.status == S.AFVENTER:
        if moved:
            if not ahead:
                cancel_row(row, "For kort varsel efter flytning", udsat)
                return row
            arm_row(row, plan, udsat)
        elif row.kanal != plan.kanal:
            row.kanal = plan.kanal
            if udsat is not None:
                udsat.save(row)
            else:
                row.save(update_fields=["kanal"])
        return row
    # annulleret, forpasset or fejlet: re-arm for a new time, or when a cancellation's reason went away
    if ahead and (moved or row.status == S.ANNULLERET):
        arm_row(row, plan, udsat)
    return row


def arm_row(row: Paamindelse, plan: Plan, udsat: Udsat | None = None) -> None:
    """Make a row pending again for `plan`'s time, event and channel (deferred into `udsat` when given)."""
    row.status, row.forfalder, row.begivenhed, row.kanal = S.AFVENTER, plan.forfalder, plan.begivenhed, plan.kanal
    row.forsoeg, row.sidste_fejl, row.taget = 0, "", None
    if udsat is not None:
        udsat.save(row)
    else:
        row.save(update_fields=["status", "forfalder", "begivenhed", "kanal", "forsoeg", "sidste_fejl", "taget"])


def create_row(art: Art, plan: Plan, subject, *, sekvens: int = 0, udsat: Udsat | None = None) -> Paamindelse:
    """A new pending row of kind `art` for `subject` (collected in `udsat` when given)."""
    fields = {"center_id": subject.center_id, "kanal": plan.kanal, "forfalder": plan.forfalder,
              "begivenhed": plan.begivenhed}
    key = {"emne_type": art.emne_type, "emne_id": subject.pk, "art": art.kode, "sekvens": sekvens}
    if udsat is not None:
        row = Paamindelse(**key, **fields)
        udsat.nye.append(row)
        return row
    try:
        with transaction.atomic():
            return Paamindelse.objects.create(**key, **fields)
    except IntegrityError:
        # Created meanwhile by a concurrent sync of the same subject: take that row and align it.
        row = Paamindelse.objects.select_for_update().get(**key)
        if row.status == S.AFVENTER:
            arm_row(row, plan)
        return row


# --- Changes to a meeting people were told about (flyttet, aflyst) --------------------------------


def announce_move(ledsagelse: Ledsagelse, *, now: datetime | None = None) -> list[Paamindelse]:
    """The planned meeting got a new time or place, and the service has counted up its `sekvens`:
    a "flyttet" message (.ics REQUEST) to each person already told about it, with their consent.
    Call inside the service's transaction, next to `sync_ledsagelse`."""
    return _announce(ledsagelse, FLYTTET, ALLE_MODTAGERE, now)


def announce_cancel(ledsagelse: Ledsagelse, *, modtagere=ALLE_MODTAGERE,
                    now: datetime | None = None) -> list[Paamindelse]:
    """The meeting is cancelled for `modtagere` (all, or the host alone when "deling_med_vaert" is
    withdrawn), and the service has counted up its `sekvens`: an "aflyst" message (.ics CANCEL) to
    each of them already told about it. Call inside the service's transaction."""
    return _announce(ledsagelse, AFLYST, modtagere, now)


def told(ledsagelse: Ledsagelse, modtager: str) -> bool:
    """Whether `modtager` (BROBYGGER, BORGER or VAERT) holds the meeting as planned from us."""
    return _told(_modtagerens(_all_rows(ledsagelse), modtager))


def _announce(ledsagelse: Ledsagelse, slags: str, modtagere, now: datetime | None) -> list[Paamindelse]:
    now = now or timezone.now()
    created = []
    with transaction.atomic():
        rows = _all_rows(ledsagelse, lock=True)
        borger = ledsagelse.match.borger
        for modtager in modtagere:
            own = _modtagerens(rows, modtager)
            art = ARTER[f"{slags}_{modtager}"]
            if not _told(own) or (art.samtykke and not har_samtykke(borger, art.samtykke)):
                continue  # (an older message still pending stays: e.g. the host's cancel after a withdrawal)
            for row in own:
                if row.art in AENDRING:
                    cancel_row(row, "Erstattet af en nyere besked om mødet")
            plan = Plan(forfalder=now, kanal=borger_kanal(borger) if art.kanal is None else art.kanal,
                         begivenhed=ledsagelse.tidspunkt)
            row = create_row(art, plan, ledsagelse, sekvens=ledsagelse.sekvens)
            if row.status == S.ANNULLERET:  # this revision's row, cancelled above: the news still holds
                arm_row(row, plan)
            created.append(row)
    return created


def _all_rows(ledsagelse: Ledsagelse, *, lock: bool = False) -> list[Paamindelse]:
    qs = Paamindelse.objects.filter(emne_type=EMNE_LEDSAGELSE, emne_id=ledsagelse.pk)
    return list(qs.select_for_update() if lock else qs)


def _modtagerens(rows, modtager: str) -> list[Paamindelse]:
    return [row for row in rows if row.art in ARTER and ARTER[row.art].modtager == modtager]


def _told(rows) -> bool:
    """Told about the meeting: a message has gone out (or is going), and the latest was no "aflyst"."""
    gone = [row for row in rows if row.status in (S.SENDT, S.SENDER)]
    if not gone:
        return False
    latest = max(gone, key=lambda row: (row.status == S.SENDER, row.sendt or row.forfalder, row.pk))
    return AENDRING.get(latest.art) != AFLYST


# --- Sending: resolve a row into a message -------------------------------------------------------


# Resolvers of other subjects (emne_type -> a class with this Resolver's interface), registered by the
# module that plans them (matching.arrangement_paamindelser, from MatchingConfig.ready): this module
# cannot import them, since they build on it.
ANDRE_EMNER: dict[str, type] = {}


class Resolver:
    """Resolves the rows of one claimed batch into messages (`PAAMINDELSE_RESOLVER`).

    Loads the batch's subjects and the borgeres' current consents in a few queries up front, so
    the cost per message is rendering, not queries. Calling it with a row returns the `Message`,
    or raises `Unsendable`: annulleret when there is nothing to send any more, fejlet when the
    recipient cannot be reached, each with a reason for the koordinator and no personal data.
    """

    def __init__(self, rows):
        rows = list(rows)
        self.andre = {}
        for cls in set(ANDRE_EMNER.values()):
            own = [row for row in rows if ANDRE_EMNER.get(row.emne_type) is cls]
            if own:
                resolver = cls(own)
                self.andre.update({emne: resolver for emne, c in ANDRE_EMNER.items() if c is cls})
        rows = [row for row in rows if row.emne_type not in ANDRE_EMNER]
        ids = {EMNE_LEDSAGELSE: set(), EMNE_OPFOELGNING: set()}
        for row in rows:
            ids.setdefault(row.emne_type, set()).add(row.emne_id)
        self.ledsagelser = Ledsagelse.objects.select_related(
            "center", "brobygger", "match__borger", "match__faellesskab__postnummer", "match__faellesskab__forening"
        ).in_bulk(ids[EMNE_LEDSAGELSE]) if ids[EMNE_LEDSAGELSE] else {}
        self.opfoelgninger = Opfoelgning.objects.select_related(
            "center", "match__borger__brobygger", "match__faellesskab"
        ).in_bulk(ids[EMNE_OPFOELGNING]) if ids[EMNE_OPFOELGNING] else {}
        borger_ids = {le.match.borger_id for le in self.ledsagelser.values()}
        # Current consents, as borgere.services.har_samtykke defines them (not withdrawn).
        self.samtykker = set(
            Samtykke.objects.filter(borger_id__in=borger_ids, tilbagekaldt__isnull=True).values_list("borger_id", "formaal")
        ) if borger_ids else set()
        # The questions after the meeting already made for this batch's meetings (`svar.til_afsendelse`).
        self.spoergsmaal = svar.kendte_spoergsmaal(
            row.emne_id for row in rows if row.art in ARTER_EFTER_MOEDET and row.emne_type == EMNE_LEDSAGELSE)
        self.medlemmer = _AktiveMedlemskaber(
            {le.brobygger_id for le in self.ledsagelser.values()}
            | {op.match.borger.brobygger_id for op in self.opfoelgninger.values()}
        )

    def __call__(self, row: Paamindelse) -> Message:
        if row.emne_type in self.andre:
            return self.andre[row.emne_type](row)
        art = ARTER.get(row.art)
        if art is None or art.emne_type != row.emne_type:
            raise Unsendable(S.ANNULLERET, "Ukendt slags påmindelse")
        if art.kode in ARTER_EFTER_MOEDET:
            return _resolve_efter_moedet(row, art, self.ledsagelser.get(row.emne_id), self.samtykker,
                                         self.spoergsmaal)
        if art.emne_type == EMNE_LEDSAGELSE:
            return _resolve_ledsagelse(row, art, self.ledsagelser.get(row.emne_id), self.samtykker, self.medlemmer)
        return _resolve_opfoelgning(row, art, self.opfoelgninger.get(row.emne_id), self.medlemmer)


    @staticmethod
    def i_brug(now: datetime) -> Q:
        """The rows `brobygning.paamindelser.purge_old` must keep however old: those about a meeting
        still planned or ahead (they decide who was told, `told`, and hold the sent reminders a
        sync must not plan again) and about an open follow-up of an open match."""
        ledsagelser = Ledsagelse.objects.filter(Q(status=LedsagelseStatus.PLANLAGT) | Q(tidspunkt__gte=now))
        opfoelgninger = Opfoelgning.objects.filter(udfoert__isnull=True).exclude(match__stage=Stage.AFSLUTTET)
        q = (Q(emne_type=EMNE_LEDSAGELSE, emne_id__in=ledsagelser.values("pk"))
             | Q(emne_type=EMNE_OPFOELGNING, emne_id__in=opfoelgninger.values("pk")))
        for cls in set(ANDRE_EMNER.values()):
            q |= cls.i_brug(now)
        return q

    @staticmethod
    def describe(rows) -> list[Beskrivelse]:
        """For the koordinator's page of påmindelser (`brobygning.paamindelser.describe`)."""
        rows = list(rows)
        mine = [row for row in rows if row.emne_type not in ANDRE_EMNER]
        out = dict(zip([row.pk for row in mine], describe(mine), strict=True))
        for cls in set(ANDRE_EMNER.values()):
            own = [row for row in rows if ANDRE_EMNER.get(row.emne_type) is cls]
            if own:
                out.update(zip([row.pk for row in own], cls.describe(own), strict=True))
        return [out[row.pk] for row in rows]


def resolve(row: Paamindelse) -> Message:
    """Resolve one row (load its subject, decide recipient, language and content)."""
    return Resolver([row])(row)


@dataclass(frozen=True)
class Recipient:
    """Who one message goes to: channel, address, name and language."""

    kanal: str
    to: str
    navn: str
    sprog: str


def borger_sprog(borger) -> str:
    """The borger's first language if the site speaks it, else the site language (Danish)."""
    available = {code for code, _label in settings.LANGUAGES}
    first = (borger.sprog or [None])[0]
    return first if first in available else settings.LANGUAGE_CODE


class _AktiveMedlemskaber:
    """Which (user, centre) pairs are active memberships, loaded once per batch for the users it names
    and once more for a user found later (a follow-up's fallback brobygger)."""

    def __init__(self, user_ids):
        self._loaded: set[int] = set()
        self._active: set[tuple[int, int]] = set()
        self._load(user_ids)

    def _load(self, user_ids) -> None:
        wanted = {pk for pk in user_ids if pk is not None} - self._loaded
        if wanted:
            self._active |= set(Medlemskab.objects.filter(user_id__in=wanted, aktiv=True)
                                .values_list("user_id", "center_id"))
            self._loaded |= wanted

    def __call__(self, user, center_id: int) -> bool:
        self._load([user.pk])
        return (user.pk, center_id) in self._active


def _staff(user, *, hvem: str, center_id: int, medlemmer: _AktiveMedlemskaber) -> Recipient:
    if user is None or not user.is_active or not user.email:
        raise Unsendable(S.FEJLET, f"{hvem} har ingen aktiv e-mailadresse")
    if not medlemmer(user, center_id):
        # Deactivated in this centre (perhaps still active in another): nothing of this centre's
        # goes to them any more; the koordinator reassigns the borger (issue 11).
        raise Unsendable(S.ANNULLERET, f"{hvem} er ikke længere aktiv i centret")
    # Users have no stored language preference yet: staff get the site language.
    return Recipient(PaamindelseKanal.EMAIL, user.email, user.first_name, settings.LANGUAGE_CODE)


def _borger(borger) -> Recipient:
    kanal = borger_kanal(borger)
    if kanal == PaamindelseKanal.EMAIL:
        if not borger.email:
            raise Unsendable(S.FEJLET, "Borgeren har ingen e-mailadresse")
        to = borger.email
    else:
        if not borger.telefon:
            raise Unsendable(S.FEJLET, "Borgeren har intet telefonnummer")
        to = borger.telefon.as_e164
    return Recipient(kanal, to, borger.fornavn, borger_sprog(borger))


def site_link(name: str, *args) -> str:
    """SITE_URL plus a path with ids only; the site root while a page is not wired up yet."""
    try:
        path = reverse(name, args=args)
    except NoReverseMatch:
        path = "/"
    return settings.SITE_URL.rstrip("/") + path


def _adresse(faellesskab) -> str:
    parts = [faellesskab.adresse, f"{faellesskab.postnummer.nr} {faellesskab.postnummer.by}"]
    return ", ".join(p for p in parts if p)


def _resolve_ledsagelse(row: Paamindelse, art: Art, ledsagelse: Ledsagelse | None, samtykker: set,
                        medlemmer: _AktiveMedlemskaber) -> Message:
    if ledsagelse is None:
        raise Unsendable(S.ANNULLERET, "Mødet findes ikke længere")
    if art.kode in AENDRING:
        return _resolve_aendring(row, art, ledsagelse, samtykker, medlemmer)
    if ledsagelse.status != LedsagelseStatus.PLANLAGT:
        raise Unsendable(S.ANNULLERET, "Mødet er aflyst eller afholdt")
    borger = ledsagelse.match.borger
    if borger.arkiveret:
        raise Unsendable(S.ANNULLERET, "Borgeren er arkiveret")
    if art.samtykke and (borger.pk, art.samtykke) not in samtykker:
        raise Unsendable(S.ANNULLERET, _samtykke_grund(art.samtykke) + " (trukket tilbage)")
    return _ledsagelse_message(row, art, ledsagelse, medlemmer)


def _resolve_aendring(row: Paamindelse, art: Art, ledsagelse: Ledsagelse, samtykker: set,
                      medlemmer: _AktiveMedlemskaber) -> Message:
    """A "flyttet" or "aflyst" message, rendered from the meeting as it is now."""
    borger = ledsagelse.match.borger
    if AENDRING[art.kode] == FLYTTET:
        if ledsagelse.status != LedsagelseStatus.PLANLAGT:
            raise Unsendable(S.ANNULLERET, "Mødet er aflyst eller afholdt")
    elif ledsagelse.status in (LedsagelseStatus.MOEDT_OP, LedsagelseStatus.UDEBLEV):
        raise Unsendable(S.ANNULLERET, "Mødet er afholdt")
    elif ledsagelse.status == LedsagelseStatus.PLANLAGT and not (
            art.modtager == VAERT and (borger.pk, Formaal.DELING_MED_VAERT) not in samtykker):
        raise Unsendable(S.ANNULLERET, "Mødet er ikke aflyst")  # the host's consent was given again
    # An anonymised borger's meeting is still cancelled for the brobygger and the host.
    if borger.arkiveret and (art.modtager == BORGER or AENDRING[art.kode] == FLYTTET):
        raise Unsendable(S.ANNULLERET, "Borgeren er arkiveret")
    if art.samtykke and (borger.pk, art.samtykke) not in samtykker:
        raise Unsendable(S.ANNULLERET, _samtykke_grund(art.samtykke) + " (trukket tilbage)")
    return _ledsagelse_message(row, art, ledsagelse, medlemmer,
                               method="CANCEL" if AENDRING[art.kode] == AFLYST else "REQUEST")


def _ledsagelse_message(row: Paamindelse, art: Art, ledsagelse: Ledsagelse, medlemmer: _AktiveMedlemskaber, *,
                        method: str = "REQUEST") -> Message:
    borger, faellesskab = ledsagelse.match.borger, ledsagelse.match.faellesskab
    # The host gets the borger's first name and note only in messages that need their consent.
    med_navn = not (art.modtager == VAERT and art.samtykke != Formaal.DELING_MED_VAERT) and not borger.anonymiseret
    if art.modtager == BROBYGGER:
        recipient = _staff(ledsagelse.brobygger, hvem="Brobyggeren", center_id=ledsagelse.center_id,
                           medlemmer=medlemmer)
        link = site_link("matching:match_detail", ledsagelse.match_id)
    elif art.modtager == BORGER:
        recipient = _borger(borger)
        link = ""  # the borger has no login; the centre's phone number is in the message instead
    else:
        if not faellesskab.vaert_email:
            raise Unsendable(S.FEJLET, "Fællesskabet har ingen e-mailadresse til værten")
        recipient = Recipient(PaamindelseKanal.EMAIL, faellesskab.vaert_email, faellesskab.vaert_navn,
                               settings.LANGUAGE_CODE)
        link = site_link("foreninger:faellesskab_detail", faellesskab.pk)
        if art.kode == "flyttet_vaert":
            link = site_link("matching:nye_paa_vej")  # where the host confirms the new time

    # The whole context: plain values on a whitelist. No borger object, so no template can reach
    # barriers, notes or contact details by accident.
    context = {
        "art": art.kode,
        "modtager_navn": recipient.navn,
        "borger_fornavn": borger.fornavn if med_navn else "",
        "brobygger_navn": ledsagelse.brobygger.first_name,
        "faellesskab": faellesskab.titel,
        "forening": faellesskab.forening.navn,
        "tidspunkt": ledsagelse.tidspunkt,
        "slut": ledsagelse.slut,
        "moedested": "" if borger.anonymiseret else ledsagelse.moedested,
        "adresse": _adresse(faellesskab),
        "velkomstnote": ledsagelse.velkomstnote if art.modtager == VAERT and med_navn else "",
        "link": link,
        "center_navn": ledsagelse.center.navn,
        "center_telefon": ledsagelse.center.telefon,
    }
    message = render_message(row, art, recipient, context, reply_to=ledsagelse.center.email)
    if art.ics and message.kanal == PaamindelseKanal.EMAIL:
        with translation.override(recipient.sprog):
            message.attachments.append(
                Attachment("moede.ics", ledsagelse_ics(ledsagelse, attendee=recipient.to, method=method),
                           "text/calendar", {"method": method})
            )
    return message


def _resolve_efter_moedet(row: Paamindelse, art: Art, ledsagelse: Ledsagelse | None, samtykker: set,
                          spoergsmaal: dict | None = None) -> Message:
    """"Kom {fornavn}?" (host) or "Hvordan gik det?" (borger), with one-tap links or a reply keyword."""
    if ledsagelse is None:
        raise Unsendable(S.ANNULLERET, "Mødet findes ikke længere")
    if ledsagelse.status in (LedsagelseStatus.AFLYST, LedsagelseStatus.UDEBLEV) or ledsagelse.match.er_afsluttet:
        raise Unsendable(S.ANNULLERET, "Mødet er aflyst, eller borgeren mødte ikke op")
    borger, faellesskab = ledsagelse.match.borger, ledsagelse.match.faellesskab
    if borger.arkiveret:
        raise Unsendable(S.ANNULLERET, "Borgeren er arkiveret")
    if (borger.pk, art.samtykke) not in samtykker:
        raise Unsendable(S.ANNULLERET, _samtykke_grund(art.samtykke) + " (trukket tilbage)")
    if art.modtager == VAERT:
        if ledsagelse.vaert_rapport:
            raise Unsendable(S.ANNULLERET, "Værten har allerede meldt tilbage")
        kanal = vaert_kanal(faellesskab)
        if kanal is None:
            raise Unsendable(S.FEJLET, "Fællesskabet har ingen e-mail eller telefon til værten")
        to = faellesskab.vaert_email if kanal == PaamindelseKanal.EMAIL else faellesskab.vaert_telefon.as_e164
        recipient = Recipient(kanal, to, faellesskab.vaert_navn, settings.LANGUAGE_CODE)
    else:
        recipient = _borger(borger)
    moedesvar = svar.til_afsendelse(row=row, ledsagelse=ledsagelse, modtager=art.modtager, kanal=recipient.kanal,
                                    to=recipient.to, kendte=spoergsmaal)
    if moedesvar.besvaret is not None:
        raise Unsendable(S.ANNULLERET, "Spørgsmålet er allerede besvaret")
    link = site_link("matching:svar_link", ledsagelse.pk, svar.token_for(moedesvar))
    context = {
        "art": art.kode,
        "modtager_navn": recipient.navn,
        "borger_fornavn": borger.fornavn,
        "faellesskab": faellesskab.titel,
        "tidspunkt": ledsagelse.tidspunkt,
        "slut": ledsagelse.slut,
        "link_ja": f"{link}?svar=ja",
        "link_nej": f"{link}?svar=nej",
        "dage": settings.SVAR_LINK_MAX_AGE_DAYS,
        "center_navn": ledsagelse.center.navn,
        "center_telefon": ledsagelse.center.telefon,
    }
    return render_message(row, art, recipient, context, reply_to=ledsagelse.center.email)


def _resolve_opfoelgning(row: Paamindelse, art: Art, opfoelgning: Opfoelgning | None,
                         medlemmer: _AktiveMedlemskaber) -> Message:
    if opfoelgning is None:
        raise Unsendable(S.ANNULLERET, "Opfølgningen findes ikke længere")
    if opfoelgning.udfoert:
        raise Unsendable(S.ANNULLERET, "Opfølgningen er udført")
    match = opfoelgning.match
    if match.stage == Stage.AFSLUTTET:
        raise Unsendable(S.ANNULLERET, "Matchet er afsluttet")
    brobygger = match.borger.brobygger
    if brobygger is None:
        latest = match.ledsagelser.select_related("brobygger").order_by("-tidspunkt").first()
        brobygger = latest.brobygger if latest else None
    if brobygger is None:
        raise Unsendable(S.FEJLET, "Ingen brobygger at minde om opfølgningen")
    recipient = _staff(brobygger, hvem="Brobyggeren", center_id=opfoelgning.center_id, medlemmer=medlemmer)
    context = {
        "art": art.kode,
        "type": opfoelgning.type,
        "modtager_navn": recipient.navn,
        "borger_fornavn": match.borger.fornavn,
        "faellesskab": match.faellesskab.titel,
        "forfalder": opfoelgning.forfalder,
        "link": site_link("matching:match_detail", match.pk),
        "center_navn": opfoelgning.center.navn,
        "center_telefon": opfoelgning.center.telefon,
    }
    return render_message(row, art, recipient, context, reply_to=opfoelgning.center.email)


def _tidy(text: str) -> str:
    """Plain text from a template: no trailing spaces, at most one blank line in a row."""
    lines = [line.rstrip() for line in text.strip().splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)) + "\n"


def render_message(row: Paamindelse, art: Art, recipient: Recipient, context: dict, *, reply_to: str = "") -> Message:
    """Render subject, text and HTML (e-mail) or the text (SMS) in the recipient's language."""
    with translation.override(recipient.sprog):
        if recipient.kanal == PaamindelseKanal.SMS:
            text = " ".join(render_to_string(f"matching/paamindelser/sms/{art.kode}.txt", context).split())
            return Message(kanal=recipient.kanal, to=recipient.to, sprog=recipient.sprog, text=text)
        base = f"matching/paamindelser/email/{art.kode}"
        subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
        return Message(
            kanal=recipient.kanal,
            to=recipient.to,
            sprog=recipient.sprog,
            subject=subject,
            text=_tidy(render_to_string(f"{base}.txt", context)),
            html=render_to_string(f"{base}.html", context),
            reply_to=reply_to,
            headers={"X-Brobygning-Paamindelse": str(row.pk)},
        )


# --- Calendar invitation -------------------------------------------------------------------------

def ledsagelse_ics(ledsagelse: Ledsagelse, *, attendee: str = "", now: datetime | None = None,
                   method: str = "REQUEST") -> str:
    """An iCalendar REQUEST (or CANCEL) for the first meeting. The UID is stable per ledsagelse and
    SEQUENCE is its revision (`sekvens`, counted up on each move and cancellation), so calendars
    update or remove the one entry. Times are in local time (Europe/Copenhagen, with its
    VTIMEZONE). No personal data beyond the place and time."""
    now = now or timezone.now()
    tz = ZoneInfo(settings.TIME_ZONE)
    faellesskab = ledsagelse.match.faellesskab
    center = ledsagelse.center
    cal = ics_kalender("-//Brobygning//Påmindelser//DA", method)
    event = Event()
    event.add("uid", f"ledsagelse-{ledsagelse.pk}@brobygning")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("sequence", ledsagelse.sekvens)
    event.add("dtstart", ledsagelse.tidspunkt.astimezone(tz))
    event.add("dtend", ledsagelse.slut.astimezone(tz))
    event.add("summary", _("Første møde: %(faellesskab)s") % {"faellesskab": faellesskab.titel})
    event.add("location", f"{faellesskab.titel}, {_adresse(faellesskab)}")
    moedested = "" if ledsagelse.match.borger.anonymiseret else ledsagelse.moedested
    if moedested:
        event.add("description", _("Mødested: %(sted)s") % {"sted": moedested})
    ics_parter(event, center=center, attendee=attendee, method=method)
    cal.add_component(event)
    return ics_tekst(cal)


def ics_kalender(prodid: str, method: str) -> Calendar:
    """An empty iTIP calendar: REQUEST to add or update, CANCEL to remove."""
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"Unknown iTIP method {method!r}")
    cal = Calendar()
    cal.add("prodid", prodid)
    cal.add("version", "2.0")
    cal.add("method", method)
    return cal


@functools.lru_cache(maxsize=8)
def _vtimezone(tzid: str) -> bytes:
    """The VTIMEZONE of `tzid` as icalendar's `add_missing_timezones` builds it (every transition
    1970–2038), serialised, made once per process: building and serialising it took most of a
    reminder's CPU time (PERFORMANCE.md, "Reminder burst with Celery"). b"" for a time zone
    icalendar does not know (left out, as add_missing_timezones does)."""
    try:
        return Timezone.from_tzid(tzid).to_ical()
    except ValueError:
        return b""


def ics_tekst(cal: Calendar) -> str:
    """`cal.add_missing_timezones(); cal.to_ical().decode()`, byte for byte, with each VTIMEZONE
    made once per process (`_vtimezone`): it goes where add_missing_timezones would append it, after
    the events."""
    end = b"END:VCALENDAR\r\n"
    ical = cal.to_ical()
    if not ical.endswith(end):  # pragma: no cover - icalendar always ends a calendar so
        raise ValueError("Unexpected iCalendar output")
    zones = b"".join(_vtimezone(tzid) for tzid in sorted(cal.get_missing_tzids()))
    return (ical[: -len(end)] + zones + end).decode()


def ics_parter(event: Event, *, center, attendee: str, method: str) -> None:
    """The status, the centre as organizer and the one attendee: the same on every invitation."""
    event.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    org_name, org_email = (center.navn, center.email) if center.email else organizer_address()
    organizer = vCalAddress(f"mailto:{org_email}")
    organizer.params["cn"] = vText(org_name or center.navn)
    event["organizer"] = organizer
    if attendee:
        person = vCalAddress(f"mailto:{attendee}")
        person.params["rsvp"] = vText("FALSE")
        person.params["partstat"] = vText("ACCEPTED")
        event.add("attendee", person, encode=0)


# --- For the koordinator's page of påmindelser ----------------------------------------------------


_KANALER = dict(PaamindelseKanal.choices)


@dataclass(frozen=True)
class Beskrivelse:
    row: Paamindelse
    modtager: str  # a role, never an address
    art: str
    emne: str
    url: str  # the match's page, or "" when the subject is gone
    tid_tekst: str | None = None  # `tid`, when `describe` has written it for the list (`_tider`)

    @property
    def kanal(self) -> str:
        """The channel's name, as `row.get_kanal_display` gives it: that method builds its dict of
        choices on every call, a fifth of a row's cost on the påmindelser page."""
        return str(_KANALER.get(self.row.kanal, self.row.kanal))

    @property
    def tid(self) -> str:
        """When a sent row was sent, or when any other row falls due (each tab holds one kind), as
        `{{ …|date:"SHORT_DATETIME_FORMAT" }}` writes it: made here, the template engine's own work
        for the variable and its filter cost twice the formatting."""
        if self.tid_tekst is not None:
            return self.tid_tekst
        return date_filter(template_localtime(_vist_tid(self.row)), "SHORT_DATETIME_FORMAT")


def _vist_tid(row):
    """The time a row of the påmindelser page shows: when it was sent, or when it falls due."""
    return row.sendt if row.status == PaamindelseStatus.SENDT else row.forfalder


# Format characters whose text depends on more than the minute (seconds, microseconds, the epoch, the
# full ISO and RFC forms, Swatch beats): with any of these, each time is formatted on its own.
_UNDER_MINUTTET = frozenset("BcrsuU")


def _tider(rows) -> list[str]:
    """`Beskrivelse.tid` for each of `rows`, formatted once per local minute of the list: the date
    filter took 16 µs a row, and the dispatcher sends in bursts, so a page of sent rows often shares
    one minute (at national size all 25 of the first page). A format that shows seconds formats every
    row; the key holds the UTC offset, so a repeated hour at the end of summer time is not merged."""
    format_ = get_format("SHORT_DATETIME_FORMAT")
    per_minut = not (_UNDER_MINUTTET & set(format_))
    skrevne = {}
    ud = []
    for row in rows:
        lokal = template_localtime(_vist_tid(row))
        if not per_minut or not isinstance(lokal, datetime):
            ud.append(date_filter(lokal, "SHORT_DATETIME_FORMAT"))
            continue
        noegle = (lokal.year, lokal.month, lokal.day, lokal.hour, lokal.minute, lokal.utcoffset())
        tekst = skrevne.get(noegle)
        if tekst is None:
            tekst = skrevne[noegle] = date_filter(lokal, "SHORT_DATETIME_FORMAT")
        ud.append(tekst)
    return ud


def describe(rows) -> list[Beskrivelse]:
    """Role, kind and subject (a match) for each row, in two queries whatever the number of rows.

    Reads only the values shown (the match, the borger's first name, the fællesskab's title, a
    follow-up's type), not whole rows: on the koordinator's page the 25 rows' subjects, matches,
    borgere and fællesskaber were 125 model instances a request (PERFORMANCE.md, "Påmindelser and
    the cached report page")."""
    rows = list(rows)
    ids = {EMNE_LEDSAGELSE: set(), EMNE_OPFOELGNING: set()}
    for row in rows:
        ids.setdefault(row.emne_type, set()).add(row.emne_id)
    subjects = {}  # emne_type -> {pk: (match pk, borger's first name, fællesskab's title, follow-up type or None)}
    for model, emne_type in ((Ledsagelse, EMNE_LEDSAGELSE), (Opfoelgning, EMNE_OPFOELGNING)):
        if ids[emne_type]:
            felter = ["pk", "match_id", "match__borger__fornavn", "match__faellesskab__titel"]
            subjects[emne_type] = {pk: (*rest, None)[:4] for pk, *rest in model.objects.filter(
                pk__in=ids[emne_type]).order_by().values_list(*felter, *(["type"] if model is Opfoelgning else []))}
    typer = dict(OpfoelgningType.choices)
    fundne = [subjects.get(row.emne_type, {}).get(row.emne_id) for row in rows]
    # The links made for the list at once and each kind's texts translated once, not per row.
    urls = iter(pk_urls("matching:match_detail", [subject[0] for subject in fundne if subject]))
    tekster = {}  # row.art -> (its label, its recipient's role)
    result = []
    for row, subject, tid in zip(rows, fundne, _tider(rows), strict=True):
        if row.art not in tekster:
            art = ARTER.get(row.art)
            tekster[row.art] = (str(art.label), str(MODTAGER_LABELS[art.modtager])) if art else (row.art, "–")
        label, modtager = tekster[row.art]
        if subject and row.emne_type == EMNE_OPFOELGNING:
            label = f"{label}: {str(typer.get(subject[3], subject[3])).lower()}"
        result.append(Beskrivelse(
            row=row,
            modtager=modtager,
            art=label,
            emne=f"{subject[1]} → {subject[2]}" if subject else _("(slettet)"),
            url=next(urls) if subject else "",
            tid_tekst=tid,
        ))
    return result
