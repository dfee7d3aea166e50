"""Foreninger and their fællesskaber: staff pages, the public directory, the HSDS API and import,
and "Er det stadig korrekt?". Mounted at the root; the paths carry their own prefix."""

from django.urls import include, path

from .views import bekraeft, faellesskab, forening, hsds_api, hsds_import, partnerskab, public

app_name = "foreninger"

# The read-only HSDS 3.0 API: `/api/hsds/…` for the whole deployment, `/api/hsds/c/<slug>/…` for one centre.
HSDS_ENDPOINTS = [
    ("", hsds_api.root, "root"),
    ("services", hsds_api.services, "services"),
    ("services/<str:pk>", hsds_api.service, "service"),
    ("arrangementer", hsds_api.events, "events"),
    ("organizations", hsds_api.organizations, "organizations"),
    ("organizations/<str:pk>", hsds_api.organization, "organization"),
    ("service_at_locations", hsds_api.service_at_locations, "service_at_locations"),
    ("service_at_locations/<str:pk>", hsds_api.service_at_location, "service_at_location"),
    ("taxonomies", hsds_api.taxonomies, "taxonomies"),
    ("taxonomies/<str:pk>", hsds_api.taxonomy, "taxonomy"),
    ("taxonomy_terms", hsds_api.taxonomy_terms, "taxonomy_terms"),
    ("taxonomy_terms/<str:pk>", hsds_api.taxonomy_term, "taxonomy_term"),
    # Every public service at once, as one streamed JSON array (a file to import elsewhere).
    ("export", hsds_api.export, "export"),
]

urlpatterns = [
    path("foreninger/", include([
        path("", forening.forening_list, name="forening_list"),
        path("ny/", forening.forening_create, name="forening_create"),
        path("<int:pk>/", forening.forening_detail, name="forening_detail"),
        path("<int:pk>/rediger/", forening.forening_update, name="forening_update"),
        path("<int:pk>/arkiver/", forening.forening_archive, name="forening_archive"),
        path("<int:pk>/spoerg/", bekraeft.bekraeft_spoerg, name="bekraeft_spoerg"),  # "Er det stadig korrekt?" now
        path("faellesskaber/", faellesskab.faellesskab_list, name="faellesskab_list"),
        path("faellesskaber/ny/", faellesskab.faellesskab_create, name="faellesskab_create"),
        path("faellesskaber/<int:pk>/", faellesskab.faellesskab_detail, name="faellesskab_detail"),
        path("faellesskaber/<int:pk>/rediger/", faellesskab.faellesskab_update, name="faellesskab_update"),
        path("faellesskaber/<int:pk>/arkiver/", faellesskab.faellesskab_archive, name="faellesskab_archive"),
        path("import/", hsds_import.import_start, name="import_start"),
        path("import/skabelon.csv", hsds_import.import_template, name="import_template"),
        path("import/<int:pk>/", hsds_import.import_detail, name="import_detail"),
        path("import/<int:pk>/status/", hsds_import.import_progress, name="import_progress"),
        path("import/<int:pk>/bekraeft/", hsds_import.import_confirm, name="import_confirm"),
        # The local partnership (issue 14)
        path("partnerskab/", partnerskab.partnerskab_list, name="partnerskab_list"),
        path("partnerskab/ny/", partnerskab.partnerskab_create, name="partnerskab_create"),
        path("partnerskab/<int:pk>/", partnerskab.partnerskab_detail, name="partnerskab_detail"),
        path("partnerskab/<int:pk>/rediger/", partnerskab.partnerskab_update, name="partnerskab_update"),
        path("partnerskab/<int:pk>/ny-partner/", partnerskab.partner_create, name="partner_create"),
        path("partnere/<int:pk>/", partnerskab.partner_detail, name="partner_detail"),
        path("partnere/<int:pk>/rediger/", partnerskab.partner_update, name="partner_update"),
        path("partnere/<int:pk>/aftale/", partnerskab.partner_aftale, name="partner_aftale"),
        path("partnere/<int:pk>/kontakt/", partnerskab.partnerkontakt_create, name="partnerkontakt_create"),
        path("partnere/<int:pk>/tilslutning/", partnerskab.tilslutning_create, name="tilslutning_create"),
        path("tilslutning/<int:pk>/", partnerskab.tilslutning_update, name="tilslutning_update"),
    ])),
    path("stadig-korrekt/<str:token>/", bekraeft.bekraeft_list, name="bekraeft_list"),
    path("stadig-korrekt/<str:token>/<int:pk>/", bekraeft.bekraeft_faellesskab, name="bekraeft_faellesskab"),
    path("stadig-korrekt/<str:token>/<int:pk>/ret/", bekraeft.bekraeft_rediger, name="bekraeft_rediger"),
    # The public directory of one centre: no login, no personal data.
    path("c/<slug:slug>/", public.directory, name="public_directory"),
    path("c/<slug:slug>/faellesskab/<int:pk>/", public.faellesskab, name="public_faellesskab"),
    path("c/<slug:slug>/faellesskab/<int:pk>/kalender.ics", public.faellesskab_ics, name="public_faellesskab_ics"),
    path("api/hsds/", include(
        [path(route, view, name=f"hsds_{name}") for route, view, name in HSDS_ENDPOINTS]
        + [path(f"c/<slug:center_slug>/{route}", view, name=f"hsds_center_{name}")
           for route, view, name in HSDS_ENDPOINTS])),
]
