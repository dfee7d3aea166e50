"""No lost updates: a second concurrent save of a borger, forening or fællesskab is refused, clearly."""

import pytest
from django.urls import reverse

from borgere.models import Borger
from foreninger.models import Faellesskab, Forening

from ..formdata import post_data

pytestmark = pytest.mark.django_db

CASES = {
    # url name, model, the field both people change, first person's value, second person's value
    "borger": ("borgere:borger_update", Borger, "noter", "Første-person-NOTE", "Anden-person-NOTE"),
    "forening": ("foreninger:forening_update", Forening, "noter", "Første-person-NOTE", "Anden-person-NOTE"),
    "faellesskab": ("foreninger:faellesskab_update", Faellesskab, "pris_note", "Første-person-PRIS", "Anden-person-PRIS"),
}


def _obj(world, kind):
    return {"borger": world.borger_a, "forening": world.forening_a, "faellesskab": world.faellesskab_a}[kind]


@pytest.mark.parametrize("kind", CASES)
def test_second_concurrent_save_is_refused_and_keeps_the_input(kind, world, koordinator_a):
    from ..conftest import client_for

    url_name, model, field, first_value, second_value = CASES[kind]
    obj = _obj(world, kind)
    url = reverse(url_name, args=[obj.pk])
    first, second = client_for(koordinator_a), client_for(koordinator_a)
    first_data, second_data = post_data(first.get(url).context), post_data(second.get(url).context)
    assert first_data["version"] == second_data["version"] == str(obj.version)

    first_data[field] = first_value
    assert first.post(url, first_data).status_code == 302

    second_data[field] = second_value
    response = second.post(url, second_data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Intet er overskrevet" in html and first_value in html  # what the other person changed
    assert second_value in html  # their own input is still in the form
    assert getattr(model.objects.get(pk=obj.pk), field) == first_value  # nothing silently overwritten

    # Having seen the change, they can save deliberately: the form now carries the current version.
    again = post_data(response.context)
    assert again[field] == second_value
    assert second.post(url, again).status_code == 302
    assert getattr(model.objects.get(pk=obj.pk), field) == second_value


def test_a_samtale_saved_meanwhile_also_makes_an_open_borger_form_stale(world, as_brobygger_a):
    url = reverse("borgere:borger_update", args=[world.borger_a.pk])
    stale = post_data(as_brobygger_a.get(url).context)
    samtale = post_data(as_brobygger_a.get(reverse("borgere:samtale_create", args=[world.borger_a.pk])).context)
    samtale.update({"noter": "samtale", "varighed_min": "30", "type": "foerste"})
    assert as_brobygger_a.post(reverse("borgere:samtale_create", args=[world.borger_a.pk]), samtale).status_code == 302
    response = as_brobygger_a.post(url, stale)
    assert response.status_code == 200 and "Intet er overskrevet" in response.content.decode()


def test_missing_version_is_a_form_error_not_a_silent_overwrite(world, as_koordinator_a):
    url = reverse("borgere:borger_update", args=[world.borger_a.pk])
    data = post_data(as_koordinator_a.get(url).context)
    del data["version"]
    data["noter"] = "uden-version"
    response = as_koordinator_a.post(url, data)
    assert response.status_code == 200 and "versionsnummer" in response.content.decode()
    assert Borger.objects.get(pk=world.borger_a.pk).noter != "uden-version"
