"""Inviting a user to the centre, and accepting an invitation."""

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from .. import access, selectors, services
from ..decorators import member_required
from ..forms import InvitationForm, SetPasswordForm, save_valid_form


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
    existing = selectors.user_with_email_exists(email=invitation.email)
    form = None if existing else SetPasswordForm(request.POST or None, user_email=invitation.email)
    if request.method == "POST" and (form is None or form.is_valid()):
        password = None if form is None else form.cleaned_data["password1"]
        user = services.invitation_accept(invitation=invitation, password=password)
        if form is not None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Velkommen til %(center)s.") % {"center": invitation.center.navn})
        return redirect("matching:forside" if form is not None else "account_login")
    return render(request, "brobygning/invitation/invitation_accept.html", {"form": form, "invitation": invitation})
