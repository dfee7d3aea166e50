"""The journey from suggestion to follow-up, the host's side of it, and the front page.
Mounted at the root; the paths carry their own prefix."""

from django.urls import path

from .views import forside, forslag, kalender, ledsagelse, match, opfoelgning, overdragelse, svar, vaert

app_name = "matching"

urlpatterns = [
    path("", forside.forside, name="forside"),
    path("borgere/<int:pk>/forslag/", forslag.forslag, name="forslag"),
    path("borgere/<int:pk>/match/", match.match_create, name="match_create"),
    path("matches/", match.pipeline_board, name="pipeline"),
    path("matches/<int:pk>/", match.match_detail, name="match_detail"),
    path("matches/<int:pk>/fase/", match.match_step, name="match_step"),
    path("matches/<int:pk>/afslut/", match.match_end, name="match_end"),
    path("matches/<int:pk>/ledsagelse/", ledsagelse.ledsagelse_plan, name="ledsagelse_plan"),
    path("ledsagelser/<int:pk>/", ledsagelse.ledsagelse_update, name="ledsagelse_update"),
    path("ledsagelser/<int:pk>/udfald/", ledsagelse.ledsagelse_outcome, name="ledsagelse_outcome"),
    path("opfoelgninger/<int:pk>/", opfoelgning.opfoelgning_record, name="opfoelgning_record"),
    path("nye-paa-vej/", vaert.nye_paa_vej, name="nye_paa_vej"),
    path("nye-paa-vej/<int:pk>/vi-tager-imod/", vaert.vaert_bekraeft, name="vaert_bekraeft"),
    path("nye-paa-vej/<int:pk>/efter-moedet/", vaert.vaert_rapport, name="vaert_rapport"),
    # Answers after the first meeting, without a login: the signed link is the key (matching/svar.py).
    path("svar/tak/", svar.svar_tak, name="svar_tak"),
    path("svar/<int:pk>/<str:token>/", svar.svar_link, name="svar_link"),
    path("sms/indgaaende/", svar.svar_sms, name="svar_sms"),
    path("kalender/<str:token>.ics", kalender.kalender_feed, name="kalender_feed"),
    path("medlemmer/<int:pk>/overdragelse/", overdragelse.medlem_overdragelse, name="medlem_overdragelse"),
]
