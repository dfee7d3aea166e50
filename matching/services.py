"""Writes for the journey: matches through their stages, ledsagelse and opfølgning.

Every stage change goes through `match_transition`, which validates it against the one table in
matching.stages, time-stamps it, records who did it and writes the audit log.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from borgere.gdpr import aktivitet_registreret
from borgere.models import BorgerStatus, Formaal, Samtykke
from borgere.services import borger_create, borger_update, har_samtykke, maaling_record
from brobygning import access
from brobygning.audit import log_action, log_actions
from brobygning.changes import apply_changes
from brobygning.models import AuditAction, Medlemskab, Rolle

from . import arrangement_paamindelser, paamindelser, registrering, stages
from .arrangementer import email_noegle
from .models import (
    SVAR_VALG,
    Afslutningsaarsag,
    Arrangement,
    ArrangementDato,
    ArrangementType,
    Evaluering,
    Fremmoede,
    Ledsagelse,
    LedsagelseStatus,
    Match,
    MatchOvergang,
    MatchRolle,
    Moedesvar,
    Opfoelgning,
    OpfoelgningType,
    Resultat,
    Stage,
    Svar,
    SvarModtager,
    SvarVia,
    Tilmelding,
    TilmeldingKilde,
    TilmeldingStatus,
    VaertRapport,
)

# When each follow-up falls due, counted from the first meeting.
OPFOELGNING_DAGE = {
    OpfoelgningType.DAGEN_EFTER: 1,
    OpfoelgningType.EN_MAANED: 30,
    OpfoelgningType.TRE_MAANEDER: 91,
}

# How many days before its due date each follow-up may be recorded (late is always allowed). A call
# rarely lands on the day itself, so there is some slack, growing with the distance: a week for the
# 1-month follow-up (from day 23), two for the 3-month one (from day 77). No more, or "still taking
# part after a month" could be recorded after two weeks, which would corrupt the retention figures
# (issue 12). The day-after follow-up has no number: it opens when the first meeting is over
# (`Ledsagelse.slut`), whatever the date.
OPFOELGNING_AABNER_DAGE_FOER = {
    OpfoelgningType.DAGEN_EFTER: None,
    OpfoelgningType.EN_MAANED: 7,
    OpfoelgningType.TRE_MAANEDER: 14,
}

OPFOELGNING_NAVN = {
    OpfoelgningType.DAGEN_EFTER: gettext_lazy("Opfølgningen dagen efter"),
    OpfoelgningType.EN_MAANED: gettext_lazy("Opfølgningen efter 1 måned"),
    OpfoelgningType.TRE_MAANEDER: gettext_lazy("Opfølgningen efter 3 måneder"),
}


def opfoelgning_aabner(opfoelgning: Opfoelgning, moede_slut: datetime | None) -> datetime:
    """When `opfoelgning` may first be recorded: for the day-after one, the end of the first meeting
    (`moede_slut`, the attended meeting's end); for the others, the start of the local day
    OPFOELGNING_AABNER_DAGE_FOER days before the due date."""
    dage = OPFOELGNING_AABNER_DAGE_FOER[opfoelgning.type]
    if dage is None:
        if moede_slut is not None:
            return moede_slut
        dage = OPFOELGNING_DAGE[opfoelgning.type]  # no meeting on record: the first meeting's day
    dag = opfoelgning.forfalder - timedelta(days=dage)
    return timezone.make_aware(datetime.combine(dag, time.min))


def foerste_moede_slut(match: Match) -> datetime | None:
    """The end of the match's attended first meeting, if there is one."""
    moede = match.ledsagelser.filter(status=LedsagelseStatus.MOEDT_OP).order_by("-tidspunkt").first()
    return moede.slut if moede else None


def _check_window(opfoelgning: Opfoelgning) -> None:
    aabner = opfoelgning_aabner(opfoelgning, foerste_moede_slut(opfoelgning.match))
    if timezone.now() >= aabner:
        return
    lokal = timezone.localtime(aabner)
    navn = OPFOELGNING_NAVN[opfoelgning.type]
    if OPFOELGNING_AABNER_DAGE_FOER[opfoelgning.type] is None:
        raise ValidationError(_("%(navn)s kan registreres, når mødet er slut: fra %(dag)s kl. %(tid)s.") % {
            "navn": navn, "dag": date_format(lokal, "l j. F"), "tid": date_format(lokal, "H.i")})
    raise ValidationError(_("%(navn)s kan registreres fra %(dag)s.") % {
        "navn": navn, "dag": date_format(lokal, "l j. F")})


def match_create(*, actor, borger, faellesskab, rolle="deltager", score=None, begrundelser=()) -> Match:
    """A new match, at "foreslået". Refused for a borger without a registration consent: a match is
    processing of what the borger told us, and without the consent that may not happen (issue 12)."""
    access.check(actor, "borger", "change", borger)
    if not har_samtykke(borger, Formaal.REGISTRERING):
        raise ValidationError(_("Borgeren har ikke givet samtykke til registrering. Registrér samtykket på "
                                "borgerens side, før du matcher."))
    if faellesskab.center_id != actor.center_id:
        raise ValidationError(_("Fællesskabet hører til et andet center."))
    if rolle not in MatchRolle.values:
        raise ValidationError(_("Vælg om borgeren skal være deltager eller frivillig."))
    try:
        with transaction.atomic():
            match = Match.objects.create(
                center_id=actor.center_id, borger=borger, faellesskab=faellesskab, rolle=rolle,
                score=score, begrundelser=list(begrundelser), oprettet_af=actor.user,
            )
            MatchOvergang.objects.create(match=match, til=Stage.FORESLAAET, actor=actor.user)
            log_action(actor=actor, handling=AuditAction.MATCH_OPRETTET, obj=match, felter=["stage"])
            aktivitet_registreret(borger.pk)
    except IntegrityError:
        raise ValidationError(_("Borgeren har allerede et åbent match med dette fællesskab.")) from None
    return match


# A match just made can be undone for this long (issue 16, "Confirm or undo"), while nothing has
# happened to it yet: still "foreslået", no meeting planned.
FORTRYD_MINUTTER = 10


def match_kan_fortrydes(match: Match, *, actor) -> bool:
    return (match.stage == Stage.FORESLAAET and match.oprettet_af_id == actor.user.pk
            and timezone.now() - match.oprettet <= timedelta(minutes=FORTRYD_MINUTTER))


def match_fortryd(*, actor, match: Match):
    """Undo "Opret match": the match is deleted, and the audit log keeps that it was made and undone.
    Returns the borger, whose page the person goes back to."""
    with transaction.atomic():
        match = Match.objects.select_for_update().select_related("borger").get(pk=match.pk)
        access.check(actor, "match", "change", match)
        if not match_kan_fortrydes(match, actor=actor) or match.ledsagelser.exists():
            raise ValidationError(_("Matchet kan ikke længere fortrydes. Afslut det i stedet, og vælg en årsag."))
        log_action(actor=actor, handling=AuditAction.MATCH_FORTRUDT, obj=match, felter=["stage"])
        borger = match.borger
        match.delete()
        aktivitet_registreret(borger.pk)
    return borger


def match_transition(*, actor, match: Match, til: str, note: str = "", aarsag: str = "") -> Match:
    """Move a match to `til`, if the state machine allows it from where it is now."""
    with transaction.atomic():
        match = Match.objects.select_for_update().get(pk=match.pk)
        access.check(actor, "match", "change", match)
        return _transition(actor=actor, match=match, til=til, note=note, aarsag=aarsag)


def _transition(*, actor, match: Match, til: str, note: str = "", aarsag: str = "",
                modtagere=paamindelser.ALLE_MODTAGERE) -> Match:
    """The state machine step itself, for a locked match whose access the caller has checked.
    `actor` is None when the system acts; `modtagere` are told if ending the match cancels a meeting."""
    if not stages.allowed(match.stage, til):
        raise ValidationError(
            _("Et match kan ikke gå fra “%(fra)s” til “%(til)s”.")
            % {"fra": Stage(match.stage).label, "til": Stage(til).label}
        )
    if til == Stage.AFSLUTTET:
        if aarsag not in Afslutningsaarsag.values:
            raise ValidationError({"aarsag": _("Vælg hvorfor matchet slutter.")})
        match.afslutningsaarsag, match.afslutningsnote = aarsag, note[:500]
    now = timezone.now()  # the step and the stage carry the same time: when it was recorded
    MatchOvergang.objects.create(match=match, fra=match.stage, til=til, actor=_user(actor), note=note[:500],
                                 tidspunkt=now)
    match.stage, match.stage_siden = til, now
    match.save()
    aktivitet_registreret(match.borger_id)  # a stage change is activity (the retention clock)
    log_action(actor=actor, handling=AuditAction(f"match.fase.{til}"), obj=match, felter=["stage"])
    if til == Stage.AFSLUTTET:
        _stop_what_is_pending(match, actor=actor, modtagere=modtagere)
    return match


def _user(actor):
    """The person behind `actor`, or None when the system acts (an art. 17 anonymisation) or a
    signed link's actor answers (it has no user)."""
    return actor.user if actor is not None and actor.user.is_authenticated else None


def _stop_what_is_pending(match: Match, *, actor, modtagere=paamindelser.ALLE_MODTAGERE) -> None:
    """An ended match cancels its planned meeting (those told hear it is cancelled); its open
    follow-ups stay but are no longer reminded."""
    for ledsagelse in match.ledsagelser.select_for_update().filter(status=LedsagelseStatus.PLANLAGT):
        _aflys(actor=actor, ledsagelse=ledsagelse, modtagere=modtagere)
    for opfoelgning in match.opfoelgninger.filter(udfoert__isnull=True).select_related("match"):
        paamindelser.sync_opfoelgning(opfoelgning)


def _aflys(*, actor, ledsagelse: Ledsagelse, modtagere=paamindelser.ALLE_MODTAGERE) -> None:
    """Cancel a planned meeting, locked by the caller: a new revision, its reminders stop, and each
    of `modtagere` already told about it gets an "aflyst" message with a calendar CANCEL."""
    ledsagelse.status = LedsagelseStatus.AFLYST
    ledsagelse.sekvens += 1
    ledsagelse.save(update_fields=["status", "sekvens"])
    log_action(actor=actor, handling=AuditAction.LEDSAGELSE_UDFALD_AFLYST, obj=ledsagelse, felter=["status"])
    paamindelser.sync_ledsagelse(ledsagelse)
    paamindelser.announce_cancel(ledsagelse, modtagere=modtagere)


def ledsagelse_plan(*, actor, match: Match, data: dict) -> Ledsagelse:
    """Plan the first meeting; the match moves to "first meeting planned" and reminders are set."""
    with transaction.atomic():
        match = Match.objects.select_for_update().get(pk=match.pk)
        access.check(actor, "ledsagelse", "create", Ledsagelse(match=match, center_id=match.center_id))
        if match.ledsagelser.filter(status=LedsagelseStatus.PLANLAGT).exists():
            raise ValidationError(_("Der er allerede planlagt et første møde. Flyt det i stedet."))
        _check_future(data["tidspunkt"])
        ledsagelse = Ledsagelse(center_id=match.center_id, match=match)
        felter = apply_changes(ledsagelse, data)
        log_action(actor=actor, handling=AuditAction.LEDSAGELSE_PLANLAGT, obj=ledsagelse, felter=felter)
        if match.stage == Stage.FORESLAAET:
            # Planning the first meeting is the borger's yes (issue 16): no separate "accepteret" click.
            match_transition(actor=actor, match=match, til=Stage.ACCEPTERET)
        match_transition(actor=actor, match=match, til=Stage.MOEDE_PLANLAGT)
        paamindelser.sync_ledsagelse(ledsagelse)
    return ledsagelse


# A change to any of these moves the meeting: a new revision, the host is asked again, and everyone
# already told hears of it (ARCHITECTURE.md, "Påmindelser").
FLYT_FELTER = {"tidspunkt", "varighed_min", "moedested"}


def ledsagelse_update(*, actor, ledsagelse: Ledsagelse, data: dict) -> Ledsagelse:
    """Change a planned meeting. A new time or place moves its pending reminders, resets the host's
    "vi tager imod" and sends a "flyttet" message to each person already told."""
    with transaction.atomic():
        ledsagelse = Ledsagelse.objects.select_for_update().select_related("match__borger").get(pk=ledsagelse.pk)
        access.check(actor, "ledsagelse", "change", ledsagelse)
        if ledsagelse.status != LedsagelseStatus.PLANLAGT:
            raise ValidationError(_("Mødet er allerede afholdt eller aflyst."))
        if data.get("tidspunkt") != ledsagelse.tidspunkt:
            _check_future(data["tidspunkt"])
        felter = apply_changes(ledsagelse, data)
        flyttet = bool(FLYT_FELTER.intersection(felter))
        if flyttet:
            felter += _new_revision(ledsagelse)
        log_action(actor=actor, handling=AuditAction.LEDSAGELSE_AENDRET, obj=ledsagelse, felter=felter)
        paamindelser.sync_ledsagelse(ledsagelse)
        if flyttet:
            paamindelser.announce_move(ledsagelse)
            aktivitet_registreret(ledsagelse.match.borger_id)  # the meeting's time is activity
    return ledsagelse


def _new_revision(ledsagelse: Ledsagelse) -> list[str]:
    """A moved meeting: count up its revision and ask the host again. Returns the changed fields."""
    felter = ["sekvens"]
    ledsagelse.sekvens += 1
    if ledsagelse.vaert_bekraeftet is not None:
        ledsagelse.vaert_bekraeftet = None
        felter.append("vaert_bekraeftet")
    ledsagelse.save(update_fields=felter)
    return felter


def ledsagelse_outcome(*, actor, ledsagelse: Ledsagelse, status: str) -> Ledsagelse:
    """Record how the first meeting went: attended, did not attend, or cancelled."""
    if status not in (LedsagelseStatus.MOEDT_OP, LedsagelseStatus.UDEBLEV, LedsagelseStatus.AFLYST):
        raise ValidationError(_("Ukendt udfald."))
    with transaction.atomic():
        ledsagelse = Ledsagelse.objects.select_for_update().select_related("match__borger").get(pk=ledsagelse.pk)
        access.check(actor, "ledsagelse", "change", ledsagelse)
        if ledsagelse.status != LedsagelseStatus.PLANLAGT:
            raise ValidationError(_("Udfaldet er allerede registreret."))
        if status == LedsagelseStatus.MOEDT_OP and ledsagelse.tidspunkt > timezone.now():
            raise ValidationError(_("Mødet er ikke begyndt endnu."))
        if status == LedsagelseStatus.AFLYST:
            _aflys(actor=actor, ledsagelse=ledsagelse)
        else:
            ledsagelse.status = status
            ledsagelse.save(update_fields=["status"])
            log_action(actor=actor, handling=AuditAction(f"ledsagelse.udfald.{status}"), obj=ledsagelse,
                       felter=["status"])
            paamindelser.sync_ledsagelse(ledsagelse)
        match = ledsagelse.match
        if status == LedsagelseStatus.MOEDT_OP:
            match_transition(actor=actor, match=match, til=Stage.LEDSAGET)
            _schedule_followups(match, timezone.localtime(ledsagelse.tidspunkt).date())
        else:
            match_transition(actor=actor, match=match, til=Stage.ACCEPTERET,
                             note=LedsagelseStatus(status).label)
    return ledsagelse


def _check_future(tidspunkt) -> None:
    if tidspunkt is None or tidspunkt <= timezone.now():
        raise ValidationError({"tidspunkt": _("Vælg et tidspunkt i fremtiden.")})


def _schedule_followups(match: Match, first_meeting) -> None:
    for type_, days in OPFOELGNING_DAGE.items():
        opfoelgning, _created = Opfoelgning.objects.get_or_create(
            match=match, type=type_,
            defaults={"center_id": match.center_id, "forfalder": first_meeting + timedelta(days=days)},
        )
        paamindelser.sync_opfoelgning(opfoelgning)


# A follow-up that finds the borger still taking part moves the match on to this stage, in this order.
FOLLOWUP_STAGE = {
    OpfoelgningType.DAGEN_EFTER: Stage.BUDT_VELKOMMEN,
    OpfoelgningType.EN_MAANED: Stage.AKTIV_1_MD,
    OpfoelgningType.TRE_MAANEDER: Stage.AKTIV_3_MD,
}


def opfoelgning_record(*, actor, opfoelgning: Opfoelgning, resultat: str, aarsag: str = "", note: str = "",
                       maalinger=()) -> Opfoelgning:
    """Record what a follow-up found, with any outcome measures (type, answers), all or nothing.

    The window: a follow-up is refused before it opens (`opfoelgning_aabner`: the day-after one once
    the first meeting is over, the others OPFOELGNING_AABNER_DAGE_FOER days before they are due),
    with a message naming when it opens. Late is always allowed; the lists show it as overdue.

    The stage: "still taking part" moves the match forward, never back, to the follow-up's stage
    (FOLLOWUP_STAGE), through the stages of the earlier follow-ups when those were skipped, but only
    past an earlier follow-up that is recorded or whose due date has passed. So the 3-month result
    cannot put a match at "deltager efter 3 måneder" before the 1-month follow-up is recorded or
    overdue, and recording the day-after follow-up late, after the 1-month one, moves nothing. Each
    step is its own transition, time-stamped when it is recorded (not the due date), so the stage
    history says when the centre learnt it. Any other result ends the match.
    """
    with transaction.atomic():
        opfoelgning = Opfoelgning.objects.select_for_update().select_related("match__borger").get(pk=opfoelgning.pk)
        access.check(actor, "opfoelgning", "change", opfoelgning)
        if opfoelgning.udfoert:
            raise ValidationError(_("Opfølgningen er allerede registreret."))
        _check_window(opfoelgning)
        apply_changes(opfoelgning, {"resultat": resultat, "aarsag": aarsag, "note": note,
                                    "udfoert": timezone.now(), "udfoert_af": actor.user})
        log_action(actor=actor, handling=AuditAction.OPFOELGNING_REGISTRERET, obj=opfoelgning, felter=["resultat"])
        aktivitet_registreret(opfoelgning.match.borger_id)
        for type_, svar in maalinger:
            maaling_record(actor=actor, borger=opfoelgning.match.borger, type=type_, svar=svar,
                           opfoelgning=opfoelgning)
        paamindelser.sync_opfoelgning(opfoelgning)
        match = opfoelgning.match
        if resultat == Resultat.DELTAGER_STADIG:
            _advance(actor, match, opfoelgning)
        else:
            reason = Afslutningsaarsag.PASSEDE_IKKE if resultat == Resultat.VIL_HAVE_NYT else Afslutningsaarsag.ANDET
            match_transition(actor=actor, match=match, til=Stage.AFSLUTTET, aarsag=reason,
                             note=aarsag or Resultat(resultat).label)
    return opfoelgning


def _advance(actor, match: Match, opfoelgning: Opfoelgning) -> None:
    """Move the match forward to the stage of `opfoelgning` (see `opfoelgning_record`)."""
    order = list(FOLLOWUP_STAGE)
    earlier = {o.type: o for o in match.opfoelgninger.all()}
    today = timezone.localdate()
    note = _("Ved opfølgningen: %(type)s") % {"type": OpfoelgningType(opfoelgning.type).label}
    for type_ in order[:order.index(opfoelgning.type) + 1]:
        step = earlier.get(type_)
        if type_ != opfoelgning.type and (step is None or (step.udfoert is None and step.forfalder >= today)):
            return  # an earlier follow-up is neither recorded nor overdue: the match waits for it
        if stages.allowed(match.stage, FOLLOWUP_STAGE[type_]):
            match = match_transition(actor=actor, match=match, til=FOLLOWUP_STAGE[type_], note=note)


# --- When the borger's data or consents change (called from matching.borgerdata) ----------------
# borgere has checked access for the borger-level action. `actor` may be None: the system acts.

# Cancelled because of the borger's own data or consent: the borger is not written to.
UDEN_BORGER = (paamindelser.BROBYGGER, paamindelser.VAERT)


def match_afslut_for_borger(*, actor, borger) -> list[Match]:
    """Art. 17: the anonymised borger's open matches end, and their planned meetings are cancelled.
    The brobygger and the host hear that the meeting is cancelled; the borger gets nothing."""
    with transaction.atomic():
        matches = list(Match.objects.select_for_update().filter(borger=borger).exclude(stage=Stage.AFSLUTTET))
        for match in matches:
            _transition(actor=actor, match=match, til=Stage.AFSLUTTET, aarsag=Afslutningsaarsag.ANDET,
                        note=_("Borgeren er anonymiseret"), modtagere=UDEN_BORGER)
    return matches


def ledsagelse_samtykke_aendret(*, actor, borger_id: int) -> list[Ledsagelse]:
    """The borger's planned meetings follow a withdrawn consent. Returns the meetings changed.

    - Registration withdrawn: each planned meeting is cancelled as an "aflyst" outcome would be
      (the brobygger and the host are told; the borger is not written to) and the match goes back
      to accepted, ready for a new meeting if the consent is given again.
    - Sharing with the host withdrawn: a host already told gets an "aflyst" for their calendar
      entry (without name or reason), since we may no longer keep them informed. The meeting stays
      for the brobygger and the borger.
    """
    samtykker = Samtykke.objects.filter(borger_id=borger_id)
    registrering = samtykker.filter(formaal=Formaal.REGISTRERING)
    uden_registrering = (registrering.filter(tilbagekaldt__isnull=False).exists()
                         and not registrering.filter(tilbagekaldt__isnull=True).exists())
    uden_deling = not samtykker.filter(formaal=Formaal.DELING_MED_VAERT, tilbagekaldt__isnull=True).exists()
    changed = []
    with transaction.atomic():
        planned = (Ledsagelse.objects.select_for_update().select_related("match__borger")
                   .filter(match__borger_id=borger_id, status=LedsagelseStatus.PLANLAGT))
        for ledsagelse in planned:
            if uden_registrering:
                _aflys(actor=actor, ledsagelse=ledsagelse, modtagere=UDEN_BORGER)
                match = Match.objects.select_for_update().get(pk=ledsagelse.match_id)
                if stages.allowed(match.stage, Stage.ACCEPTERET):
                    _transition(actor=actor, match=match, til=Stage.ACCEPTERET,
                                note=_("Samtykket til registrering er trukket tilbage"))
            elif uden_deling and paamindelser.told(ledsagelse, paamindelser.VAERT):
                ledsagelse.sekvens += 1
                ledsagelse.save(update_fields=["sekvens"])
                log_action(actor=actor, handling=AuditAction.LEDSAGELSE_AENDRET, obj=ledsagelse, felter=["sekvens"])
                paamindelser.announce_cancel(ledsagelse, modtagere=(paamindelser.VAERT,))
            else:
                continue
            changed.append(ledsagelse)
    return changed


# --- The host's side (værtsskab) ------------------------------------------------------------------


def _host_ledsagelse(actor, ledsagelse: Ledsagelse) -> Ledsagelse:
    ledsagelse = Ledsagelse.objects.select_for_update().select_related("match__faellesskab").get(pk=ledsagelse.pk)
    access.check(actor, "ledsagelse", "host", ledsagelse)
    if ledsagelse.match.er_afsluttet or ledsagelse.status in (LedsagelseStatus.AFLYST, LedsagelseStatus.UDEBLEV):
        raise ValidationError(_("Mødet er aflyst."))
    return ledsagelse


def vaert_bekraeft(*, actor, ledsagelse: Ledsagelse) -> Ledsagelse:
    """The host confirms "vi tager imod" before the first meeting."""
    with transaction.atomic():
        ledsagelse = _host_ledsagelse(actor, ledsagelse)
        if ledsagelse.tidspunkt <= timezone.now():
            raise ValidationError(_("Mødet er allerede begyndt."))
        if ledsagelse.vaert_bekraeftet is None:
            ledsagelse.vaert_bekraeftet = timezone.now()
            ledsagelse.save(update_fields=["vaert_bekraeftet"])
            log_action(actor=actor, handling=AuditAction.LEDSAGELSE_VAERT_BEKRAEFTET, obj=ledsagelse, felter=["vaert_bekraeftet"])
    return ledsagelse


def vaert_rapporter(*, actor, ledsagelse: Ledsagelse, rapport: str) -> Ledsagelse:
    """After the meeting, the host reports with one click.

    "Kom og blev taget godt imod" moves the match to værtsskab (budt velkommen) through the state
    machine, recording the meeting as attended first if the brobygger has not. "Kom ikke" only
    flags it: the brobygger sees it on Min dag and records the outcome.
    """
    if rapport not in VaertRapport.values:
        raise ValidationError(_("Ukendt melding."))
    with transaction.atomic():
        ledsagelse = _host_ledsagelse(actor, ledsagelse)
        if ledsagelse.tidspunkt > timezone.now():
            raise ValidationError(_("Mødet er ikke begyndt endnu."))
        if ledsagelse.vaert_rapport:
            raise ValidationError(_("I har allerede meldt tilbage om mødet."))
        ledsagelse.vaert_rapport, ledsagelse.vaert_rapporteret = rapport, timezone.now()
        ledsagelse.save(update_fields=["vaert_rapport", "vaert_rapporteret"])
        log_action(actor=actor, handling=AuditAction(f"ledsagelse.vaert.{rapport}"), obj=ledsagelse, felter=["vaert_rapport"])
        if rapport == VaertRapport.KOM:
            match = _moedt_op(actor, ledsagelse, note=_("Meldt af værten"))
            if stages.allowed(match.stage, Stage.BUDT_VELKOMMEN):
                _transition(actor=actor, match=match, til=Stage.BUDT_VELKOMMEN, note=_("Meldt af værten"))
    return ledsagelse


def _moedt_op(actor, ledsagelse: Ledsagelse, *, note: str) -> Match:
    """Someone who was there says the borger came: the outcome "mødte op" if it is still open, and the
    match to "ledsaget" with its follow-ups, through the state machine. Returns the locked match."""
    match = Match.objects.select_for_update().get(pk=ledsagelse.match_id)
    if ledsagelse.status == LedsagelseStatus.PLANLAGT:
        ledsagelse.status = LedsagelseStatus.MOEDT_OP
        ledsagelse.save(update_fields=["status"])
        log_action(actor=actor, handling=AuditAction(f"ledsagelse.udfald.{ledsagelse.status}"), obj=ledsagelse, felter=["status"])
        paamindelser.sync_ledsagelse(ledsagelse)
        if stages.allowed(match.stage, Stage.LEDSAGET):
            match = _transition(actor=actor, match=match, til=Stage.LEDSAGET, note=note)
            _schedule_followups(match, timezone.localtime(ledsagelse.tidspunkt).date())
    return match


# --- Answers after the meeting, by signed link or SMS (matching/svar.py) ----------------------------


def moedesvar_registrer(*, moedesvar: Moedesvar, svar: str, kommentar: str = "", via: str) -> Moedesvar:
    """Record the host's or the borger's answer to the question after the first meeting.

    The signed link (or the signed SMS webhook) is the key, so there is no logged-in actor. The host
    answers as their forening (`access.actor_for_forening_link`) through `vaert_rapporter`, so its
    rules hold: JA is "kom og blev taget godt imod" (attended, then ledsaget and budt velkommen),
    NEJ is "kom ikke" (flagged for the brobygger). The borger answers as the centre's system actor:
    either answer means they went, so an open outcome becomes "mødte op". The free text is kept for
    the brobygger only. Each answer is audited as `ledsagelse.svar.<vaert|borger>` with no user.
    """
    if via not in SvarVia.values:
        raise ValidationError(_("Ukendt svarvej."))
    with transaction.atomic():
        moedesvar = Moedesvar.objects.select_for_update().get(pk=moedesvar.pk)
        if moedesvar.besvaret is not None:
            raise ValidationError(_("Der er allerede svaret. Tak!"))
        if svar not in SVAR_VALG[moedesvar.modtager]:
            raise ValidationError({"svar": _("Vælg et af svarene.")})
        ledsagelse = Ledsagelse.objects.select_related("center", "match__faellesskab__forening").get(
            pk=moedesvar.ledsagelse_id)
        if moedesvar.modtager == SvarModtager.VAERT:
            actor = access.actor_for_forening_link(ledsagelse.match.faellesskab.forening)
            rapport = VaertRapport.KOM if svar == Svar.KOM else VaertRapport.KOM_IKKE
            vaert_rapporter(actor=actor, ledsagelse=ledsagelse, rapport=rapport)
        else:
            actor = access.actor_for_system(ledsagelse.center)
            locked = Ledsagelse.objects.select_for_update().select_related("match").get(pk=ledsagelse.pk)
            if locked.match.er_afsluttet or locked.status in (LedsagelseStatus.AFLYST, LedsagelseStatus.UDEBLEV):
                raise ValidationError(_("Mødet er aflyst."))
            if locked.tidspunkt > timezone.now():
                raise ValidationError(_("Mødet er ikke begyndt endnu."))
            _moedt_op(actor, locked, note=_("Meldt af borgeren"))
        moedesvar.svar, moedesvar.besvaret, moedesvar.besvaret_via = svar, timezone.now(), via
        moedesvar.kommentar = (kommentar or "").strip()[:1000]
        moedesvar.save(update_fields=["svar", "besvaret", "besvaret_via", "kommentar"])
        handling = AuditAction.LEDSAGELSE_SVAR_VAERT if moedesvar.modtager == SvarModtager.VAERT \
            else AuditAction.LEDSAGELSE_SVAR_BORGER
        log_action(actor=actor, handling=handling, obj=ledsagelse,
                   felter=["svar", "kommentar"] if moedesvar.kommentar else ["svar"])
    return moedesvar


# --- Arrangementer (issue 14) ----------------------------------------------------------------------
# Registrations take the arrangement's row lock (SELECT … FOR UPDATE) first, so capacity, the waiting
# list and its moving up are decided one at a time per arrangement. The machinery itself (lock, dates,
# cancelling, registering, the waiting list) is `matching.registrering`, shared with the network space.

ARRANGEMENT_FELTER = ["type", "titel", "beskrivelse", "maalgruppe", "sted", "online_link", "kapacitet", "offentlig"]


def _ansvarlige(arrangement: Arrangement, users) -> None:
    users = list(users or [])
    ok = set(Medlemskab.objects.filter(center_id=arrangement.center_id, aktiv=True, user__in=users,
                                       rolle__in=[Rolle.KOORDINATOR, Rolle.BROBYGGER]).values_list("user_id", flat=True))
    if any(u.pk not in ok for u in users):
        raise ValidationError({"ansvarlige": _("Kun centrets koordinatorer og brobyggere kan stå for et arrangement.")})
    arrangement.ansvarlige.set(users)


def arrangement_create(*, actor, data: dict, datoer) -> Arrangement:
    """A new arrangement with its dates (`datoer`: (start, minutes) pairs, at least one)."""
    access.check(actor, "arrangement", "create")
    datoer = [d for d in datoer if d[0] is not None]
    if not datoer:
        raise ValidationError({"start": _("Et arrangement skal have mindst én dato.")})
    with transaction.atomic():
        arrangement = Arrangement(center_id=actor.center_id, oprettet_af=_user(actor),
                                  **{k: data.get(k) for k in ARRANGEMENT_FELTER if k in data})
        arrangement.beskrivelse = arrangement.beskrivelse or ""
        arrangement.full_clean(exclude=["center", "oprettet_af"])
        arrangement.save()
        _ansvarlige(arrangement, data.get("ansvarlige"))
        for start, minutter in datoer:
            registrering.ny_dato(arrangement, start, minutter)
        log_action(actor=actor, handling=AuditAction.ARRANGEMENT_OPRETTET, obj=arrangement, felter=ARRANGEMENT_FELTER)
    return arrangement


def arrangement_update(*, actor, arrangement: Arrangement, data: dict) -> Arrangement:
    access.check(actor, "arrangement", "change", arrangement)
    with transaction.atomic():
        locked = registrering.laas(arrangement)
        changed = [k for k in ARRANGEMENT_FELTER if k in data and getattr(locked, k) != data[k]]
        if locked.i_netvaerket and ({"type", "offentlig"} & set(changed)):
            raise ValidationError(_("Et netværksmøde forbliver et netværksmøde og er aldrig offentligt."))
        for k in changed:
            setattr(locked, k, data[k])
        locked.full_clean(exclude=["center", "oprettet_af"])
        locked.save()
        if "ansvarlige" in data:
            _ansvarlige(locked, data["ansvarlige"])
            changed.append("ansvarlige")
        log_action(actor=actor, handling=AuditAction.ARRANGEMENT_AENDRET, obj=locked, felter=changed)
        if "kapacitet" in changed:
            registrering.ryk_op(actor, locked)
    return locked


def arrangement_aflys(*, actor, arrangement: Arrangement) -> Arrangement:
    """Cancel the whole arrangement: every coming date is cancelled and announced to whoever was told."""
    access.check(actor, "arrangement", "change", arrangement)
    with transaction.atomic():
        return registrering.aflys(actor=actor, locked=registrering.laas(arrangement),
                                  allerede_aflyst=_("Arrangementet er allerede aflyst."))


def dato_tilfoej(*, actor, arrangement: Arrangement, start, varighed_min: int = 120) -> ArrangementDato:
    """A further date; everyone registered is registered for it too."""
    access.check(actor, "arrangement", "change", arrangement)
    with transaction.atomic():
        locked = registrering.laas(arrangement)
        dato = registrering.ny_dato(locked, start, varighed_min)
        Fremmoede.objects.bulk_create([
            Fremmoede(center_id=locked.center_id, tilmelding_id=pk, dato=dato)
            for pk in locked.tilmeldinger.filter(status=TilmeldingStatus.TILMELDT).values_list("pk", flat=True)])
        arrangement_paamindelser.sync_dato(dato)
        log_action(actor=actor, handling=AuditAction.ARRANGEMENTDATO_OPRETTET, obj=dato, felter=["start"])
    return dato


def dato_flyt(*, actor, dato: ArrangementDato, start, varighed_min: int | None = None) -> ArrangementDato:
    """A new time for a date: its revision counts up, reminders move, whoever was told hears of it."""
    access.check(actor, "arrangement", "change", dato.arrangement)
    with transaction.atomic():
        registrering.laas(dato.arrangement)
        locked = ArrangementDato.objects.select_for_update().get(pk=dato.pk)
        if locked.aflyst:
            raise ValidationError(_("Datoen er aflyst og kan ikke flyttes."))
        felter = [n for n, v in (("start", start), ("varighed_min", varighed_min or locked.varighed_min))
                  if v is not None and getattr(locked, n) != v]
        if not felter:
            return locked
        locked.start = start or locked.start
        locked.varighed_min = varighed_min or locked.varighed_min
        locked.full_clean(exclude=["arrangement", "center"])
        locked.sekvens += 1
        locked.save()
        arrangement_paamindelser.sync_dato(locked)
        arrangement_paamindelser.announce(locked, "flyttet")
        log_action(actor=actor, handling=AuditAction.ARRANGEMENTDATO_FLYTTET, obj=locked, felter=felter)
    return locked


def dato_aflys(*, actor, dato: ArrangementDato) -> ArrangementDato:
    access.check(actor, "arrangement", "change", dato.arrangement)
    with transaction.atomic():
        registrering.laas(dato.arrangement)
        locked = ArrangementDato.objects.select_for_update().get(pk=dato.pk)
        if locked.aflyst:
            raise ValidationError(_("Datoen er allerede aflyst."))
        registrering.aflys_datoer(ArrangementDato.objects.filter(pk=locked.pk))
        locked.refresh_from_db(fields=["aflyst", "sekvens"])
        log_action(actor=actor, handling=AuditAction.ARRANGEMENTDATO_AFLYST, obj=locked, felter=["aflyst"])
    return locked


def tilmelding_opret(*, actor, arrangement: Arrangement, borger=None, user=None, navn: str = "", email: str = "",
                     forening=None, kilde: str = TilmeldingKilde.PERSONALE, samtykke: bool = False) -> Tilmelding:
    """Register one person: a borger, a foreningskontakt (user), or another person by name and e-mail.
    Within capacity: registered; beyond it: the waiting list. A second active registration of the
    same person is refused. Staff register (koordinator); the public form registers through the
    centre's system actor (`access.actor_for_system`) for public arrangementer only."""
    if kilde == TilmeldingKilde.OFFENTLIG:
        if not arrangement.offentlig or actor.center_id != arrangement.center_id:
            raise ValidationError(_("Man kan ikke tilmelde sig dette arrangement her."))
        if not samtykke:
            raise ValidationError({"samtykke": _("Sæt kryds for at give samtykke.")})
    else:
        access.check(actor, "arrangement", "change", arrangement)
    if sum(x is not None and x != "" for x in (borger, user, email)) != 1:
        raise ValidationError(_("Vælg én borger, én foreningskontakt eller skriv navn og e-mail på en anden person."))
    if arrangement.i_netvaerket and user is None:  # the network space holds no borger and no outsider
        raise ValidationError(_("Til et netværksmøde tilmeldes kun medarbejdere fra netværkets centre."))
    if borger is not None and borger.center_id != arrangement.center_id:
        raise ValidationError({"borger": _("Borgeren hører til et andet center.")})
    if user is not None:
        medlemskab = Medlemskab.objects.filter(user=user, center_id=arrangement.center_id, aktiv=True).first()
        if medlemskab is None:
            raise ValidationError({"user": _("Personen er ikke medlem af centret.")})
        if arrangement.i_netvaerket and medlemskab.rolle not in (Rolle.KOORDINATOR, Rolle.BROBYGGER):
            raise ValidationError(_("Til et netværksmøde tilmeldes kun medarbejdere fra netværkets centre."))
        if forening is None and medlemskab.rolle == Rolle.FORENINGSKONTAKT:
            forening = medlemskab.foreninger.order_by("pk").first()
    if forening is not None and forening.center_id != arrangement.center_id:
        raise ValidationError({"forening": _("Foreningen hører til et andet center.")})
    if email and not navn:
        raise ValidationError({"navn": _("Skriv personens navn.")})
    with transaction.atomic():
        tilmelding = registrering.registrer(
            actor=actor, arrangement=arrangement, borger=borger, user=user, email=email,
            lukket=_("Arrangementet er aflyst eller overstået; der kan ikke tilmeldes flere."),
            center_id=arrangement.center_id, forening=forening, navn=navn if email else "", kilde=kilde,
            samtykke=timezone.now() if samtykke else None, oprettet_af=_user(actor))
        if borger is not None:
            aktivitet_registreret(borger.pk)
    return tilmelding


def tilmelding_afmeld(*, actor, tilmelding: Tilmelding, via_link: bool = False) -> Tilmelding:
    """Cancel a registration (staff, or the person by the signed link in their confirmation). A freed
    place goes to the first on the waiting list, in the same transaction."""
    if not via_link:
        access.check(actor, "arrangement", "change", tilmelding.arrangement)
    with transaction.atomic():
        arrangement = registrering.laas(tilmelding.arrangement)
        locked = Tilmelding.objects.select_for_update().get(pk=tilmelding.pk)
        if locked.status == TilmeldingStatus.AFMELDT:
            raise ValidationError(_("Tilmeldingen er allerede afmeldt."))
        havde_plads = locked.status == TilmeldingStatus.TILMELDT
        locked.status, locked.afmeldt = TilmeldingStatus.AFMELDT, timezone.now()
        locked.save(update_fields=["status", "afmeldt"])
        locked.arrangement = arrangement
        arrangement_paamindelser.sync_tilmelding(locked)
        log_action(actor=actor, handling=AuditAction.TILMELDING_AFMELDT, obj=locked, felter=["status"])
        if havde_plads:
            registrering.ryk_op(actor, arrangement)
    return locked


def tilmelding_start_forloeb(*, actor, tilmelding: Tilmelding, data: dict, samtykke_maade: str = "",
                             samtykketekst=None):
    """A workshop registration as the start of a brobygning forløb (issue 14; koordinator).

    A registered borger: their forløb starts (status "I forløb" from "Ny", and the brobygger chosen in
    `data`, through `borger_update`). A public registrant who gave consent on the form: becomes a
    borger through `borger_create`, with their registration consent recorded as given
    (`samtykke_maade`, to `samtykketekst`); the registration is then the borger's (its name and
    e-mail are on the borger now, so they leave the registration). All or nothing, once per registration."""
    access.check(actor, "arrangement", "change", tilmelding.arrangement)
    if not actor.is_koordinator:
        raise PermissionDenied(_("Kun en koordinator kan starte et forløb."))
    if tilmelding.arrangement.type != ArrangementType.WORKSHOP:
        raise ValidationError(_("Kun en tilmelding til en workshop for borgere kan starte et forløb."))
    if not data.get("brobygger"):
        raise ValidationError({"brobygger": _("Vælg den brobygger, der skal tage kontakt.")})
    with transaction.atomic():
        locked = (Tilmelding.objects.select_for_update(of=("self",)).select_related("arrangement", "borger")
                  .get(pk=tilmelding.pk))
        if locked.forloeb_startet:
            raise ValidationError(_("Der er allerede startet et forløb fra denne tilmelding."))
        if locked.status == TilmeldingStatus.AFMELDT or locked.anonymiseret:
            raise ValidationError(_("Tilmeldingen er afmeldt eller slettet; start forløbet fra borgerens side."))
        if locked.user_id:
            raise ValidationError(_("En foreningskontakt kan ikke starte et forløb som borger."))
        if locked.borger_id:
            borger = locked.borger
            if borger.arkiveret:
                raise ValidationError(_("Borgeren er arkiveret."))
            aendring = {"brobygger": data["brobygger"]}
            if borger.status == BorgerStatus.NY:
                aendring["status"] = BorgerStatus.AKTIV
            borger = borger_update(actor=actor, borger=borger, data=aendring)
        else:
            if locked.kilde != TilmeldingKilde.OFFENTLIG or not locked.samtykke:
                raise ValidationError(_("Kun en borger eller en offentlig tilmelding med samtykke kan starte et "
                                        "forløb. Opret personen som borger i stedet."))
            borger = borger_create(actor=actor, data={**data, "status": data.get("status") or BorgerStatus.AKTIV},
                                   samtykke_maade=samtykke_maade, samtykketekst=samtykketekst)
            locked.borger, locked.navn, locked.email = borger, "", ""
        locked.forloeb_startet = timezone.now()
        locked.save(update_fields=["borger", "navn", "email", "forloeb_startet"])
        log_action(actor=actor, handling=AuditAction.TILMELDING_FORLOEB_STARTET, obj=locked,
                   felter=["borger", "forloeb_startet"])
        arrangement_paamindelser.sync_tilmelding(locked)  # reminders now follow the borger's consent
        aktivitet_registreret(borger.pk)
    return borger


def fremmoede_registrer(*, actor, fremmoede: Fremmoede, moedt: bool | None) -> Fremmoede:
    """One tap at the door: came (True), did not (False), or undo (None). The same state sent again
    (the door page replays taps kept while offline) is recorded once: no new time, no audit entry."""
    access.check(actor, "arrangement", "fremmoede", fremmoede.dato.arrangement)
    with transaction.atomic():
        locked = Fremmoede.objects.select_for_update().select_related("tilmelding").get(pk=fremmoede.pk)
        if locked.tilmelding.status != TilmeldingStatus.TILMELDT:
            raise ValidationError(_("Personen er ikke tilmeldt."))
        if locked.moedt == moedt:
            return locked  # idempotent per state: a tap replayed from the offline queue changes nothing
        locked.moedt = moedt
        locked.registreret = timezone.now() if moedt is not None else None
        locked.registreret_af = _user(actor)
        locked.save(update_fields=["moedt", "registreret", "registreret_af"])
        log_action(actor=actor, handling=AuditAction.FREMMOEDE_REGISTRERET, obj=locked, felter=["moedt"])
        if locked.tilmelding.borger_id:
            aktivitet_registreret(locked.tilmelding.borger_id)
    return locked


def evaluering_giv(*, tilmelding: Tilmelding, udbytte: int, kommentar: str = "") -> Evaluering:
    """The evaluation by signed link (no login): once per registration, from someone who came."""
    actor = access.actor_for_system(tilmelding.center)
    with transaction.atomic():
        locked = Tilmelding.objects.select_for_update().get(pk=tilmelding.pk)
        if Evaluering.objects.filter(tilmelding=locked).exists():
            raise ValidationError(_("Tak, vi har allerede fået din evaluering."))
        evaluering = Evaluering(center_id=locked.center_id, tilmelding=locked, udbytte=udbytte,
                                kommentar=(kommentar or "").strip())
        evaluering.full_clean(exclude=["tilmelding", "center"])
        evaluering.save()
        log_action(actor=actor, handling=AuditAction.EVALUERING_MODTAGET, obj=evaluering, felter=["udbytte", "kommentar"])
    return evaluering


# --- Retention of public registrants' details (issue 14) -------------------------------------------

ANONYMISER_BATCH = 500


def tilmelding_anonymiser_udloebne(*, now=None, batch_size: int = ANONYMISER_BATCH) -> int:
    """Erase the name and e-mail of every registration that is no borger's and no user's (the public
    form's, or a person staff registered by name) once the arrangement's last date started more than
    ARRANGEMENT_OFFENTLIG_OPBEVARING_DAGE days ago; their evaluation comments go too. The rows stay
    (status, attendance, the evaluation score), so counts and reports do not change. Run daily by
    beat, in bounded batches; each batch one UPDATE per kind and one audit INSERT."""
    now = now or timezone.now()
    graense = now - timedelta(days=settings.ARRANGEMENT_OFFENTLIG_OPBEVARING_DAGE)
    sidste = (ArrangementDato.objects.filter(arrangement_id=OuterRef("arrangement_id"))
              .values("arrangement_id").annotate(m=Max("start")).values("m"))
    kandidater = (Tilmelding.objects.filter(borger__isnull=True, user__isnull=True, anonymiseret__isnull=True)
                  .annotate(sidste=Subquery(sidste)).filter(sidste__lt=graense).order_by("pk"))
    count = 0
    while True:
        with transaction.atomic():
            rows = list(kandidater.select_for_update(of=("self",)).only("pk", "center_id", "email")[:batch_size])
            if not rows:
                return count
            ids = [t.pk for t in rows]
            for t in rows:
                t.email_noegle, t.navn, t.email, t.anonymiseret = email_noegle(t.email), "", "", now
            Tilmelding.objects.bulk_update(rows, ["navn", "email", "email_noegle", "anonymiseret"])
            Evaluering.objects.filter(tilmelding_id__in=ids).exclude(kommentar="").update(kommentar="")
            log_actions(actor=None, handling=AuditAction.TILMELDING_ANONYMISERET, objs=rows,
                        felter=["navn", "email", "evaluering.kommentar"])
        count += len(rows)
