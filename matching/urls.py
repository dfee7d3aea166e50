"""The journey from suggestion to follow-up, the host's side of it, and the front page.
Mounted at the root; the paths carry their own prefix."""

from django.urls import path

from .views import (
    forside,
    forslag,
    frivilligrolle,
    kalender,
    ledsagelse,
    match,
    opfoelgning,
    opgaver,
    overdragelse,
    partnerskab,
    raadgivning,
    svar,
    vaert,
    velkomst,
)

app_name = "matching"

urlpatterns = [
    path("", forside.forside, name="forside"),
    # The overview's task lists in full, and the welcome score (issue 13)
    path("opgaver/moeder/", opgaver.opgaver_moeder, name="opgaver_moeder"),
    path("opgaver/opfoelgninger/", opgaver.opgaver_opfoelgninger, name="opgaver_opfoelgninger"),
    path("opgaver/faellesskaber/", opgaver.opgaver_faellesskaber, name="opgaver_faellesskaber"),
    path("velkomst/", velkomst.velkomst, name="velkomst"),
    path("velkomst/inklusionskursus/", velkomst.velkomst_kursus, name="velkomst_kursus"),
    path("borgere/<int:pk>/forslag/", forslag.forslag, name="forslag"),
    path("borgere/<int:pk>/match/", match.match_create, name="match_create"),
    path("matches/", match.pipeline_board, name="pipeline"),
    path("matches/<int:pk>/", match.match_detail, name="match_detail"),
    path("matches/<int:pk>/fase/", match.match_step, name="match_step"),
    path("matches/<int:pk>/afslut/", match.match_end, name="match_end"),
    path("matches/<int:pk>/fortryd/", match.match_fortryd, name="match_fortryd"),
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
    # Issue 14: the partnership overview, volunteer roles and candidates, advice to professionals
    path("partnerskab/oversigt/", partnerskab.partnerskab_oversigt_side, name="partnerskab_oversigt"),
    path("partnerskab/oversigt.csv", partnerskab.partnerskab_oversigt_csv, name="partnerskab_oversigt_csv"),
    path("frivilligroller/", frivilligrolle.frivilligrolle_list, name="frivilligrolle_list"),
    path("frivilligroller/ny/", frivilligrolle.frivilligrolle_create, name="frivilligrolle_create"),
    path("frivilligroller/<int:pk>/", frivilligrolle.frivilligrolle_detail, name="frivilligrolle_detail"),
    path("frivilligroller/<int:pk>/rediger/", frivilligrolle.frivilligrolle_update, name="frivilligrolle_update"),
    path("frivilligkandidater/", frivilligrolle.rollekandidat_list, name="rollekandidat_list"),
    path("frivilligkandidater/ny/", frivilligrolle.rollekandidat_create, name="rollekandidat_create"),
    path("frivilligkandidater/<int:pk>/", frivilligrolle.rollekandidat_update, name="rollekandidat_update"),
    path("raadgivning/", raadgivning.raadgivning_list, name="raadgivning_list"),
    path("raadgivning/ny/", raadgivning.raadgivning_create, name="raadgivning_create"),
    path("raadgivning/<int:pk>/", raadgivning.raadgivning_update, name="raadgivning_update"),
]
