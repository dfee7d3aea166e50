"""Borgere and what is recorded about them. Mounted at the root; the paths carry their own prefix."""

from django.urls import include, path

from .views import borger, gdpr, henvisning, projekt, samtale, samtykke, venteliste

app_name = "borgere"

urlpatterns = [
    path("borgere/", include([
        path("", borger.borger_list, name="borger_list"),
        path("ny/", borger.borger_create, name="borger_create"),
        path("<int:pk>/", borger.borger_detail, name="borger_detail"),
        path("<int:pk>/rediger/", borger.borger_update, name="borger_update"),
        path("<int:pk>/arkiver/", borger.borger_archive, name="borger_archive"),
        path("<int:pk>/samtale/", samtale.samtale_create, name="samtale_create"),
        path("<int:pk>/samtykke/", samtykke.samtykke_give, name="samtykke_give"),
        path("samtykketekster/", samtykke.samtykketekst_list, name="samtykketekst_list"),
        path("samtykketekster/<str:formaal>/ny/", samtykke.samtykketekst_create, name="samtykketekst_create"),
        path("<int:pk>/indsigt/", gdpr.borger_export, name="borger_export"),
        path("<int:pk>/indsigt.json", gdpr.borger_export_json, name="borger_export_json"),
        path("<int:pk>/anonymiser/", gdpr.borger_erase, name="borger_erase"),
        path("<int:pk>/forlaeng-opbevaring/", gdpr.borger_retention_extend, name="borger_retention_extend"),
        path("<int:pk>/projekter/", projekt.borger_projekter, name="borger_projekter"),
        path("henvisninger/", henvisning.henvisning_list, name="henvisning_list"),
        path("henvisninger/<int:pk>/", henvisning.henvisning_detail, name="henvisning_detail"),
        path("henvisninger/<int:pk>/opret-borger/", henvisning.henvisning_convert, name="henvisning_convert"),
        path("henvisninger/<int:pk>/afvis/", henvisning.henvisning_decline, name="henvisning_decline"),
    ])),
    # The public referral form: no login.
    path("c/<slug:slug>/henvisning/", henvisning.henvisning_create, name="public_henvisning"),
    path("c/<slug:slug>/henvisning/tak/", henvisning.henvisning_tak, name="public_henvisning_tak"),
    path("projekter/", projekt.projekt_list, name="projekt_list"),
    path("projekter/nyt/", projekt.projekt_create, name="projekt_create"),
    path("projekter/<int:pk>/", projekt.projekt_detail, name="projekt_detail"),
    path("projekter/<int:pk>/rediger/", projekt.projekt_update, name="projekt_update"),
    path("projekter/<int:pk>/arkiver/", projekt.projekt_archive, name="projekt_archive"),
    path("venteliste/", venteliste.venteliste, name="venteliste"),
    path("venteliste/<int:pk>/anmod/", venteliste.venteliste_anmod, name="venteliste_anmod"),
    path("anmodninger/", venteliste.anmodning_list, name="anmodning_list"),
    path("anmodninger/<int:pk>/", venteliste.anmodning_decide, name="anmodning_decide"),
]
