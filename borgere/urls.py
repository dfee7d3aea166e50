from django.urls import path

from . import consent_views, gdpr_views, henvisning_views, journey_views, views

urlpatterns = [
    path("", views.borger_list, name="borger_list"),
    path("ny/", views.borger_create, name="borger_create"),
    path("<int:pk>/", views.borger_detail, name="borger_detail"),
    path("<int:pk>/rediger/", views.borger_update, name="borger_update"),
    path("<int:pk>/arkiver/", views.borger_archive, name="borger_archive"),
    path("samtykketekster/", consent_views.samtykketekst_list, name="samtykketekst_list"),
    path("samtykketekster/<str:formaal>/ny/", consent_views.samtykketekst_create, name="samtykketekst_create"),
    path("<int:pk>/indsigt/", gdpr_views.borger_export, name="borger_export"),
    path("<int:pk>/indsigt.json", gdpr_views.borger_export_json, name="borger_export_json"),
    path("<int:pk>/anonymiser/", gdpr_views.borger_erase, name="borger_erase"),
    path("<int:pk>/forlaeng-opbevaring/", gdpr_views.borger_retention_extend, name="borger_retention_extend"),
    path("<int:pk>/samtale/", journey_views.samtale_create, name="samtale_create"),
    path("<int:pk>/samtykke/", journey_views.samtykke_give, name="samtykke_give"),
    path("samtykker/<int:pk>/tilbagekald/", journey_views.samtykke_withdraw, name="samtykke_withdraw"),
    path("henvisninger/", henvisning_views.henvisning_list, name="henvisning_list"),
    path("henvisninger/<int:pk>/", henvisning_views.henvisning_detail, name="henvisning_detail"),
    path("henvisninger/<int:pk>/opret-borger/", henvisning_views.henvisning_convert, name="henvisning_convert"),
    path("henvisninger/<int:pk>/afvis/", henvisning_views.henvisning_decline, name="henvisning_decline"),
]
