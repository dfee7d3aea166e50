"""Writes for borgere. Each runs in one transaction and writes the audit log."""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from brobygning import access
from brobygning.audit import log_action
from brobygning.changes import apply_changes, check_version
from brobygning.cpr import tjek_felter
from brobygning.models import AuditAction, Medlemskab, Rolle
from brobygning.ratelimit import count_attempt
from brobygning.selectors import brobygger_list

from . import gdpr, hooks
from .models import (
    STANDARD_SAMTYKKETEKSTER,
    AnmodningStatus,
    Borger,
    BorgerStatus,
    Formaal,
    Henvisning,
    HenvisningStatus,
    Maaling,
    Overtagelsesanmodning,
    Projekt,
    Samtale,
    Samtykke,
    SamtykkeMaade,
    SamtykkeTekst,
)


def _check_brobygger(actor, data: dict) -> None:
    brobygger = data.get("brobygger")
    if brobygger is not None and not brobygger_list(actor=actor).filter(pk=brobygger.pk).exists():
        raise ValidationError({"brobygger": _("Brobyggeren er ikke aktiv i centret.")})


def borger_create(*, actor, data: dict, samtykke_maade: str = "", samtykketekst: SamtykkeTekst | None = None) -> Borger:
    """Register a borger together with their registration consent: consent first (issue 12).

    The consent is the borger's, recorded by `actor`, given `samtykke_maade` (mundtligt/skriftligt)
    to `samtykketekst`, the centre's current registration text as shown in the form (a text
    published while the form was open is refused, so the consent is to the words read out).
    Without it nothing is created. All or nothing.
    """
    access.check(actor, "borger", "create")
    _check_brobygger(actor, data)
    tjek_felter(data, BORGER_FRITEKST)
    _check_consent_given(actor, samtykke_maade, samtykketekst)
    with transaction.atomic():
        borger = _borger_new(actor, data)
        samtykke_give(actor=actor, borger=borger, formaal=Formaal.REGISTRERING, maade=samtykke_maade,
                      version=samtykketekst.version)
    return borger


def _check_consent_given(actor, maade: str, tekst: SamtykkeTekst | None) -> None:
    if maade not in SamtykkeMaade.values:
        raise ValidationError({"samtykke_maade": _(
            "Registrér borgerens samtykke til registrering: vælg, hvordan det blev givet.")})
    if tekst is None or tekst.center_id != actor.center_id or tekst.formaal != Formaal.REGISTRERING:
        raise ValidationError({"samtykke_maade": _("Registrér borgerens samtykke til registrering.")})
    # Whether it is still the current version, samtykke_give checks.


def _borger_new(actor, data: dict) -> Borger:
    """The borger row itself; callers record the registration consent in the same transaction."""
    borger = Borger(center_id=actor.center_id)
    felter = apply_changes(borger, data)
    log_action(actor=actor, handling=AuditAction.BORGER_OPRETTET, obj=borger, felter=felter)
    return borger


# What the registration consent covers beyond contact details: the borger's barriers and needs and
# the centre's notes. Without a current consent nothing may be added to them (they can be cleared).
REGISTRERING_FELTER = ("udfordringer", "barrierer", "tilgaengelighedsbehov", "noter")


def _check_registration_consent(borger: Borger, message: str) -> None:
    if not har_samtykke(borger, Formaal.REGISTRERING):
        raise ValidationError(message)


def _adds_registered_data(borger: Borger, data: dict) -> list[str]:
    """The fields of REGISTRERING_FELTER to which `data` adds something."""
    added = []
    for name in REGISTRERING_FELTER:
        if name not in data:
            continue
        if borger._meta.get_field(name).many_to_many:
            if {item.pk for item in data[name]} - set(getattr(borger, name).values_list("pk", flat=True)):
                added.append(name)
        elif data[name] and data[name] != getattr(borger, name):
            added.append(name)
    return added


def borger_update(*, actor, borger: Borger, data: dict) -> Borger:
    """Change a borger. Without a current registration consent, barriers, needs and notes can only be
    cleared, not added to (REGISTRERING_FELTER)."""
    _check_brobygger(actor, data)
    tjek_felter(data, BORGER_FRITEKST)
    with transaction.atomic():
        borger = Borger.objects.select_for_update().get(pk=borger.pk)
        access.check(actor, "borger", "change", borger)
        if not actor.is_koordinator and data.get("brobygger") != borger.brobygger:
            raise ValidationError({"brobygger": _("Kun en koordinator kan skifte brobygger.")})
        if not har_samtykke(borger, Formaal.REGISTRERING) and (added := _adds_registered_data(borger, data)):
            raise ValidationError({name: _(
                "Borgeren har ikke givet samtykke til registrering, så barrierer, behov og noter kan ikke "
                "gemmes. Registrér samtykket på borgerens side først.") for name in added})
        data = check_version(borger, data)
        felter = apply_changes(borger, data)
        log_action(actor=actor, handling=AuditAction.BORGER_AENDRET, obj=borger, felter=felter)
    return borger


def borger_archive(*, actor, borger: Borger) -> Borger:
    access.check(actor, "borger", "archive", borger)
    with transaction.atomic():
        borger.mark_archived()
        borger.save(update_fields=["arkiveret"])
        log_action(actor=actor, handling=AuditAction.BORGER_ARKIVERET, obj=borger)
        for part in hooks.parts():
            part.archived(borger)
    return borger


# Fields a samtale may update on the borger record, in the same form and transaction.
SAMTALE_BORGER_FIELDS = ("interesser", "barrierer", "tilgaengelighedsbehov", "tilgaengelighed", "oensket_rolle")


def samtale_create(*, actor, borger: Borger, data: dict, borger_data: dict, maalinger=()) -> Samtale:
    """Log a samtale, update what matters to the borger, and record measures: all or nothing.

    Refused, whole, without a current registration consent: a samtale is notes about the borger.
    """
    with transaction.atomic():
        borger = Borger.objects.select_for_update().get(pk=borger.pk)
        access.check(actor, "samtale", "create", Samtale(borger=borger, center_id=borger.center_id))
        _check_registration_consent(borger, _(
            "Borgeren har ikke givet samtykke til registrering, så samtalen og det, borgeren fortalte, kan "
            "ikke gemmes. Registrér samtykket på borgerens side først."))
        samtale = Samtale(center_id=borger.center_id, borger=borger, brobygger=actor.user)
        felter = apply_changes(samtale, data)
        log_action(actor=actor, handling=AuditAction.SAMTALE_OPRETTET, obj=samtale, felter=felter)
        borger.version += 1  # an edit form opened before this samtale must not overwrite what it changed
        changed = apply_changes(borger, {k: v for k, v in borger_data.items() if k in SAMTALE_BORGER_FIELDS})
        if borger.status == BorgerStatus.NY:
            borger.status = BorgerStatus.AKTIV
            borger.save(update_fields=["status"])
            changed.append("status")
        if changed:
            log_action(actor=actor, handling=AuditAction.BORGER_AENDRET, obj=borger, felter=changed)
        for type_, svar in maalinger:
            maaling_record(actor=actor, borger=borger, type=type_, svar=svar, samtale=samtale)
        gdpr.aktivitet_registreret(borger.pk)  # last: after the borger's own save above
    return samtale


def har_samtykke(borger: Borger, formaal: str) -> bool:
    return borger.samtykker.filter(formaal=formaal, tilbagekaldt__isnull=True).exists()


def gaeldende_samtykketekst(*, center_id: int, formaal: str) -> SamtykkeTekst:
    """The centre's newest text for the purpose; a centre that has none yet starts from the standard text."""
    tekst = SamtykkeTekst.objects.filter(center_id=center_id, formaal=formaal).order_by("-version").first()
    if tekst is None:
        tekst, _created = SamtykkeTekst.objects.get_or_create(
            center_id=center_id, formaal=formaal, version=1,
            defaults={"tekst": str(STANDARD_SAMTYKKETEKSTER[formaal])})
    return tekst


def samtykke_give(*, actor, borger: Borger, formaal: str, maade: str, version: int | None = None) -> Samtykke:
    """Records consent to the text the borger was shown: the centre's current version for the purpose.

    `version`, when given, is the text version the form showed; a newer one published meanwhile is refused.
    """
    with transaction.atomic():
        access.check(actor, "samtykke", "create", Samtykke(borger=borger, center_id=borger.center_id))
        if formaal not in Formaal.values:
            raise ValidationError(_("Ukendt formål."))
        if har_samtykke(borger, formaal):
            raise ValidationError(_("Samtykket er allerede givet."))
        gaeldende = gaeldende_samtykketekst(center_id=borger.center_id, formaal=formaal)
        if version is not None and version != gaeldende.version:
            raise ValidationError(_(
                "Samtykketeksten til “%(formaal)s” er blevet opdateret, mens formularen var åben. Læs den nye "
                "tekst for borgeren, og gem igen.") % {"formaal": Formaal(formaal).label})
        samtykke = Samtykke(center_id=borger.center_id, borger=borger, registreret_af=actor.user, tekst=gaeldende)
        apply_changes(samtykke, {"formaal": formaal, "maade": maade})
        log_action(actor=actor, handling=AuditAction.SAMTYKKE_GIVET, obj=samtykke, felter=["formaal"])
        transaction.on_commit(lambda: _resync_reminders(borger.pk))  # reminders it now allows are armed
    return samtykke


def samtykke_withdraw(*, actor, samtykke: Samtykke) -> Samtykke:
    """Withdrawal stops the processing from now on; pending reminders re-check consent when sent."""
    with transaction.atomic():
        samtykke = Samtykke.objects.select_for_update().select_related("borger").get(pk=samtykke.pk)
        access.check(actor, "samtykke", "change", samtykke)
        if samtykke.tilbagekaldt is None:
            samtykke.tilbagekaldt = timezone.now()
            samtykke.save(update_fields=["tilbagekaldt"])
            log_action(actor=actor, handling=AuditAction.SAMTYKKE_TILBAGEKALDT, obj=samtykke, felter=["tilbagekaldt"])
            transaction.on_commit(lambda: _resync_reminders(samtykke.borger_id))
    return samtykke


def samtykker_update(*, actor, borger: Borger, formaal, maade: str, versioner: dict) -> tuple[list[str], list[str]]:
    """The borger page's one consent form: `formaal` are the purposes ticked, `maade` how the new ones
    were given, `versioner` the text version shown per purpose.

    Each purpose newly ticked is given (samtykke_give), each unticked one withdrawn
    (samtykke_withdraw), so the audit log and the consent hooks see every change; all in one
    transaction, so a refusal saves nothing. Returns (given, withdrawn).
    """
    valgt = set(formaal)
    if not valgt <= set(Formaal.values):
        raise ValidationError(_("Ukendt formål."))
    with transaction.atomic():
        borger = Borger.objects.select_for_update().get(pk=borger.pk)
        access.check(actor, "borger", "change", borger)
        gaeldende = {s.formaal: s for s in borger.samtykker.filter(tilbagekaldt__isnull=True)}
        givet = [f for f in Formaal.values if f in valgt and f not in gaeldende]
        tilbage = [f for f in Formaal.values if f not in valgt and f in gaeldende]
        if givet and maade not in SamtykkeMaade.values:
            raise ValidationError(_("Vælg, hvordan borgeren gav de nye samtykker."))
        for f in givet:
            if not versioner.get(f):
                raise ValidationError(_("Genindlæs siden, og læs samtykketeksten op igen."))
            samtykke_give(actor=actor, borger=borger, formaal=f, maade=maade, version=versioner[f])
        for f in tilbage:
            samtykke_withdraw(actor=actor, samtykke=gaeldende[f])
    return givet, tilbage


def _resync_reminders(borger_id: int) -> None:
    """Consent changed: let what depends on it follow (e.g. the planned meetings' påmindelser)."""
    for part in hooks.parts():
        part.consent_changed(borger_id)


def maaling_record(*, actor, borger: Borger, type: str, svar: list[int], samtale=None, opfoelgning=None) -> Maaling:
    """An outcome measure; needs both the registration consent and the consent to measures."""
    access.check(actor, "maaling", "create", Maaling(borger=borger, center_id=borger.center_id))
    _check_registration_consent(borger, _(
        "Borgeren har ikke givet samtykke til registrering, så målingen kan ikke gemmes."))
    if not har_samtykke(borger, Formaal.MAALINGER):
        raise ValidationError(_("Borgeren har ikke givet samtykke til trivsels- og ensomhedsmålinger."))
    with transaction.atomic():
        maaling = Maaling(center_id=borger.center_id, borger=borger, registreret_af=actor.user,
                          samtale=samtale, opfoelgning=opfoelgning)
        apply_changes(maaling, {"type": type, "svar": svar})
        log_action(actor=actor, handling=AuditAction.MAALING_REGISTRERET, obj=maaling, felter=["type"])
    return maaling


# --- "Borgere venter på en brobygger" -----------------------------------------------------------


def anmodning_create(*, actor, borger: Borger) -> Overtagelsesanmodning:
    """A brobygger asks to take on a borger on the waiting list; a koordinator decides."""
    with transaction.atomic():
        borger = Borger.objects.select_for_update().get(pk=borger.pk)
        access.check(actor, "anmodning", "create", borger)
        if Overtagelsesanmodning.objects.filter(borger=borger, brobygger=actor.user,
                                                status=AnmodningStatus.AFVENTER).exists():
            raise ValidationError(_("Du har allerede bedt om at tage denne borger."))
        anmodning = Overtagelsesanmodning.objects.create(center_id=borger.center_id, borger=borger,
                                                         brobygger=actor.user)
        log_action(actor=actor, handling=AuditAction.ANMODNING_OPRETTET, obj=anmodning)
    return anmodning


def anmodning_decide(*, actor, anmodning: Overtagelsesanmodning, godkend: bool) -> Overtagelsesanmodning:
    """Approve (the brobygger becomes responsible; other open requests for the borger are declined) or decline."""
    with transaction.atomic():
        anmodning = Overtagelsesanmodning.objects.select_for_update().select_related("borger").get(pk=anmodning.pk)
        access.check(actor, "anmodning", "decide", anmodning)
        if anmodning.status != AnmodningStatus.AFVENTER:
            raise ValidationError(_("Anmodningen er allerede besluttet."))
        borger = Borger.objects.select_for_update().get(pk=anmodning.borger_id)
        now = timezone.now()
        if godkend:
            if borger.brobygger_id is not None:
                raise ValidationError(_("Borgeren har allerede en brobygger."))
            if not Medlemskab.objects.filter(user_id=anmodning.brobygger_id, center_id=borger.center_id,
                                             rolle=Rolle.BROBYGGER, aktiv=True).exists():
                raise ValidationError(_("Brobyggeren er ikke længere aktiv i centret."))
            borger.brobygger_id = anmodning.brobygger_id
            borger.save(update_fields=["brobygger"])
            log_action(actor=actor, handling=AuditAction.BORGER_AENDRET, obj=borger, felter=["brobygger"])
            Overtagelsesanmodning.objects.filter(borger=borger, status=AnmodningStatus.AFVENTER).exclude(
                pk=anmodning.pk).update(status=AnmodningStatus.AFVIST, besluttet=now, besluttet_af=actor.user)
        anmodning.status = AnmodningStatus.GODKENDT if godkend else AnmodningStatus.AFVIST
        anmodning.besluttet, anmodning.besluttet_af = now, actor.user
        anmodning.save(update_fields=["status", "besluttet", "besluttet_af"])
        log_action(actor=actor, handling=AuditAction(f"overtagelsesanmodning.{anmodning.status}"), obj=anmodning, felter=["status"])
    return anmodning


# --- Referrals (henvisninger) --------------------------------------------------------------------

# Free text a person might type a CPR number into: refused with a clear message, never stored (issue 16).
HENVISNING_FRITEKST = ("oensker", "kontakt_note", "fornavn", "efternavn", "henviser_navn", "henviser_organisation")
BORGER_FRITEKST = ("fornavn", "efternavn", "noter")

HENVISNING_FIELDS = ("kilde", "henviser_navn", "henviser_organisation", "henviser_email", "henviser_telefon",
                     "fornavn", "efternavn", "telefon", "email", "foretrukken_kanal", "kontakt_note", "postnummer",
                     "oensker")


def henvisning_create(*, center, data: dict, samtykketekst: SamtykkeTekst) -> Henvisning:
    """A referral from the public form, with the consent text version the person agreed to.

    Nobody is logged in: the audit entry has no actor. The confirmation email goes after commit.
    """
    if samtykketekst.center_id != center.pk or samtykketekst.formaal != Formaal.REGISTRERING:
        raise ValidationError(_("Samtykketeksten hører ikke til dette frivilligcenter."))
    tjek_felter(data, HENVISNING_FRITEKST)
    with transaction.atomic():
        henvisning = Henvisning(center=center, samtykketekst=samtykketekst)
        felter = apply_changes(henvisning, {k: v for k, v in data.items() if k in HENVISNING_FIELDS})
        log_action(actor=None, handling=AuditAction.HENVISNING_MODTAGET, obj=henvisning, felter=felter)
        transaction.on_commit(lambda: _send_henvisning_kvittering(henvisning))
    return henvisning


def _kvittering_allowed(address: str) -> bool:
    """At most HENVISNING_KVITTERING_RATE_LIMIT receipts to one address per period, whatever the IP,
    so the form cannot be used to flood someone's inbox. The cache key holds a hash, not the address."""
    digest = hashlib.sha256(address.strip().lower().encode()).hexdigest()
    count = count_attempt(f"ratelimit:henvisning-kvittering:{digest}", settings.HENVISNING_KVITTERING_RATE_PERIOD)
    return count <= settings.HENVISNING_KVITTERING_RATE_LIMIT


def _send_henvisning_kvittering(henvisning: Henvisning) -> None:
    """A short receipt to whoever sent the referral: "tak, vi har modtaget en henvisning" and the
    centre's own contact details. Nothing the sender typed (names, wishes, whether it was about
    themselves) is in it, since anyone can type any address (issue 11)."""
    to = henvisning.kvittering_til
    if not to or not _kvittering_allowed(to):
        return
    center = henvisning.center
    context = {"center_navn": center.navn, "center_email": center.email, "center_telefon": center.telefon}
    with translation.override(settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string("borgere/henvisning/email/kvittering_subject.txt", context).split())
        message = EmailMultiAlternatives(subject, render_to_string("borgere/henvisning/email/kvittering.txt", context),
                                         to=[to], reply_to=[center.email] if center.email else None)
        message.attach_alternative(render_to_string("borgere/henvisning/email/kvittering.html", context), "text/html")
    message.send()


def _lock_ny_henvisning(actor, henvisning: Henvisning) -> Henvisning:
    henvisning = Henvisning.objects.select_for_update().select_related("samtykketekst").get(pk=henvisning.pk)
    access.check(actor, "henvisning", "change", henvisning)
    if henvisning.status != HenvisningStatus.NY:
        raise ValidationError(_("Henvisningen er allerede behandlet."))
    return henvisning


def henvisning_convert(*, actor, henvisning: Henvisning, data: dict) -> Borger:
    """Turn a referral into a borger with a brobygger, recording the consent given on the form.

    The consent keeps the text version the person agreed to and the time they did. All or nothing.
    """
    if not data.get("brobygger"):
        raise ValidationError({"brobygger": _("Vælg den brobygger, der skal tage kontakt.")})
    tjek_felter(data, BORGER_FRITEKST)
    with transaction.atomic():
        henvisning = _lock_ny_henvisning(actor, henvisning)
        access.check(actor, "borger", "create")
        _check_brobygger(actor, data)
        borger = _borger_new(actor, data)
        # The registration consent is the one given on the referral form, to the text shown there.
        samtykke = Samtykke(center_id=borger.center_id, borger=borger, tekst=henvisning.samtykketekst,
                            givet=henvisning.oprettet, registreret_af=actor.user)
        apply_changes(samtykke, {"formaal": Formaal.REGISTRERING, "maade": SamtykkeMaade.SKRIFTLIGT})
        log_action(actor=actor, handling=AuditAction.SAMTYKKE_GIVET, obj=samtykke, felter=["formaal"])
        henvisning.status = HenvisningStatus.OPRETTET
        henvisning.borger = borger
        henvisning.behandlet = timezone.now()
        henvisning.behandlet_af = actor.user
        henvisning.save(update_fields=["status", "borger", "behandlet", "behandlet_af"])
        log_action(actor=actor, handling=AuditAction.HENVISNING_OPRETTET_SOM_BORGER, obj=henvisning,
                   felter=["status", "borger"])
    return borger


def henvisning_decline(*, actor, henvisning: Henvisning, grund: str) -> Henvisning:
    with transaction.atomic():
        henvisning = _lock_ny_henvisning(actor, henvisning)
        henvisning.status = HenvisningStatus.AFVIST
        henvisning.afvist_grund = (grund or "").strip()
        henvisning.behandlet = timezone.now()
        henvisning.behandlet_af = actor.user
        henvisning.full_clean()
        henvisning.save(update_fields=["status", "afvist_grund", "behandlet", "behandlet_af"])
        log_action(actor=actor, handling=AuditAction.HENVISNING_AFVIST, obj=henvisning, felter=["status", "afvist_grund"])
    return henvisning


def samtykketekst_create(*, actor, formaal: str, tekst: str) -> SamtykkeTekst:
    """A koordinator changes a consent text: a new version. Old versions, and the consents given to
    them, are never touched."""
    access.check(actor, "samtykketekst", "create")
    tekst = (tekst or "").strip()
    if formaal not in Formaal.values:
        raise ValidationError({"formaal": _("Ukendt formål.")})
    if len(tekst) < 20:
        raise ValidationError({"tekst": _("Skriv hele samtykketeksten (mindst 20 tegn).")})
    with transaction.atomic():
        current = gaeldende_samtykketekst(center_id=actor.center_id, formaal=formaal)
        current = SamtykkeTekst.objects.select_for_update().get(pk=current.pk)
        if current.tekst == tekst:
            raise ValidationError({"tekst": _("Teksten er uændret; der er ikke lavet en ny version.")})
        ny = SamtykkeTekst.objects.create(center_id=actor.center_id, formaal=formaal, version=current.version + 1,
                                          tekst=tekst, oprettet_af=actor.user)
        log_action(actor=actor, handling=AuditAction.SAMTYKKETEKST_OPRETTET, obj=ny, felter=["tekst"])
    return ny


# --- Projects (ARCHITECTURE.md, "Rapporter") -----------------------------------------------------

PROJEKT_FELTER = ("navn", "bevillingsgiver", "fra", "til", "maal_antal")


def projekt_create(*, actor, data: dict) -> Projekt:
    access.check(actor, "projekt", "create")
    with transaction.atomic():
        projekt = Projekt(center_id=actor.center_id)
        felter = apply_changes(projekt, {k: data[k] for k in PROJEKT_FELTER if k in data})
        log_action(actor=actor, handling=AuditAction.PROJEKT_OPRETTET, obj=projekt, felter=felter)
    return projekt


def projekt_update(*, actor, projekt: Projekt, data: dict) -> Projekt:
    with transaction.atomic():
        projekt = Projekt.objects.select_for_update().get(pk=projekt.pk)
        access.check(actor, "projekt", "change", projekt)
        felter = apply_changes(projekt, {k: data[k] for k in PROJEKT_FELTER if k in data})
        if felter:
            log_action(actor=actor, handling=AuditAction.PROJEKT_AENDRET, obj=projekt, felter=felter)
    return projekt


def projekt_archive(*, actor, projekt: Projekt) -> Projekt:
    """Archive a project: it leaves the choice lists; its borgere keep the tag, so old reports still add up."""
    with transaction.atomic():
        projekt = Projekt.objects.select_for_update().get(pk=projekt.pk)
        access.check(actor, "projekt", "change", projekt)
        if projekt.arkiveret is not None:
            raise ValidationError(_("Projektet er allerede arkiveret."))
        projekt.arkiveret = timezone.now()
        projekt.save(update_fields=["arkiveret"])
        log_action(actor=actor, handling=AuditAction.PROJEKT_ARKIVERET, obj=projekt, felter=["arkiveret"])
    return projekt


def borger_projekter_set(*, actor, borger: Borger, projekter) -> list[str]:
    """Tag the borger's forløb to exactly `projekter` (active projects of the borger's centre).
    Archived projects the borger is already tagged to stay: they belong to finished reports.
    Returns the changed field names (empty when nothing changed)."""
    access.check(actor, "projekt", "change")
    access.check(actor, "borger", "change", borger)
    valgte = {p.pk for p in projekter}
    tilladte = set(Projekt.objects.filter(center_id=borger.center_id, arkiveret__isnull=True, pk__in=valgte)
                   .values_list("pk", flat=True))
    if valgte - tilladte:
        raise ValidationError({"projekter": _("Vælg blandt centrets aktive projekter.")})
    with transaction.atomic():
        borger = Borger.objects.select_for_update().get(pk=borger.pk)
        nuvaerende = set(borger.projekter.values_list("pk", flat=True))
        arkiverede = set(borger.projekter.filter(arkiveret__isnull=False).values_list("pk", flat=True))
        nye = valgte | arkiverede
        if nye == nuvaerende:
            return []
        borger.projekter.set(nye)
        log_action(actor=actor, handling=AuditAction.BORGER_PROJEKTER_AENDRET, obj=borger, felter=["projekter"])
    return ["projekter"]
