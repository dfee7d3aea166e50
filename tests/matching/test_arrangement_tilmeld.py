"""Arrangementer (issue 14): the staff registration page has no unbounded select. Foreningskontakter
are found by a posted name search (at most SOEG_MAX), the forening select offers at most
FORENING_VALG_MAX with a posted name search for the rest, and borgere, foreningskontakter and other
people can still be registered."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from brobygning.access import actor_for
from brobygning.models import Rolle
from matching import arrangementer as selectors
from matching import services
from matching.models import ArrangementType, Tilmelding

from .. import factories as f
from ..conftest import _member

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear():
    cache.clear()


@pytest.fixture
def arrangement(koordinator_a):
    return services.arrangement_create(actor=actor_for(koordinator_a), data={
        "type": ArrangementType.INKLUSIONSKURSUS, "titel": "Kursus", "beskrivelse": "", "maalgruppe": "",
        "sted": "Salen", "online_link": "", "kapacitet": None, "offentlig": False, "ansvarlige": []},
        datoer=[(timezone.now() + timedelta(days=5), 120)])


def _url(arrangement):
    return reverse("matching:arrangement_tilmeld", args=[arrangement.pk])


def test_the_page_lists_no_foreningskontakter_and_at_most_the_cap_of_foreninger(
        as_koordinator_a, arrangement, world, django_assert_max_num_queries, settings):
    for n in range(selectors.FORENING_VALG_MAX + 5):
        f.ForeningFactory(center=world.center_a, navn=f"Klub {n:03d}")
    for n in range(3):
        _member(world.center_a, Rolle.FORENINGSKONTAKT, f"kontakt{n}@a.test")
    with django_assert_max_num_queries(25):
        page = as_koordinator_a.get(_url(arrangement)).content.decode()
    assert "kontakt0@a.test" not in page and 'name="user"' not in page
    select = page[page.index('name="forening"'):]
    select = select[:select.index("</select>")]
    assert select.count("<option") == selectors.FORENING_VALG_MAX + 1  # and the empty choice
    assert "Listen viser ikke alle foreninger" in page


def test_a_foreningskontakt_is_found_by_a_posted_search_and_registered(as_koordinator_a, arrangement, world,
                                                                       center_b):
    ida = _member(world.center_a, Rolle.FORENINGSKONTAKT, "ida@a.test")
    ida.first_name, ida.last_name = "Ida", "Holm"
    ida.save()
    other = _member(center_b, Rolle.FORENINGSKONTAKT, "ida@b.test")  # another centre's: never found
    url = _url(arrangement)
    assert "Ida Holm" not in as_koordinator_a.get(url, {"q_kontakt": "Ida"}).content.decode()
    page = as_koordinator_a.post(url, {"hvem": "soeg_kontakt", "q_kontakt": "ida"}).content.decode()
    assert "Ida Holm" in page and f'name="user" value="{ida.pk}"' in page
    assert f'value="{other.pk}"' not in page
    assert not Tilmelding.objects.exists()
    assert as_koordinator_a.post(url, {"hvem": "kontakt", "user": ida.pk}).status_code == 302
    assert Tilmelding.objects.get().user == ida
    # another centre's foreningskontakt posted by id: a Danish message, nothing saved
    r = as_koordinator_a.post(url, {"hvem": "kontakt", "user": other.pk})
    assert r.status_code == 200 and "Vælg en foreningskontakt på listen." in r.content.decode()
    assert Tilmelding.objects.count() == 1


def test_the_contact_search_is_capped(world):
    for n in range(selectors.SOEG_MAX + 3):
        _member(world.center_a, Rolle.FORENINGSKONTAKT, f"hans{n}@a.test")
    assert len(selectors.foreningskontakt_soeg(center_id=world.center_a.pk, q="hans")) == selectors.SOEG_MAX
    assert selectors.foreningskontakt_soeg(center_id=world.center_a.pk, q="  ") == []


def test_a_forening_beyond_the_cap_is_found_and_chosen(as_koordinator_a, arrangement, world, center_b):
    for n in range(selectors.FORENING_VALG_MAX + 2):
        f.ForeningFactory(center=world.center_a, navn=f"Klub {n:03d}")
    sidst = f.ForeningFactory(center=world.center_a, navn="Zebraklubben")
    fremmed = f.ForeningFactory(center=center_b, navn="Zebra i B")
    url = _url(arrangement)
    assert "Zebraklubben" not in as_koordinator_a.get(url).content.decode()
    page = as_koordinator_a.post(url, {"hvem": "soeg_forening", "q_forening": "zebra"}).content.decode()
    assert f'<option value="{sidst.pk}">Zebraklubben</option>' in page and "Zebra i B" not in page
    r = as_koordinator_a.post(url, {"hvem": "anden", "navn": "Hanne Vært", "email": "hanne@x.test",
                                    "forening": sidst.pk})
    assert r.status_code == 302
    assert Tilmelding.objects.get().forening == sidst
    r = as_koordinator_a.post(url, {"hvem": "anden", "navn": "Bo", "email": "bo@x.test", "forening": fremmed.pk})
    assert r.status_code == 200 and Tilmelding.objects.count() == 1


def test_a_borger_is_still_registered(as_koordinator_a, arrangement, world):
    r = as_koordinator_a.post(_url(arrangement), {"hvem": "borger", "borger": world.borger_a.pk})
    assert r.status_code == 302 and Tilmelding.objects.get().borger == world.borger_a
