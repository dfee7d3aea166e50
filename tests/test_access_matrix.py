"""The access matrix: every URL pattern in the project, every kind of actor, the expected answer.

`MATRIX` is the one table. A URL pattern with no row (and not covered by a `PREFIX_RULES` entry)
fails `test_every_url_pattern_has_a_row`, so a new view cannot skip it. To add a view: add one row.

Columns, in this order (`ACTORS`):

    anon  anonymous
    kA    koordinator in centre A (the centre of every object below)
    kB    koordinator in centre B
    bb    brobygger A, responsible for the borger
    bb2   brobygger A2, another brobygger in centre A without the borger
    fk    foreningskontakt of the forening (forening_a)
    fk2   foreningskontakt of another forening in centre A (forening_a2)

Codes: 200, 302 (allowed), 403 (forbidden in own centre), 404 (not visible: another centre),
405 (wrong method), 410 (gone), L (redirect to the login page), * (anything but a server error).

Each row is (the object whose id fills `pk`, GET codes, POST codes or None). POST codes are
checked for the actors they forbid (403, 404, L): their POST must also leave the database as it
was. Allowed POSTs are covered by the feature tests, so the matrix does not run them.
"""

import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from borgere.models import Formaal, Henvisning, Overtagelsesanmodning, Projekt
from borgere.services import gaeldende_samtykketekst
from brobygning.access import actor_for
from brobygning.models import Medlemskab, Paamindelse, PaamindelseStatus, Rolle, Tag, TagType
from foreninger.hsds import serialize as hsds
from foreninger.models import ImportJob, Partner, Partnerskab, Tilslutningsbeloeb
from foreninger.services import bekraeft_token
from matching import arrangement_links, netvaerksrum
from matching import services as arrangement_services
from matching.models import Frivilligrolle, Moedesvar, Raadgivning, RolleKandidat, RolleMatch
from matching.svar import token_for as svar_token_for

from . import factories as f
from . import journey_factories as rf
from .conftest import _member

ACTORS = ("anon", "kA", "kB", "bb", "bb2", "fk", "fk2")

# name: (object for pk, GET, POST)
MATRIX = {
    # The core: home, health, centre, users, invitations, profile, calendar feed
    "matching:forside":                             (None,           "L   200 200 200 200 200 200", None),
    "brobygning:healthz":                           (None,           "*   *   *   *   *   *   *",   None),
    "brobygning:switch_center":                     (None,           "405 405 405 405 405 405 405", "L 302 302 302 302 302 302"),
    "brobygning:medlem_list":                       (None,           "L   200 200 403 403 403 403", None),
    "brobygning:invitation_create":                 (None,           "L   200 200 403 403 403 403", "L 200 200 403 403 403 403"),
    "brobygning:medlem_deactivate":                 ("medlemskab",   "405 405 405 405 405 405 405", "L 302 404 403 403 403 403"),
    "matching:medlem_overdragelse":                 ("medlemskab",   "L   200 404 403 403 403 403", None),
    "brobygning:invitation_accept":                 ("bad_token",    "410 410 410 410 410 410 410", "410 410 410 410 410 410 410"),
    "brobygning:center_indstillinger":              (None,           "L   200 200 403 403 403 403", "L 200 200 403 403 403 403"),
    "brobygning:profil":                            (None,           "L   200 200 200 200 200 200", None),
    "brobygning:kalender_ny":                       (None,           "405 405 405 405 405 405 405", "L 302 302 302 302 302 302"),
    "brobygning:kalender_slet":                     (None,           "405 405 405 405 405 405 405", "L 302 302 302 302 302 302"),
    "matching:kalender_feed":                       ("bad_token",    "404 404 404 404 404 404 404", None),
    "brobygning:paamindelse_list":                  (None,           "L   200 200 403 403 403 403", None),
    "brobygning:paamindelse_retry":                 ("paamindelse",  "405 405 405 405 405 405 405", "L 302 404 403 403 403 403"),
    # Borgere waiting for a brobygger (switched on in centre A)
    "borgere:venteliste":                           (None,           "L   200 200 200 200 403 403", None),
    "borgere:venteliste_anmod":                     ("ventende",     "405 405 405 405 405 405 405", "L 403 404 302 302 403 403"),
    "borgere:anmodning_list":                       (None,           "L   200 200 403 403 403 403", None),
    "borgere:anmodning_decide":                     ("anmodning",    "405 405 405 405 405 405 405", "L 302 404 403 403 403 403"),
    # The overview's task lists in full, and the welcome score (issue 13)
    "matching:opgaver_moeder":                      (None,           "L   200 200 403 403 403 403", None),
    "matching:opgaver_opfoelgninger":               (None,           "L   200 200 403 403 403 403", None),
    "matching:opgaver_faellesskaber":               (None,           "L   200 200 403 403 403 403", None),
    "foreninger:bekraeft_spoerg":                   ("forening",     "405 405 405 405 405 405 405", "L 302 404 403 403 403 403"),
    "matching:velkomst":                            (None,           "L   200 200 403 403 200 200", None),
    "matching:velkomst_kursus":                     (None,           "L   200 200 403 403 403 403", None),
    # The forening portal
    "matching:nye_paa_vej":                         (None,           "L   200 200 403 403 200 200", None),
    "matching:vaert_bekraeft":                      ("ledsagelse",   "405 405 405 405 405 405 405", "L 302 404 403 403 302 403"),
    "matching:vaert_rapport":                       ("ledsagelse",   "405 405 405 405 405 405 405", "L 302 404 403 403 302 403"),
    # "Er det stadig korrekt?": the signed link is the key, whoever holds it (see test_signed_links.py)
    "foreninger:bekraeft_list":                     ("link",         "200 200 200 200 200 200 200", None),
    "foreninger:bekraeft_faellesskab":              ("link",         "405 405 405 405 405 405 405", None),
    "foreninger:bekraeft_rediger":                  ("link",         "200 200 200 200 200 200 200", None),
    # Answers after the first meeting: the signed link is the key (tests/matching/test_svar.py); the
    # SMS webhook is signed with a shared secret (none is set here, so every POST is refused)
    "matching:svar_link":                           ("svar",         "200 200 200 200 200 200 200", None),
    "matching:svar_tak":                            (None,           "200 200 200 200 200 200 200", None),
    "matching:svar_sms":                            (None,           "405 405 405 405 405 405 405", "403 403 403 403 403 403 403"),
    # Borgere and the journey
    "borgere:borger_list":                          (None,           "L   200 200 200 200 403 403", None),
    "borgere:borger_create":                        (None,           "L   200 200 403 403 403 403", "L 200 200 403 403 403 403"),
    "borgere:borger_detail":                        ("borger",       "L   200 404 200 403 403 403", None),
    "borgere:borger_update":                        ("borger",       "L   200 404 200 403 403 403", "L 200 404 200 403 403 403"),
    "borgere:borger_archive":                       ("borger",       "L   200 404 403 403 403 403", "L 302 404 403 403 403 403"),
    "borgere:samtale_create":                       ("borger",       "L   200 404 200 403 403 403", "L 200 404 200 403 403 403"),
    "borgere:samtykke_give":                        ("borger",       "405 405 405 405 405 405 405", "L 302 404 302 403 403 403"),
    "matching:forslag":                             ("borger",       "L   200 404 200 403 403 403", None),
    "matching:match_create":                        ("borger",       "405 405 405 405 405 405 405", "L 302 404 302 403 403 403"),
    "matching:pipeline":                            (None,           "L   200 200 403 403 403 403", None),
    "matching:match_detail":                        ("match",        "L   200 404 200 403 403 403", None),
    "matching:match_step":                          ("match",        "405 405 405 405 405 405 405", "L 302 404 302 403 403 403"),
    "matching:match_end":                           ("match",        "405 405 405 405 405 405 405", "L 302 404 302 403 403 403"),
    "matching:match_fortryd":                       ("match",        "405 405 405 405 405 405 405", "L 302 404 302 403 403 403"),
    "matching:ledsagelse_plan":                     ("match",        "L   200 404 200 403 403 403", "L 200 404 200 403 403 403"),
    "matching:ledsagelse_update":                   ("ledsagelse",   "L   200 404 200 403 403 403", "L 200 404 200 403 403 403"),
    "matching:ledsagelse_outcome":                  ("ledsagelse",   "405 405 405 405 405 405 405", "L 302 404 302 403 403 403"),
    "matching:opfoelgning_record":                  ("opfoelgning",  "L   200 404 200 403 403 403", "L 200 404 200 403 403 403"),
    # Foreninger and fællesskaber
    "foreninger:forening_list":                     (None,           "L   200 200 200 200 200 200", None),
    "foreninger:forening_create":                   (None,           "L   200 200 403 403 403 403", "L 200 200 403 403 403 403"),
    "foreninger:forening_detail":                   ("forening",     "L   200 404 200 200 200 403", None),
    "foreninger:forening_update":                   ("forening",     "L   200 404 403 403 200 403", "L 200 404 403 403 200 403"),
    "foreninger:forening_archive":                  ("forening",     "L   200 404 403 403 403 403", "L 302 404 403 403 403 403"),
    "foreninger:faellesskab_list":                  (None,           "L   200 200 200 200 200 200", None),
    "foreninger:faellesskab_create":                (None,           "L   200 200 403 403 200 200", "L 200 200 403 403 200 200"),
    "foreninger:faellesskab_detail":                ("faellesskab",  "L   200 404 200 200 200 403", None),
    "foreninger:faellesskab_update":                ("faellesskab",  "L   200 404 403 403 200 403", "L 200 404 403 403 200 403"),
    "foreninger:faellesskab_archive":               ("faellesskab",  "L   200 404 403 403 200 403", "L 302 404 403 403 302 403"),
    # Django's language switch
    "borgere:henvisning_list":                      (None,           "L   200 200 403 403 403 403", None),
    "borgere:henvisning_detail":                    ("henvisning",   "L   200 404 403 403 403 403", None),
    "borgere:henvisning_convert":                   ("henvisning",   "L   200 404 403 403 403 403", "L 200 404 403 403 403 403"),
    "borgere:henvisning_decline":                   ("henvisning",   "L   405 405 405 405 405 405", "L 302 404 403 403 403 403"),
    # Projects and reports (ARCHITECTURE.md, "Rapporter"): koordinatorer only
    "borgere:projekt_list":                         (None,           "L   200 200 403 403 403 403", None),
    "borgere:projekt_create":                       (None,           "L   200 200 403 403 403 403", "L 200 200 403 403 403 403"),
    "borgere:projekt_detail":                       ("projekt",      "L   200 404 403 403 403 403", None),
    "borgere:projekt_update":                       ("projekt",      "L   200 404 403 403 403 403", "L 200 404 403 403 403 403"),
    "borgere:projekt_archive":                      ("projekt",      "405 405 405 405 405 405 405", "L 302 404 403 403 403 403"),
    "borgere:borger_projekter":                     ("borger",       "L   200 404 403 403 403 403", "L 302 404 403 403 403 403"),
    "matching:rapport":                             (None,           "L   200 200 403 403 403 403", None),
    "matching:rapport_status":                      (None,           "L   302 302 403 403 403 403", None),
    # public: no login, the same for everyone
    "foreninger:public_directory":                  ("public",       "200 200 200 200 200 200 200", None),
    "foreninger:public_faellesskab":                ("public",       "200 200 200 200 200 200 200", None),
    "foreninger:public_faellesskab_ics":            ("public",       "200 200 200 200 200 200 200", None),
    "borgere:public_henvisning":                    ("public",       "200 200 200 200 200 200 200", None),
    "borgere:public_henvisning_tak":                ("public",       "200 200 200 200 200 200 200", None),
    "foreninger:import_start":                      (None,           "L   200 200 403 403 403 403", "L 200 200 403 403 403 403"),
    "foreninger:import_template":                   (None,           "L   200 200 403 403 403 403", None),
    "foreninger:import_detail":                     ("importjob",    "L   200 404 403 403 403 403", None),
    "foreninger:import_progress":                   ("importjob",    "L   200 404 403 403 403 403", None),
    "foreninger:import_confirm":                    ("importjob",    "L   405 405 405 405 405 405", "L 302 404 403 403 403 403"),
    # HSDS 3.0 API: public, read-only; the whole deployment and one centre
    "foreninger:hsds_root":                         ("hsds",         "200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "foreninger:hsds_services":                     ("hsds",         "200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "foreninger:hsds_service":                      ("hsds_service", "200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "foreninger:hsds_events":                       ("hsds",         "200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "foreninger:hsds_organizations":                ("hsds",         "200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "foreninger:hsds_organization":                 ("hsds_organization", "200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "foreninger:hsds_service_at_locations":         ("hsds",         "200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "foreninger:hsds_service_at_location":          ("hsds_sal",     "200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "foreninger:hsds_taxonomies":                   ("hsds",         "200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "foreninger:hsds_taxonomy":                     ("hsds_taxonomy", "200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "foreninger:hsds_taxonomy_terms":               ("hsds",         "200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "foreninger:hsds_taxonomy_term":                ("hsds_term",    "200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "foreninger:hsds_center_root":                  ("hsds",         "200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "foreninger:hsds_center_services":              ("hsds",         "200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "foreninger:hsds_center_service":               ("hsds_service", "200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "foreninger:hsds_center_events":                ("hsds",         "200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "foreninger:hsds_center_organizations":         ("hsds",         "200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "foreninger:hsds_center_organization":          ("hsds_organization", "200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "foreninger:hsds_center_service_at_locations":  ("hsds",         "200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "foreninger:hsds_center_service_at_location":   ("hsds_sal",     "200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "foreninger:hsds_center_taxonomies":            ("hsds",         "200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "foreninger:hsds_center_taxonomy":              ("hsds_taxonomy", "200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "foreninger:hsds_center_taxonomy_terms":        ("hsds",         "200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "foreninger:hsds_center_taxonomy_term":         ("hsds_term",    "200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "foreninger:hsds_export":                       ("hsds",         "200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    "foreninger:hsds_center_export":                ("hsds",         "200 200 200 200 200 200 200", "405 405 405 405 405 405 405"),
    # Privacy: the access log, consent texts, the borger's rights (koordinator only)
    "brobygning:adgangslog":                        (None,           "L   200 200 403 403 403 403", None),
    "brobygning:adgangslog_stikproeve":             (None,           "L   200 200 403 403 403 403", None),
    "borgere:samtykketekst_list":                   (None,           "L   200 200 403 403 403 403", None),
    "borgere:samtykketekst_create":                 ("formaal",      "L   200 200 403 403 403 403", "L 200 200 403 403 403 403"),
    "borgere:borger_export":                        ("borger",       "L   200 404 403 403 403 403", None),
    "borgere:borger_export_json":                   ("borger",       "L   200 404 403 403 403 403", None),
    "borgere:borger_erase":                         ("borger",       "L   200 404 403 403 403 403", "L 200 404 403 403 403 403"),
    "borgere:borger_retention_extend":              ("borger",       "405 405 405 405 405 405 405", "L 302 404 403 403 403 403"),
    # Arrangementer (issue 14): koordinatorer manage; brobygger A helps run it (bb2 does not); the
    # foreningskontakt is registered (fk2 is not). The signed links are the key, whoever holds them.
    "matching:arrangement_list":                    (None,           "L   200 200 200 200 200 200", None),
    "matching:arrangement_create":                  (None,           "L   200 200 403 403 403 403", "L 200 200 403 403 403 403"),
    "matching:arrangement_detail":                  ("arrangement",  "L   200 404 200 403 200 403", None),
    "matching:arrangement_update":                  ("arrangement",  "L   200 404 403 403 403 403", "L 200 404 403 403 403 403"),
    "matching:arrangement_aflys":                   ("arrangement",  "405 405 405 405 405 405 405", "L 302 404 403 403 403 403"),
    "matching:arrangement_dato_tilfoej":            ("arrangement",  "405 405 405 405 405 405 405", "L 302 404 403 403 403 403"),
    "matching:arrangement_tilmeld":                 ("arrangement",  "L   200 404 403 403 403 403", "L 200 404 403 403 403 403"),
    "matching:arrangement_dato_flyt":               ("arr_dato",     "L   200 404 403 403 403 403", "L 200 404 403 403 403 403"),
    "matching:arrangement_dato_aflys":              ("arr_dato",     "405 405 405 405 405 405 405", "L 302 404 403 403 403 403"),
    "matching:arrangement_fremmoede":               ("arr_dato",     "L   200 404 200 403 403 403", None),
    "matching:arrangement_fremmoede_tap":           ("arr_fremmoede", "405 405 405 405 405 405 405", "L 302 404 302 403 403 403"),
    "matching:arrangement_afmeld_staff":            ("arr_tilmelding", "405 405 405 405 405 405 405", "L 302 404 403 403 403 403"),
    "matching:arrangement_start_forloeb":           ("arr_tilmelding", "L   200 404 403 403 403 403", "L 200 404 403 403 403 403"),
    "matching:arrangement_afmeld":                  ("arr_afmeld",   "200 200 200 200 200 200 200", None),
    "matching:arrangement_evaluering":              ("arr_evaluering", "200 200 200 200 200 200 200", None),
    "matching:arrangement_public_list":             ("public",       "200 200 200 200 200 200 200", None),
    "matching:arrangement_public_tak":              ("public",       "200 200 200 200 200 200 200", None),
    "matching:arrangement_public_ics":              ("public",       "200 200 200 200 200 200 200", None),
    "matching:arrangement_public_tilmeld":          ("arr_public",   "200 200 200 200 200 200 200", None),
    # Report exports (koordinator only; suppressed and logged: tests/matching/test_eksport.py). No
    # table named: 404 for the koordinator, after the role check.
    "matching:eksport_csv":                         (None,           "L   404 404 403 403 403 403", None),
    "matching:eksport_xlsx":                        (None,           "L   404 404 403 403 403 403", None),
    "matching:eksport_pdf":                         (None,           "L   200 200 403 403 403 403", None),
    # The network view: only the network user (NETVAERK below), who is no member of any centre
    "matching:netvaerk":                            (None,           "L   403 403 403 403 403 403", None),
    "matching:netvaerk_csv":                        (None,           "L   403 403 403 403 403 403", None),
    "matching:netvaerk_xlsx":                       (None,           "L   403 403 403 403 403 403", None),
    "matching:netvaerk_pdf":                        (None,           "L   403 403 403 403 403 403", None),
    # The network space (issue 14, point 5): koordinatorer of centres that share with the network (A
    # does, B does not) and the network user (NETVAERK below); the meeting and material are A's.
    "matching:netvaerksrum":                        (None,           "L   200 403 403 403 403 403", None),
    "matching:netvaerksrum_moede_ny":               (None,           "L   200 403 403 403 403 403", "L 200 403 403 403 403 403"),
    "matching:netvaerksrum_moede":                  ("netvaerksmoede", "L   200 403 403 403 403 403", None),
    "matching:netvaerksrum_moede_rediger":          ("netvaerksmoede", "L   200 403 403 403 403 403", "L 200 403 403 403 403 403"),
    "matching:netvaerksrum_moede_aflys":            ("netvaerksmoede", "405 405 405 405 405 405 405", "L 302 403 403 403 403 403"),
    "matching:netvaerksrum_tilmeld":                ("netvaerksmoede", "405 405 405 405 405 405 405", "L 302 403 403 403 403 403"),
    "matching:netvaerksrum_afmeld":                 ("netvaerkstilmelding", "405 405 405 405 405 405 405", "L 302 403 403 403 403 403"),
    "matching:netvaerksrum_referat":                ("netvaerksmoede", "L   200 403 403 403 403 403", "L 200 403 403 403 403 403"),
    "matching:netvaerksrum_bibliotek":              (None,           "L   200 403 403 403 403 403", None),
    "matching:netvaerksrum_materiale_ny":           (None,           "L   200 403 403 403 403 403", "L 200 403 403 403 403 403"),
    "matching:netvaerksrum_materiale_rediger":      ("netvaerksmateriale", "L   200 403 403 403 403 403", "L 200 403 403 403 403 403"),
    "matching:netvaerksrum_materiale_slet":         ("netvaerksmateriale", "405 405 405 405 405 405 405", "L 302 403 403 403 403 403"),
    "matching:netvaerksrum_materiale_fil":          ("netvaerksmateriale", "L   200 403 403 403 403 403", None),
    "set_language":                                 (None,           "*   *   *   *   *   *   *",   None),
    # The local partnership (issue 14): koordinatorer manage; a foreningskontakt reads their own record
    "foreninger:partnerskab_list":                  (None,           "L   200 200 403 403 200 200", None),
    "foreninger:partnerskab_create":                (None,           "L   200 200 403 403 403 403", "L 200 200 403 403 403 403"),
    "foreninger:partnerskab_detail":                ("partnerskab",  "L   200 404 403 403 403 403", None),
    "foreninger:partnerskab_update":                ("partnerskab",  "L   200 404 403 403 403 403", "L 200 404 403 403 403 403"),
    "foreninger:partner_create":                    ("partnerskab",  "L   200 404 403 403 403 403", "L 200 404 403 403 403 403"),
    "foreninger:partner_detail":                    ("partner",      "L   200 404 403 403 200 403", None),
    "foreninger:partner_update":                    ("partner",      "L   200 404 403 403 403 403", "L 200 404 403 403 403 403"),
    "foreninger:partner_aftale":                    ("partner",      "L   200 404 403 403 200 403", None),
    "foreninger:partnerkontakt_create":             ("partner",      "405 405 405 405 405 405 405", "L 302 404 403 403 403 403"),
    "foreninger:tilslutning_create":                ("partner",      "L   200 404 403 403 403 403", "L 200 404 403 403 403 403"),
    "foreninger:tilslutning_update":                ("tilslutning",  "L   200 404 403 403 403 403", "L 200 404 403 403 403 403"),
    "matching:partnerskab_oversigt":                (None,           "L   200 200 403 403 403 403", None),
    "matching:partnerskab_oversigt_csv":            (None,           "L   200 200 403 403 403 403", None),
    # Volunteer roles: koordinatorer and the forening's own contacts; candidates and advice: koordinatorer
    "matching:frivilligrolle_list":                 (None,           "L   200 200 403 403 200 200", None),
    "matching:frivilligrolle_create":               (None,           "L   200 200 403 403 200 200", "L 200 200 403 403 200 200"),
    "matching:frivilligrolle_detail":               ("frivilligrolle", "L   200 404 403 403 200 403", None),
    "matching:frivilligrolle_update":               ("frivilligrolle", "L   200 404 403 403 200 403", "L 200 404 403 403 200 403"),
    "matching:rollekandidat_list":                  (None,           "L   200 200 403 403 403 403", None),
    "matching:rollekandidat_create":                (None,           "L   200 200 403 403 403 403", "L 200 200 403 403 403 403"),
    "matching:rollekandidat_update":                ("rollekandidat", "L   200 404 403 403 403 403", "L 200 404 403 403 403 403"),
    # A volunteer candidate's art. 15 and art. 17, and a person saved as a match to a role: koordinatorer
    # (the forening sees its role's matches on the role's page, the name only with consent)
    "matching:rollekandidat_indsigt":               ("rollekandidat", "L   200 404 403 403 403 403", None),
    "matching:rollekandidat_anonymiser":            ("rollekandidat", "L   200 404 403 403 403 403", "L 200 404 403 403 403 403"),
    "matching:rollematch_create":                   ("frivilligrolle", "405 405 405 405 405 405 405", "L 302 404 403 403 403 403"),
    "matching:rollematch_status":                   ("rollematch",   "405 405 405 405 405 405 405", "L 302 404 403 403 403 403"),
    "matching:raadgivning_list":                    (None,           "L   200 200 403 403 403 403", None),
    "matching:raadgivning_create":                  (None,           "L   200 200 403 403 403 403", "L 200 200 403 403 403 403"),
    "matching:raadgivning_update":                  ("raadgivning",  "L   200 404 403 403 403 403", "L 200 404 403 403 403 403"),
}

# The network user (`User.netvaerksadgang`, no centre membership; SECURITY.md, "Netværket") is one
# more actor, kept out of the columns above: they are answered like an anonymous visitor, except
# that where the visitor is sent to log in, they are refused (403), since no centre rule lets a
# user without a membership in. The exceptions are listed here: name -> (GET, POST or None).
NETVAERK = {
    "matching:forside":                             ("302", None),  # to the network view
    "brobygning:switch_center":                     ("405", "302"),  # "you are no member of that centre"
    "brobygning:kalender_ny":                       ("405", "302"),
    "brobygning:kalender_slet":                     ("405", "302"),
    "matching:netvaerk":                            ("200", None),
    "matching:netvaerk_csv":                        ("404", None),  # no table named
    "matching:netvaerk_xlsx":                       ("404", None),
    "matching:netvaerk_pdf":                        ("200", None),
    # The network space: the network user reads everything and shares in the network's own name, but
    # changes nothing centre A holds or shared, and registers no one (they have no staff).
    "matching:netvaerksrum":                        ("200", None),
    "matching:netvaerksrum_moede_ny":               ("200", "200"),
    "matching:netvaerksrum_moede":                  ("200", None),
    "matching:netvaerksrum_afmeld":                 ("405", "404"),  # not theirs to see
    "matching:netvaerksrum_bibliotek":              ("200", None),
    "matching:netvaerksrum_materiale_ny":           ("200", "200"),
    "matching:netvaerksrum_materiale_fil":          ("200", None),
}


def netvaerk_codes(name: str) -> tuple[str, str | None]:
    """The network user's expected GET and POST codes for a row of MATRIX."""
    if name in NETVAERK:
        return NETVAERK[name]
    _key, get_row, post_row = MATRIX[name]

    def like_anon(row):
        code = _codes(row)["anon"]
        return "403" if code == "L" else code

    return like_anon(get_row), like_anon(post_row) if post_row else None

# Third-party URL groups, covered by prefix: (GET codes for the patterns that take no arguments).
# Allauth's own pages are public (login, reset) or ask for login; the admin lets no one in who is
# not staff, and none of the role fixtures is.
PREFIX_RULES = {
    "accounts/": "*   *   *   *   *   *   *",
    "admin/":    "*   *   *   *   *   *   *",  # and: the admin's login page sends to allauth's login
}
ADMIN_PUBLIC = {"admin:login", "admin:logout"}


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            name = f"{namespace}{pattern.name}" if pattern.name else None
            yield route, name, pattern


def all_patterns():
    return list(_walk(get_resolver().url_patterns))


def _prefix_rule(route):
    return next((codes for prefix, codes in PREFIX_RULES.items() if route.startswith(prefix)), None)


def _codes(row: str) -> dict:
    codes = row.split()
    assert len(codes) == len(ACTORS), row
    return dict(zip(ACTORS, codes, strict=True))


def test_every_url_pattern_has_a_row():
    missing = [route for route, name, _p in all_patterns() if name not in MATRIX and _prefix_rule(route) is None]
    assert not missing, f"URL patterns with no row in the access matrix: {missing}"


def test_the_matrix_has_no_stale_rows():
    names = {name for _route, name, _p in all_patterns()}
    assert not set(MATRIX) - names


# --- The world the matrix runs in ----------------------------------------------------------------


@pytest.fixture
def matrix_world(settings, tmp_path, world, koordinator_a, koordinator_b, brobygger_a, brobygger_a2, foreningskontakt_a):
    settings.MEDIA_ROOT = tmp_path  # the partner's agreement file
    center = world.center_a
    center.venteliste_synlig = True
    center.deler_med_netvaerk = True  # the network space; centre B does not share with the network
    center.save()
    fk2 = _member(center, Rolle.FORENINGSKONTAKT, "forening2@a.test", foreninger=[world.forening_a2])
    target = _member(center, Rolle.BROBYGGER, "maal@a.test")
    borger = world.borger_a
    rf.give_consent(borger, "deling_med_vaert")
    match = rf.MatchFactory(borger=borger, center=center, faellesskab=world.faellesskab_a)
    ledsagelse = rf.LedsagelseFactory(match=match, center=center, brobygger=brobygger_a,
                                      tidspunkt=timezone.now() + timedelta(days=3))
    opfoelgning = rf.OpfoelgningFactory(match=match, center=center)
    ventende = f.BorgerFactory(center=center, fornavn="Venter", brobygger=None)
    anmodning = Overtagelsesanmodning.objects.create(center=center, borger=ventende, brobygger=brobygger_a2)
    paamindelse = Paamindelse.objects.create(
        center=center, emne_type="ledsagelse", emne_id=ledsagelse.pk, art="brobygger_24t", kanal="email",
        forfalder=timezone.now(), status=PaamindelseStatus.FEJLET)
    forening = world.forening_a
    forening.bekraeft_nonce = "matrix-nonce"
    forening.save()
    henvisning = Henvisning.objects.create(
        center=center, fornavn="Henvist", telefon="+4520304050", oensker="Gåture",
        kilde=f.tag(TagType.HENVISNINGSKILDE, "jobcenter"),
        samtykketekst=gaeldende_samtykketekst(center_id=center.pk, formaal=Formaal.REGISTRERING))
    importjob = ImportJob.objects.create(center=center, filnavn="x.csv", format="csv", indhold=b"")
    projekt = Projekt.objects.create(center=center, navn="Matrixprojekt", fra=timezone.localdate(),
                                     til=timezone.localdate() + timedelta(days=365))
    moedesvar = Moedesvar.objects.create(center=center, ledsagelse=ledsagelse, modtager="vaert", kanal="email",
                                         nonce="matrix-nonce")
    partnerskab = Partnerskab.objects.create(center=center, navn="Partnerskabet")
    partner = Partner.objects.create(center=center, partnerskab=partnerskab, art="forening", forening=forening,
                                     aftale_fil=ContentFile(b"%PDF-1.4 aftale", name="aftale.pdf"))
    tilslutning = Tilslutningsbeloeb.objects.create(center=center, partner=partner, beloeb=1000, formaal="Opstart")
    frivilligrolle = Frivilligrolle.objects.create(center=center, forening=forening, titel="Kaffe",
                                                   postnummer=f.postnummer())
    rollekandidat = RolleKandidat.objects.create(center=center, fornavn="Kandidat", postnummer=f.postnummer(),
                                                 samtykke_givet=timezone.now())
    rollematch = RolleMatch.objects.create(center=center, rolle=frivilligrolle, kandidat=rollekandidat)
    raadgivning = Raadgivning.objects.create(center=center, organisation="Jobcenter", art="jobcenter", emne="Henvisning",
                                             varighed_min=30)
    koordinator = actor_for(koordinator_a)
    arrangement = arrangement_services.arrangement_create(actor=koordinator, data={
        "type": "inklusionskursus", "titel": "Kursus", "sted": "Salen", "offentlig": True,
        "ansvarlige": [brobygger_a]}, datoer=[(timezone.now() + timedelta(days=4), 120)])
    tilmelding = arrangement_services.tilmelding_opret(actor=koordinator, arrangement=arrangement,
                                                       user=foreningskontakt_a)
    netvaerksmoede = netvaerksrum.netvaerksmoede_opret(actor=koordinator, data={
        "titel": "Netværksmøde", "sted": "Aarhus", "kapacitet": 10}, datoer=[(timezone.now() + timedelta(days=5), 180)])
    netvaerkstilmelding = netvaerksrum.netvaerkstilmelding_opret(actor=koordinator, moede=netvaerksmoede,
                                                                 user=brobygger_a)
    netvaerksmateriale = netvaerksrum.netvaerksmateriale_opret(actor=koordinator, data={
        "titel": "Metode", "fil": SimpleUploadedFile("metode.pdf", b"%PDF-1.4 metode"), "tags": "metode"})
    users = {"kA": koordinator_a, "kB": koordinator_b, "bb": brobygger_a, "bb2": brobygger_a2,
             "fk": foreningskontakt_a, "fk2": fk2}
    clients = {"anon": Client()}
    for key, user in users.items():
        clients[key] = Client()
        f.log_in(clients[key], user)
    objects = {
        "borger": {"pk": borger.pk},
        "medlemskab": {"pk": Medlemskab.objects.get(user=target).pk},
        "forening": {"pk": forening.pk},
        "faellesskab": {"pk": world.faellesskab_a.pk},
        "match": {"pk": match.pk},
        "ledsagelse": {"pk": ledsagelse.pk},
        "opfoelgning": {"pk": opfoelgning.pk},
        "ventende": {"pk": ventende.pk},
        "anmodning": {"pk": anmodning.pk},
        "paamindelse": {"pk": paamindelse.pk},
        "henvisning": {"pk": henvisning.pk},
        "public": {"slug": center.slug, "pk": world.faellesskab_a.pk},
        "importjob": {"pk": importjob.pk},
        "projekt": {"pk": projekt.pk},
        "formaal": {"formaal": "maalinger"},
        "hsds": {"center_slug": center.slug},
        "hsds_service": {"center_slug": center.slug, "pk": str(world.faellesskab_a.uuid)},
        "hsds_organization": {"center_slug": center.slug, "pk": str(world.faellesskab_a.forening.uuid)},
        "hsds_sal": {"center_slug": center.slug, "pk": hsds.sal_id(world.faellesskab_a)},
        "hsds_taxonomy": {"center_slug": center.slug, "pk": hsds.taxonomy_id(TagType.KATEGORI)},
        "hsds_term": {"center_slug": center.slug, "pk": hsds.term_id(TagType.KATEGORI, Tag.objects.filter(type=TagType.KATEGORI).first().slug)},
        "bad_token": {"token": "not-a-valid-token"},
        "link": {"token": bekraeft_token(forening), "pk": world.faellesskab_a.pk},
        "svar": {"pk": ledsagelse.pk, "token": svar_token_for(moedesvar)},
        "partnerskab": {"pk": partnerskab.pk},
        "partner": {"pk": partner.pk},
        "tilslutning": {"pk": tilslutning.pk},
        "frivilligrolle": {"pk": frivilligrolle.pk},
        "rollekandidat": {"pk": rollekandidat.pk},
        "rollematch": {"pk": rollematch.pk},
        "raadgivning": {"pk": raadgivning.pk},
        "arrangement": {"pk": arrangement.pk},
        "arr_dato": {"pk": arrangement.datoer.get().pk},
        "arr_fremmoede": {"pk": tilmelding.fremmoeder.get().pk},
        "arr_tilmelding": {"pk": tilmelding.pk},
        "arr_afmeld": {"pk": tilmelding.pk, "token": arrangement_links.token_for(tilmelding, arrangement_links.AFMELD)},
        "arr_evaluering": {"pk": tilmelding.pk,
                           "token": arrangement_links.token_for(tilmelding, arrangement_links.EVALUER)},
        "arr_public": {"slug": center.slug, "pk": arrangement.pk},
        "netvaerksmoede": {"pk": netvaerksmoede.pk},
        "netvaerkstilmelding": {"pk": netvaerkstilmelding.pk},
        "netvaerksmateriale": {"pk": netvaerksmateriale.pk},
    }
    return clients, objects


def _kwargs(route, objects, key):
    wanted = set(re.findall(r"<(?:\w+:)?(\w+)>", route))  # the whole route: includes may add some
    given = objects[key] if key else {}
    return {k: v for k, v in given.items() if k in wanted}


def _check(response, code, what):
    status = response.status_code
    if code == "*":
        assert status < 500, what
    elif code == "L":
        assert status == 302 and response["Location"].startswith(reverse("account_login")), (what, status)
    else:
        assert status == int(code), (what, status)


SNAPSHOT_APPS = ("brobygning", "borgere", "foreninger", "matching")
SKIP_MODELS = {"postnummer", "tag",  # reference data no view writes
               "adgangslog"}  # refusals are logged there by design


def _snapshot():
    """Every row of every domain table (reference data aside), to prove a forbidden POST changed nothing."""
    out = {}
    for app in SNAPSHOT_APPS:
        for model in apps.get_app_config(app).get_models():
            if model._meta.model_name in SKIP_MODELS:
                continue
            out[model._meta.label] = sorted(map(repr, model.objects.order_by("pk").values_list()))
    return out


def test_access_matrix(matrix_world):
    clients, objects = matrix_world
    failures = []
    for route, name, _pattern in all_patterns():
        if name not in MATRIX:
            continue
        key, get_row, post_row = MATRIX[name]
        url = reverse(name, kwargs=_kwargs(route, objects, key))
        for actor, code in _codes(get_row).items():
            try:
                _check(clients[actor].get(url), code, f"GET {name} as {actor}")
            except AssertionError as error:
                failures.append(str(error))
        if post_row is None:
            continue
        for actor, code in _codes(post_row).items():
            if code not in ("403", "404", "L"):
                continue  # allowed: the feature tests post as this actor
            before = _snapshot()
            try:
                _check(clients[actor].post(url, {}), code, f"POST {name} as {actor}")
                assert _snapshot() == before, f"POST {name} as {actor} changed the database"
            except AssertionError as error:
                failures.append(str(error))
    assert not failures, "\n".join(failures)


def test_access_matrix_network_user(matrix_world):
    """Every URL as the network user: only the network pages let them in."""
    _clients, objects = matrix_world
    client = Client()
    f.log_in(client, f.give_mfa(f.UserFactory(email="netvaerk@matrix.test", netvaerksadgang=True)))
    failures = []
    for route, name, _pattern in all_patterns():
        if name not in MATRIX:
            continue
        get_code, post_code = netvaerk_codes(name)
        url = reverse(name, kwargs=_kwargs(route, objects, MATRIX[name][0]))
        try:
            _check(client.get(url), get_code, f"GET {name} as netvaerk")
            if post_code in ("403", "404", "L"):
                before = _snapshot()
                _check(client.post(url, {}), post_code, f"POST {name} as netvaerk")
                assert _snapshot() == before, f"POST {name} as netvaerk changed the database"
        except AssertionError as error:
            failures.append(str(error))
    assert not failures, "\n".join(failures)


def test_third_party_prefixes(matrix_world):
    """Allauth and admin pages (those without arguments): no server errors, and no admin for anyone."""
    clients, _objects = matrix_world
    failures = []
    for route, name, pattern in all_patterns():
        rule = _prefix_rule(route)
        if rule is None or name is None or pattern.pattern.converters or pattern.pattern.regex.groups:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:  # patterns that need arguments are covered by the rule only
            continue
        for actor, code in _codes(rule).items():
            try:
                response = clients[actor].get(url)
                _check(response, code, f"GET {name} as {actor}")
                if route.startswith("admin/") and name not in ADMIN_PUBLIC:
                    assert response.status_code == 302 and "/admin/login/" in response["Location"], \
                        f"admin {name} as {actor}"
            except AssertionError as error:
                failures.append(str(error))
    assert not failures, "\n".join(failures)
