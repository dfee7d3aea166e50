"""Public pages of one centre, under /c/<centre-slug>/. No login; no personal data."""

from django.urls import path

from borgere import public_views as henvisning_views

from . import public_views

urlpatterns = [
    path("", public_views.directory, name="public_directory"),
    path("faellesskab/<int:pk>/", public_views.faellesskab, name="public_faellesskab"),
    path("faellesskab/<int:pk>/kalender.ics", public_views.faellesskab_ics, name="public_faellesskab_ics"),
    path("henvisning/", henvisning_views.henvisning_create, name="public_henvisning"),
    path("henvisning/tak/", henvisning_views.henvisning_tak, name="public_henvisning_tak"),
]
