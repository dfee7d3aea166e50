"""`/api/hsds/…` for the whole deployment and `/api/hsds/c/<centre-slug>/…` for one centre."""

from django.urls import include, path

from . import views

ENDPOINTS = [
    ("", views.root, "root"),
    ("services", views.services, "services"),
    ("services/<str:pk>", views.service, "service"),
    ("organizations", views.organizations, "organizations"),
    ("organizations/<str:pk>", views.organization, "organization"),
    ("service_at_locations", views.service_at_locations, "service_at_locations"),
    ("service_at_locations/<str:pk>", views.service_at_location, "service_at_location"),
    ("taxonomies", views.taxonomies, "taxonomies"),
    ("taxonomies/<str:pk>", views.taxonomy, "taxonomy"),
    ("taxonomy_terms", views.taxonomy_terms, "taxonomy_terms"),
    ("taxonomy_terms/<str:pk>", views.taxonomy_term, "taxonomy_term"),
]

urlpatterns = [path(route, view, name=f"hsds_{name}") for route, view, name in ENDPOINTS] + [
    path("c/<slug:center_slug>/", include([
        path(route, view, name=f"hsds_center_{name}") for route, view, name in ENDPOINTS
    ])),
]
