"""Writes for the journey: matches through their stages, ledsagelse and opfølgning.

Every stage change goes through `match_transition`, which validates it against the one table in
matching.stages, time-stamps it, records who did it and writes the audit log.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from borgere.services import maaling_record
from brobygning import access
from brobygning.audit import log_action
from brobygning.changes import apply_changes
from brobygning.models import AuditAction

from . import paamindelser, stages
from .models import (
    SVAR_VALG,
    Afslutningsaarsag,
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
    VaertRapport,
)

# When each follow-up falls due, counted from the first meeting.
OPFOELGNING_DAGE = {
    OpfoelgningType.DAGEN_EFTER: 1,
    OpfoelgningType.EN_MAANED: 30,
    OpfoelgningType.TRE_MAANEDER: 91,
}


def match_create(*, actor, borger, faellesskab, rolle="deltager", score=None, begrundelser=()) -> Match:
    access.check(actor, "borger", "change", borger)
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
    except IntegrityError:
        raise ValidationError(_("Borgeren har allerede et åbent match med dette fællesskab.")) from None
    return match


def match_transition(*, actor, match: Match, til: str, note: str = "", aarsag: str = "") -> Match:
    """Move a match to `til`, if the state machine allows it from where it is now."""
    with transaction.atomic():
        match = Match.objects.select_for_update().get(pk=match.pk)
        access.check(actor, "match", "change", match)
        return _transition(actor=actor, match=match, til=til, note=note, aarsag=aarsag)


def _transition(*, actor, match: Match, til: str, note: str = "", aarsag: str = "") -> Match:
    """The state machine step itself, for a locked match whose access the caller has checked."""
    if not stages.allowed(match.stage, til):
        raise ValidationError(
            _("Et match kan ikke gå fra “%(fra)s” til “%(til)s”.")
            % {"fra": Stage(match.stage).label, "til": Stage(til).label}
        )
    if til == Stage.AFSLUTTET:
        if aarsag not in Afslutningsaarsag.values:
            raise ValidationError({"aarsag": _("Vælg hvorfor matchet slutter.")})
        match.afslutningsaarsag, match.afslutningsnote = aarsag, note[:500]
    user = actor.user if actor.user.is_authenticated else None  # a signed link's actor has no user
    MatchOvergang.objects.create(match=match, fra=match.stage, til=til, actor=user, note=note[:500])
    match.stage, match.stage_siden = til, timezone.now()
    match.save()
    log_action(actor=actor, handling=AuditAction(f"match.fase.{til}"), obj=match, felter=["stage"])
    if til == Stage.AFSLUTTET:
        _stop_what_is_pending(match)
    return match


def _stop_what_is_pending(match: Match) -> None:
    """An ended match cancels its planned meeting; its open follow-ups stay but are no longer reminded."""
    for ledsagelse in match.ledsagelser.filter(status=LedsagelseStatus.PLANLAGT):
        ledsagelse.status = LedsagelseStatus.AFLYST
        ledsagelse.save(update_fields=["status"])
        paamindelser.sync_ledsagelse(ledsagelse)
    for opfoelgning in match.opfoelgninger.filter(udfoert__isnull=True).select_related("match"):
        paamindelser.sync_opfoelgning(opfoelgning)


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
        match_transition(actor=actor, match=match, til=Stage.MOEDE_PLANLAGT)
        paamindelser.sync_ledsagelse(ledsagelse)
    return ledsagelse


def ledsagelse_update(*, actor, ledsagelse: Ledsagelse, data: dict) -> Ledsagelse:
    """Change a planned meeting (a new time moves its pending reminders)."""
    with transaction.atomic():
        ledsagelse = Ledsagelse.objects.select_for_update().select_related("match__borger").get(pk=ledsagelse.pk)
        access.check(actor, "ledsagelse", "change", ledsagelse)
        if ledsagelse.status != LedsagelseStatus.PLANLAGT:
            raise ValidationError(_("Mødet er allerede afholdt eller aflyst."))
        if data.get("tidspunkt") != ledsagelse.tidspunkt:
            _check_future(data["tidspunkt"])
        felter = apply_changes(ledsagelse, data)
        log_action(actor=actor, handling=AuditAction.LEDSAGELSE_AENDRET, obj=ledsagelse, felter=felter)
        paamindelser.sync_ledsagelse(ledsagelse)
    return ledsagelse


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
        ledsagelse.status = status
        ledsagelse.save(update_fields=["status"])
        log_action(actor=actor, handling=AuditAction(f"ledsagelse.udfald.{status}"), obj=ledsagelse, felter=["status"])
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


# A follow-up that finds the borger still taking part moves the match one stage on.
FOLLOWUP_STAGE = {
    OpfoelgningType.DAGEN_EFTER: Stage.BUDT_VELKOMMEN,
    OpfoelgningType.EN_MAANED: Stage.AKTIV_1_MD,
    OpfoelgningType.TRE_MAANEDER: Stage.AKTIV_3_MD,
}


def opfoelgning_record(*, actor, opfoelgning: Opfoelgning, resultat: str, aarsag: str = "", note: str = "",
                       maalinger=()) -> Opfoelgning:
    """Record what a follow-up found, with any outcome measures (type, answers), all or nothing."""
    with transaction.atomic():
        opfoelgning = Opfoelgning.objects.select_for_update().select_related("match__borger").get(pk=opfoelgning.pk)
        access.check(actor, "opfoelgning", "change", opfoelgning)
        if opfoelgning.udfoert:
            raise ValidationError(_("Opfølgningen er allerede registreret."))
        apply_changes(opfoelgning, {"resultat": resultat, "aarsag": aarsag, "note": note,
                                    "udfoert": timezone.now(), "udfoert_af": actor.user})
        log_action(actor=actor, handling=AuditAction.OPFOELGNING_REGISTRERET, obj=opfoelgning, felter=["resultat"])
        for type_, svar in maalinger:
            maaling_record(actor=actor, borger=opfoelgning.match.borger, type=type_, svar=svar,
                           opfoelgning=opfoelgning)
        paamindelser.sync_opfoelgning(opfoelgning)
        match = opfoelgning.match
        if resultat == Resultat.DELTAGER_STADIG:
            target = FOLLOWUP_STAGE[opfoelgning.type]
            if stages.allowed(match.stage, target):
                match_transition(actor=actor, match=match, til=target)
        else:
            reason = Afslutningsaarsag.PASSEDE_IKKE if resultat == Resultat.VIL_HAVE_NYT else Afslutningsaarsag.ANDET
            match_transition(actor=actor, match=match, til=Stage.AFSLUTTET, aarsag=reason,
                             note=aarsag or Resultat(resultat).label)
    return opfoelgning


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
