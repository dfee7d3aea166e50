"""Writes for centres, memberships and invitations."""

import hashlib
import secrets

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import access
from .audit import log_action
from .changes import apply_changes
from .models import AuditAction, Frivilligcenter, Invitation, Kalenderfeed, Medlemskab, Rolle, User

INVITATION_SALT = "brobygning.invitation"


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps(invitation.pk, salt=INVITATION_SALT)


def invitation_from_token(token: str) -> Invitation | None:
    """The open invitation behind `token`, or None when it is tampered, expired or used."""
    max_age = settings.INVITATION_MAX_AGE_DAYS * 24 * 3600
    try:
        pk = signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
    except signing.BadSignature:
        return None
    invitation = Invitation.objects.select_related("center").filter(pk=pk).first()
    return invitation if invitation and invitation.er_aaben else None


def invitation_create(*, actor, email, fornavn, efternavn="", rolle, foreninger=()) -> Invitation:
    access.check(actor, "invitation", "create")
    email = email.strip().lower()
    if Medlemskab.objects.filter(center_id=actor.center_id, user__email__iexact=email, aktiv=True).exists():
        raise ValidationError({"email": _("Personen er allerede medlem af centret.")})
    if rolle == Rolle.FORENINGSKONTAKT and not foreninger:
        raise ValidationError({"foreninger": _("Vælg mindst én forening for en foreningskontakt.")})
    if any(f.center_id != actor.center_id for f in foreninger):
        raise ValidationError({"foreninger": _("Foreningen hører til et andet center.")})
    with transaction.atomic():
        # A new invitation replaces any open one for the same address, so only the latest link works.
        Invitation.objects.filter(
            center_id=actor.center_id, email=email, accepteret__isnull=True, tilbagekaldt__isnull=True
        ).update(tilbagekaldt=timezone.now())
        invitation = Invitation.objects.create(
            center_id=actor.center_id, email=email, fornavn=fornavn, efternavn=efternavn,
            rolle=rolle, inviteret_af=actor.user,
        )
        invitation.foreninger.set(foreninger if rolle == Rolle.FORENINGSKONTAKT else [])
        log_action(actor=actor, handling=AuditAction.INVITATION_OPRETTET, obj=invitation, felter=["rolle"])
        transaction.on_commit(lambda: _send_invitation(invitation))
    return invitation


def _send_invitation(invitation: Invitation) -> None:
    link = settings.SITE_URL.rstrip("/") + reverse("brobygning:invitation_accept", args=[invitation_token(invitation)])
    context = {"invitation": invitation, "link": link, "dage": settings.INVITATION_MAX_AGE_DAYS}
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("brobygning/invitation/email/invitation_subject.txt", context).strip()
        message = EmailMultiAlternatives(
            subject, render_to_string("brobygning/invitation/email/invitation.txt", context), to=[invitation.email]
        )
        message.attach_alternative(render_to_string("brobygning/invitation/email/invitation.html", context), "text/html")
    message.send()


def invitation_accept(*, invitation: Invitation, password: str | None, accepted_by=None) -> User:
    """Create (or reuse) the user, give them the role, and close the invitation.

    A new user sets `password`. An invitation for an address that already has an account gives that
    account a role, so only that account, logged in (`accepted_by`), may accept it: whoever else holds
    the link is refused and nothing changes. The account keeps its password.
    """
    with transaction.atomic():
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if not invitation.er_aaben:
            raise ValidationError(_("Invitationen er udløbet eller allerede brugt."))
        user = User.objects.filter(email__iexact=invitation.email).first()
        if user is not None and getattr(accepted_by, "pk", None) != user.pk:
            raise ValidationError(_(
                "Invitationen er til en bruger, der allerede findes. Log ind som den bruger, "
                "invitationen er sendt til, og åbn linket igen."))
        if user is None and not password:
            raise ValidationError(_("Vælg en adgangskode."))
        if user is None:
            user = User.objects.create_user(
                invitation.email, password, first_name=invitation.fornavn, last_name=invitation.efternavn
            )
        EmailAddress.objects.update_or_create(
            user=user, email=user.email, defaults={"verified": True, "primary": True}
        )
        medlemskab, _created = Medlemskab.objects.update_or_create(
            user=user, center=invitation.center, defaults={"rolle": invitation.rolle, "aktiv": True}
        )
        medlemskab.foreninger.set(invitation.foreninger.all())
        invitation.accepteret = timezone.now()
        invitation.save(update_fields=["accepteret"])
        log_action(actor=access.Actor(user=user, medlemskab=medlemskab), handling=AuditAction.INVITATION_ACCEPTERET, obj=invitation)
    return user


def medlemskab_admin_saved(*, user, created=(), changed=()) -> None:
    """Audit the memberships a staff user created, or changed (`(medlemskab, field names)` pairs), in
    the Django admin, which saves them itself. A membership gives a role and a centre's data."""
    actor = access.Actor(user=user, medlemskab=None)
    with transaction.atomic():
        for medlemskab in created:
            log_action(actor=actor, handling=AuditAction.MEDLEMSKAB_OPRETTET, obj=medlemskab,
                       felter=["center", "rolle", "aktiv"])
        for medlemskab, felter in changed:
            log_action(actor=actor, handling=AuditAction.MEDLEMSKAB_AENDRET, obj=medlemskab, felter=felter)


def netvaerksadgang_admin_saved(*, user, bruger) -> None:
    """Audit that a staff user gave or took away network access in the Django admin (the network
    view sees aggregated reports of every centre that shares with the network)."""
    log_action(actor=access.Actor(user=user, medlemskab=None), handling=AuditAction.BRUGER_NETVAERKSADGANG,
               obj=bruger, felter=["netvaerksadgang"])


def medlemskab_deactivate(*, actor, medlemskab: Medlemskab) -> Medlemskab:
    """Deactivate the user in the actor's centre.

    Ends all their sessions at once and revokes their calendar feed. A user with no other active
    membership is also made inactive, so they cannot log in at all.
    """
    access.check(actor, "medlemskab", "change", medlemskab)
    if medlemskab.user_id == actor.user.pk:
        raise ValidationError(_("Du kan ikke deaktivere dig selv."))
    with transaction.atomic():
        medlemskab.aktiv = False
        medlemskab.save(update_fields=["aktiv"])
        log_action(actor=actor, handling=AuditAction.MEDLEMSKAB_DEAKTIVERET, obj=medlemskab, felter=["aktiv"])
        user = User.objects.select_for_update().get(pk=medlemskab.user_id)
        if not Medlemskab.objects.filter(user=user, aktiv=True).exists() and user.is_active:
            user.is_active = False
            user.save(update_fields=["is_active"])
            log_action(actor=actor, handling=AuditAction.BRUGER_DEAKTIVERET, obj=user, felter=["is_active"])
        Kalenderfeed.objects.filter(user=user).delete()
        end_sessions(user)
    return medlemskab


def end_sessions(user) -> int:
    """Delete every stored session of `user` (the database session store; see SESSION_ENGINE)."""
    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get(SESSION_KEY) == str(user.pk):
            ended.append(session.pk)
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


# --- Personal calendar feed -----------------------------------------------------------------------


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def user_telefon_update(*, actor, telefon) -> User:
    """The person's own phone number, shown to a host they bring a newcomer to (issue 16)."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=actor.user.pk)
        felter = apply_changes(user, {"telefon": telefon})
        if felter:
            log_action(actor=actor, handling=AuditAction.BRUGER_TELEFON, obj=user, felter=felter)
    return user


def kalenderfeed_new(*, actor) -> str:
    """A new secret feed token for the actor (the old one stops working). Returned once; only its hash is kept."""
    access.check(actor, "kalenderfeed", "manage")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        feed, _created = Kalenderfeed.objects.update_or_create(
            user=actor.user, defaults={"token_hash": _hash_token(token), "oprettet": timezone.now()})
        log_action(actor=actor, handling=AuditAction.KALENDERFEED_OPRETTET, obj=feed)
    return token


def kalenderfeed_revoke(*, actor) -> None:
    access.check(actor, "kalenderfeed", "manage")
    with transaction.atomic():
        for feed in Kalenderfeed.objects.filter(user=actor.user):
            log_action(actor=actor, handling=AuditAction.KALENDERFEED_SLETTET, obj=feed)
            feed.delete()


def user_for_feed_token(token: str):
    """The active user behind a feed token, or None."""
    if not token or len(token) > 100:
        return None
    feed = Kalenderfeed.objects.select_related("user").filter(token_hash=_hash_token(token)).first()
    return feed.user if feed and feed.user.is_active else None


def center_settings_update(*, actor, data: dict):
    """A koordinator's settings for their centre: the waiting list, the confirmation interval and
    whether the centre shares its (aggregated, suppressed) reports with the network."""
    access.check(actor, "center", "change")
    with transaction.atomic():
        center = Frivilligcenter.objects.select_for_update().get(pk=actor.center_id)
        felter = apply_changes(center, {k: data[k] for k in ("venteliste_synlig", "bekraeft_interval_uger", "deler_med_netvaerk")
                                       if k in data})
        log_action(actor=actor, handling=AuditAction.CENTER_AENDRET, obj=center, felter=felter)
    return center
