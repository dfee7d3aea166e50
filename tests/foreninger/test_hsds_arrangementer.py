"""Public arrangementer in the HSDS API (issue 14): coming public events as services with a schedule
per date, at `/arrangementer` and `/services/{id}`, validated against the HSDS 3.0 schemas
(foreninger/hsds/schema, copied from ../shared/hsds). Non-public, cancelled and past events and
every registrant stay out."""

import json
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from brobygning.access import actor_for
from foreninger.hsds import schemas
from matching import services
from matching.arrangementer import hsds_id

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear():
    cache.clear()


def _arr(k, titel, *, offentlig=True, dage=(5, 12), sted="Frivilligcentret, sal 2", online=""):
    # 10:00 local time: a 90-minute date started late in the evening would end the next day
    start = timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    return services.arrangement_create(actor=k, data={
        "type": "workshop", "titel": titel, "beskrivelse": "Om at blive frivillig.", "maalgruppe": "Borgere",
        "sted": sted, "online_link": online, "kapacitet": 20, "offentlig": offentlig, "ansvarlige": []},
        datoer=[(start + timedelta(days=d), 90) for d in dage])


def _get(client, name, center=None, **kwargs):
    if center:
        url = reverse(f"foreninger:hsds_center_{name}", kwargs={"center_slug": center, **kwargs})
    else:
        url = reverse(f"foreninger:hsds_{name}", kwargs=kwargs or None)
    response = client.get(url)
    assert response["Access-Control-Allow-Origin"] == "*"
    return response


def _valid(schema, instance):
    problems = schemas.errors(schema, instance)
    assert not problems, problems[:5]


def test_public_events_are_schema_valid_services_with_a_schedule_per_date(client, koordinator_a, world,
                                                                         koordinator_b):
    k = actor_for(koordinator_a)
    workshop = _arr(k, "Vejen ind i frivilligt arbejde")
    online = _arr(k, "Online infomøde", dage=(3,), sted="", online="https://meet.example.org/x")
    _arr(k, "Internt kursus", offentlig=False)
    aflyst = _arr(k, "Aflyst workshop")
    services.arrangement_aflys(actor=k, arrangement=aflyst)
    delvis = _arr(k, "Delvist aflyst")
    services.dato_aflys(actor=k, dato=delvis.datoer.order_by("start").first())
    services.tilmelding_opret(actor=k, arrangement=workshop, navn="Ole Privat", email="ole-privat@x.test")
    _arr(actor_for(koordinator_b), "I et andet center")

    page = _get(client, "events", center=world.center_a.slug).json()
    _valid("page", page)
    for item in page["contents"]:
        _valid("service", item)
    names = [s["name"] for s in page["contents"]]
    assert names == ["Online infomøde", "Vejen ind i frivilligt arbejde", "Delvist aflyst"]  # soonest first
    body = json.dumps(page, ensure_ascii=False)
    assert "Ole Privat" not in body and "ole-privat" not in body and "Internt kursus" not in body
    [ws] = [s for s in page["contents"] if s["name"] == "Vejen ind i frivilligt arbejde"]
    assert ws["id"] == hsds_id("arrangement", workshop.pk) and ws["status"] == "active"
    assert len(ws["schedules"]) == 2 and all(s["service_id"] == ws["id"] for s in ws["schedules"])
    first = timezone.localtime(workshop.datoer.order_by("start").first().start)
    sched = ws["schedules"][0]
    assert sched["valid_from"] == sched["valid_to"] == first.date().isoformat()
    assert sched["opens_at"] == first.strftime("%H:%M") and sched["attending_type"] == "in_person"
    assert ws["url"].endswith(reverse("matching:arrangement_public_tilmeld", args=[world.center_a.slug, workshop.pk]))
    [on] = [s for s in page["contents"] if s["name"] == "Online infomøde"]
    assert on["id"] == hsds_id("arrangement", online.pk) and on["schedules"][0]["attending_type"] == "online"
    [dv] = [s for s in page["contents"] if s["name"] == "Delvist aflyst"]
    assert len(dv["schedules"]) == 1  # the cancelled date is not a schedule

    # the deployment-wide list holds both centres; the detail endpoint finds an event by its id
    everywhere = {s["name"] for s in _get(client, "events").json()["contents"]}
    assert {"Vejen ind i frivilligt arbejde", "I et andet center"} <= everywhere
    detail = _get(client, "service", center=world.center_a.slug, pk=ws["id"])
    assert detail.status_code == 200
    _valid("service", detail.json())
    assert detail.json()["schedules"] == ws["schedules"]
    assert _get(client, "service", center=world.center_b.slug, pk=ws["id"]).status_code == 404
    assert _get(client, "service", center=world.center_a.slug,
                pk=hsds_id("arrangement", aflyst.pk)).status_code == 404
    root = _get(client, "root", center=world.center_a.slug).json()
    assert root["events_url"].endswith(reverse("foreninger:hsds_center_events",
                                               kwargs={"center_slug": world.center_a.slug}))


def test_the_event_list_runs_a_fixed_number_of_queries(client, koordinator_a, world, django_assert_max_num_queries):
    k = actor_for(koordinator_a)
    for n in range(6):
        _arr(k, f"Workshop {n}", dage=(2 + n, 9 + n, 16 + n))
    with django_assert_max_num_queries(6):
        page = _get(client, "events", center=world.center_a.slug).json()
    assert page["total_items"] == 6 and all(len(s["schedules"]) == 3 for s in page["contents"])
