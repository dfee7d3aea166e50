from django.contrib import admin
from django.urls import include, path

from borgere import venteliste_views
from foreninger import portal_views

from . import views, views_adgangslog, views_outbox, views_profil

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("center/skift/", views.switch_center, name="switch_center"),
    path("medlemmer/", views.medlem_list, name="medlem_list"),
    path("medlemmer/inviter/", views.invitation_create, name="invitation_create"),
    path("medlemmer/<int:pk>/deaktiver/", views.medlem_deactivate, name="medlem_deactivate"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("center/indstillinger/", views_profil.center_indstillinger, name="center_indstillinger"),
    path("profil/", views_profil.profil, name="profil"),
    path("profil/kalender/ny/", views_profil.kalender_ny, name="kalender_ny"),
    path("profil/kalender/slet/", views_profil.kalender_slet, name="kalender_slet"),
    path("kalender/<str:token>.ics", views_profil.kalender_feed, name="kalender_feed"),
    path("venteliste/", venteliste_views.venteliste, name="venteliste"),
    path("venteliste/<int:pk>/anmod/", venteliste_views.venteliste_anmod, name="venteliste_anmod"),
    path("anmodninger/", venteliste_views.anmodning_list, name="anmodning_list"),
    path("anmodninger/<int:pk>/", venteliste_views.anmodning_decide, name="anmodning_decide"),
    path("nye-paa-vej/", portal_views.nye_paa_vej, name="nye_paa_vej"),
    path("nye-paa-vej/<int:pk>/vi-tager-imod/", portal_views.vaert_bekraeft, name="vaert_bekraeft"),
    path("nye-paa-vej/<int:pk>/efter-moedet/", portal_views.vaert_rapport, name="vaert_rapport"),
    path("stadig-korrekt/<str:token>/", portal_views.bekraeft_list, name="bekraeft_list"),
    path("stadig-korrekt/<str:token>/<int:pk>/", portal_views.bekraeft_faellesskab, name="bekraeft_faellesskab"),
    path("stadig-korrekt/<str:token>/<int:pk>/ret/", portal_views.bekraeft_rediger, name="bekraeft_rediger"),
    path("paamindelser/", views_outbox.outbox_list, name="outbox"),
    path("paamindelser/<int:pk>/proev-igen/", views_outbox.outbox_retry, name="outbox_retry"),
    path("adgangslog/", views_adgangslog.adgangslog, name="adgangslog"),
    path("adgangslog/stikproeve/", views_adgangslog.adgangslog_stikproeve, name="adgangslog_stikproeve"),
    path("borgere/", include("borgere.urls")),
    path("foreninger/", include("foreninger.urls")),
    path("api/hsds/", include("foreninger.hsds.urls")),
    path("", include("matching.urls")),
    path("c/<slug:slug>/", include("foreninger.public_urls")),  # public: no login
    path("i18n/", include("django.conf.urls.i18n")),
    # Addresses are set by invitation; a second, unverified address would weaken password reset.
    path("accounts/email/", views.page_not_found, name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

handler403 = "brobygning.views.permission_denied"
handler404 = "brobygning.views.page_not_found"
handler500 = "brobygning.views.server_error"
