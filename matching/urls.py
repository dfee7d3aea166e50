from django.urls import path

from . import views

urlpatterns = [
    path("borgere/<int:pk>/forslag/", views.forslag, name="forslag"),
    path("borgere/<int:pk>/match/", views.match_create, name="match_create"),
    path("matches/", views.pipeline_board, name="pipeline"),
    path("matches/<int:pk>/", views.match_detail, name="match_detail"),
    path("matches/<int:pk>/fase/", views.match_step, name="match_step"),
    path("matches/<int:pk>/afslut/", views.match_end, name="match_end"),
    path("matches/<int:pk>/ledsagelse/", views.ledsagelse_plan, name="ledsagelse_plan"),
    path("ledsagelser/<int:pk>/", views.ledsagelse_update, name="ledsagelse_update"),
    path("ledsagelser/<int:pk>/udfald/", views.ledsagelse_outcome, name="ledsagelse_outcome"),
    path("opfoelgninger/<int:pk>/", views.opfoelgning_record, name="opfoelgning_record"),
]
