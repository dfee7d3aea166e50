from django.contrib import messages
from django.contrib.auth import login
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from foreninger.selectors import forening_list

from . import access, dashboards, selectors, services
from .decorators import member_required
from .forms import InvitationForm, SetPasswordForm, act, save_valid_form
from .middleware import SESSION_CENTER_KEY


def home(request):
    if not request.user.is_authenticated:
        return redirect("account_login")
    if request.actor.medlemskab is None:
        return render(request, "brobygning/no_center.html", status=403)
    template, data = dashboards.for_actor(actor=request.actor)
    return render(request, template, data)


@never_cache
def healthz(request):
    """Whether the database and the Celery broker answer: 200 when both do, 503 otherwise."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "fejl", **{k: "ok" if v else "fejl" for k, v in checks.items()}},
        status=200 if healthy else 503,
    )


def _check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        return False


def _check_broker() -> bool:
    from .celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:  # noqa: BLE001
        return False


@require_POST
@member_required
def switch_center(request):
    wanted = request.POST.get("center")
    choices = {str(m.center_id) for m in request.actor.medlemskaber}
    if wanted in choices:
        request.session[SESSION_CENTER_KEY] = int(wanted)
        messages.success(request, _("Du har skiftet center."))
    else:
        messages.error(request, _("Du er ikke medlem af det center."))
    return redirect("home")


@member_required
def medlem_list(request):
    medlemmer = selectors.medlemskab_list(actor=request.actor)
    invitationer = selectors.invitation_open_list(actor=request.actor)
    return render(request, "brobygning/medlem_list.html", {"medlemmer": medlemmer, "invitationer": invitationer})


@member_required
def invitation_create(request):
    access.check(request.actor, "invitation", "create")
    form = InvitationForm(request.POST or None, foreninger=forening_list(actor=request.actor))

    def save():
        services.invitation_create(actor=request.actor, **form.cleaned_data)
        return "medlem_list"

    if response := save_valid_form(request, form, save, _("Invitationen er sendt.")):
        return response
    return render(request, "brobygning/form.html", {"form": form, "titel": _("Inviter en bruger")})


@require_POST
@member_required
def medlem_deactivate(request, pk):
    medlemskab = selectors.medlemskab_get(actor=request.actor, pk=pk)
    act(request, lambda: services.medlemskab_deactivate(actor=request.actor, medlemskab=medlemskab),
        _("Brugeren er deaktiveret i centret."))
    return redirect("medlem_list")


@never_cache
def invitation_accept(request, token):
    invitation = services.invitation_from_token(token)
    if invitation is None:
        return render(request, "brobygning/invitation_invalid.html", status=410)
    existing = selectors.user_with_email_exists(email=invitation.email)
    form = None if existing else SetPasswordForm(request.POST or None, user_email=invitation.email)
    if request.method == "POST" and (form is None or form.is_valid()):
        password = None if form is None else form.cleaned_data["password1"]
        user = services.invitation_accept(invitation=invitation, password=password)
        if form is not None:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Velkommen til %(center)s.") % {"center": invitation.center.navn})
        return redirect("home" if form is not None else "account_login")
    return render(request, "brobygning/invitation_accept.html", {"form": form, "invitation": invitation})


def permission_denied(request, exception=None):
    return render(request, "403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)


def server_error(request):
    return render(request, "500.html", status=500)

