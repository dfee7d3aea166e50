"""The network view (FriSe as national coordinator): the centres that opted in, aggregated and
suppressed; never personal data, never a cell under 5 (SECURITY.md, "Netværket")."""

import csv
import io

import pytest
from django.contrib import admin as django_admin
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from brobygning import access
from brobygning.models import Adgangslog, AuditEntry, User
from matching import eksport
from matching.models import Stage
from matching.rapport_kriterier import rapport_kriterier
from matching.rapporter_netvaerk import sammenligning
from matching.undertrykkelse import skjult

from .. import factories as f
from .. import journey_factories as rf
from .test_eksport import tjek_eksporterede_raekker
from .test_undertrykkelse import tjek_ingen_smaa

pytestmark = pytest.mark.django_db

SKJULT = skjult()
NAVN = "Xqnetnavnq"
NETVAERKS_URLS = ["matching:netvaerk", "matching:netvaerk_csv", "matching:netvaerk_xlsx", "matching:netvaerk_pdf"]


def _matches(center, stage, antal):
    for _i in range(antal):
        rf.MatchFactory(borger=f.BorgerFactory(center=center, fornavn=NAVN, efternavn=NAVN), stage=stage)


@pytest.fixture
def net(world):
    """A and C share with the network, B does not. A: 6 welcomed; C: 2 welcomed, 8 planned; B: 30 welcomed."""
    center_c = f.CenterFactory(navn="Frivilligcenter Aarhus", slug="aarhus", deler_med_netvaerk=True)
    world.center_a.deler_med_netvaerk = True
    world.center_a.save()
    _matches(world.center_a, Stage.BUDT_VELKOMMEN, 6)
    _matches(center_c, Stage.BUDT_VELKOMMEN, 2)
    _matches(center_c, Stage.MOEDE_PLANLAGT, 8)
    _matches(world.center_b, Stage.BUDT_VELKOMMEN, 30)
    world.center_c = center_c
    return world


@pytest.fixture
def netvaerksbruger(db):
    return f.give_mfa(f.UserFactory(email="frise@netvaerk.test", netvaerksadgang=True))


@pytest.fixture
def as_netvaerk(netvaerksbruger):
    return f.client_logged_in(netvaerksbruger)


def _raekke(raekker, label):
    return next(r for r in raekker if r[0] == str(label))


def test_only_opted_in_centres_are_counted(net, as_netvaerk):
    assert access.netvaerk_center_ids() == sorted([net.center_a.pk, net.center_c.pk])
    response = as_netvaerk.get(reverse("matching:netvaerk"))
    assert response.status_code == 200
    tabeller = {t.noegle: t for t in response.context["tabeller"]}
    fase = tabeller["matches_efter_fase"]
    assert _raekke(fase.raekker, Stage.BUDT_VELKOMMEN.label)[1] == 8  # 6 + 2, not B's 30
    assert _raekke(fase.raekker, Stage.MOEDE_PLANLAGT.label)[1] == 8
    centre = [r[0] for r in tabeller["sammenligning"].raekker]
    assert centre == ["Frivilligcenter Aarhus", "Frivilligcenter Odense", "Alle centre"]
    html = response.content.decode()
    assert "Frivilligcenter Silkeborg" not in html
    assert NAVN not in html


def test_the_comparison_is_suppressed_and_its_total_cannot_give_a_cell_away(net):
    tabel = sammenligning(center_ids=access.netvaerk_center_ids(), periode=rapport_kriterier({})[1].periode)
    nye = [r[2] for r in tabel.raekker]
    assert nye == [10, 6, 16]  # Aarhus, Odense, all: before suppression
    ud = eksport.tabeller(center_ids=access.netvaerk_center_ids(), kriterier=rapport_kriterier({})[1], netvaerk=True)
    sam = next(t for t in ud if t.noegle == "sammenligning")
    tjek_ingen_smaa(sam)
    # Nye matches: all 5 or more, shown. Deltager efter 3 måneder: none, and 0 is shown as 0.
    aarhus, odense, alle = sam.raekker
    assert aarhus[2] == 10 and odense[2] == 6 and alle[2] == 16
    assert aarhus[4] == odense[4] == 0
    for t in ud:
        tjek_ingen_smaa(t)


def test_secondary_suppression_in_the_comparison(net):
    # Aarhus welcomed 2 (first meeting or further): blanked, and so Odense's 6 too, or 8 - 6 gives it away.
    ud = eksport.tabeller(center_ids=access.netvaerk_center_ids(), kriterier=rapport_kriterier({})[1], netvaerk=True)
    aarhus, odense, alle = next(t for t in ud if t.noegle == "sammenligning").raekker
    assert aarhus[3] == SKJULT and odense[3] == SKJULT and alle[3] == 8


@pytest.mark.parametrize("name", NETVAERKS_URLS)
def test_users_without_network_access_are_refused(net, name, as_koordinator_a, as_brobygger_a, as_foreningskontakt_a,
                                                  client):
    for c in (as_koordinator_a, as_brobygger_a, as_foreningskontakt_a):
        assert c.get(reverse(name), {"tabel": "sammenligning"}).status_code == 403
    response = client.get(reverse(name))
    assert response.status_code == 302 and reverse("account_login") in response["Location"]


def test_the_network_user_sees_no_centre_page(net, as_netvaerk, netvaerksbruger):
    assert as_netvaerk.get(reverse("matching:forside")).url == reverse("matching:netvaerk")
    for name in ("borgere:borger_list", "matching:pipeline", "brobygning:adgangslog", "matching:eksport_csv"):
        assert as_netvaerk.get(reverse(name)).status_code == 403, name
    assert as_netvaerk.get(reverse("borgere:borger_detail", args=[net.borger_a.pk])).status_code == 403


def test_network_users_log_in_with_two_factors(net):
    user = f.UserFactory(email="uden-mfa@netvaerk.test", netvaerksadgang=True)
    response = f.client_logged_in(user).get(reverse("matching:netvaerk"))
    assert response.status_code == 302 and response.url == reverse("mfa_activate_totp")


def test_network_exports_are_suppressed_and_logged(net, as_netvaerk, netvaerksbruger):
    response = as_netvaerk.get(reverse("matching:netvaerk_csv"), {"tabel": "sammenligning"})
    assert response.status_code == 200
    raekker = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
    assert "Frivilligcenter Silkeborg" not in response.content.decode("utf-8-sig")
    tabel = sammenligning(center_ids=[], periode=rapport_kriterier({})[1].periode)
    tjek_eksporterede_raekker([r for r in raekker[1:] if len(r) == len(tabel.kolonner)], tabel)
    assert NAVN.encode() not in response.content

    response = as_netvaerk.get(reverse("matching:netvaerk_xlsx"), {"tabel": "matches_efter_fase"})
    ark = load_workbook(io.BytesIO(response.content))["matches_efter_fase"]
    assert _raekke([list(r) for r in ark.iter_rows(values_only=True)], Stage.BUDT_VELKOMMEN.label)[1] == 8

    response = as_netvaerk.get(reverse("matching:netvaerk_pdf"))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")

    entries = list(Adgangslog.objects.filter(handling=Adgangslog.Handling.EKSPORT).order_by("pk"))
    assert len(entries) == 3
    for e in entries:
        assert e.bruger_id == netvaerksbruger.pk and e.borger_id is None and e.center_id is None
        assert "netvaerk=2 centre" in e.kriterium and "fra=" in e.kriterium
    assert "tabel=sammenligning" in entries[0].kriterium


def test_a_centre_opts_in_on_its_settings_page(world, as_koordinator_a):
    url = reverse("brobygning:center_indstillinger")
    assert "deler_med_netvaerk" in as_koordinator_a.get(url).content.decode()
    response = as_koordinator_a.post(url, {"bekraeft_interval_uger": 8, "deler_med_netvaerk": "on"})
    assert response.status_code == 302
    world.center_a.refresh_from_db()
    assert world.center_a.deler_med_netvaerk
    assert access.netvaerk_center_ids() == [world.center_a.pk]


def test_no_centre_shares_yet(world, as_netvaerk):
    response = as_netvaerk.get(reverse("matching:netvaerk"))
    assert response.status_code == 200 and response.context["tabeller"] == []


def test_a_date_far_ahead_gets_the_form_error_not_a_server_error(net, as_netvaerk):
    response = as_netvaerk.get(reverse("matching:netvaerk"), {"fra": "9999-12-31", "til": "9999-12-31"})
    assert response.status_code == 200
    assert "Datoen ligger for langt ude i fremtiden." in response.content.decode()


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.dictionaries(st.sampled_from(["fra", "til", "projekt", "tabel"]),
                       st.one_of(st.sampled_from(["", "2026-02-30", "1900-01-01", "9999-12-31", "sammenligning",
                                                  "\x00", "x" * 300]), st.text(max_size=30)), max_size=4),
       st.sampled_from(["matching:netvaerk", "matching:netvaerk_csv", "matching:netvaerk_xlsx"]))
def test_fuzzed_criteria_never_break_the_network_view(net, as_netvaerk, query, name):
    response = as_netvaerk.get(reverse(name), query)
    assert response.status_code in (200, 404)
    if response.status_code == 200 and name == "matching:netvaerk":
        for t in response.context["tabeller"]:
            tjek_ingen_smaa(t)


def test_granting_network_access_in_the_admin_is_audited(rf_request, netvaerksbruger):
    model_admin = django_admin.site._registry[User]
    staff = f.UserFactory(email="staff@x.test", is_staff=True, is_superuser=True)
    bruger = f.UserFactory(email="ny-frise@x.test")
    form_class = model_admin.get_form(rf_request(staff), bruger, change=True)
    data = {"email": bruger.email, "first_name": "", "last_name": "", "is_active": "on", "netvaerksadgang": "on"}
    form = form_class(data, instance=bruger)
    assert form.is_valid(), form.errors
    model_admin.save_model(rf_request(staff), form.save(commit=False), form, change=True)
    bruger.refresh_from_db()
    assert bruger.netvaerksadgang
    entry = AuditEntry.objects.get(handling="user.netvaerksadgang")
    assert entry.actor_id == staff.pk and entry.objekt_id == str(bruger.pk) and entry.felter == ["netvaerksadgang"]


@pytest.fixture
def rf_request():
    def make(user):
        request = RequestFactory().post("/admin/")
        request.user = user
        return request

    return make


def test_the_network_view_does_not_query_per_centre(net, as_netvaerk):
    def antal_forespoergsler():
        cache.clear()  # computed anew each time, not from the cache (matching.rapporter.rapport_beregning)
        with CaptureQueriesContext(connection) as queries:
            assert as_netvaerk.get(reverse("matching:netvaerk")).status_code == 200
        return len(queries)

    antal_forespoergsler()  # the session's first request records the two-factor step
    foer = antal_forespoergsler()
    for navn in ("Frivilligcenter Vejle", "Frivilligcenter Ribe"):
        center = f.CenterFactory(navn=navn, slug=navn[-5:].lower(), deler_med_netvaerk=True)
        _matches(center, Stage.BUDT_VELKOMMEN, 5)
    assert antal_forespoergsler() == foer


def test_the_network_sees_brobygger_activity_as_one_sum_without_staff_names(net, as_netvaerk):
    from borgere.models import Samtale

    for center, fornavn, antal in ((net.center_a, "Xqstaffa", 4), (net.center_c, "Xqstaffc", 3)):
        brobygger = f.UserFactory(first_name=fornavn, last_name="Hansen")
        for _i in range(antal):
            Samtale.objects.create(center=center, borger=f.BorgerFactory(center=center), brobygger=brobygger,
                                   varighed_min=30)
    response = as_netvaerk.get(reverse("matching:netvaerk"))
    aktivitet = {t.noegle: t for t in response.context["tabeller"]}["brobygger_aktivitet"]
    assert aktivitet.raekker == [["Alle brobyggere", 7, 0, 3.5]]
    assert "Xqstaff" not in response.content.decode()
