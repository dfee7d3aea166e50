from django.contrib import admin
from django.urls import include, path

from . import views, views_adgangslog, views_outbox

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("center/skift/", views.switch_center, name="switch_center"),
    path("medlemmer/", views.medlem_list, name="medlem_list"),
    path("medlemmer/inviter/", views.invitation_create, name="invitation_create"),
    path("medlemmer/<int:pk>/deaktiver/", views.medlem_deactivate, name="medlem_deactivate"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("paamindelser/", views_outbox.outbox_list, name="outbox"),
    path("paamindelser/<int:pk>/proev-igen/", views_outbox.outbox_retry, name="outbox_retry"),
    path("adgangslog/", views_adgangslog.adgangslog, name="adgangslog"),
    path("adgangslog/stikproeve/", views_adgangslog.adgangslog_stikproeve, name="adgangslog_stikproeve"),
    path("borgere/", include("borgere.urls")),
    path("foreninger/", include("foreninger.urls")),
    path("", include("matching.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # Addresses are set by invitation; a second, unverified address would weaken password reset.
    path("accounts/email/", views.page_not_found, name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "brobygning.views.permission_denied"
handler404 = "brobygning.views.page_not_found"
handler500 = "brobygning.views.server_error"
