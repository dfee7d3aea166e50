from django.urls import path

from . import henvisning_views, journey_views, views

urlpatterns = [
    path("", views.borger_list, name="borger_list"),
    path("ny/", views.borger_create, name="borger_create"),
    path("<int:pk>/", views.borger_detail, name="borger_detail"),
    path("<int:pk>/rediger/", views.borger_update, name="borger_update"),
    path("<int:pk>/arkiver/", views.borger_archive, name="borger_archive"),
    path("<int:pk>/samtale/", journey_views.samtale_create, name="samtale_create"),
    path("<int:pk>/samtykke/", journey_views.samtykke_give, name="samtykke_give"),
    path("samtykker/<int:pk>/tilbagekald/", journey_views.samtykke_withdraw, name="samtykke_withdraw"),
    path("henvisninger/", henvisning_views.henvisning_list, name="henvisning_list"),
    path("henvisninger/<int:pk>/", henvisning_views.henvisning_detail, name="henvisning_detail"),
    path("henvisninger/<int:pk>/opret-borger/", henvisning_views.henvisning_convert, name="henvisning_convert"),
    path("henvisninger/<int:pk>/afvis/", henvisning_views.henvisning_decline, name="henvisning_decline"),
]
