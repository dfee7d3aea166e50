"""Centre isolation and role limits: another centre's object is 404, a forbidden one in your own is 403."""

import pytest
from django.urls import reverse

from borgere.models import Borger
from foreninger.models import Faellesskab, Forening

pytestmark = pytest.mark.django_db

OBJECT_URLS = [
    ("borgere:borger_detail", "borger_a"), ("borgere:borger_update", "borger_a"), ("borgere:borger_archive", "borger_a"),
    ("foreninger:forening_detail", "forening_a"), ("foreninger:forening_update", "forening_a"), ("foreninger:forening_archive", "forening_a"),
    ("foreninger:faellesskab_detail", "faellesskab_a"), ("foreninger:faellesskab_update", "faellesskab_a"),
    ("foreninger:faellesskab_archive", "faellesskab_a"),
]


@pytest.mark.parametrize(("name", "attr"), OBJECT_URLS)
def test_other_centre_gets_404(as_koordinator_b, world, name, attr):
    url = reverse(name, args=[getattr(world, attr).pk])
    assert as_koordinator_b.get(url).status_code == 404
    assert as_koordinator_b.post(url, {"navn": "Kapret", "fornavn": "Kapret", "titel": "Kapret"}).status_code == 404


def test_other_centre_posts_change_nothing(as_koordinator_b, world):
    as_koordinator_b.post(reverse("borgere:borger_archive", args=[world.borger_a.pk]))
    as_koordinator_b.post(reverse("foreninger:faellesskab_archive", args=[world.faellesskab_a.pk]))
    assert Borger.objects.active().filter(pk=world.borger_a.pk).exists()
    assert Faellesskab.objects.active().filter(pk=world.faellesskab_a.pk).exists()


@pytest.mark.parametrize("name", ["brobygning:medlem_list", "brobygning:invitation_create", "borgere:borger_create", "foreninger:forening_create"])
def test_brobygger_gets_403_on_koordinator_pages(as_brobygger_a, world, name):
    assert as_brobygger_a.get(reverse(name)).status_code == 403


@pytest.mark.parametrize(("name", "attr"), [
    ("borgere:borger_archive", "borger_a"), ("foreninger:forening_update", "forening_a"), ("foreninger:forening_archive", "forening_a"),
    ("foreninger:faellesskab_update", "faellesskab_a"), ("foreninger:faellesskab_archive", "faellesskab_a"),
])
def test_brobygger_gets_403_on_changes_outside_their_role(as_brobygger_a, world, name, attr):
    url = reverse(name, args=[getattr(world, attr).pk])
    assert as_brobygger_a.get(url).status_code == 403
    assert as_brobygger_a.post(url).status_code == 403


def test_brobygger_sees_only_own_borgere(as_brobygger_a, as_brobygger_a2, world):
    other = Borger.objects.create(center=world.center_a, fornavn="Ingolf-Uden-Brobygger", postnummer=world.borger_a.postnummer,
                                  telefon="+4520000000")
    page = as_brobygger_a.get(reverse("borgere:borger_list")).content.decode()
    assert world.borger_a.fornavn in page and "Ingolf-Uden-Brobygger" not in page
    assert as_brobygger_a.get(reverse("borgere:borger_detail", args=[other.pk])).status_code == 403
    assert as_brobygger_a2.get(reverse("borgere:borger_detail", args=[world.borger_a.pk])).status_code == 403


def test_foreningskontakt_limits(as_foreningskontakt_a, world):
    client = as_foreningskontakt_a
    assert client.get(reverse("borgere:borger_list")).status_code == 403
    assert client.get(reverse("borgere:borger_detail", args=[world.borger_a.pk])).status_code == 403
    assert client.get(reverse("foreninger:forening_update", args=[world.forening_a.pk])).status_code == 200
    assert client.get(reverse("foreninger:forening_update", args=[world.forening_a2.pk])).status_code == 403
    assert client.get(reverse("foreninger:forening_detail", args=[world.forening_a2.pk])).status_code == 403
    assert client.get(reverse("foreninger:forening_detail", args=[world.forening_b.pk])).status_code == 404
    page = client.get(reverse("foreninger:forening_list")).content.decode()
    assert world.forening_a.navn in page and world.forening_a2.navn not in page


def test_lists_show_only_own_centre(as_koordinator_a, world):
    for name, hidden in [("borgere:borger_list", world.borger_b.fornavn), ("foreninger:forening_list", world.forening_b.navn),
                         ("foreninger:faellesskab_list", world.faellesskab_b.titel)]:
        assert hidden not in as_koordinator_a.get(reverse(name)).content.decode()


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(reverse("borgere:borger_detail", args=[world.borger_a.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


@pytest.mark.parametrize("name", ["borgere:borger_list", "foreninger:forening_list", "foreninger:faellesskab_list"])
def test_list_queries_do_not_grow_with_rows(as_koordinator_a, world, django_assert_max_num_queries, name):
    from tests import factories as f

    for i in range(30):
        forening = f.ForeningFactory(center=world.center_a)
        f.FaellesskabFactory(forening=forening, kategori=f.tag("kategori", "musik-og-sang"))
        f.BorgerFactory(center=world.center_a, fornavn=f"Person{i}", brobygger=world.borger_a.brobygger)
    assert Forening.objects.count() > 30
    with django_assert_max_num_queries(12):
        assert as_koordinator_a.get(reverse(name)).status_code == 200


def test_every_access_kind_is_owned_by_one_app(monkeypatch):
    """The core imports no domain app; the apps register their kinds, and a rule nobody owns fails the checks."""
    from brobygning import access

    assert access._every_kind_has_an_owner() == []
    assert (access.owner("borger"), access.owner("faellesskab"), access.owner("match")) == (
        "borgere", "foreninger", "matching")
    monkeypatch.setitem(access.RULES, ("ukendt", "list"), access._roles(access.K))
    assert [e.id for e in access._every_kind_has_an_owner()] == ["access.E001"]
    with pytest.raises(ValueError, match="owned by"):
        access.register_kinds("borgere", {"faellesskab"})
