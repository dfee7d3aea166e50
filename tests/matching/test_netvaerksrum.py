"""The network space (issue 14, point 5; ARCHITECTURE.md, "Netværksrummet"): the network's meetings
with registration across centres, the notes, the shared library; who may use it; and never a
borger's personal data."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from borgere.models import Borger
from brobygning import paamindelser as dispatch
from brobygning.access import actor_for
from brobygning.models import AuditEntry, Paamindelse, Rolle
from matching import arrangement_paamindelser as arr
from matching import netvaerksrum as rum
from matching import services
from matching.arrangementer import arrangement_list
from matching.models import Arrangement, Netvaerksmateriale, Netvaerksreferat, TilmeldingStatus

from .. import factories as f
from ..conftest import _member

pytestmark = pytest.mark.django_db

BORGERNAVN = "Xqborgernavnq"
CPR = "Ring til 010190-1234"


@pytest.fixture(autouse=True)
def _setup(locmem_channels, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def net(world, koordinator_a, koordinator_b, brobygger_a):
    """A and C share with the network; B does not. C has a koordinator and a brobygger."""
    world.center_a.deler_med_netvaerk = True
    world.center_a.save()
    center_c = f.CenterFactory(navn="Frivilligcenter Aarhus", slug="aarhus", deler_med_netvaerk=True)
    world.center_c = center_c
    world.koordinator_c = _member(center_c, Rolle.KOORDINATOR, "koordinator@c.test")
    world.brobygger_c = _member(center_c, Rolle.BROBYGGER, "brobygger@c.test")
    world.kA, world.kB, world.kC = (actor_for(koordinator_a), actor_for(koordinator_b),
                                    actor_for(world.koordinator_c))
    world.netvaerk_user = f.give_mfa(f.UserFactory(email="frise@netvaerk.test", netvaerksadgang=True,
                                                   first_name="Frida"))
    world.netvaerk = actor_for(world.netvaerk_user)
    return world


def _moede(actor, *, kapacitet=None, dage=10, titel="Netværksmøde i Aarhus"):
    return rum.netvaerksmoede_opret(actor=actor, data={"titel": titel, "sted": "Aarhus", "kapacitet": kapacitet},
                                    datoer=[(timezone.now() + timedelta(days=dage), 180)])


def _pdf(name="metode.pdf", body=b"%PDF-1.4 en metode"):
    return SimpleUploadedFile(name, body)


# --- Who may use it -------------------------------------------------------------------------------


def test_members_and_the_network_user_use_it_others_do_not(net, koordinator_a, koordinator_b, brobygger_a,
                                                           foreningskontakt_a):
    url = reverse("matching:netvaerksrum")
    assert f.client_logged_in(koordinator_a).get(url).status_code == 200
    assert f.client_logged_in(net.netvaerk_user).get(url).status_code == 200
    assert f.client_logged_in(net.koordinator_c).get(url).status_code == 200
    assert f.client_logged_in(koordinator_b).get(url).status_code == 403  # B did not opt in
    assert f.client_logged_in(brobygger_a).get(url).status_code == 403
    assert f.client_logged_in(foreningskontakt_a).get(url).status_code == 403
    for actor in (net.kB, actor_for(brobygger_a), actor_for(foreningskontakt_a)):
        with pytest.raises(PermissionDenied):
            rum.moede_list(actor=actor)
        with pytest.raises(PermissionDenied):
            _moede(actor)


def test_the_menu_shows_the_space_to_those_who_may_use_it(net, koordinator_a, koordinator_b, brobygger_a):
    url = reverse("matching:netvaerksrum")
    forside = reverse("matching:forside")
    assert url in f.client_logged_in(koordinator_a).get(forside).content.decode()
    assert url not in f.client_logged_in(koordinator_b).get(forside).content.decode()
    assert url not in f.client_logged_in(brobygger_a).get(forside).content.decode()
    assert url in f.client_logged_in(net.netvaerk_user).get(reverse("matching:netvaerk")).content.decode()


def test_a_centre_that_leaves_the_network_takes_its_meetings_and_materials_along(net):
    moede = _moede(net.kC)
    rum.netvaerksmateriale_opret(actor=net.kC, data={"titel": "Guide", "link": "https://example.org/guide"})
    assert list(rum.moede_list(actor=net.kA)) == [moede]
    net.center_c.deler_med_netvaerk = False
    net.center_c.save()
    assert list(rum.moede_list(actor=net.kA)) == []
    assert list(rum.materiale_list(actor=net.kA)) == []
    with pytest.raises(Http404):
        rum.moede_get(actor=net.kA, pk=moede.pk)


# --- Meetings and registration across centres ------------------------------------------------------


def test_the_network_holds_a_meeting_every_member_sees_and_no_centre_owns(net, koordinator_a):
    moede = _moede(net.netvaerk)
    assert moede.center_id is None and moede.i_netvaerket and moede.type == "netvaerksmoede"
    assert moede.datoer.get().center_id is None
    assert [m.pk for m in rum.moede_list(actor=net.kA)] == [moede.pk]
    assert [m.pk for m in rum.moede_list(actor=net.kC)] == [moede.pk]
    # Not among any centre's own arrangementer, and their pages answer 404 (not a server error).
    assert list(arrangement_list(actor=net.kA)) == []
    client = f.client_logged_in(koordinator_a)
    assert client.get(reverse("matching:arrangement_detail", args=[moede.pk])).status_code == 404
    # Only the holding side changes it.
    with pytest.raises(PermissionDenied):
        rum.netvaerksmoede_ret(actor=net.kA, moede=moede, data={"titel": "Andet"})
    rum.netvaerksmoede_ret(actor=net.netvaerk, moede=moede, data={"titel": "Netværksmøde, forår"})
    assert Arrangement.objects.get(pk=moede.pk).titel == "Netværksmøde, forår"
    assert AuditEntry.objects.filter(handling="arrangement.oprettet", objekt_id=str(moede.pk),
                                     center__isnull=True, actor=net.netvaerk_user).exists()


def test_registration_across_centres_with_capacity_and_a_waiting_list_that_moves_up(net, brobygger_a,
                                                                                     koordinator_a):
    moede = _moede(net.kA, kapacitet=1)
    foerste = rum.netvaerkstilmelding_opret(actor=net.kC, moede=moede, user=net.brobygger_c)
    anden = rum.netvaerkstilmelding_opret(actor=net.kA, moede=moede, user=brobygger_a)
    assert (foerste.status, anden.status) == (TilmeldingStatus.TILMELDT, TilmeldingStatus.VENTELISTE)
    assert (foerste.center_id, anden.center_id) == (net.center_c.pk, net.center_a.pk)  # the registrant's centre
    assert foerste.fremmoeder.get().center_id == net.center_c.pk
    # Double registration refused; another centre's person refused; the network user registers no one.
    with pytest.raises(ValidationError, match="allerede tilmeldt"):
        rum.netvaerkstilmelding_opret(actor=net.kC, moede=moede, user=net.brobygger_c)
    with pytest.raises(ValidationError, match="egne medarbejdere"):
        rum.netvaerkstilmelding_opret(actor=net.kC, moede=moede, user=brobygger_a)
    with pytest.raises(PermissionDenied):
        rum.netvaerkstilmelding_opret(actor=net.netvaerk, moede=moede, user=net.brobygger_c)
    # Centre C cancels its person: A's person moves up.
    rum.netvaerkstilmelding_afmeld(actor=net.kC, tilmelding=foerste)
    anden.refresh_from_db()
    assert anden.status == TilmeldingStatus.TILMELDT
    assert AuditEntry.objects.filter(handling="tilmelding.rykket_op", objekt_id=str(anden.pk)).exists()
    # A member cancels only its own centre's registrations; the holding side (A) may cancel any.
    ny_c = rum.netvaerkstilmelding_opret(actor=net.kC, moede=moede, user=net.koordinator_c)
    with pytest.raises(Http404):
        rum.tilmelding_get(actor=net.kC, pk=anden.pk)
    rum.netvaerkstilmelding_afmeld(actor=net.kA, tilmelding=ny_c)


def test_the_holding_centre_takes_attendance_for_every_centre_at_the_door(net, koordinator_a, brobygger_a):
    moede = _moede(net.kA)
    hos_c = rum.netvaerkstilmelding_opret(actor=net.kC, moede=moede, user=net.brobygger_c).fremmoeder.get()
    hos_a = rum.netvaerkstilmelding_opret(actor=net.kA, moede=moede, user=brobygger_a).fremmoeder.get()
    holder = f.client_logged_in(koordinator_a)
    for row in (hos_c, hos_a):  # C's registrant's row belongs to C, yet A holds the door list
        url = reverse("matching:arrangement_fremmoede_tap", args=[row.pk])
        assert holder.post(url, {"moedt": "ja"}).status_code == 302
        row.refresh_from_db()
        assert row.moedt is True
    # A member centre does not take attendance at a meeting another centre holds, not even for its own.
    c_client = f.client_logged_in(net.koordinator_c)
    assert c_client.post(reverse("matching:arrangement_fremmoede_tap", args=[hos_c.pk]),
                         {"moedt": "nej"}).status_code == 404
    hos_c.refresh_from_db()
    assert hos_c.moedt is True


def test_a_koordinator_registers_a_colleague_on_the_page_and_sees_only_their_own(net, koordinator_a,
                                                                                 brobygger_a):
    moede = _moede(net.netvaerk)
    rum.netvaerkstilmelding_opret(actor=net.kA, moede=moede, user=brobygger_a)
    client = f.client_logged_in(net.koordinator_c)
    url = reverse("matching:netvaerksrum_moede", args=[moede.pk])
    page = client.get(url).content.decode()
    # The colleague to choose; not A's person
    assert net.brobygger_c.get_full_name() in page and brobygger_a.get_full_name() not in page
    response = client.post(reverse("matching:netvaerksrum_tilmeld", args=[moede.pk]),
                           {"user": net.brobygger_c.pk}, follow=True)
    assert "Medarbejderen er tilmeldt" in response.content.decode()
    tilmeldte = [t.user for t in response.context["tilmeldte"].object_list]
    assert tilmeldte == [net.brobygger_c]
    # The holding side (the network) sees everyone, with their centre.
    page = f.client_logged_in(net.netvaerk_user).get(url).content.decode()
    assert "Frivilligcenter Aarhus" in page and net.center_a.navn in page
    # Junk and another centre's user: a Danish message, nothing saved.
    response = client.post(reverse("matching:netvaerksrum_tilmeld", args=[moede.pk]), {"user": brobygger_a.pk},
                           follow=True)
    assert "Vælg en af centrets egne medarbejdere" in response.content.decode()
    assert moede.tilmeldinger.count() == 2


def test_registrations_get_the_arrangement_reminders_with_ics_from_the_registrants_centre(net):
    moede = _moede(net.netvaerk)  # held by the network: no centre of its own
    tilmelding = rum.netvaerkstilmelding_opret(actor=net.kC, moede=moede, user=net.brobygger_c)
    row = Paamindelse.objects.get(emne_type=arr.EMNE_TILMELDING, emne_id=tilmelding.pk, art="arr_bekraeftelse")
    assert row.center_id == net.center_c.pk
    assert Paamindelse.objects.filter(emne_type=arr.EMNE_FREMMOEDE, art="arr_24t").count() == 1
    assert dispatch.dispatch_due().sent == 1
    [message] = mail.outbox
    assert message.to == ["brobygger@c.test"] and "Netværksmøde i Aarhus" in message.subject
    ics = next(p for p in message.message().walk() if p.get_content_type() == "text/calendar")
    assert "METHOD:REQUEST" in ics.get_payload(decode=True).decode()
    # Cancelling the meeting tells whoever was told.
    mail.outbox.clear()
    rum.netvaerksmoede_aflys(actor=net.netvaerk, moede=moede)
    dispatch.dispatch_due()
    assert [m.to for m in mail.outbox] == [["brobygger@c.test"]]
    [beskrivelse] = arr.ArrangementResolver.describe([row])
    assert beskrivelse.url == reverse("matching:netvaerksrum_moede", args=[moede.pk])


# --- Meeting notes --------------------------------------------------------------------------------


def test_the_holding_side_writes_the_notes_and_members_read_them(net, koordinator_a):
    moede = _moede(net.kA)
    with pytest.raises(PermissionDenied):
        rum.netvaerksreferat_gem(actor=net.kC, moede=moede, tekst="Ikke mit møde")
    with pytest.raises(ValidationError):
        rum.netvaerksreferat_gem(actor=net.kA, moede=moede, tekst=CPR)
    client = f.client_logged_in(koordinator_a)
    url = reverse("matching:netvaerksrum_referat", args=[moede.pk])
    response = client.post(url, {"tekst": CPR})
    assert response.status_code == 200 and "CPR" in response.content.decode()
    assert rum.referat_get(moede=moede) is None
    client.post(url, {"tekst": "Vi aftalte at dele samtaleguiden."})
    page = f.client_logged_in(net.koordinator_c).get(reverse("matching:netvaerksrum_moede", args=[moede.pk]))
    assert "Vi aftalte at dele samtaleguiden." in page.content.decode()
    assert f.client_logged_in(net.koordinator_c).get(url).status_code == 403
    assert AuditEntry.objects.filter(handling="netvaerksreferat.gemt", center=net.center_a).count() == 1


# --- The shared library ----------------------------------------------------------------------------


def test_a_material_is_a_checked_file_or_a_link(net, monkeypatch):
    materiale = rum.netvaerksmateriale_opret(actor=net.kA, data={"titel": "Metode", "fil": _pdf(),
                                                                  "tags": "Metode, samtale,metode"})
    assert materiale.center_id == net.center_a.pk and materiale.filtype == "pdf"
    assert materiale.tags == ",metode,samtale," and materiale.tag_liste == ["metode", "samtale"]
    for fil, besked in ((_pdf("virus.pdf", b"MZ\x90\x00"), "passer ikke"), (_pdf("x.exe", b"MZ"), "skal være"),
                        (_pdf("tom.pdf", b""), "tom")):
        with pytest.raises(ValidationError, match=besked):
            rum.netvaerksmateriale_opret(actor=net.kA, data={"titel": "X", "fil": fil})
    monkeypatch.setattr(rum, "MATERIALE_MAX_MB", 0)
    with pytest.raises(ValidationError, match="for stor"):
        rum.netvaerksmateriale_opret(actor=net.kA, data={"titel": "X", "fil": _pdf()})
    with pytest.raises(ValidationError, match="ikke begge"):
        rum.netvaerksmateriale_opret(actor=net.kA, data={"titel": "X", "link": ""})
    with pytest.raises(ValidationError):
        rum.netvaerksmateriale_opret(actor=net.kA, data={"titel": CPR, "link": "https://example.org"})
    assert Netvaerksmateriale.objects.count() == 1


def test_only_the_sharing_centre_edits_or_deletes(net, koordinator_a):
    materiale = rum.netvaerksmateriale_opret(actor=net.kA, data={"titel": "Guide", "link": "https://example.org/g"})
    with pytest.raises(PermissionDenied):
        rum.netvaerksmateriale_ret(actor=net.kC, materiale=materiale, data={"titel": "Min nu"})
    with pytest.raises(PermissionDenied):
        rum.netvaerksmateriale_slet(actor=net.netvaerk, materiale=materiale)
    as_c = f.client_logged_in(net.koordinator_c)
    assert as_c.get(reverse("matching:netvaerksrum_materiale_rediger", args=[materiale.pk])).status_code == 403
    assert as_c.post(reverse("matching:netvaerksrum_materiale_slet", args=[materiale.pk])).status_code == 403
    bibliotek = as_c.get(reverse("matching:netvaerksrum_bibliotek")).content.decode()
    assert "Guide" in bibliotek and reverse("matching:netvaerksrum_materiale_slet", args=[materiale.pk]) not in bibliotek
    as_a = f.client_logged_in(koordinator_a)
    as_a.post(reverse("matching:netvaerksrum_materiale_rediger", args=[materiale.pk]),
              {"titel": "Guide til første samtale", "link": "https://example.org/g", "tags": "samtale"})
    assert Netvaerksmateriale.objects.get(pk=materiale.pk).titel == "Guide til første samtale"
    as_a.post(reverse("matching:netvaerksrum_materiale_slet", args=[materiale.pk]))
    assert not Netvaerksmateriale.objects.exists()
    handlinger = set(AuditEntry.objects.filter(objekt_type="netvaerksmateriale").values_list("handling", flat=True))
    assert handlinger == {"netvaerksmateriale.oprettet", "netvaerksmateriale.aendret", "netvaerksmateriale.slettet"}


def test_a_file_is_uploaded_on_the_page_and_served_only_to_members_as_a_download(net, koordinator_a, koordinator_b,
                                                                                  brobygger_a, client):
    response = f.client_logged_in(koordinator_a).post(reverse("matching:netvaerksrum_materiale_ny"), {
        "titel": "Samtaleguide", "beskrivelse": "Til første samtale", "tags": "samtale",
        "fil": _pdf("Anne Jensens guide.pdf")})
    assert response.status_code == 302
    materiale = Netvaerksmateriale.objects.get()
    assert "Anne" not in materiale.fil.name  # stored under a random name
    url = reverse("matching:netvaerksrum_materiale_fil", args=[materiale.pk])
    download = f.client_logged_in(net.koordinator_c).get(url)
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.4 en metode"
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Type"] == "application/octet-stream"
    assert f.client_logged_in(net.netvaerk_user).get(url).status_code == 200
    assert client.get(url).status_code == 302  # to the login page
    assert f.client_logged_in(koordinator_b).get(url).status_code == 403
    assert f.client_logged_in(brobygger_a).get(url).status_code == 403


def test_the_library_filters_by_tag_and_pages(net, koordinator_a):
    for i in range(rum.MATERIALER_SIDE + 1):
        rum.netvaerksmateriale_opret(actor=net.kA, data={"titel": f"Materiale {i}", "link": "https://example.org",
                                                          "tags": "metode" if i % 2 else "viden"})
    assert rum.materiale_list(actor=net.kA, tag="metode").count() == rum.MATERIALER_SIDE // 2
    assert rum.materiale_list(actor=net.kA, tag="met").count() == 0  # whole tags only
    assert rum.tags_i_brug(actor=net.kA) == ["metode", "viden"]
    response = f.client_logged_in(koordinator_a).get(reverse("matching:netvaerksrum_bibliotek"))
    assert len(response.context["page"].object_list) == rum.MATERIALER_SIDE
    assert response.context["page"].paginator.count == rum.MATERIALER_SIDE + 1


# --- Bounded pages --------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_pages_make_the_same_number_of_queries_however_much_there_is(net, koordinator_a):
    client = f.client_logged_in(koordinator_a)
    moede = _moede(net.kA)
    rum.netvaerksmateriale_opret(actor=net.kA, data={"titel": "M", "link": "https://example.org", "tags": "a"})
    rum.netvaerkstilmelding_opret(actor=net.kC, moede=moede, user=net.brobygger_c)
    urls = [reverse("matching:netvaerksrum"), reverse("matching:netvaerksrum_bibliotek"),
            reverse("matching:netvaerksrum_moede", args=[moede.pk])]
    client.get(urls[0])  # the session's first request does its own setup
    before = [_queries(client, url) for url in urls]
    for i in range(5):
        _moede(net.kC, titel=f"Møde {i}")
        rum.netvaerksmateriale_opret(actor=net.kC, data={"titel": f"M{i}", "link": "https://example.org",
                                                          "tags": f"t{i}"})
        rum.netvaerkstilmelding_opret(actor=net.kA, moede=moede,
                                      user=_member(net.center_a, Rolle.BROBYGGER, f"kollega{i}@a.test"))
    assert [_queries(client, url) for url in urls] == before


# --- Never a borger's personal data ---------------------------------------------------------------


def test_no_page_of_the_space_ever_shows_a_borger(net, koordinator_a):
    """Every page of the network space, as the holding side, a member and the network user, with a
    borger (and their match and registration for an ordinary arrangement) in the database."""
    borger = f.BorgerFactory(center=net.center_a, fornavn=BORGERNAVN, efternavn=BORGERNAVN)
    moede = _moede(net.kA)
    rum.netvaerkstilmelding_opret(actor=net.kC, moede=moede, user=net.brobygger_c)
    rum.netvaerksreferat_gem(actor=net.kA, moede=moede, tekst="Referat uden navne.")
    materiale = rum.netvaerksmateriale_opret(actor=net.kA, data={"titel": "M", "fil": _pdf(), "tags": "a"})
    kursus = services.arrangement_create(actor=net.kA, data={"type": "workshop", "titel": "W", "sted": "S"},
                                         datoer=[(timezone.now() + timedelta(days=3), 60)])
    services.tilmelding_opret(actor=net.kA, arrangement=kursus, borger=borger)
    urls = [reverse("matching:netvaerksrum"), reverse("matching:netvaerksrum") + "?vis=tidligere",
            reverse("matching:netvaerksrum_moede_ny"), reverse("matching:netvaerksrum_moede", args=[moede.pk]),
            reverse("matching:netvaerksrum_moede_rediger", args=[moede.pk]),
            reverse("matching:netvaerksrum_referat", args=[moede.pk]),
            reverse("matching:netvaerksrum_bibliotek"), reverse("matching:netvaerksrum_materiale_ny"),
            reverse("matching:netvaerksrum_materiale_rediger", args=[materiale.pk]),
            reverse("matching:netvaerksrum_materiale_fil", args=[materiale.pk])]
    seen = 0
    for user in (koordinator_a, net.koordinator_c, net.netvaerk_user):
        client = f.client_logged_in(user)
        for url in urls:
            response = client.get(url)
            if response.status_code == 403:
                continue  # another side's edit page
            assert response.status_code == 200, url
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert BORGERNAVN.encode() not in body, url
            seen += 1
    assert seen >= 20


def test_the_network_models_hold_no_relation_to_a_borger():
    for model in (Netvaerksmateriale, Netvaerksreferat):
        related = {field.related_model for field in model._meta.get_fields() if field.is_relation}
        assert Borger not in related and not any(m._meta.app_label == "borgere" for m in related if m)


def test_the_holding_centre_cannot_bring_a_borger_or_the_public_in_through_its_own_pages(net, world,
                                                                                          foreningskontakt_a):
    moede = _moede(net.kA)
    for kwargs in ({"borger": world.borger_a}, {"navn": "Ole", "email": "ole@x.test"}, {"user": foreningskontakt_a}):
        with pytest.raises(ValidationError, match="kun medarbejdere"):
            services.tilmelding_opret(actor=net.kA, arrangement=moede, **kwargs)
    for data in ({"type": "workshop"}, {"offentlig": True}):
        with pytest.raises(ValidationError, match="aldrig offentligt"):
            services.arrangement_update(actor=net.kA, arrangement=moede, data=data)
    assert not moede.tilmeldinger.exists()
    assert Arrangement.objects.get(pk=moede.pk).offentlig is False
