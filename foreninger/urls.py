from django.urls import path

from . import views
from .hsds import views_import

urlpatterns = [
    path("", views.forening_list, name="forening_list"),
    path("ny/", views.forening_create, name="forening_create"),
    path("<int:pk>/", views.forening_detail, name="forening_detail"),
    path("<int:pk>/rediger/", views.forening_update, name="forening_update"),
    path("<int:pk>/arkiver/", views.forening_archive, name="forening_archive"),
    path("faellesskaber/", views.faellesskab_list, name="faellesskab_list"),
    path("faellesskaber/ny/", views.faellesskab_create, name="faellesskab_create"),
    path("faellesskaber/<int:pk>/", views.faellesskab_detail, name="faellesskab_detail"),
    path("faellesskaber/<int:pk>/rediger/", views.faellesskab_update, name="faellesskab_update"),
    path("faellesskaber/<int:pk>/arkiver/", views.faellesskab_archive, name="faellesskab_archive"),
    path("import/", views_import.import_start, name="import_start"),
    path("import/skabelon.csv", views_import.import_template, name="import_template"),
    path("import/<int:pk>/", views_import.import_detail, name="import_detail"),
    path("import/<int:pk>/status/", views_import.import_progress, name="import_progress"),
    path("import/<int:pk>/bekraeft/", views_import.import_confirm, name="import_confirm"),
]
