"""Inviting a user to the centre, and accepting an invitation."""

from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .. import access, selectors, services
from ..decorators import member_required
from ..forms import InvitationForm, SetPasswordForm, act, save_valid_form


@member_required
def invitation_create(request):
    access.check(request.actor, "invitation", "create")
    form = InvitationForm(request.POST or None, foreninger=selectors.invitation_foreninger(actor=request.actor))

    def save():
        services.invitation_create(actor=request.actor, **form.cleaned_data)
        return "brobygning:medlem_list"

    if response := save_valid_form(request, form, save, _("Invitationen er sendt.")):
        return response
    return render(request, "brobygning/form.html", {"form": form, "titel": _("Inviter en bruger")})


@never_cache
def invitation_accept(request, token):
    invitation = services.invitation_from_token(token)
    if invitation is None:
        return render(request, "brobygning/invitation/invitation_invalid.html", status=410)
    if selectors.user_with_email_exists(email=invitation.email):
        return _accept_as_existing_user(request, invitation)
    form = SetPasswordForm(request.POST or None, user_email=invitation.email)

    def save():
        user = services.invitation_accept(invitation=invitation, password=form.cleaned_data["password1"])
        login(request, user, backend="brobygning.auth.Backend")
        return "matching:forside"

    welcome = _("Velkommen til %(center)s.") % {"center": invitation.center.navn}
    if response := save_valid_form(request, form, save, welcome):
        return response
    return render(request, "brobygning/invitation/invitation_accept.html", {"form": form, "invitation": invitation})


def _accept_as_existing_user(request, invitation):
    """The address already has an account: only that account, logged in, may take the role.
    Anyone else holding the link is told to log in as that account first; nothing changes."""
    if request.method == "POST":
        welcome = _("Velkommen til %(center)s.") % {"center": invitation.center.navn}
        if act(request, lambda: services.invitation_accept(invitation=invitation, password=None,
                                                           accepted_by=request.user), welcome):
            return redirect("matching:forside")
        return redirect(request.path)
    signed_in_as_invitee = (request.user.is_authenticated
                            and request.user.email.lower() == invitation.email.lower())
    return render(request, "brobygning/invitation/invitation_accept.html",
                  {"form": None, "invitation": invitation, "signed_in_as_invitee": signed_in_as_invitee})
