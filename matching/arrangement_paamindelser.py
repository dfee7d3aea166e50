"""Which påmindelser an arrangement's registrations get, and what each says (ARCHITECTURE.md,
"Arrangementer"). The same outbox and the same rules as the first meetings (matching.paamindelser):
rows follow the plan inside the service's transaction, content is rendered at send time, a moved or
cancelled date announces itself to whoever was told, and every .ics of a date has one UID and
SEQUENCE = the date's revision (`ArrangementDato.sekvens`).

================= =============== ===================================== ==================================
art               subject         due                                   content
================= =============== ===================================== ==================================
arr_bekraeftelse  registration    at once, when registered              dates, place, cancellation link, .ics
arr_venteliste    registration    at once, when put on the waiting list cancellation link
arr_rykket_op     registration    at once, when moved up                as arr_bekraeftelse
arr_evaluering    registration    when the last date ends (asked until  the evaluation link; only to those
                                  7 days later)                         who came
arr_24t           attendance row  24 h before the date                  the date, .ics REQUEST
arr_flyttet       attendance row  at once, when the date moved          the new time, .ics REQUEST
arr_aflyst        attendance row  at once, when the date or event is    .ics CANCEL
                                  cancelled
================= =============== ===================================== ==================================

A borger gets them by their preferred channel and only with the consent "paamindelser"; a
foreningskontakt at their login's address; another person at the address they gave. Messages carry
first names, titles, times and places, never anything else about the borger.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from icalendar import Calendar, Event

from borgere.models import Formaal, Samtykke
from brobygning.channels import Attachment, Message
from brobygning.models import Paamindelse, PaamindelseKanal
from brobygning.paamindelser import Unsendable

from . import arrangement_links as links
from .models import ArrangementDato, Fremmoede, Tilmelding, TilmeldingStatus
from .paamindelser import (
    Art,
    Beskrivelse,
    Plan,
    Recipient,
    S,
    Udsat,
    apply_plan,
    arm_row,
    borger_kanal,
    borger_sprog,
    cancel_row,
    create_row,
    ics_kalender,
    ics_parter,
    ics_tekst,
    render_message,
    site_link,
)

EMNE_TILMELDING = "arr_tilmelding"
EMNE_FREMMOEDE = "arr_fremmoede"
DELTAGER = "deltager"
SPOERG_SENEST = timedelta(days=7)


def _art(kode, emne, foer, ics, label) -> Art:
    return Art(kode, emne, DELTAGER, foer, None, None, ics, label)


ARTER: dict[str, Art] = {a.kode: a for a in [
    _art("arr_bekraeftelse", EMNE_TILMELDING, None, True, gettext_lazy("Tilmelding bekræftet")),
    _art("arr_venteliste", EMNE_TILMELDING, None, False, gettext_lazy("På venteliste")),
    _art("arr_rykket_op", EMNE_TILMELDING, None, True, gettext_lazy("Rykket op fra ventelisten")),
    _art("arr_evaluering", EMNE_TILMELDING, None, False, gettext_lazy("Evaluering efter arrangementet")),
    _art("arr_24t", EMNE_FREMMOEDE, timedelta(hours=24), True, gettext_lazy("24 timer før")),
    _art("arr_flyttet", EMNE_FREMMOEDE, None, True, gettext_lazy("Datoen er flyttet")),
    _art("arr_aflyst", EMNE_FREMMOEDE, None, True, gettext_lazy("Datoen er aflyst")),
]}
STRAKS = {TilmeldingStatus.TILMELDT: "arr_bekraeftelse", TilmeldingStatus.VENTELISTE: "arr_venteliste"}


# --- Planning ------------------------------------------------------------------------------------


def _kanaler(tilmeldinger) -> dict[int, str | None]:
    """Each registration's channel, or None when we may not write (a borger without the consent
    "paamindelser"). The consents are read in one query for all of them."""
    borger_ids = {t.borger_id for t in tilmeldinger if t.borger_id}
    samtykke = set(Samtykke.objects.filter(borger_id__in=borger_ids, formaal=Formaal.PAAMINDELSER,
                                           tilbagekaldt__isnull=True).values_list("borger_id", flat=True)
                   ) if borger_ids else set()
    return {t.pk: (borger_kanal(t.borger) if t.borger_id in samtykke else None) if t.borger_id
            else PaamindelseKanal.EMAIL for t in tilmeldinger}


def _kanal(tilmelding: Tilmelding) -> str | None:
    return _kanaler([tilmelding])[tilmelding.pk]


def _aktive_datoer(arrangement) -> list[ArrangementDato]:
    return [d for d in arrangement.datoer.all() if not d.aflyst]


def meddel_status(tilmelding: Tilmelding, *, rykket_op: bool = False, now: datetime | None = None) -> None:
    """The message at once about a new registration (confirmed or waiting) or a move up from the list."""
    meddel_status_alle([tilmelding], rykket_op=rykket_op, now=now)


def meddel_status_alle(tilmeldinger, *, rykket_op: bool = False, now: datetime | None = None) -> None:
    """`meddel_status` for registrations of one arrangement, in a fixed number of queries (issue 14:
    the waiting list moving up by many places at once)."""
    tilmeldinger = list(tilmeldinger)
    if not tilmeldinger:
        return
    now = now or timezone.now()
    datoer = _aktive_datoer(tilmeldinger[0].arrangement)
    if not datoer:
        return
    kanaler = _kanaler(tilmeldinger)
    koder = {t.pk: "arr_rykket_op" if rykket_op else STRAKS.get(t.status) for t in tilmeldinger}
    existing = {(r.emne_id, r.art): r for r in Paamindelse.objects.select_for_update().filter(
        emne_type=EMNE_TILMELDING, emne_id__in=list(koder), art__in={k for k in koder.values() if k}, sekvens=0)}
    udsat = Udsat()
    for tilmelding in tilmeldinger:
        kanal, kode = kanaler[tilmelding.pk], koder[tilmelding.pk]
        if kanal is None or kode is None:
            continue
        plan = Plan(forfalder=now, kanal=kanal, begivenhed=datoer[-1].start)
        row = existing.get((tilmelding.pk, kode))
        if row is None:
            create_row(ARTER[kode], plan, tilmelding, udsat=udsat)
        elif row.status not in (S.SENDT, S.SENDER):
            arm_row(row, plan, udsat)
    udsat.gem()


def sync_tilmelding(tilmelding: Tilmelding, *, now: datetime | None = None) -> None:
    """Bring the registration's reminders in step: each date's 24-hour reminder and the evaluation
    while registered; everything pending cancelled once cancelled or the event is cancelled."""
    sync_tilmeldinger([tilmelding], now=now)


def sync_tilmeldinger(tilmeldinger, *, now: datetime | None = None) -> None:
    """`sync_tilmelding` for registrations of one arrangement (each with `.arrangement` set), in a
    fixed number of queries however many there are: the rows, the consents, the dates and the
    attendance rows are each read once, and the changes written in one bulk_create and one
    bulk_update (`Udsat`). The caller holds the arrangement's row lock."""
    tilmeldinger = list(tilmeldinger)
    if not tilmeldinger:
        return
    now = now or timezone.now()
    ids = [t.pk for t in tilmeldinger]
    udsat = Udsat()
    with transaction.atomic():
        rows = {(r.emne_id, r.art): r for r in Paamindelse.objects.select_for_update().filter(
            emne_type=EMNE_TILMELDING, emne_id__in=ids, sekvens=0)}
        kanaler = _kanaler(tilmeldinger)
        datoer_af: dict[int, list] = {}
        fremmoeder: dict[int, list] = {}
        for fremmoede in Fremmoede.objects.filter(tilmelding_id__in=ids).select_related("dato"):
            fremmoeder.setdefault(fremmoede.tilmelding_id, []).append(fremmoede)
        rows_24t = {r.emne_id: r for r in Paamindelse.objects.select_for_update().filter(
            emne_type=EMNE_FREMMOEDE, emne_id__in=[f.pk for fs in fremmoeder.values() for f in fs],
            art="arr_24t", sekvens=0)}
        for tilmelding in tilmeldinger:
            arrangement = tilmelding.arrangement
            if arrangement.pk not in datoer_af:
                datoer_af[arrangement.pk] = _aktive_datoer(arrangement)
            aktiv = tilmelding.status == TilmeldingStatus.TILMELDT and arrangement.aflyst is None
            if tilmelding.status == TilmeldingStatus.AFMELDT or arrangement.aflyst:
                for kode in ("arr_bekraeftelse", "arr_venteliste", "arr_rykket_op"):
                    cancel_row(rows.get((tilmelding.pk, kode)), "Tilmeldingen er afmeldt eller arrangementet aflyst",
                            udsat)
            kanal, datoer = kanaler[tilmelding.pk], datoer_af[arrangement.pk]
            if aktiv and kanal and datoer:
                slut = max(d.slut for d in datoer)
                plan = Plan(forfalder=slut, kanal=kanal, begivenhed=slut + SPOERG_SENEST)
            else:
                plan = Plan(grund="Ikke tilmeldt, eller ingen påmindelser")
            apply_plan(rows.get((tilmelding.pk, "arr_evaluering")), ARTER["arr_evaluering"], plan, tilmelding, now, udsat)
            for fremmoede in fremmoeder.get(tilmelding.pk, []):
                _sync_fremmoede(fremmoede, rows_24t.get(fremmoede.pk), kanal if aktiv else None, now, udsat)
        udsat.gem()


def sync_dato(dato: ArrangementDato, *, now: datetime | None = None) -> None:
    """After a date is added, moved or cancelled: each registered person's reminder for it follows."""
    sync_datoer([dato], now=now)


def _dato_fremmoeder(datoer) -> list[Fremmoede]:
    """The attendance rows of the dates, with what planning needs, in one query."""
    by_pk = {d.pk: d for d in datoer}
    fremmoeder = list(Fremmoede.objects.filter(dato_id__in=list(by_pk)).select_related(
        "tilmelding__borger", "tilmelding__arrangement").order_by("pk"))
    for fremmoede in fremmoeder:
        fremmoede.dato = by_pk[fremmoede.dato_id]
    return fremmoeder


def sync_datoer(datoer, *, now: datetime | None = None) -> None:
    """`sync_dato` for several dates, in a fixed number of queries however many are registered."""
    now = now or timezone.now()
    fremmoeder = _dato_fremmoeder(datoer)
    if not fremmoeder:
        return
    kanaler = _kanaler({f.tilmelding for f in fremmoeder})
    rows_24t = {r.emne_id: r for r in Paamindelse.objects.select_for_update().filter(
        emne_type=EMNE_FREMMOEDE, emne_id__in=[f.pk for f in fremmoeder], art="arr_24t", sekvens=0)}
    udsat = Udsat()
    for fremmoede in fremmoeder:
        tilmelding = fremmoede.tilmelding
        aktiv = tilmelding.status == TilmeldingStatus.TILMELDT and tilmelding.arrangement.aflyst is None
        _sync_fremmoede(fremmoede, rows_24t.get(fremmoede.pk), kanaler[tilmelding.pk] if aktiv else None, now, udsat)
    udsat.gem()


def _sync_fremmoede(fremmoede: Fremmoede, row, kanal: str | None, now: datetime, udsat: Udsat) -> None:
    dato = fremmoede.dato
    if kanal is None or dato.aflyst:
        plan = Plan(grund="Ikke tilmeldt, datoen er aflyst, eller ingen påmindelser")
    elif dato.start <= now:
        plan = Plan(grund="Datoen er allerede begyndt")
    else:
        plan = Plan(forfalder=dato.start - ARTER["arr_24t"].foer, kanal=kanal, begivenhed=dato.start)
    apply_plan(row, ARTER["arr_24t"], plan, fremmoede, now, udsat)


def _told_q(fremmoeder) -> Q:
    return (Q(emne_type=EMNE_TILMELDING, emne_id__in={f.tilmelding_id for f in fremmoeder},
              art__in=("arr_bekraeftelse", "arr_rykket_op"))
            | Q(emne_type=EMNE_FREMMOEDE, emne_id__in=[f.pk for f in fremmoeder], art__in=("arr_24t", "arr_flyttet")))


def told(fremmoede: Fremmoede) -> bool:
    """Whether the person holds this date from us: a confirmation, move-up, reminder or move has gone out."""
    return fremmoede.pk in told_alle([fremmoede])


def told_alle(fremmoeder) -> set[int]:
    """The attendance rows (pks) whose person holds the date from us, in one query."""
    fremmoeder = list(fremmoeder)
    if not fremmoeder:
        return set()
    sendt = set(Paamindelse.objects.filter(_told_q(fremmoeder), status__in=(S.SENDT, S.SENDER))
                .values_list("emne_type", "emne_id"))
    return {f.pk for f in fremmoeder
            if (EMNE_FREMMOEDE, f.pk) in sendt or (EMNE_TILMELDING, f.tilmelding_id) in sendt}


def announce(datoer, slags: str, *, now: datetime | None = None) -> list[Paamindelse]:
    """The dates (one or a list) moved ("flyttet") or were cancelled ("aflyst"), and the service has
    counted up each one's `sekvens`: one message per registered person already told about it (older
    pending ones go). A fixed number of queries however many are registered."""
    if isinstance(datoer, ArrangementDato):
        datoer = [datoer]
    now = now or timezone.now()
    art = ARTER[f"arr_{slags}"]
    created = []
    with transaction.atomic():
        fremmoeder = [f for f in _dato_fremmoeder(datoer) if f.tilmelding.status == TilmeldingStatus.TILMELDT]
        kanaler = _kanaler({f.tilmelding for f in fremmoeder})
        fremmoeder = [f for f in fremmoeder if kanaler[f.tilmelding_id] is not None]
        told_ids = told_alle(fremmoeder)
        fremmoeder = [f for f in fremmoeder if f.pk in told_ids]
        if not fremmoeder:
            return created
        udsat = Udsat()
        existing = {}
        for old in Paamindelse.objects.select_for_update().filter(
                emne_type=EMNE_FREMMOEDE, emne_id__in=[f.pk for f in fremmoeder], art__in=("arr_flyttet", "arr_aflyst")):
            cancel_row(old, "Erstattet af en nyere besked om datoen", udsat)
            existing[(old.emne_id, old.art, old.sekvens)] = old
        for fremmoede in fremmoeder:
            dato = fremmoede.dato
            plan = Plan(forfalder=now, kanal=kanaler[fremmoede.tilmelding_id],
                         begivenhed=dato.start if slags == "flyttet" else None)
            row = existing.get((fremmoede.pk, art.kode, dato.sekvens))
            if row is None:
                row = create_row(art, plan, fremmoede, sekvens=dato.sekvens, udsat=udsat)
            else:
                arm_row(row, plan, udsat)
            created.append(row)
        udsat.gem()
    return created


def cancel_for_borger(borger, *, grund: str = "Borgeren er arkiveret") -> int:
    tilmeldinger = Tilmelding.objects.filter(borger=borger).values("pk")
    fremmoeder = Fremmoede.objects.filter(tilmelding__borger=borger).values("pk")
    return Paamindelse.objects.filter(
        Q(emne_type=EMNE_TILMELDING, emne_id__in=tilmeldinger) | Q(emne_type=EMNE_FREMMOEDE, emne_id__in=fremmoeder),
        status=S.AFVENTER).update(status=S.ANNULLERET, sidste_fejl=grund)


# --- Sending ---------------------------------------------------------------------------------------


def arrangement_ics(datoer, *, attendee: str = "", method: str = "REQUEST", now: datetime | None = None,
                    vaert=None) -> str:
    """An iCalendar REQUEST (or CANCEL) with one VEVENT per date: UID per date, SEQUENCE its revision,
    local times. No personal data beyond the attendee's own address. `vaert`: the centre named as
    organizer when the network itself holds the meeting (the registrant's own centre)."""
    now = now or timezone.now()
    tz = ZoneInfo(settings.TIME_ZONE)
    cal = ics_kalender("-//Brobygning//Arrangementer//DA", method)
    for dato in datoer:
        arrangement, center = dato.arrangement, dato.arrangement.center or vaert
        event = Event()
        event.add("uid", f"arrangementdato-{dato.pk}@brobygning")
        event.add("dtstamp", now.astimezone(UTC))
        event.add("sequence", dato.sekvens)
        event.add("dtstart", dato.start.astimezone(tz))
        event.add("dtend", dato.slut.astimezone(tz))
        event.add("summary", arrangement.titel)
        event.add("location", arrangement.sted or arrangement.online_link)
        if arrangement.online_link:
            event.add("url", arrangement.online_link)
        ics_parter(event, center=center, attendee=attendee, method=method)
        cal.add_component(event)
    return ics_tekst(cal)


def _vaert(tilmelding: Tilmelding):
    """The centre that speaks in the messages: the arrangement's, or for a meeting the network itself
    holds, the registrant's own centre."""
    return tilmelding.arrangement.center or tilmelding.center


def _recipient(tilmelding: Tilmelding, samtykker: set) -> Recipient:
    if tilmelding.borger_id:
        borger = tilmelding.borger
        if borger.arkiveret:
            raise Unsendable(S.ANNULLERET, "Borgeren er arkiveret")
        if (borger.pk, Formaal.PAAMINDELSER) not in samtykker:
            raise Unsendable(S.ANNULLERET, "Borgeren har ikke samtykket til påmindelser (trukket tilbage)")
        if borger_kanal(borger) == PaamindelseKanal.EMAIL:
            if not borger.email:
                raise Unsendable(S.FEJLET, "Borgeren har ingen e-mailadresse")
            return Recipient(PaamindelseKanal.EMAIL, borger.email, borger.fornavn, borger_sprog(borger))
        if not borger.telefon:
            raise Unsendable(S.FEJLET, "Borgeren har intet telefonnummer")
        return Recipient(PaamindelseKanal.SMS, borger.telefon.as_e164, borger.fornavn, borger_sprog(borger))
    if tilmelding.user_id:
        user = tilmelding.user
        if not user.is_active or not user.email:
            raise Unsendable(S.FEJLET, "Deltageren har ingen aktiv e-mailadresse")
        return Recipient(PaamindelseKanal.EMAIL, user.email, user.first_name, settings.LANGUAGE_CODE)
    if not tilmelding.email:
        raise Unsendable(S.FEJLET, "Deltageren har ingen e-mailadresse")
    return Recipient(PaamindelseKanal.EMAIL, tilmelding.email, tilmelding.navn.split(" ")[0] if tilmelding.navn
                      else "", settings.LANGUAGE_CODE)


class ArrangementResolver:
    """Resolves an arrangement's rows (registered with `matching.paamindelser.ANDRE_EMNER`)."""

    def __init__(self, rows):
        rows = list(rows)
        t_ids = {r.emne_id for r in rows if r.emne_type == EMNE_TILMELDING}
        f_ids = {r.emne_id for r in rows if r.emne_type == EMNE_FREMMOEDE}
        self.fremmoeder = Fremmoede.objects.select_related(
            "dato__arrangement__center", "tilmelding__borger", "tilmelding__user", "tilmelding__center",
        ).in_bulk(f_ids) if f_ids else {}
        self.tilmeldinger = Tilmelding.objects.select_related(
            "arrangement__center", "borger", "user", "center").in_bulk(t_ids) if t_ids else {}
        borger_ids = {t.borger_id for t in self.tilmeldinger.values() if t.borger_id}
        borger_ids |= {f.tilmelding.borger_id for f in self.fremmoeder.values() if f.tilmelding.borger_id}
        self.samtykker = set(Samtykke.objects.filter(borger_id__in=borger_ids, tilbagekaldt__isnull=True)
                             .values_list("borger_id", "formaal")) if borger_ids else set()

    def __call__(self, row: Paamindelse) -> Message:
        art = ARTER.get(row.art)
        if art is None or art.emne_type != row.emne_type:
            raise Unsendable(S.ANNULLERET, "Ukendt slags påmindelse")
        if art.emne_type == EMNE_FREMMOEDE:
            fremmoede = self.fremmoeder.get(row.emne_id)
            if fremmoede is None:
                raise Unsendable(S.ANNULLERET, "Tilmeldingen findes ikke længere")
            return self._dato(row, art, fremmoede)
        tilmelding = self.tilmeldinger.get(row.emne_id)
        if tilmelding is None:
            raise Unsendable(S.ANNULLERET, "Tilmeldingen findes ikke længere")
        return self._tilmelding(row, art, tilmelding)

    def _context(self, art, recipient, tilmelding, **extra) -> dict:
        arrangement = tilmelding.arrangement
        vaert = _vaert(tilmelding)
        return {"art": art.kode, "modtager_navn": recipient.navn, "titel": arrangement.titel,
                "sted": arrangement.sted, "online_link": arrangement.online_link,
                "afmeld_link": site_link("matching:arrangement_afmeld", tilmelding.pk,
                                      links.token_for(tilmelding, links.AFMELD)),
                "center_navn": vaert.navn, "center_telefon": vaert.telefon, **extra}

    def _tilmelding(self, row, art, tilmelding: Tilmelding) -> Message:
        arrangement = tilmelding.arrangement
        if arrangement.aflyst:
            raise Unsendable(S.ANNULLERET, "Arrangementet er aflyst")
        if tilmelding.status == TilmeldingStatus.AFMELDT:
            raise Unsendable(S.ANNULLERET, "Tilmeldingen er afmeldt")
        if art.kode == "arr_venteliste" and tilmelding.status != TilmeldingStatus.VENTELISTE:
            raise Unsendable(S.ANNULLERET, "Ikke længere på ventelisten")
        if art.kode != "arr_venteliste" and tilmelding.status != TilmeldingStatus.TILMELDT:
            raise Unsendable(S.ANNULLERET, "Ikke tilmeldt")
        recipient = _recipient(tilmelding, self.samtykker)
        datoer = [d for d in arrangement.datoer.all() if not d.aflyst]
        extra = {"datoer": [(d.start, d.slut) for d in datoer]}
        if art.kode == "arr_evaluering":
            if not tilmelding.fremmoeder.filter(moedt=True).exists():
                raise Unsendable(S.ANNULLERET, "Deltageren mødte ikke op")
            if Tilmelding.objects.filter(pk=tilmelding.pk, evaluering__isnull=False).exists():
                raise Unsendable(S.ANNULLERET, "Evalueringen er allerede givet")
            extra["link"] = site_link("matching:arrangement_evaluering", tilmelding.pk,
                                  links.token_for(tilmelding, links.EVALUER))
            extra["dage"] = settings.ARRANGEMENT_EVALUERING_LINK_MAX_AGE_DAYS
        message = render_message(row, art, recipient, self._context(art, recipient, tilmelding, **extra),
                          reply_to=_vaert(tilmelding).email)
        if art.ics and message.kanal == PaamindelseKanal.EMAIL and datoer:
            for d in datoer:
                d.arrangement = arrangement
            with translation.override(recipient.sprog):
                message.attachments.append(Attachment("arrangement.ics", arrangement_ics(datoer, attendee=recipient.to,
                                                                                      vaert=tilmelding.center),
                                                      "text/calendar", {"method": "REQUEST"}))
        return message

    def _dato(self, row, art, fremmoede: Fremmoede) -> Message:
        dato, tilmelding = fremmoede.dato, fremmoede.tilmelding
        arrangement = dato.arrangement
        tilmelding.arrangement = arrangement
        if tilmelding.status != TilmeldingStatus.TILMELDT:
            raise Unsendable(S.ANNULLERET, "Tilmeldingen er afmeldt")
        aflyst = dato.aflyst or arrangement.aflyst is not None
        if art.kode == "arr_aflyst":
            if not aflyst:
                raise Unsendable(S.ANNULLERET, "Datoen er ikke aflyst")
            method = "CANCEL"
        else:
            if aflyst:
                raise Unsendable(S.ANNULLERET, "Datoen er aflyst")
            method = "REQUEST"
        recipient = _recipient(tilmelding, self.samtykker)
        context = self._context(art, recipient, tilmelding, tidspunkt=dato.start, slut=dato.slut)
        message = render_message(row, art, recipient, context, reply_to=_vaert(tilmelding).email)
        if message.kanal == PaamindelseKanal.EMAIL:
            with translation.override(recipient.sprog):
                message.attachments.append(Attachment("arrangement.ics",
                                                      arrangement_ics([dato], attendee=recipient.to, method=method,
                                                                      vaert=tilmelding.center),
                                                      "text/calendar", {"method": method}))
        return message

    @staticmethod
    def i_brug(now: datetime) -> Q:
        """Rows about a registration or date still ahead: they decide who was told."""
        datoer = ArrangementDato.objects.filter(start__gte=now - SPOERG_SENEST).values("pk")
        return (Q(emne_type=EMNE_FREMMOEDE, emne_id__in=Fremmoede.objects.filter(dato__in=datoer).values("pk"))
                | Q(emne_type=EMNE_TILMELDING, emne_id__in=Fremmoede.objects.filter(
                    dato__in=datoer).values("tilmelding_id")))

    @staticmethod
    def describe(rows) -> list[Beskrivelse]:
        def _url(arrangement):
            if arrangement is None:
                return ""
            name = "matching:netvaerksrum_moede" if arrangement.i_netvaerket else "matching:arrangement_detail"
            return reverse(name, args=[arrangement.pk])

        rows = list(rows)
        fremmoeder = Fremmoede.objects.select_related("dato__arrangement").in_bulk(
            {r.emne_id for r in rows if r.emne_type == EMNE_FREMMOEDE})
        tilmeldinger = Tilmelding.objects.select_related("arrangement").in_bulk(
            {r.emne_id for r in rows if r.emne_type == EMNE_TILMELDING})
        out = []
        for row in rows:
            art = ARTER.get(row.art)
            if row.emne_type == EMNE_FREMMOEDE:
                subject = fremmoeder.get(row.emne_id)
                arrangement = subject.dato.arrangement if subject else None
            else:
                subject = tilmeldinger.get(row.emne_id)
                arrangement = subject.arrangement if subject else None
            out.append(Beskrivelse(
                row=row, modtager=_("Deltager"), art=str(art.label) if art else row.art,
                emne=arrangement.titel if arrangement else _("(slettet)"),
                url=_url(arrangement)))
        return out


def public_ics(datoer, *, center, now: datetime | None = None) -> bytes:
    """The public feed of a centre's public arrangementer (METHOD PUBLISH): title, time, place, page."""
    now = now or timezone.now()
    cal = Calendar()
    cal.add("prodid", "-//Brobygning//Arrangementer//DA")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", _("Arrangementer hos %(center)s") % {"center": center.navn})
    cal.add("x-wr-timezone", settings.TIME_ZONE)
    for dato in datoer:
        arrangement = dato.arrangement
        url = settings.SITE_URL.rstrip("/") + reverse("matching:arrangement_public_tilmeld",
                                                      args=[center.slug, arrangement.pk])
        event = Event()
        event.add("uid", f"arrangementdato-{dato.pk}@brobygning")
        event.add("dtstamp", now.astimezone(UTC))
        event.add("sequence", dato.sekvens)
        event.add("dtstart", dato.start.astimezone(UTC))
        event.add("dtend", dato.slut.astimezone(UTC))
        event.add("summary", arrangement.titel)
        event.add("location", arrangement.sted or arrangement.online_link)
        event.add("url", url)
        event.add("description", _("%(type)s. Læs mere og tilmeld dig: %(url)s")
                  % {"type": arrangement.get_type_display(), "url": url})
        cal.add_component(event)
    return cal.to_ical()
