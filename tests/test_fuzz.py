"""Bad input never breaks it: hypothesis posts random data to every URL pattern.

Every named URL pattern of our own (the admin's pages aside, whose login is fuzzed through
``admin:login``) must have an entry in ENDPOINTS: who posts, and the URL arguments. A new URL with no
entry fails ``test_every_url_pattern_has_a_fuzz_entry``, so adding a page means adding one line here.
Third-party pages (allauth under ``accounts/``) are covered by prefix (PREFIX_ROLES), so a library
upgrade that adds a page cannot break the test, and the new page is fuzzed too.

Each example starts from the data the page's own forms would send (read from the GET response's
context), then mutates some fields: random unicode with control characters, oversized text, wrong
types, injection strings, several values for one key, missing fields and unknown keys. The answer
must be a 200 (form errors), a redirect or a 4xx, never a 500; when the answer is not a redirect,
no domain row may have been added or deleted (row counts are unchanged); and the page a redirect
leads to must load too.

Examples per endpoint: FUZZ_EXAMPLES (default 25). The figures for a run are printed at the end.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pytest
from allauth.mfa.models import Authenticator
from django import forms
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from borgere.models import Projekt
from brobygning.models import Invitation, Paamindelse, PaamindelseStatus, Rolle
from matching.models import Moedesvar
from matching.svar import token_for as svar_token_for

from . import factories as f
from .conftest import _member
from .journey_factories import MatchFactory, OpfoelgningFactory, planned_ledsagelse

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "25"))


@dataclass
class Scene:
    center: object
    koordinator: object
    brobygger: object
    foreningskontakt: object
    borger: object
    forening: object
    faellesskab: object
    match: object
    ledsagelse: object
    opfoelgning: object
    paamindelse: object
    medlemskab: object
    invitation_token: str
    ventende: object  # a borger waiting for a brobygger
    anmodning: object
    henvisning: object
    importjob: object
    bekraeft_token: str
    svar_token: str = ""  # a signed answer link for the planned meeting (matching/svar.py)
    # Issue 14: the partnership, a volunteer role and candidate, an advice session
    partnerskab: object = None
    partner: object = None
    tilslutning: object = None
    frivilligrolle: object = None
    rollekandidat: object = None
    rollematch: object = None
    raadgivning: object = None
    projekt: object = None
    arrangement: object = None  # a public arrangement with one date and one registration (issue 14)
    arr_tilmelding: object = None
    arr_afmeld_token: str = ""
    arr_evaluering_token: str = ""
    netvaerk: object = None  # a network user (User.netvaerksadgang), member of no centre
    # The network space (issue 14, point 5): a meeting the centre holds, a registration, a material
    netvaerksmoede: object = None
    netvaerkstilmelding: object = None
    netvaerksmateriale: object = None


@dataclass(frozen=True)
class Endpoint:
    role: str  # "anon", "koordinator", "brobygger", "foreningskontakt", "netvaerk"
    args: Callable[[Scene], list] = lambda s: []
    # Fields a view reads from request.POST itself, outside any form: a POST-only URL has no page
    # whose form the baseline could read, so without these its fields would never be sent (and an
    # over-long value for a model field behind them would never reach the database).
    data: Callable[[Scene], dict] = lambda s: {}


def _pk(attr):
    return lambda s: [getattr(s, attr).pk]


def _hsds_endpoints() -> dict[str, Endpoint]:
    """The read-only HSDS API, whole deployment and per centre (POSTs must answer 405)."""
    from foreninger.hsds import serialize as hsds

    ids = {"service": lambda s: str(s.faellesskab.uuid), "organization": lambda s: str(s.forening.uuid),
           "service_at_location": lambda s: hsds.sal_id(s.faellesskab),
           "taxonomy": lambda s: hsds.taxonomy_id("kategori"), "taxonomy_term": lambda s: "ikke-et-id"}
    out = {}
    for name in ("root", "services", "events", "organizations", "service_at_locations", "taxonomies",
                 "taxonomy_terms", "export", *ids):
        one = ids.get(name)
        out[f"foreninger:hsds_{name}"] = Endpoint("anon", (lambda s, one=one: [one(s)]) if one else (lambda s: []))
        out[f"foreninger:hsds_center_{name}"] = Endpoint(
            "anon", (lambda s, one=one: [s.center.slug, one(s)]) if one else (lambda s: [s.center.slug]))
    return out


HSDS_ENDPOINTS = _hsds_endpoints()

# One line per URL name. `args` builds the URL arguments from the scene.
ENDPOINTS: dict[str, Endpoint] = {
    "matching:forside": Endpoint("koordinator"),
    "brobygning:healthz": Endpoint("anon"),
    "brobygning:switch_center": Endpoint("koordinator", data=lambda s: {"center": s.center.pk}),
    "brobygning:medlem_list": Endpoint("koordinator"),
    "brobygning:invitation_create": Endpoint("koordinator"),
    "brobygning:medlem_deactivate": Endpoint("koordinator", _pk("medlemskab")),
    "matching:medlem_overdragelse": Endpoint("koordinator", _pk("medlemskab")),
    "brobygning:invitation_accept": Endpoint("anon", lambda s: [s.invitation_token]),
    "brobygning:paamindelse_list": Endpoint("koordinator"),
    "brobygning:paamindelse_retry": Endpoint("koordinator", _pk("paamindelse")),
    "brobygning:adgangslog": Endpoint("koordinator"),
    "brobygning:adgangslog_stikproeve": Endpoint("koordinator"),
    "borgere:borger_list": Endpoint("koordinator"),
    "borgere:borger_create": Endpoint("koordinator"),
    "borgere:borger_detail": Endpoint("brobygger", _pk("borger")),
    "borgere:borger_update": Endpoint("brobygger", _pk("borger")),
    "borgere:borger_archive": Endpoint("koordinator", _pk("borger")),
    "borgere:samtykketekst_list": Endpoint("koordinator"),
    "borgere:samtykketekst_create": Endpoint("koordinator", lambda s: ["maalinger"]),
    "borgere:borger_export": Endpoint("koordinator", _pk("borger")),
    "borgere:borger_export_json": Endpoint("koordinator", _pk("borger")),
    "borgere:borger_erase": Endpoint("koordinator", _pk("borger")),
    "borgere:borger_retention_extend": Endpoint("koordinator", _pk("borger")),
    "borgere:samtale_create": Endpoint("brobygger", _pk("borger")),
    "borgere:samtykke_give": Endpoint("brobygger", _pk("borger")),
    "foreninger:forening_list": Endpoint("koordinator"),
    "foreninger:forening_create": Endpoint("koordinator"),
    "foreninger:forening_detail": Endpoint("foreningskontakt", _pk("forening")),
    "foreninger:forening_update": Endpoint("foreningskontakt", _pk("forening")),
    "foreninger:forening_archive": Endpoint("koordinator", _pk("forening")),
    "foreninger:faellesskab_list": Endpoint("koordinator"),
    "foreninger:faellesskab_create": Endpoint("foreningskontakt"),
    "foreninger:faellesskab_detail": Endpoint("koordinator", _pk("faellesskab")),
    "foreninger:faellesskab_update": Endpoint("foreningskontakt", _pk("faellesskab")),
    "foreninger:faellesskab_archive": Endpoint("koordinator", _pk("faellesskab")),
    "matching:forslag": Endpoint("brobygger", _pk("borger")),
    "matching:match_create": Endpoint("brobygger", _pk("borger"), data=lambda s: {
        "faellesskab": s.faellesskab.pk, "rolle": "deltager"}),
    "matching:pipeline": Endpoint("koordinator"),
    "matching:opgaver_moeder": Endpoint("koordinator"),
    "matching:opgaver_opfoelgninger": Endpoint("koordinator"),
    "matching:opgaver_faellesskaber": Endpoint("koordinator"),
    "foreninger:bekraeft_spoerg": Endpoint("koordinator", _pk("forening")),
    "matching:velkomst": Endpoint("foreningskontakt"),
    "matching:velkomst_kursus": Endpoint("koordinator"),
    "matching:match_detail": Endpoint("brobygger", _pk("match")),
    "matching:match_step": Endpoint("brobygger", _pk("match"), data=lambda s: {"til": "moede_planlagt"}),
    "matching:match_end": Endpoint("brobygger", _pk("match")),
    "matching:match_fortryd": Endpoint("brobygger", _pk("match")),
    "matching:ledsagelse_plan": Endpoint("brobygger", _pk("match")),
    "matching:ledsagelse_update": Endpoint("brobygger", _pk("ledsagelse")),
    "matching:ledsagelse_outcome": Endpoint("brobygger", _pk("ledsagelse"), data=lambda s: {"status": "afholdt"}),
    "matching:opfoelgning_record": Endpoint("brobygger", _pk("opfoelgning")),
    "brobygning:center_indstillinger": Endpoint("koordinator"),
    "brobygning:profil": Endpoint("brobygger"),
    "brobygning:kalender_ny": Endpoint("brobygger"),
    "brobygning:kalender_slet": Endpoint("brobygger"),
    "matching:kalender_feed": Endpoint("anon", lambda s: ["ikke-en-token"]),
    "borgere:venteliste": Endpoint("brobygger"),
    "borgere:venteliste_anmod": Endpoint("brobygger", _pk("ventende")),
    "borgere:anmodning_list": Endpoint("koordinator"),
    "borgere:anmodning_decide": Endpoint("koordinator", _pk("anmodning"), data=lambda s: {"beslutning": "godkend"}),
    "matching:nye_paa_vej": Endpoint("foreningskontakt"),
    "matching:vaert_bekraeft": Endpoint("foreningskontakt", _pk("ledsagelse")),
    "matching:vaert_rapport": Endpoint("foreningskontakt", _pk("ledsagelse"), data=lambda s: {"rapport": "kom"}),
    "foreninger:bekraeft_list": Endpoint("anon", lambda s: [s.bekraeft_token]),
    "foreninger:bekraeft_faellesskab": Endpoint("anon", lambda s: [s.bekraeft_token, s.faellesskab.pk]),
    "foreninger:bekraeft_rediger": Endpoint("anon", lambda s: [s.bekraeft_token, s.faellesskab.pk]),
    "matching:svar_link": Endpoint("anon", lambda s: [s.ledsagelse.pk, s.svar_token]),
    "matching:svar_tak": Endpoint("anon"),
    "matching:svar_sms": Endpoint("anon", data=lambda s: {"from": "+4520304050", "text": "JA tak"}),
    "borgere:henvisning_list": Endpoint("koordinator"),
    "borgere:projekt_list": Endpoint("koordinator"),
    "borgere:projekt_create": Endpoint("koordinator"),
    "borgere:projekt_detail": Endpoint("koordinator", _pk("projekt")),
    "borgere:projekt_update": Endpoint("koordinator", _pk("projekt")),
    "borgere:projekt_archive": Endpoint("koordinator", _pk("projekt")),
    "borgere:borger_projekter": Endpoint("koordinator", _pk("borger")),
    "matching:rapport": Endpoint("koordinator"),
    "matching:rapport_status": Endpoint("koordinator"),
    "borgere:henvisning_detail": Endpoint("koordinator", _pk("henvisning")),
    "borgere:henvisning_convert": Endpoint("koordinator", _pk("henvisning")),
    "borgere:henvisning_decline": Endpoint("koordinator", _pk("henvisning")),
    "foreninger:public_directory": Endpoint("anon", lambda s: [s.center.slug]),
    "foreninger:public_faellesskab": Endpoint("anon", lambda s: [s.center.slug, s.faellesskab.pk]),
    "foreninger:public_faellesskab_ics": Endpoint("anon", lambda s: [s.center.slug, s.faellesskab.pk]),
    "borgere:public_henvisning": Endpoint("anon", lambda s: [s.center.slug]),
    "borgere:public_henvisning_tak": Endpoint("anon", lambda s: [s.center.slug]),
    "foreninger:import_start": Endpoint("koordinator"),
    "foreninger:import_template": Endpoint("koordinator"),
    "foreninger:import_detail": Endpoint("koordinator", _pk("importjob")),
    "foreninger:import_progress": Endpoint("koordinator", _pk("importjob")),
    "foreninger:import_confirm": Endpoint("koordinator", _pk("importjob")),
    "foreninger:partnerskab_list": Endpoint("koordinator"),
    "foreninger:partnerskab_create": Endpoint("koordinator"),
    "foreninger:partnerskab_detail": Endpoint("koordinator", _pk("partnerskab")),
    "foreninger:partnerskab_update": Endpoint("koordinator", _pk("partnerskab")),
    "foreninger:partner_create": Endpoint("koordinator", _pk("partnerskab")),
    "foreninger:partner_detail": Endpoint("foreningskontakt", _pk("partner")),
    "foreninger:partner_update": Endpoint("koordinator", _pk("partner")),
    "foreninger:partner_aftale": Endpoint("koordinator", _pk("partner")),
    "foreninger:partnerkontakt_create": Endpoint("koordinator", _pk("partner"), data=lambda s: {
        "dato": "2026-03-02", "note": "Møde om aftalen"}),
    "foreninger:tilslutning_create": Endpoint("koordinator", _pk("partner")),
    "foreninger:tilslutning_update": Endpoint("koordinator", _pk("tilslutning")),
    "matching:partnerskab_oversigt": Endpoint("koordinator"),
    "matching:partnerskab_oversigt_csv": Endpoint("koordinator"),
    "matching:frivilligrolle_list": Endpoint("foreningskontakt"),
    "matching:frivilligrolle_create": Endpoint("foreningskontakt"),
    "matching:frivilligrolle_detail": Endpoint("koordinator", _pk("frivilligrolle")),
    "matching:frivilligrolle_update": Endpoint("foreningskontakt", _pk("frivilligrolle")),
    "matching:rollekandidat_list": Endpoint("koordinator"),
    "matching:rollekandidat_create": Endpoint("koordinator"),
    "matching:rollekandidat_update": Endpoint("koordinator", _pk("rollekandidat")),
    "matching:rollekandidat_indsigt": Endpoint("koordinator", _pk("rollekandidat")),
    "matching:rollekandidat_anonymiser": Endpoint("koordinator", _pk("rollekandidat")),
    "matching:rollematch_create": Endpoint("koordinator", _pk("frivilligrolle"), data=lambda s: {
        "art": "kandidat", "person": s.rollekandidat.pk}),
    "matching:rollematch_status": Endpoint("koordinator", _pk("rollematch"), data=lambda s: {
        "status": "afsluttet", "aarsag": "andet", "note": "Fuzz"}),
    "matching:raadgivning_list": Endpoint("koordinator"),
    "matching:raadgivning_create": Endpoint("koordinator"),
    "matching:raadgivning_update": Endpoint("koordinator", _pk("raadgivning")),
    "matching:arrangement_list": Endpoint("koordinator"),
    "matching:arrangement_create": Endpoint("koordinator"),
    "matching:arrangement_detail": Endpoint("koordinator", lambda s: [s.arrangement.pk]),
    "matching:arrangement_update": Endpoint("koordinator", lambda s: [s.arrangement.pk]),
    "matching:arrangement_aflys": Endpoint("koordinator", lambda s: [s.arrangement.pk]),
    "matching:arrangement_dato_tilfoej": Endpoint("koordinator", lambda s: [s.arrangement.pk],
                                                  data=lambda s: {"start": "2030-01-01T10:00", "varighed_min": "90"}),
    "matching:arrangement_tilmeld": Endpoint("koordinator", lambda s: [s.arrangement.pk], data=lambda s: {
        "hvem": "borger", "borger": s.borger.pk, "user": s.foreningskontakt.pk, "navn": "X", "email": "x@x.test"}),
    "matching:arrangement_dato_flyt": Endpoint("koordinator", lambda s: [s.arrangement.datoer.first().pk]),
    "matching:arrangement_dato_aflys": Endpoint("koordinator", lambda s: [s.arrangement.datoer.first().pk]),
    "matching:arrangement_fremmoede": Endpoint("koordinator", lambda s: [s.arrangement.datoer.first().pk]),
    "matching:arrangement_fremmoede_tap": Endpoint("koordinator", lambda s: [s.arr_tilmelding.fremmoeder.first().pk],
                                                   data=lambda s: {"moedt": "ja"}),
    "matching:arrangement_afmeld_staff": Endpoint("koordinator", lambda s: [s.arr_tilmelding.pk]),
    "matching:arrangement_start_forloeb": Endpoint("koordinator", lambda s: [s.arr_tilmelding.pk], data=lambda s: {
        "fornavn": "Ole", "postnummer": "5000", "brobygger": s.brobygger.pk, "samtykke": "on",
        "samtykke_maade": "mundtligt", "status": "aktiv"}),
    "matching:arrangement_afmeld": Endpoint("anon", lambda s: [s.arr_tilmelding.pk, s.arr_afmeld_token]),
    "matching:arrangement_evaluering": Endpoint("anon", lambda s: [s.arr_tilmelding.pk, s.arr_evaluering_token]),
    "matching:arrangement_public_list": Endpoint("anon", lambda s: [s.center.slug]),
    "matching:arrangement_public_tak": Endpoint("anon", lambda s: [s.center.slug]),
    "matching:arrangement_public_ics": Endpoint("anon", lambda s: [s.center.slug]),
    "matching:arrangement_public_tilmeld": Endpoint("anon", lambda s: [s.center.slug, s.arrangement.pk]),
    # Report exports and the network view: GET only (their query strings are fuzzed in
    # tests/matching/test_eksport.py and test_netvaerk.py)
    "matching:eksport_csv": Endpoint("koordinator"),
    "matching:eksport_xlsx": Endpoint("koordinator"),
    "matching:eksport_pdf": Endpoint("koordinator"),
    "matching:netvaerk": Endpoint("netvaerk"),
    "matching:netvaerk_csv": Endpoint("netvaerk"),
    "matching:netvaerk_xlsx": Endpoint("netvaerk"),
    "matching:netvaerk_pdf": Endpoint("netvaerk"),
    # The network space (the scene's centre shares with the network)
    "matching:netvaerksrum": Endpoint("koordinator"),
    "matching:netvaerksrum_moede_ny": Endpoint("koordinator"),
    "matching:netvaerksrum_moede": Endpoint("koordinator", _pk("netvaerksmoede")),
    "matching:netvaerksrum_moede_rediger": Endpoint("koordinator", _pk("netvaerksmoede")),
    "matching:netvaerksrum_moede_aflys": Endpoint("koordinator", _pk("netvaerksmoede")),
    "matching:netvaerksrum_tilmeld": Endpoint("koordinator", _pk("netvaerksmoede"),
                                              data=lambda s: {"user": s.koordinator.pk}),
    "matching:netvaerksrum_afmeld": Endpoint("koordinator", _pk("netvaerkstilmelding")),
    "matching:netvaerksrum_referat": Endpoint("koordinator", _pk("netvaerksmoede")),
    "matching:netvaerksrum_bibliotek": Endpoint("koordinator"),
    "matching:netvaerksrum_materiale_ny": Endpoint("netvaerk"),
    "matching:netvaerksrum_materiale_rediger": Endpoint("koordinator", _pk("netvaerksmateriale")),
    "matching:netvaerksrum_materiale_slet": Endpoint("koordinator", _pk("netvaerksmateriale")),
    "matching:netvaerksrum_materiale_fil": Endpoint("koordinator", _pk("netvaerksmateriale")),
    **HSDS_ENDPOINTS,
    "set_language": Endpoint("anon"),
    "admin:login": Endpoint("anon"),
}

# Third-party URL sets, covered by route prefix: each of their patterns that takes no arguments is
# fuzzed as the prefix's role, so a library that adds a page under its own prefix is covered
# without a new line here. THIRD_PARTY_ROLES picks another role (or URL arguments) for one page.
PREFIX_ROLES = {"accounts/": "anon"}
THIRD_PARTY_ROLES: dict[str, Endpoint] = {
    "account_email": Endpoint("brobygger"),
    "account_login": Endpoint("anon"),
    "account_logout": Endpoint("brobygger"),
    "account_inactive": Endpoint("anon"),
    "account_signup": Endpoint("anon"),
    "account_reauthenticate": Endpoint("brobygger"),
    "account_email_verification_sent": Endpoint("anon"),
    "account_change_password": Endpoint("brobygger"),
    "account_set_password": Endpoint("brobygger"),
    "account_reset_password": Endpoint("anon"),
    "account_confirm_login_code": Endpoint("anon"),
    "account_confirm_email": Endpoint("anon", lambda s: ["ikke-en-noegle"]),
    "account_reset_password_from_key_done": Endpoint("anon"),
    "account_reset_password_from_key": Endpoint("anon", lambda s: ["1", "ikke-en-noegle"]),
    "account_reset_password_done": Endpoint("anon"),
    "mfa_index": Endpoint("koordinator"),
    "mfa_authenticate": Endpoint("anon"),
    "mfa_reauthenticate": Endpoint("koordinator"),
    "mfa_activate_totp": Endpoint("brobygger"),
    "mfa_deactivate_totp": Endpoint("koordinator"),
    "mfa_view_recovery_codes": Endpoint("koordinator"),
    "mfa_generate_recovery_codes": Endpoint("koordinator"),
    "mfa_download_recovery_codes": Endpoint("koordinator"),
}


def url_patterns() -> list[tuple[str, str, URLPattern]]:
    """Every named URL pattern as (route, name with namespace, pattern); the admin's pages are skipped."""
    found = []

    def walk(patterns, prefix="", namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = ":".join(filter(None, [namespace, pattern.namespace]))
                if pattern.namespace == "admin":
                    continue
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns or None)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found.append((prefix + str(pattern.pattern), name, pattern))

    walk(get_resolver().url_patterns)
    return found


def _prefix_role(route: str) -> str | None:
    return next((role for prefix, role in PREFIX_ROLES.items() if route.startswith(prefix)), None)


def _takes_arguments(pattern: URLPattern) -> bool:
    return bool(pattern.pattern.converters or pattern.pattern.regex.groups)


def all_endpoints() -> dict[str, Endpoint]:
    """Our own ENDPOINTS, plus every argument-free third-party page under a PREFIX_ROLES prefix."""
    out = dict(ENDPOINTS)
    for route, name, pattern in url_patterns():
        role = _prefix_role(route)
        if role is None:
            continue
        if name in THIRD_PARTY_ROLES:
            out[name] = THIRD_PARTY_ROLES[name]
        elif not _takes_arguments(pattern):
            out[name] = Endpoint(role)
    return out


def test_every_url_pattern_has_a_fuzz_entry():
    """Each of our own URL names needs a line in ENDPOINTS; third-party ones are covered by prefix."""
    patterns = url_patterns()
    own = {name for route, name, _p in patterns if _prefix_role(route) is None} | {"admin:login"}
    missing = sorted(own - set(ENDPOINTS))
    assert missing == [], f"add these URL names to ENDPOINTS in tests/test_fuzz.py: {missing}"
    stale = sorted(set(ENDPOINTS) - own)
    assert stale == [], f"remove these from ENDPOINTS (no such URL, or covered by PREFIX_ROLES): {stale}"
    third_party = {name for _route, name, _p in patterns}
    assert set(THIRD_PARTY_ROLES) <= third_party, set(THIRD_PARTY_ROLES) - third_party


@pytest.fixture
def scene(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the network library's uploaded file
    settings.ACCOUNT_RATE_LIMITS = False  # limits would turn later examples into 429s and hide the forms
    ledsagelse = planned_ledsagelse()
    match = ledsagelse.match
    center, borger = match.center, match.borger
    brobygger = ledsagelse.brobygger
    borger.brobygger = brobygger
    borger.save()
    koordinator = _member(center, Rolle.KOORDINATOR, "fuzz-koordinator@x.test")
    # A real base32 secret, so allauth's code checks run (the shared factory's placeholder is not one).
    Authenticator.objects.filter(user=koordinator).update(data={"secret": "JBSWY3DPEHPK3PXP"})
    kontakt = _member(center, Rolle.FORENINGSKONTAKT, "fuzz-forening@x.test", foreninger=[match.faellesskab.forening])
    other = _member(center, Rolle.BROBYGGER, "fuzz-anden@x.test")
    invitation = Invitation.objects.create(center=center, email="ny@x.test", fornavn="Ny", rolle=Rolle.BROBYGGER)
    from borgere.models import Formaal, Henvisning, Overtagelsesanmodning
    from borgere.services import gaeldende_samtykketekst
    from brobygning.services import invitation_token
    from foreninger.models import ImportJob
    from foreninger.services import bekraeft_token

    center.venteliste_synlig = True
    center.deler_med_netvaerk = True  # the network space
    center.save()
    forening = match.faellesskab.forening
    forening.bekraeft_nonce = "fuzz-nonce"
    forening.save()
    ventende = f.BorgerFactory(center=center, brobygger=None)
    henvisning = Henvisning.objects.create(
        center=center, fornavn="Henvist", telefon="+4520304050", oensker="Gåture",
        kilde=f.tag("henvisningskilde", "jobcenter"),
        samtykketekst=gaeldende_samtykketekst(center_id=center.pk, formaal=Formaal.REGISTRERING))

    from brobygning.access import actor_for
    from matching import arrangement_links
    from matching import services as matching_services

    arrangement = matching_services.arrangement_create(actor=actor_for(koordinator), data={
        "type": "workshop", "titel": "Workshop", "sted": "Salen", "offentlig": True, "kapacitet": 5,
        "ansvarlige": [brobygger]}, datoer=[(ledsagelse.tidspunkt, 120)])
    arr_tilmelding = matching_services.tilmelding_opret(actor=actor_for(koordinator), arrangement=arrangement,
                                                        navn="Ole", email="ole@x.test")

    return Scene(
        arrangement=arrangement, arr_tilmelding=arr_tilmelding,
        arr_afmeld_token=arrangement_links.token_for(arr_tilmelding, arrangement_links.AFMELD),
        arr_evaluering_token=arrangement_links.token_for(arr_tilmelding, arrangement_links.EVALUER),
        center=center, koordinator=koordinator, brobygger=brobygger, foreningskontakt=kontakt, borger=borger,
        forening=match.faellesskab.forening, faellesskab=match.faellesskab,
        match=MatchFactory(borger=borger, center=center,
                           faellesskab=f.FaellesskabFactory(forening=match.faellesskab.forening), stage="accepteret"),
        ledsagelse=ledsagelse, opfoelgning=OpfoelgningFactory(match=match, center=center),
        paamindelse=Paamindelse.objects.create(center=center, emne_type="ledsagelse", emne_id=ledsagelse.pk,
                                               art="fuzz", kanal="sms", forfalder=ledsagelse.tidspunkt,
                                               status=PaamindelseStatus.FEJLET),
        medlemskab=other.medlemskaber.get(), invitation_token=invitation_token(invitation),
        ventende=ventende,
        anmodning=Overtagelsesanmodning.objects.create(center=center, borger=f.BorgerFactory(center=center,
                                                                                            brobygger=None),
                                                       brobygger=other),
        henvisning=henvisning,
        importjob=ImportJob.objects.create(center=center, filnavn="x.csv", format="csv", indhold=b""),
        bekraeft_token=bekraeft_token(forening),
        svar_token=svar_token_for(Moedesvar.objects.create(
            center=center, ledsagelse=ledsagelse, modtager="vaert", kanal="email", nonce="fuzz-nonce")),
        **_issue14_objects(center, forening),
        projekt=Projekt.objects.create(center=center, navn="Fuzzprojekt", fra=date(2026, 1, 1), til=date(2026, 12, 31)),
        netvaerk=f.give_mfa(f.UserFactory(email="fuzz-netvaerk@x.test", netvaerksadgang=True)),
        **_netvaerksrum_objects(actor_for(koordinator), brobygger, ledsagelse.tidspunkt),
    )


def _netvaerksrum_objects(koordinator, kollega, start) -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from matching import netvaerksrum

    moede = netvaerksrum.netvaerksmoede_opret(actor=koordinator, data={"titel": "Fuzz-møde", "sted": "Aarhus",
                                                                       "kapacitet": 3}, datoer=[(start, 180)])
    return {
        "netvaerksmoede": moede,
        "netvaerkstilmelding": netvaerksrum.netvaerkstilmelding_opret(actor=koordinator, moede=moede, user=kollega),
        "netvaerksmateriale": netvaerksrum.netvaerksmateriale_opret(actor=koordinator, data={
            "titel": "Fuzz-metode", "fil": SimpleUploadedFile("m.pdf", b"%PDF-1.4 fuzz"), "tags": "fuzz"}),
    }


def _issue14_objects(center, forening) -> dict:
    from django.utils import timezone

    from foreninger.models import Partner, Partnerskab, Tilslutningsbeloeb
    from matching.models import Frivilligrolle, Raadgivning, RolleKandidat, RolleMatch

    partnerskab = Partnerskab.objects.create(center=center, navn="Fuzz-partnerskab")
    partner = Partner.objects.create(center=center, partnerskab=partnerskab, art="forening", forening=forening)
    frivilligrolle = Frivilligrolle.objects.create(center=center, forening=forening, titel="Fuzz-rolle",
                                                   postnummer=f.postnummer())
    rollekandidat = RolleKandidat.objects.create(center=center, fornavn="Fuzz", postnummer=f.postnummer(),
                                                 samtykke_givet=timezone.now())
    return {
        "partnerskab": partnerskab, "partner": partner,
        "tilslutning": Tilslutningsbeloeb.objects.create(center=center, partner=partner, beloeb=1000, formaal="Fuzz"),
        "frivilligrolle": frivilligrolle, "rollekandidat": rollekandidat,
        "rollematch": RolleMatch.objects.create(center=center, rolle=frivilligrolle, kandidat=rollekandidat),
        "raadgivning": Raadgivning.objects.create(center=center, organisation="Fuzz", art="anden", emne="Fuzz",
                                                  varighed_min=30),
    }


def _client(scene: Scene, role: str) -> Client:
    client = Client(raise_request_exception=False)
    if role != "anon":
        f.log_in(client, getattr(scene, role))
    return client


def _forms_in(context) -> list:
    found = []
    if context is None:
        return found
    for layer in getattr(context, "dicts", [context]):
        for value in dict(layer).values():
            candidates = value if isinstance(value, list | tuple) else [value]
            for item in candidates:
                if isinstance(item, forms.BaseForm | forms.BaseFormSet) and all(item is not x for x in found):
                    found.append(item)
    return found


def baseline(client, url) -> dict[str, list[str]]:
    """The data the page's own forms would send, or nothing for a page without a form."""
    from .formdata import _field_items

    response = client.get(url)
    data: dict[str, list[str]] = {}
    for form in _forms_in(response.context):
        parts = [form.management_form, *form.forms] if isinstance(form, forms.BaseFormSet) else [form]
        for part in parts:
            for key, value in _field_items(part):
                data[key] = value if isinstance(value, list) else [value]
    return data


NASTY = ["", " ", "0", "-1", "1e309", "NaN", "9" * 40, "2026-02-30", "25:61", "1900-01-01T00:00",
         "<script>alert(1)</script>", "' OR 1=1 --", "\x00", "\u202e\u0000\ud7ff", "true", "[]", "{\"a\": 1}",
         "null", "ÆØÅ æøå ß 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🙂", "\r\n\t\x0b\x0c", "../../etc/passwd", "%00", "x" * 5000]
value_strategy = st.one_of(
    st.text(max_size=200),
    st.sampled_from(NASTY),
    st.just("x" * 100_000),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
)
mutation = st.one_of(
    st.just(("drop",)),
    st.tuples(st.just("set"), value_strategy),
    st.tuples(st.just("many"), st.lists(value_strategy, min_size=2, max_size=4)),
    st.just(("keep",)),
)

DOMAIN_APPS = ("brobygning", "borgere", "foreninger", "matching")
UNCOUNTED = {"adgangslog", "auditentry"}  # grow on reads and refusals by design


def row_counts() -> dict[str, int]:
    """Every domain table's row count, in one query."""
    from django.db import connection

    models = [m for m in apps.get_models()
              if m._meta.app_label in DOMAIN_APPS and m._meta.model_name not in UNCOUNTED
              for m in [m] + [f.remote_field.through for f in m._meta.local_many_to_many]]
    tables = sorted({m._meta.db_table for m in models})
    sql = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {connection.ops.quote_name(t)})" for t in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


FIGURES = {"endpoints": 0, "examples": 0, "server_errors": 0}


@pytest.mark.parametrize("name", sorted(all_endpoints()))
def test_random_posts_never_break_it(name, scene):
    endpoint = all_endpoints()[name]
    url = reverse(name, args=endpoint.args(scene))
    client = _client(scene, endpoint.role)
    base = baseline(client, url)
    for key, value in endpoint.data(scene).items():
        base.setdefault(key, [str(value)])
    keys = sorted(base) or ["felt"]
    server_errors = []

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(mutations=st.lists(mutation, min_size=len(keys), max_size=len(keys)),
           extra=st.dictionaries(st.text(min_size=1, max_size=20), value_strategy, max_size=3))
    def run(mutations, extra):
        data = {}
        for key, change in zip(keys, mutations, strict=True):
            if change[0] == "keep":
                data[key] = base.get(key, [""])
            elif change[0] == "set":
                data[key] = [change[1]]
            elif change[0] == "many":
                data[key] = change[1]
        for key, value in extra.items():
            data.setdefault(key, [value])
        before = row_counts()
        response = client.post(url, data)
        FIGURES["examples"] += 1
        if response.status_code >= 500:
            server_errors.append((response.status_code, {k: [v[:80] for v in vs] for k, vs in data.items()}))
            return
        if response.status_code not in (301, 302, 303):
            assert row_counts() == before, f"{name}: rows changed although the input was rejected"
        elif response.url.startswith("/"):
            # What the post left behind (say, search criteria in the session) must not break the next page.
            follow = client.get(response.url)
            if follow.status_code >= 500:
                server_errors.append((follow.status_code, f"GET {response.url} after the post"))

    run()
    FIGURES["endpoints"] += 1
    FIGURES["server_errors"] += len(server_errors)
    assert server_errors == [], f"{name}: {len(server_errors)} server errors, first: {server_errors[0]}"


def test_zz_report_fuzz_figures(capsys):
    """Prints the figures for the run (examples per endpoint, endpoints, 500s seen)."""
    with capsys.disabled():
        print(f"\nfuzz: {FIGURES['endpoints']} endpoints, {EXAMPLES} examples each, "
              f"{FIGURES['examples']} posts, {FIGURES['server_errors']} server errors")
    assert FIGURES["server_errors"] == 0

