"""The read-only HSDS 3.0 API: real responses from seeded data, validated against the copied schemas."""

import json
from datetime import date, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from foreninger.hsds import schemas, serialize
from foreninger.models import Faellesskab, FaellesskabStatus, Frekvens

from .. import factories as f

pytestmark = pytest.mark.django_db

SECRET = "HEMMELIG-INTERN-NOTE-Q7"


@pytest.fixture
def hsds(world):
    """Centre A: a full fællesskab, one without schedule or coordinates (unicode title), and hidden ones."""
    forening = world.forening_a
    forening.noter = SECRET
    forening.cvr = "25313763"
    forening.email = "kontakt@strik.dk"
    forening.hjemmeside = "https://strik.dk"
    forening.telefon = "+4520304050"
    forening.save()
    full = world.faellesskab_a
    full.lat, full.lng = 55.3959, 10.3883
    full.kapacitet = 4
    full.pris = 25
    full.pris_note = "pr. gang"
    full.velkomst = "Vi tager imod dig ved døren."
    full.alder_min, full.alder_max = 18, 99
    full.sidst_bekraeftet = date(2026, 10, 1)
    full.vaert_email = "vaert-privat@example.org"
    full.kategori = f.tag("kategori", "musik-og-sang")
    full.save()
    full.tilgaengelighed.set([f.tag("tilgaengelighed", "koerestolsadgang")])
    full.maalgrupper.set([f.tag("udfordring", "ensomhed")])
    f.MoedetidFactory(faellesskab=full, ugedag=0, fra=time(17), til=time(19))
    f.MoedetidFactory(faellesskab=full, frekvens=Frekvens.HVER_ANDEN_UGE, ugedag=2, fra=time(10), til=time(12),
                      gyldig_fra=date(2026, 1, 7), gyldig_til=date(2026, 12, 31))
    f.MoedetidFactory(faellesskab=full, frekvens=Frekvens.MAANEDLIG, ugedag=4, uge_i_maaned=-1,
                      fra=time(9, 30), til=time(11))
    bare = f.FaellesskabFactory(forening=world.forening_a2, titel="Ærø-kaffe ☕ — café for ælle, øvrige & ünïcødé",
                                beskrivelse="Ingen mødetider, ingen koordinater: 日本語 også.")
    f.FaellesskabFactory(forening=forening, titel="Arkiveret-MARKOR-1", arkiveret=timezone.now())
    f.FaellesskabFactory(forening=forening, titel="Pause-MARKOR-2", status=FaellesskabStatus.PAUSE)
    f.FaellesskabFactory(forening=forening, titel="Skjult-MARKOR-3", offentlig=False)
    return {"full": full, "bare": bare}


def _get(client, name, center=None, **kwargs):
    params = kwargs.pop("params", None)
    if center:
        url = reverse(f"foreninger:hsds_center_{name}", kwargs={"center_slug": center, **kwargs})
    else:
        url = reverse(f"foreninger:hsds_{name}", kwargs=kwargs or None)
    response = client.get(url, params or {})
    assert response["Access-Control-Allow-Origin"] == "*"
    return response


def _valid(schema, instance):
    problems = schemas.errors(schema, instance)
    assert not problems, problems[:5]


def _valid_page(page, item_schema):
    _valid("page", page)
    assert set(page) >= {"total_items", "total_pages", "page_number", "size", "first_page", "last_page",
                         "empty", "contents"}
    for item in page["contents"]:
        _valid(item_schema, item)


def test_root_metadata(client, hsds):
    data = _get(client, "root").json()
    assert data["version"] == "3.0"
    assert _get(client, "root", center="odense").json()["scope"] == "odense"
    assert _get(client, "root", center="findes-ikke").status_code == 404


def test_services_list_is_schema_valid_and_public_only(client, hsds, world):
    response = _get(client, "services")
    page = response.json()
    _valid_page(page, "service_list")
    names = {s["name"] for s in page["contents"]}
    assert {"Strik og snak", hsds["bare"].titel, world.faellesskab_b.titel} <= names
    assert not {"Arkiveret-MARKOR-1", "Pause-MARKOR-2", "Skjult-MARKOR-3"} & names


def test_full_services_are_schema_valid_and_never_hold_internal_data(client, hsds):
    response = _get(client, "services", center="odense", params={"full": "true"})
    page = response.json()
    _valid_page(page, "service")
    text = response.content.decode()
    assert SECRET not in text and "vaert-privat@example.org" not in text
    assert page["total_items"] == 2


def test_service_detail_maps_every_part(client, hsds):
    full = hsds["full"]
    data = _get(client, "service", pk=str(full.uuid)).json()
    _valid("service", data)
    assert data["assured_date"] == "2026-10-01"
    assert data["minimum_age"] == 18 and data["application_process"] == "Vi tager imod dig ved døren."
    assert data["organization"]["tax_id"] == "25313763"
    assert data["capacities"][0]["available"] == 4
    assert data["cost_options"][0]["amount"] == 25.0 and data["cost_options"][0]["currency"] == "DKK"
    schedules = {s["byday"]: s for s in data["schedules"]}
    assert schedules["MO"] | {} and schedules["MO"]["freq"] == "WEEKLY" and schedules["MO"]["opens_at"] == "17:00"
    assert schedules["WE"]["interval"] == 2 and schedules["WE"]["valid_from"] == "2026-01-07"
    assert schedules["WE"]["valid_to"] == "2026-12-31"
    assert schedules["-1FR"]["freq"] == "MONTHLY" and schedules["-1FR"]["closes_at"] == "11:00"
    location = data["service_at_locations"][0]["location"]
    assert location["latitude"] == 55.3959 and location["addresses"][0]["postal_code"] == "5000"
    assert [a["description"] for a in location["accessibility"]] == ["Kørestolsadgang"]
    terms = {a["taxonomy_term_id"] for a in data["attributes"]}
    assert terms == {serialize.term_id("kategori", "musik-og-sang"), serialize.term_id("udfordring", "ensomhed"),
                     serialize.term_id("tilgaengelighed", "koerestolsadgang"), serialize.term_id("rolle", "deltager"),
                     serialize.term_id("rolle", "aaben-for-nye")}


def test_service_without_schedule_or_coordinates(client, hsds):
    data = _get(client, "service", pk=str(hsds["bare"].uuid)).json()
    _valid("service", data)
    assert data["schedules"] == [] and "capacities" not in data
    assert "latitude" not in data["service_at_locations"][0]["location"]
    assert data["name"].startswith("Ærø-kaffe ☕")


def test_service_detail_404s(client, hsds, world):
    assert _get(client, "service", pk="not-a-uuid").status_code == 404
    archived = Faellesskab.objects.get(titel="Arkiveret-MARKOR-1")
    assert _get(client, "service", pk=str(archived.uuid)).status_code == 404
    # Another centre's service is not in this centre's scope.
    assert _get(client, "service", center="odense", pk=str(world.faellesskab_b.uuid)).status_code == 404
    assert _get(client, "service", center="silkeborg", pk=str(world.faellesskab_b.uuid)).status_code == 200


def test_uuids_are_stable(client, hsds):
    first = _get(client, "service", pk=str(hsds["full"].uuid)).json()
    hsds["full"].save()
    second = _get(client, "service", pk=str(hsds["full"].uuid)).json()
    for key in ("id", "schedules", "service_at_locations", "attributes", "cost_options"):
        assert json.dumps(first[key], sort_keys=True) == json.dumps(second[key], sort_keys=True)


def test_service_filters(client, hsds, world):
    def names(**params):
        return {s["name"] for s in _get(client, "services", params=params).json()["contents"]}

    assert names(search="Ærø-kaffe") == {hsds["bare"].titel}  # SQLite folds ASCII case only
    ensomhed = serialize.term_id("udfordring", "ensomhed")
    assert names(taxonomy_term_id=ensomhed) == {"Strik og snak"}
    assert names(taxonomy_term_id=serialize.term_id("rolle", "deltager")) >= {"Strik og snak", hsds["bare"].titel}
    assert names(organization_id=str(world.forening_b.uuid)) == {world.faellesskab_b.titel}
    Faellesskab.objects.filter(pk=world.faellesskab_b.pk).update(opdateret=timezone.now() - timedelta(days=10))
    assert world.faellesskab_b.titel not in names(modified_after=(timezone.now() - timedelta(days=1)).isoformat())
    assert names(modified_after="2000-01-01") >= {world.faellesskab_b.titel}


@pytest.mark.parametrize("params", [{"page": "x"}, {"page": "0"}, {"per_page": "-1"}, {"organization_id": "nej"},
                                    {"modified_after": "i går"}, {"taxonomy_term_id": "123"}])
def test_bad_parameters_get_a_400(client, hsds, params):
    response = _get(client, "services", params=params)
    assert response.status_code == 400 and "error" in response.json()


def test_pagination(client, hsds):
    page1 = _get(client, "services", params={"per_page": 2, "page": 1}).json()
    page2 = _get(client, "services", params={"per_page": 2, "page": 2}).json()
    _valid_page(page2, "service_list")
    assert page1["total_items"] == 3 and page1["total_pages"] == 2 and page1["first_page"] and not page1["last_page"]
    assert page2["size"] == 1 and page2["last_page"]
    far = _get(client, "services", params={"page": 99}).json()
    assert far["contents"] == [] and far["size"] == 0


def test_organizations(client, hsds, world):
    page = _get(client, "organizations", center="odense").json()
    _valid_page(page, "organization_list")
    assert {o["name"] for o in page["contents"]} == {world.forening_a.navn, world.forening_a2.navn}
    data = _get(client, "organization", pk=str(world.forening_a.uuid)).json()
    _valid("organization", data)
    assert data["organization_identifiers"][0]["identifier"] == "25313763"
    assert [s["name"] for s in data["services"]] == ["Strik og snak"]
    assert SECRET not in json.dumps(data)
    for service in data["services"]:
        _valid("service", service)


def test_service_at_locations(client, hsds):
    page = _get(client, "service_at_locations", center="odense").json()
    _valid_page(page, "service_at_location_list")
    for item in page["contents"]:
        _valid("service_at_location", item)
    sal_id = page["contents"][0]["id"]
    data = _get(client, "service_at_location", pk=sal_id).json()
    _valid("service_at_location", data)
    assert data["service"]["id"] == page["contents"][0]["service_id"]
    assert _get(client, "service_at_location", pk=page["contents"][0]["service_id"]).status_code == 404


def test_taxonomies_and_terms(client, hsds):
    taxonomies = _get(client, "taxonomies").json()
    _valid_page(taxonomies, "taxonomy")
    terms = _get(client, "taxonomy_terms").json()
    _valid_page(terms, "taxonomy_term")
    assert terms["total_items"] > 40
    kategori = serialize.taxonomy_id("kategori")
    only = _get(client, "taxonomy_terms", params={"taxonomy_id": kategori, "per_page": 100}).json()
    assert only["contents"] and all(t["taxonomy_id"] == kategori for t in only["contents"])
    assert _get(client, "taxonomy", pk=kategori).json()["name"] == "Brobygning: kategorier"
    term = only["contents"][0]
    assert _get(client, "taxonomy_term", pk=term["id"]).json() == term


def test_list_queries_stay_flat(client, world, django_assert_max_num_queries):
    for i in range(30):
        fc = f.FaellesskabFactory(forening=world.forening_a, kategori=f.tag("kategori", "musik-og-sang"),
                                  titel=f"Mange {i}")
        fc.interesser.set([f.tag("kategori", "musik-og-sang")])
        f.MoedetidFactory(faellesskab=fc)
    for name, params in [("services", {"full": "true", "per_page": 100}), ("services", {}),
                         ("service_at_locations", {"per_page": 100}), ("organizations", {})]:
        with django_assert_max_num_queries(8):
            assert _get(client, name, params=params).json()["total_items"] >= 2
    with django_assert_max_num_queries(8):
        assert _get(client, "organization", pk=str(world.forening_a.uuid)).status_code == 200



def test_the_list_reads_only_what_a_brief_service_shows(client, hsds):
    """The `/services` list (not `full`) reads the columns `service_brief` shows: no phone numbers to
    parse, no postal code or category to build per row (issue 15); the full list reads them."""
    for params, full in [({}, False), ({"full": "true"}, True)]:
        with CaptureQueriesContext(connection) as ctx:
            data = _get(client, "services", params=params).json()
        assert data["contents"] and all(s["name"] for s in data["contents"])
        rows = [q["sql"] for q in ctx.captured_queries if '"titel"' in q["sql"] and "LIMIT" in q["sql"]]
        assert len(rows) == 1
        for column in ('"telefon"', '"vaert_telefon"', '"brobygning_postnummer"'):
            assert (column in rows[0]) == full, (column, full)

def test_not_get_is_refused(client, hsds):
    assert client.post(reverse("foreninger:hsds_services")).status_code == 405


def test_public_api_is_not_held_by_the_two_factor_setup(world):
    """The API is public: a logged-in koordinator who has not set up TOTP yet gets JSON, not a redirect."""
    from ..conftest import client_for

    user = f.UserFactory(email="uden-mfa@a.test")
    f.MedlemskabFactory(user=user, center=world.center_a, rolle="koordinator")
    client = client_for(user)
    assert client.get(reverse("matching:forside")).status_code == 302
    assert client.get(reverse("foreninger:hsds_services")).status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite folds only ASCII case")
def test_search_folds_danish_letters_on_postgresql(client, hsds):
    contents = _get(client, "services", params={"search": "ærø-KAFFE"}).json()["contents"]
    assert [s["name"] for s in contents] == [hsds["bare"].titel]


# --- Keyset pagination and the streamed export (issue 15) ------------------------------------------


def _follow_cursors(client, center=None, **params):
    pages = [_get(client, "services", center=center, params={"per_page": 2, **params}).json()]
    while pages[-1]["next_cursor"]:
        pages.append(_get(client, "services", center=center,
                          params={"per_page": 2, "cursor": pages[-1]["next_cursor"], **params}).json())
    return pages


def test_keyset_pages_walk_the_same_order_as_the_offset_pages(client, hsds, world):
    for i in range(4):
        f.FaellesskabFactory(forening=world.forening_a, titel="Samme titel")  # ties are broken by id
        f.FaellesskabFactory(forening=world.forening_a, titel=f"Titel {i}")
    pages = _follow_cursors(client)
    everything = _get(client, "services", params={"per_page": 100}).json()
    assert [s["id"] for p in pages for s in p["contents"]] == [s["id"] for s in everything["contents"]]
    assert [p["page_number"] for p in pages] == list(range(1, len(pages) + 1))
    assert all(p["total_items"] == everything["total_items"] == 11 for p in pages)
    assert all(p["total_pages"] == 6 for p in pages) and len(pages) == 6
    assert pages[0]["first_page"] and not pages[1]["first_page"]
    assert pages[-1]["last_page"] and pages[-1]["next_cursor"] is None and not pages[-2]["last_page"]
    for page in pages:
        _valid_page(page, "service_list")


def test_keyset_page_counts_nothing_and_keeps_the_filters(client, hsds, world):
    for i in range(5):
        f.FaellesskabFactory(forening=world.forening_a, titel=f"Kaffe {i}")
    first = _get(client, "services", center="odense", params={"per_page": 2, "search": "Kaffe"}).json()
    with CaptureQueriesContext(connection) as queries:
        second = _get(client, "services", center="odense",
                      params={"per_page": 2, "search": "Kaffe", "cursor": first["next_cursor"]}).json()
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert second["page_number"] == 2 and second["total_items"] == first["total_items"] == 6
    names = [s["name"] for p in _follow_cursors(client, center="odense", search="Kaffe") for s in p["contents"]]
    assert len(names) == 6 and all("Kaffe" in n or "kaffe" in n for n in names)


@pytest.mark.parametrize("cursor", ["junk", "W1swXQ:1abc:xyz"])
def test_a_bad_cursor_gets_a_400(client, hsds, cursor):
    response = _get(client, "services", params={"cursor": cursor})
    assert response.status_code == 400 and "cursor" in response.json()["error"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="partial indexes checked by PostgreSQL's plan")
def test_keyset_page_walks_the_partial_index(hsds, world):
    from foreninger.hsds import selectors

    qs = selectors.public_faellesskaber(world.center_a).filter(titel__gte="A")[:3]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        plan = qs.explain()
    # Either public partial index gives the (titel, id) order; which one depends on the statistics.
    assert "faellesskab_offentlig_c_titel" in plan or "faellesskab_offentlig_titel" in plan, plan


def _export(client, center=None):
    response = _get(client, "export", center=center)
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/json; charset=utf-8"
    return json.loads(b"".join(response.streaming_content))


def test_export_streams_every_public_service_schema_valid(client, hsds, world):
    data = _export(client)
    public = Faellesskab.objects.filter(offentlig=True, status="aktiv", arkiveret__isnull=True)
    assert sorted(s["id"] for s in data) == sorted(str(u) for u in public.values_list("uuid", flat=True))
    assert len(data) == 3
    for service in data:
        _valid("service", service)
    text = json.dumps(data, ensure_ascii=False)
    assert SECRET not in text and "vaert-privat@example.org" not in text and "MARKOR" not in text
    # The same object as the single-service endpoint, so the file can be imported elsewhere.
    full = next(s for s in data if s["id"] == str(hsds["full"].uuid))
    assert full == _get(client, "service", pk=str(hsds["full"].uuid)).json()


def test_export_of_one_centre_holds_only_its_services(client, hsds, world):
    assert {s["name"] for s in _export(client, center="odense")} == {"Strik og snak", hsds["bare"].titel}
    assert [s["name"] for s in _export(client, center="silkeborg")] == [world.faellesskab_b.titel]
    assert _get(client, "export", center="findes-ikke").status_code == 404
    assert client.post(reverse("foreninger:hsds_export")).status_code == 405


def test_export_of_nothing_is_an_empty_array(client, world):
    Faellesskab.objects.update(offentlig=False)
    assert _export(client) == [] and _export(client, center="odense") == []


def test_export_queries_per_batch_not_per_service(client, world, monkeypatch):
    from foreninger.hsds import export

    def run():
        with CaptureQueriesContext(connection) as queries:
            data = _export(client, center="odense")
        return len(data), len(queries.captured_queries)

    few, few_queries = run()
    for i in range(23):
        fc = f.FaellesskabFactory(forening=world.forening_a, kategori=f.tag("kategori", "musik-og-sang"),
                                  titel=f"Eksport {i}")
        fc.interesser.set([f.tag("interesse", "strik")])
        fc.tilgaengelighed.set([f.tag("tilgaengelighed", "koerestolsadgang")])
        f.MoedetidFactory(faellesskab=fc)
    many, many_queries = run()
    assert many == few + 23 and many_queries == few_queries  # one batch: the same queries for 1 or 24
    monkeypatch.setattr(export, "BATCH_SIZE", 10)
    batched, batched_queries = run()
    assert batched == many and batched_queries == few_queries + 2 * 4  # three batches of 4 queries each


def test_derived_ids_are_uuid5():
    import uuid

    parent = uuid.uuid4()
    for kind in ("location", "address", "attribute:æøå-☕", ""):
        assert serialize.derived(parent, kind) == str(uuid.uuid5(parent, kind))


def test_the_count_leaves_out_services_of_archived_foreninger(client, hsds, world):
    assert _get(client, "services", center="odense").json()["total_items"] == 2
    assert _get(client, "service_at_locations").json()["total_items"] == 3
    world.forening_a2.arkiveret = timezone.now()
    world.forening_a2.save()
    page = _get(client, "services", center="odense").json()
    assert page["total_items"] == 1 == len(page["contents"])
    assert _get(client, "services").json()["total_items"] == 2
    assert _get(client, "service_at_locations").json()["total_items"] == 2
