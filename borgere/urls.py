from django.urls import path

from . import views

urlpatterns = [
    path("", views.borger_list, name="borger_list"),
    path("ny/", views.borger_create, name="borger_create"),
    path("<int:pk>/", views.borger_detail, name="borger_detail"),
    path("<int:pk>/rediger/", views.borger_update, name="borger_update"),
    path("<int:pk>/arkiver/", views.borger_archive, name="borger_archive"),
]
