"""Projects and grant pools: a koordinator defines them, tags borgere's forløb to them, archives them."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from borgere import services
from borgere.models import Projekt
from brobygning.access import actor_for
from brobygning.models import AuditEntry

pytestmark = pytest.mark.django_db

DATA = {"navn": "Velkommen ind", "bevillingsgiver": "VELUX FONDEN", "fra": "2026-01-01", "til": "2026-12-31",
        "maal_antal": "150"}


def _projekt(center, **kw):
    return Projekt.objects.create(center=center, **{"navn": "Fællesskab for alle", "fra": date(2026, 1, 1),
                                                    "til": date(2026, 12, 31), "maal_antal": 4, **kw})


def test_koordinator_opretter_projekt(world, as_koordinator_a):
    response = as_koordinator_a.post(reverse("borgere:projekt_create"), DATA)
    projekt = Projekt.objects.get()
    assert response.status_code == 302 and response["Location"] == projekt.get_absolute_url()
    assert (projekt.center_id, projekt.navn, projekt.maal_antal) == (world.center_a.pk, "Velkommen ind", 150)
    entry = AuditEntry.objects.get(handling="projekt.oprettet")
    assert entry.objekt_id == str(projekt.pk) and "navn" in entry.felter


def test_slutdato_foer_startdato_afvises(world, as_koordinator_a):
    response = as_koordinator_a.post(reverse("borgere:projekt_create"), {**DATA, "til": "2025-12-31"})
    assert response.status_code == 200
    assert "Slutdatoen skal ligge efter startdatoen." in response.content.decode()
    assert not Projekt.objects.exists()


def test_ret_og_arkiver(world, koordinator_a, as_koordinator_a):
    projekt = _projekt(world.center_a)
    response = as_koordinator_a.post(reverse("borgere:projekt_update", args=[projekt.pk]), {**DATA, "navn": "Nyt navn"})
    assert response.status_code == 302
    projekt.refresh_from_db()
    assert projekt.navn == "Nyt navn"
    assert AuditEntry.objects.filter(handling="projekt.aendret").exists()
    as_koordinator_a.post(reverse("borgere:projekt_archive", args=[projekt.pk]))
    projekt.refresh_from_db()
    assert projekt.er_arkiveret
    assert AuditEntry.objects.filter(handling="projekt.arkiveret").exists()
    # Gone from the active list, on the archived one.
    assert projekt not in as_koordinator_a.get(reverse("borgere:projekt_list")).context["page"].object_list
    assert projekt in as_koordinator_a.get(reverse("borgere:projekt_list") + "?vis=arkiverede").context["page"].object_list
    with pytest.raises(ValidationError):
        services.projekt_archive(actor=actor_for(koordinator_a, world.center_a.pk), projekt=projekt)


def test_borgerens_projekter_og_maal_mod_naaet(world, as_koordinator_a):
    projekt, andet = _projekt(world.center_a), _projekt(world.center_a, navn="Andet")
    borger = world.borger_a
    url = reverse("borgere:borger_projekter", args=[borger.pk])
    assert as_koordinator_a.get(url).status_code == 200
    response = as_koordinator_a.post(url, {"projekter": [projekt.pk, andet.pk]})
    assert response.status_code == 302
    assert set(borger.projekter.all()) == {projekt, andet}
    assert AuditEntry.objects.filter(handling="borger.projekter_aendret", objekt_id=str(borger.pk)).count() == 1
    as_koordinator_a.post(url, {"projekter": [projekt.pk]})
    assert list(borger.projekter.all()) == [projekt]
    detail = as_koordinator_a.get(reverse("borgere:projekt_detail", args=[projekt.pk]))
    assert detail.context["tal"] == {"naaet": 1, "aktive": 1, "maal": 4, "andel": 25}
    assert f"projekt={projekt.pk}" in detail.context["rapport_url"]
    # The borger page links to it for a koordinator.
    assert url in as_koordinator_a.get(borger.get_absolute_url()).content.decode()


def test_arkiveret_projekt_bliver_paa_borgeren(world, koordinator_a):
    actor = actor_for(koordinator_a, world.center_a.pk)
    gammelt, nyt = _projekt(world.center_a, navn="Gammelt"), _projekt(world.center_a, navn="Nyt")
    borger = world.borger_a
    services.borger_projekter_set(actor=actor, borger=borger, projekter=[gammelt])
    services.projekt_archive(actor=actor, projekt=gammelt)
    services.borger_projekter_set(actor=actor, borger=borger, projekter=[nyt])
    assert set(borger.projekter.all()) == {gammelt, nyt}  # the archived project's reports still add up
    with pytest.raises(ValidationError):  # an archived project cannot be chosen anew
        services.borger_projekter_set(actor=actor, borger=world.borger_a, projekter=[gammelt, nyt])
    assert services.borger_projekter_set(actor=actor, borger=borger, projekter=[nyt]) == []  # nothing changed


def test_andet_centers_projekt_kan_ikke_vaelges(world, koordinator_a, as_koordinator_a):
    fremmed = _projekt(world.center_b)
    borger = world.borger_a
    response = as_koordinator_a.post(reverse("borgere:borger_projekter", args=[borger.pk]), {"projekter": [fremmed.pk]})
    assert response.status_code == 200 and not borger.projekter.exists()
    with pytest.raises(ValidationError):
        services.borger_projekter_set(actor=actor_for(koordinator_a, world.center_a.pk), borger=borger, projekter=[fremmed])
    assert as_koordinator_a.get(reverse("borgere:projekt_detail", args=[fremmed.pk])).status_code == 404


def test_kun_koordinatorer(world, as_brobygger_a):
    projekt = _projekt(world.center_a)
    for url in (reverse("borgere:projekt_list"), reverse("borgere:projekt_create"),
                reverse("borgere:projekt_detail", args=[projekt.pk]),
                reverse("borgere:borger_projekter", args=[world.borger_a.pk])):
        assert as_brobygger_a.get(url).status_code == 403, url
    assert as_brobygger_a.post(reverse("borgere:projekt_archive", args=[projekt.pk])).status_code == 403
    projekt.refresh_from_db()
    assert not projekt.er_arkiveret


def test_listen_er_sideinddelt(world, as_koordinator_a):
    for i in range(30):
        _projekt(world.center_a, navn=f"P{i:02}")
    page = as_koordinator_a.get(reverse("borgere:projekt_list")).context["page"]
    assert len(page.object_list) == 25 and page.paginator.count == 30
