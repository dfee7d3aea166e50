"""The borger's rights: art. 15 insight (export), art. 17 erasure (anonymisation) and retention.

Erasure anonymises instead of deleting rows, so the centre's statistics survive (how many borgere,
samtaler and matches, which stages were reached, how the scales changed), while nothing that
identifies the person remains: names, contact details, birth year (kept as the decade), languages,
availability, every tag, notes and free text on samtaler, matches, meetings and follow-ups, welcome
notes, and the reminder rows' error texts. The audit log and the access log refer to the borger by
id only.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone
from django.utils.translation import gettext as _

from brobygning import access, adgangslog
from brobygning.audit import log_action
from brobygning.availability import slot_labels
from brobygning.models import Adgangslog, AuditAction, Frivilligcenter

from . import hooks
from .models import Borger, BorgerStatus, Henvisning, HenvisningStatus, Maaling, Samtale, Samtykke

ANONYM = "Anonymiseret"


# --- Art. 15: insight ----------------------------------------------------------------------------

STAFF_FIELDS = {"brobygger", "registreret_af", "oprettet_af", "udfoert_af", "actor", "center"}


def export_fields(obj, *, exclude=()) -> dict:
    """Every concrete field of `obj`, readable: choices by label, relations by name, no staff identities."""
    out = {}
    for field in obj._meta.concrete_fields:
        name = field.name
        if name in exclude or name in STAFF_FIELDS or field.primary_key or field.generated:  # soegetekst repeats others
            continue
        if field.is_relation:
            related = getattr(obj, name)
            value = str(related) if related is not None else None
        elif field.choices:
            value = getattr(obj, f"get_{name}_display")() if getattr(obj, name) not in ("", None) else ""
        else:
            value = getattr(obj, name)
        # Dates stay dates: the page shows them in local time, the JSON download as ISO 8601.
        plain = (bool, int, float, list, dict, str)
        if value is not None and not hasattr(value, "isoformat") and not isinstance(value, plain):
            value = str(value)
        out[str(field.verbose_name)] = value
    return out


def borger_export(*, actor, borger: Borger) -> dict:
    """Everything the centre holds about the borger, for the borger (art. 15). Logged as an export."""
    access.check(actor, "borger", "export", borger)
    data = {
        "borger": {
            **export_fields(borger, exclude={"version"}),
            str(Borger._meta.get_field("brobygger").verbose_name):
                borger.brobygger.get_short_name() if borger.brobygger else None,
            **{str(Borger._meta.get_field(name).verbose_name): [t.navn for t in getattr(borger, name).all()]
               for name in ("interesser", "udfordringer", "barrierer", "tilgaengelighedsbehov")},
            str(Borger._meta.get_field("tilgaengelighed").verbose_name): slot_labels(borger.tilgaengelighed),
        },
        "samtaler": [export_fields(s, exclude={"borger"}) for s in Samtale.objects.filter(borger=borger)],
        **{key: value for part in hooks.parts() for key, value in part.export(borger).items()},
        "maalinger": [{**export_fields(m, exclude={"borger", "samtale", "opfoelgning"}), "score": m.score}
                      for m in Maaling.objects.filter(borger=borger)],
        "samtykker": [{**export_fields(s, exclude={"borger", "tekst"}), "tekstversion": s.tekst.version,
                       "tekst": s.tekst.tekst} for s in Samtykke.objects.filter(borger=borger).select_related("tekst")],
        # Datatilsynet 2024-32-0283: dates and purposes of the accesses, not who the staff were.
        "adgange": [{"tidspunkt": e.tidspunkt, "handling": e.get_handling_display(),
                     "formaal": e.formaal}
                    for e in Adgangslog.objects.filter(borger_id=borger.pk).order_by("tidspunkt")],
    }
    adgangslog.log(actor=actor, handling=adgangslog.H.EKSPORT, borger_id=borger.pk, center_id=borger.center_id,
                  formaal="indsigt (art. 15)")
    return data


# --- Art. 17: erasure by anonymisation ----------------------------------------------------------------


def borger_anonymise(*, actor, borger: Borger, grund: str = "sletning (art. 17)") -> Borger:
    """Irreversibly remove everything that identifies the borger; keep what statistics need.
    The apps with data about the borger scrub theirs in the same transaction (`borgere.hooks`)."""
    if actor is not None:
        access.check(actor, "borger", "erase", borger)
    with transaction.atomic():
        borger = Borger.objects.select_for_update().get(pk=borger.pk)
        if borger.anonymiseret:
            raise ValidationError(_("Borgeren er allerede anonymiseret."))
        now = timezone.now()
        borger.fornavn, borger.efternavn, borger.telefon, borger.email, borger.noter = ANONYM, "", "", "", ""
        borger.foedselsaar = borger.foedselsaar - borger.foedselsaar % 10 if borger.foedselsaar else None
        borger.sprog, borger.tilgaengelighed = [], []
        borger.status = BorgerStatus.AFSLUTTET
        borger.arkiveret = borger.arkiveret or now
        borger.anonymiseret = now
        borger.version += 1
        borger.save()
        for name in ("interesser", "udfordringer", "barrierer", "tilgaengelighedsbehov"):
            getattr(borger, name).clear()
        Samtale.objects.filter(borger=borger).update(noter="", oensker="", naeste_skridt="")
        for part in hooks.parts():
            part.anonymise(borger)
        scrub_henvisninger(Henvisning.objects.filter(borger=borger))  # the referral the borger came from
        log_action(actor=actor, handling=AuditAction.BORGER_ANONYMISERET, obj=borger)
        adgangslog.log(actor=actor, handling=adgangslog.H.SLETTET, borger_id=borger.pk,
                      center_id=borger.center_id, formaal=grund)
    return borger


def scrub_henvisninger(qs) -> int:
    """Remove what identifies the person or the referrer from referrals; keep source, status and dates."""
    return qs.exclude(fornavn=ANONYM, oensker="").update(
        fornavn=ANONYM, efternavn="", telefon="", email="", kontakt_note="", postnummer=None, oensker="",
        henviser_navn="", henviser_email="", henviser_telefon="", afvist_grund="")


# --- Retention -----------------------------------------------------------------------------------------


def aktivitet_udtryk():
    """The borger's last activity, over a Borger queryset: the latest change, samtale, or activity
    the apps built on borgere report (`borgere.hooks`: stage change, meeting, follow-up)."""
    opdateret = "opdateret"
    dates = [latest_per_borger(Samtale, "borger", "oprettet"),
             *(expression for part in hooks.parts() for expression in part.last_activity())]
    return Greatest(opdateret, *(Coalesce(d, opdateret) for d in dates))


def aktivitet_registreret(borger_ids) -> int:
    """Bring `Borger.sidste_aktivitet` of these borgere (ids, or a queryset of ids) in step with
    their data. Every service that writes activity calls it in its transaction, after the write:
    one UPDATE, recomputed from the data, so a meeting moved earlier moves the clock back too.
    The parts that keep a summary of the borger recompute it too (`hooks.BorgerData.activity_recorded`)."""
    if isinstance(borger_ids, int):
        borger_ids = [borger_ids]
    antal = Borger.objects.filter(pk__in=borger_ids).update(sidste_aktivitet=aktivitet_udtryk())
    for part in hooks.parts():  # the parts' own summaries of the borger (matching: the forløb)
        if part.activity_recorded is not None:
            part.activity_recorded(borger_ids)
    return antal


def latest_per_borger(model, path: str, field: str) -> Subquery:
    """The latest `field` of `model` rows reaching the borger through `path`, for `aktivitet_udtryk`."""
    return Subquery(model.objects.filter(**{path: OuterRef("pk")}).order_by().values(path)
                    .annotate(m=Max(field)).values("m")[:1])


def _cutoff(center: Frivilligcenter, now, days_ahead=0):
    return now - timedelta(days=30 * center.opbevaring_maaneder) + timedelta(days=days_ahead)


def due_for_anonymisation(*, center: Frivilligcenter, now=None, days_ahead: int = 0):
    """The centre's borgere with no activity for its retention period (or within `days_ahead` of it)."""
    now = now or timezone.now()
    qs = Borger.objects.filter(center=center, anonymiseret__isnull=True).exclude(
        opbevar_til__gte=(now + timedelta(days=days_ahead)).date())
    return qs.filter(sidste_aktivitet__lt=_cutoff(center, now, days_ahead))


def retention_warnings(*, actor, now=None):
    """Borgere to be anonymised within RETENTION_WARNING_DAYS, for the koordinator's overview."""
    qs = retention_warnings_qs(actor=actor, now=now)
    return [] if qs is None else list(qs)


def retention_warnings_qs(*, actor, now=None):
    """`retention_warnings`' query (None for an actor who gets none)."""
    if not actor.is_koordinator:
        return None
    return due_for_anonymisation(center=actor.center, now=now, days_ahead=settings.RETENTION_WARNING_DAYS) \
        .order_by("sidste_aktivitet")[:50]


def anonymise_inactive(*, now=None) -> int:
    """Anonymise every borger past their centre's retention period. Run daily by beat.

    Referrals go too: a handled one (its data now lives on the borger, or it was declined) after
    HENVISNING_OPBEVARING_DAGE, one nobody handled after the centre's retention period.
    """
    now = now or timezone.now()
    count = 0
    for center in Frivilligcenter.objects.all():
        # The column may lag behind a write that bypassed the services (an import, the admin, a
        # script): recompute the candidates from their data first, so nobody active is anonymised.
        aktivitet_registreret(due_for_anonymisation(center=center, now=now).values("pk"))
        for borger in due_for_anonymisation(center=center, now=now):
            borger_anonymise(actor=None, borger=borger, grund="opbevaringsperiode udløbet")
            count += 1
        handled_before = now - timedelta(days=settings.HENVISNING_OPBEVARING_DAGE)
        scrub_henvisninger(Henvisning.objects.filter(center=center).filter(
            Q(behandlet__lt=handled_before) | Q(status=HenvisningStatus.NY, oprettet__lt=_cutoff(center, now))))
    return count


def retention_extend(*, actor, borger: Borger, begrundelse: str) -> Borger:
    """Keep the borger another retention period from today; the reason goes to the access log."""
    access.check(actor, "borger", "erase", borger)
    begrundelse = (begrundelse or "").strip()
    if len(begrundelse) < 5:
        raise ValidationError({"begrundelse": _("Skriv en begrundelse for at forlænge opbevaringen.")})
    with transaction.atomic():
        borger = Borger.objects.select_for_update().get(pk=borger.pk)
        borger.opbevar_til = timezone.localdate() + timedelta(days=30 * borger.center.opbevaring_maaneder)
        borger.save(update_fields=["opbevar_til"])
        log_action(actor=actor, handling=AuditAction.BORGER_OPBEVARING_FORLAENGET, obj=borger, felter=["opbevar_til"])
        adgangslog.log(actor=actor, handling=adgangslog.H.FORLAENGET, borger_id=borger.pk,
                      center_id=borger.center_id, kriterium=begrundelse[:300], formaal="opbevaring")
    return borger
