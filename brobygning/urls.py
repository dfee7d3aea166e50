"""The root URLconf. Each app owns its URLs under its own namespace (`borgere:`, `foreninger:`,
`matching:`, and `brobygning:` for the core's pages below); no app routes to another app's views.
URL paths are stable: links in sent e-mails and calendar feeds point at them."""

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from .views import adgangslog, center, fejl, healthz, invitation, medlemmer, paamindelser, profil

# The admin logs in through allauth's login, with its rate limits and the two-factor step, never
# through its own password-only form (SECURITY.md, "Fixes after the outside review").
# Before admin.site.urls below, which binds the view.
admin.site.login = secure_admin_login(admin.site.login)

core = [
    path("healthz", healthz.healthz, name="healthz"),
    path("center/skift/", center.switch_center, name="switch_center"),
    path("center/indstillinger/", center.center_indstillinger, name="center_indstillinger"),
    path("medlemmer/", medlemmer.medlem_list, name="medlem_list"),
    path("medlemmer/<int:pk>/deaktiver/", medlemmer.medlem_deactivate, name="medlem_deactivate"),
    path("medlemmer/inviter/", invitation.invitation_create, name="invitation_create"),
    path("invitation/<str:token>/", invitation.invitation_accept, name="invitation_accept"),
    path("profil/", profil.profil, name="profil"),
    path("profil/kalender/ny/", profil.kalender_ny, name="kalender_ny"),
    path("profil/kalender/slet/", profil.kalender_slet, name="kalender_slet"),
    path("paamindelser/", paamindelser.paamindelse_list, name="paamindelse_list"),
    path("paamindelser/<int:pk>/proev-igen/", paamindelser.paamindelse_retry, name="paamindelse_retry"),
    path("adgangslog/", adgangslog.adgangslog, name="adgangslog"),
    path("adgangslog/stikproeve/", adgangslog.adgangslog_stikproeve, name="adgangslog_stikproeve"),
]

urlpatterns = [
    path("", include((core, "brobygning"))),
    path("", include("matching.urls")),
    path("", include("borgere.urls")),
    path("", include("foreninger.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Addresses are set by invitation; a second, unverified address would weaken password reset.
    path("accounts/email/", fejl.page_not_found, name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "brobygning.views.fejl.permission_denied"
handler404 = "brobygning.views.fejl.page_not_found"
handler500 = "brobygning.views.fejl.server_error"
