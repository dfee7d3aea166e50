"""The public directory at /c/<slug>/: search criteria, visibility, iCal, cache headers, no personal data."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from icalendar import Calendar

from brobygning.models import Tag, TagType
from foreninger.models import Faellesskab, FaellesskabStatus, Frekvens
from foreninger.public_filters import PublicFaellesskabFilter

from .. import factories as f

pytestmark = pytest.mark.django_db


def directory(client, center, **params):
    response = client.get(reverse("foreninger:public_directory", args=[center.slug]), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def katalog(world):
    """Distinctive fællesskaber in centre A, each with one trait the filters look for."""
    a = world.center_a
    forening = world.forening_a
    items = {
        "strik": world.faellesskab_a,  # "Strik og snak", 5000 Odense C, no extra traits
        "kor": f.FaellesskabFactory(forening=forening, titel="Sangglade naboer", beskrivelse="Vi synger sammen.",
                                    kategori=f.tag(TagType.KATEGORI, "musik-og-sang")),
        "unge": f.FaellesskabFactory(forening=forening, titel="Ungdomsklubben", alder_min=16, alder_max=30),
        "rolig": f.FaellesskabFactory(forening=forening, titel="Rolig yoga", aaben_for_nye=False),
        "frivillig": f.FaellesskabFactory(forening=forening, titel="Frivillig i genbrug", for_deltagere=False,
                                          for_frivillige=True),
        "fjern": f.FaellesskabFactory(forening=forening, titel="Fjernt fiskeri", postnummer=f.postnummer("5800")),
    }
    items["kor"].maalgrupper.set([f.tag(TagType.UDFORDRING, "ensomhed")])
    items["rolig"].tilgaengelighed.set([f.tag(TagType.TILGAENGELIGHED, "koerestolsadgang"),
                                        f.tag(TagType.TILGAENGELIGHED, "handicaptoilet")])
    items["unge"].tilgaengelighed.set([f.tag(TagType.TILGAENGELIGHED, "koerestolsadgang")])
    f.MoedetidFactory(faellesskab=items["kor"], ugedag=0, fra="19:00", til="21:00")  # Monday evening
    f.MoedetidFactory(faellesskab=items["strik"], ugedag=0, fra="10:00", til="12:00")  # Monday morning
    f.MoedetidFactory(faellesskab=items["unge"], ugedag=2, fra="19:00", til="21:00")  # Wednesday evening
    # Never shown: archived, paused, not public, archived forening, another centre.
    hidden_forening = f.ForeningFactory(center=a, navn="Lukket Forening")
    f.FaellesskabFactory(forening=hidden_forening, titel="Skjult-Arkiveret-Forening")
    hidden_forening.mark_archived()
    hidden_forening.save()
    archived = f.FaellesskabFactory(forening=forening, titel="Skjult-Arkiveret")
    archived.mark_archived()
    archived.save()
    f.FaellesskabFactory(forening=forening, titel="Skjult-Pause", status=FaellesskabStatus.PAUSE)
    f.FaellesskabFactory(forening=forening, titel="Skjult-Intern", offentlig=False)
    assert a.slug == "odense"
    return items


def test_only_active_public_entries_of_the_centre(client, world, katalog):
    page = directory(client, world.center_a)
    for item in katalog.values():
        assert item.titel in page
    for marker in ("Skjult-Arkiveret", "Skjult-Pause", "Skjult-Intern", "Skjult-Arkiveret-Forening",
                   world.faellesskab_b.titel):
        assert marker not in page


def test_unknown_centre_is_404(client, world):
    assert client.get(reverse("foreninger:public_directory", args=["findes-ikke"])).status_code == 404


def test_detail_of_hidden_or_other_centre_is_404(client, world, katalog):
    url = reverse("foreninger:public_faellesskab", args=[world.center_a.slug, world.faellesskab_b.pk])
    assert client.get(url).status_code == 404
    pause = f.FaellesskabFactory(forening=world.forening_a, status=FaellesskabStatus.PAUSE)
    assert client.get(reverse("foreninger:public_faellesskab", args=["odense", pause.pk])).status_code == 404
    assert client.get(reverse("foreninger:public_faellesskab_ics", args=["odense", pause.pk])).status_code == 404


def _shown(client, world, katalog, **params) -> set[str]:
    page = directory(client, world.center_a, **params)
    return {key for key, item in katalog.items() if item.titel in page}


ALL = {"strik", "kor", "unge", "rolig", "frivillig", "fjern"}


@pytest.mark.parametrize(("params", "expected"), [
    ({}, ALL),
    ({"q": "synger"}, {"kor"}),
    ({"q": "ungdomsklubben"}, {"unge"}),
    ({"kategori": "CAT"}, {"kor"}),
    ({"maalgruppe": "ENSOMHED"}, {"kor"}),
    ({"alder": "20"}, ALL),
    ({"alder": "70"}, ALL - {"unge"}),
    ({"ugedag": "0"}, {"kor", "strik"}),
    ({"ugedag": "0", "tidspunkt": "aften"}, {"kor"}),
    ({"tidspunkt": "aften"}, {"kor", "unge"}),
    ({"ugedag": "2", "tidspunkt": "formiddag"}, set()),
    ({"tilgaengelighed": ["KOERESTOL"]}, {"rolig", "unge"}),
    ({"tilgaengelighed": ["KOERESTOL", "TOILET"]}, {"rolig"}),
    ({"rolle": "frivillig"}, {"frivillig"}),
    ({"rolle": "deltager"}, ALL - {"frivillig"}),
    ({"aaben_for_nye": "on"}, ALL - {"rolig"}),
    ({"postnummer": "5000", "afstand": "10"}, ALL - {"fjern"}),
    ({"postnummer": "5000", "afstand": "50"}, ALL),
])
def test_each_search_criterion(client, world, katalog, params, expected):
    ids = {"CAT": f.tag(TagType.KATEGORI, "musik-og-sang").pk, "ENSOMHED": f.tag(TagType.UDFORDRING, "ensomhed").pk,
           "KOERESTOL": f.tag(TagType.TILGAENGELIGHED, "koerestolsadgang").pk,
           "TOILET": f.tag(TagType.TILGAENGELIGHED, "handicaptoilet").pk}

    def resolve(value):
        if isinstance(value, list):
            return [resolve(v) for v in value]
        return ids.get(value, value)

    assert _shown(client, world, katalog, **{k: resolve(v) for k, v in params.items()}) == expected


def test_no_tags_chosen_is_an_empty_list_that_no_filter_has_to_query(world, monkeypatch):
    """An empty tag choice is `[]`, so the filters need not ask the field's `queryset.none()` whether it is
    empty (that compiles a query each time); chosen tags still filter (above)."""
    asked = []
    real = QuerySet._fetch_all
    monkeypatch.setattr(QuerySet, "_fetch_all", lambda qs: (asked.append(qs.model), real(qs))[1])
    search = PublicFaellesskabFilter({"q": "kor"}, queryset=Faellesskab.objects.filter(center=world.center_a),
                                     tags=[])  # as the page gives them, read already
    search.qs  # noqa: B018 -- builds the search
    assert search.form.cleaned_data["maalgruppe"] == [] == search.form.cleaned_data["tilgaengelighed"]
    assert Tag not in asked


def test_distance_is_shown_and_sorted(client, world, katalog):
    page = directory(client, world.center_a, postnummer="5000", afstand="50")
    assert "km væk" in page
    assert page.index(katalog["strik"].titel) < page.index(katalog["fjern"].titel)


def test_text_search_pages_follow_title_then_id_and_a_page_past_the_end_is_the_last(client, world,
                                                                                   django_assert_num_queries):
    """The text search's cards are read around the page's keys with the count (`selectors.public_kort`):
    every row once, in title-then-id order; a page past the end shows the last page's cards."""
    for i in range(30):  # shared titles, so the order needs its tie-breaker
        f.FaellesskabFactory(forening=world.forening_a, titel=f"Kaffeklub {i % 3}", beskrivelse="Vi drikker kaffe.")
    url = reverse("foreninger:public_directory", args=[world.center_a.slug])
    shown = []
    for side in (1, 2):
        page = client.get(url, {"q": "kaffeklub", "side": side}).context["page"]
        shown += [(row.titel, row.pk) for row in page.object_list]
    assert shown == sorted(shown) and len({pk for _titel, pk in shown}) == page.paginator.count == 30
    # the centre with the tags, the empty page, the count, the last page, the events; elsewhere the centre
    # and the tags apart, and the last page by the ORM (the rows, their meeting times, their tags)
    with django_assert_num_queries(5 if connection.vendor == "postgresql" else 9):
        last = client.get(url, {"q": "kaffeklub", "side": 9999}).context["page"]
    assert last.number == 2 and [(row.titel, row.pk) for row in last.object_list] == shown[25:]
    assert all(row.moeder == [] and row.sted == "5000 Odense C" for row in last.object_list)


def test_a_text_search_counts_in_a_subquery_of_its_own_other_lists_over_their_rows(client, world,
                                                                                 django_assert_num_queries):
    """On PostgreSQL a text search's count rides in the cards' statement as a scalar subquery
    (`pagination.AntalAlle`), planned on its own at `selectors.KORT_RANDOM_PAGE_COST`, not
    `COUNT(*) OVER ()` over the list in its order, which read every public row of the centre (issue 15).
    The list without words, and SQLite's search, count over their rows as before. Queries unchanged."""
    from foreninger.selectors import KORT_RANDOM_PAGE_COST

    for i in range(30):
        f.FaellesskabFactory(forening=world.forening_a, titel=f"Kaffeklub {i}", beskrivelse="Vi drikker kaffe.")
    f.FaellesskabFactory(forening=world.forening_a, titel="Strikkeklub", beskrivelse="Vi strikker.")
    url = reverse("foreninger:public_directory", args=[world.center_a.slug])
    pg = connection.vendor == "postgresql"
    for params, antal, egen in (({"q": "kaffeklub", "side": 2}, 30, pg), ({"side": 2}, 32, False),  # + faellesskab_a
                                ({"q": "kaffeklub", "kategori": ""}, 30, pg)):
        with django_assert_num_queries(3 if pg else 7) as ctx:
            page = client.get(url, params).context["page"]
        assert page.paginator.count == antal and len(page.object_list) == min(25, antal - 25 * (page.number - 1))
        (kort,) = [q["sql"] for q in ctx.captured_queries if "COUNT(*)" in q["sql"]]
        assert ('(SELECT COUNT(*) FROM "foreninger_faellesskab" WHERE' in kort) == egen
        assert ("COUNT(*) OVER ()" in kort) == (not egen)
        assert kort.startswith(f"SET random_page_cost = {KORT_RANDOM_PAGE_COST};") == egen


def test_the_count_subquery_counts_the_rows_of_the_query_it_is_annotated_on(world):
    """`pagination.AntalAlle`: the rows of its own query, whatever its filters (an EXISTS on another table
    correlated to the row), on every row and every page; a query that joins another table is refused."""
    from brobygning.pagination import AntalAlle
    from foreninger.models import Faellesskab, Moedetid

    for i in range(4):
        fs = f.FaellesskabFactory(forening=world.forening_a, titel=f"Kaffeklub {i}", beskrivelse="Vi drikker kaffe.")
        f.MoedetidFactory(faellesskab=fs, ugedag=i % 2)
    mandag = Faellesskab.objects.filter(titel__startswith="Kaffeklub").filter(
        Exists(Moedetid.objects.filter(faellesskab_id=OuterRef("pk"), ugedag=0)))
    assert Faellesskab.objects.count() > mandag.count() == 2
    assert list(mandag.order_by("titel").values_list("titel", AntalAlle())) == [("Kaffeklub 0", 2), ("Kaffeklub 2", 2)]
    assert list(mandag.order_by("titel").values_list("pk", AntalAlle())[1:2])[0][1] == 2
    with pytest.raises(ValueError, match="joined another"):
        list(Faellesskab.objects.filter(forening__navn="x").values_list("pk", AntalAlle()))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="btree_gin and the stored tsvector are PostgreSQL's")
def test_the_text_search_s_count_can_read_the_centre_s_matches_by_one_gin_index(world):
    """foreninger 0010's GIN index on (centre, fts) of the public rows answers the scoped text search with
    the centre's condition and the words both in its index condition: the centre is compared as bigint
    (`access.scope_public`), which btree_gin needs. On a few rows the planner prefers other indexes, so
    they are dropped for the test (its transaction restores them) and the scan forced to a bitmap;
    which scan the planner picks at national size is in PERFORMANCE.md (issue 15)."""
    from foreninger.models import Faellesskab
    from foreninger.public_filters import stored_search
    from foreninger.selectors import public_faellesskab_list

    qs = public_faellesskab_list(center=world.center_a).filter(stored_search("kaffe"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = %s AND indexdef LIKE 'CREATE INDEX %%' "
                       "AND indexname != 'faellesskab_offentlig_c_fts'", [Faellesskab._meta.db_table])
        for (navn,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX "{navn}"')
        for setting in ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        plan = qs.order_by().values("pk").explain()
    scan = plan[plan.index("Bitmap Index Scan on faellesskab_offentlig_c_fts"):]
    assert re.search(r"Index Cond: \(\(center_id = '\d+'::bigint\) AND \(fts @@ ", scan), plan


@pytest.mark.parametrize("value", ["5000", " 5000 ", "0000", "50000", "abcd", ""])
def test_the_postal_code_read_with_the_centre_is_the_one_the_form_reads(client, world, katalog, value,
                                                                         django_assert_num_queries):
    """The view reads a four-digit postal code with the centre and the tags (`public_center_og_tags`);
    the search is the same as when the form reads it itself, and other values are left to the form."""
    from foreninger import selectors
    from foreninger.public_filters import PublicFaellesskabFilter

    url = reverse("foreninger:public_directory", args=[world.center_a.slug])
    response = client.get(url, {"postnummer": value})
    shown = response.context["filter"]
    itself = PublicFaellesskabFilter({"postnummer": value}, queryset=selectors.public_faellesskab_list(
        center=world.center_a))
    assert [row.pk for row in response.context["page"].object_list] == [row.pk for row in itself.qs[:25]]
    assert itself.is_valid() == shown.is_valid() and itself.errors == shown.errors
    assert (itself.origin, itself.km) == (shown.origin, shown.km)
    fire_cifre = re.fullmatch(r"[0-9]{4}", value.strip())
    egen = value.strip() != "" and not fire_cifre  # the form reads it itself
    # the centre with the rest (elsewhere the centre, the tags and the postal code apart), the bound or the
    # cards, the events
    laesninger = 1 if connection.vendor == "postgresql" else 2 + bool(fire_cifre)
    with django_assert_num_queries(laesninger + egen + 2):
        client.get(url, {"postnummer": value, "q": "zzzz"})


@pytest.mark.parametrize("params", [{"q": "zzzz", "side": "2"}, {"q": "zzzz", "side": "9999"},
                                    {"kategori": "", "q": "ingenting her", "side": "3"}])
def test_a_search_without_results_asked_past_its_first_page_is_the_empty_first_page(client, world, katalog, params):
    """No rows and a page past the first: the empty first page, as for page 1 (on PostgreSQL the cards'
    statement was compiled around an empty slice: HTTP 500)."""
    response = client.get(reverse("foreninger:public_directory", args=[world.center_a.slug]), params)
    assert response.status_code == 200
    page = response.context["page"]
    assert (page.number, list(page.object_list), page.paginator.count) == (1, [], 0)
    assert response.content.decode().replace(f"side={params['side']}", "side=1") == directory(  # the language links
        client, world.center_a, **{**params, "side": "1"})


@pytest.mark.parametrize("sprog", ["da", "en"])
def test_a_distance_has_floatformat_s_one_decimal(sprog):
    """The cards' distance (`views.public._en_decimal`) is what `floatformat(x, 1)` wrote, in each language."""
    import random

    from django.template.defaultfilters import floatformat
    from django.utils import translation
    from django.utils.formats import get_format

    from foreninger.views.public import _en_decimal

    tilfaeldig = random.Random(15)
    values = [0.0, 1e-7, 1e-6, 0.04, 0.05, 0.15, 0.25, 1.005, 2.675, 9.95, 9.949999, 49.95, 999.94, 999.95, 1000.0,
              12345.678, 1e-300, -0.0, -1.25, float("nan"), float("inf"),
              *(k / 20 for k in range(2000)), *(tilfaeldig.uniform(0, 60) for _ in range(5000))]
    with translation.override(sprog):
        komma = get_format("DECIMAL_SEPARATOR", use_l10n=True)
        for x in values:
            assert _en_decimal(x, komma) == floatformat(x, 1), x


def test_pages_follow_distance_then_title_then_id(client, world):
    """The page is found on bare ids and distances, then loaded whole: every row once, in order."""
    for i in range(30):  # shared places and titles, so the order needs its tie-breakers
        f.FaellesskabFactory(forening=world.forening_a, titel=f"Klub {i % 3}", lat=55.40 + (i % 5) / 100, lng=10.39)
    url = reverse("foreninger:public_directory", args=[world.center_a.slug])
    shown = []
    for side in (1, 2):
        response = client.get(url, {"postnummer": "5000", "afstand": "50", "side": side})
        page = response.context["page"]
        shown += [(row.afstand_km, row.titel, row.pk) for row in page.object_list]
    assert not page.has_next()
    assert shown == sorted(shown) and len(shown) == len({pk for *_rest, pk in shown}) == page.paginator.count > 25
    assert f"{page.paginator.count} fællesskaber fundet" in response.content.decode()


@pytest.mark.parametrize("params", [{"alder": "abc"}, {"ugedag": "9"}, {"q": "x" * 500}, {"kategori": "999999"},
                                    {"tilgaengelighed": "abc"}, {"afstand": "7"}, {"side": "999"}])
def test_junk_parameters_get_an_answer_not_an_error(client, world, katalog, params):
    directory(client, world.center_a, **params)


def test_unknown_postal_code_gets_a_danish_error(client, world, katalog):
    page = directory(client, world.center_a, postnummer="0001")
    assert "Postnummeret findes ikke" in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="Danish full-text search needs PostgreSQL")
def test_danish_full_text_search_stems_words_on_postgresql(client, world, katalog):
    katalog["kor"].beskrivelse = "Vi synger sange og salmer sammen hver uge."
    katalog["kor"].save()
    # Danish stemming: "sangene" and "salme" find "sange" and "salmer"; icontains would not.
    assert _shown(client, world, katalog, q="sangene") == {"kor"}
    assert _shown(client, world, katalog, q="salme") == {"kor"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'faellesskab_fts_stored'")
        (indexdef,) = cursor.fetchone()
    assert "gin" in indexdef.lower() and "(fts)" in indexdef
    from django.contrib.postgres.search import SearchQuery

    from foreninger.models import Faellesskab
    from foreninger.public_filters import search_vector, stored_search

    # The stored column holds exactly what the search computed before, so the results are the same.
    for word in ("sang", "strik", "kaffe", "uge"):
        computed = Faellesskab.objects.annotate(v=search_vector()).filter(v=SearchQuery(word, config="danish",
                                                                                        search_type="websearch"))
        assert set(Faellesskab.objects.filter(stored_search(word)).values_list("pk", flat=True)) == set(
            computed.values_list("pk", flat=True))
    # The search reads the stored column, which the GIN index covers.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = Faellesskab.objects.filter(stored_search("sang")).explain()
    assert "faellesskab_fts_stored" in plan and "to_tsvector" not in plan


def test_list_and_map_data(client, world, katalog):
    katalog["kor"].lat, katalog["kor"].lng = 55.4, 10.39
    katalog["kor"].save()
    response = client.get(reverse("foreninger:public_directory", args=["odense"]))
    page = response.content.decode()
    assert 'id="kort-punkter"' in page and "55.4" in page
    assert "leaflet.js" in page and "public-map.js" in page
    assert "<script>" not in page.replace('<script id="kort-punkter" type="application/json">', "")
    assert 'style="' not in page


def test_a_card_escapes_its_text_and_shows_every_part(client, world, katalog):
    """The cards are written in the view (`_kort_og_punkter`), not by the template: every value escaped."""
    forening = f.ForeningFactory(center=world.center_a, navn='Café & "Co"')
    kaffe = f.FaellesskabFactory(forening=forening, titel="<b>Kaffe & kage</b>", beskrivelse="ord <i> " * 40,
                                 aaben_for_nye=True, for_frivillige=True, kategori=None)
    kaffe.tilgaengelighed.set([f.tag(TagType.TILGAENGELIGHED, "koerestolsadgang")])
    f.MoedetidFactory(faellesskab=kaffe, ugedag=0, fra="19:00", til="21:00")
    page = directory(client, world.center_a, q="Kaffe", postnummer="5000")
    url = reverse("foreninger:public_faellesskab", args=["odense", kaffe.pk])
    assert f'<h3 class="h5 mb-1"><a href="{url}">&lt;b&gt;Kaffe &amp; kage&lt;/b&gt;</a></h3>' in page
    assert '<p class="text-body-secondary mb-2">Café &amp; &quot;Co&quot;</p>' in page  # no category
    assert '<p class="mb-2">' + " ".join(["ord", "&lt;i&gt;"] * 15) + " …</p>" in page  # truncatewords:30
    assert '<li class="list-inline-item">Sted: 5000 Odense C (0,0 km væk)</li>' in page
    assert '<li class="list-inline-item">Hver mandag kl. 19:00–21:00</li>' in page
    assert '<span class="badge text-bg-success">Tager imod nye</span>' in page
    assert '<span class="badge text-bg-secondary">Søger frivillige</span>' in page
    assert '<span class="badge text-bg-light border">Kørestolsadgang</span> ' in page
    assert "<b>" not in page and "<i>" not in page


def test_faellesskab_page(client, world, katalog):
    kor = katalog["kor"]
    kor.velkomst = "Velkomst-Markør: Birthe står i døren."
    kor.save()
    world.forening_a.email = "kontakt@strik.example.org"
    world.forening_a.save()
    page = client.get(reverse("foreninger:public_faellesskab", args=["odense", kor.pk])).content.decode()
    assert "Velkomst-Markør" in page and "Sådan bliver du taget imod" in page
    assert "kontakt@strik.example.org" in page
    assert "Næste gange" in page and "mandag" in page.lower()
    assert reverse("foreninger:public_faellesskab_ics", args=["odense", kor.pk]) in page
    assert reverse("borgere:public_henvisning", args=["odense"]) in page


def test_ical_feed_parses_and_lists_upcoming_meetings(client, world, katalog):
    kor = katalog["kor"]
    f.MoedetidFactory(faellesskab=kor, frekvens=Frekvens.MAANEDLIG, uge_i_maaned=1, ugedag=5, fra="10:00",
                      til="12:00")
    response = client.get(reverse("foreninger:public_faellesskab_ics", args=["odense", kor.pk]))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    events = list(cal.walk("VEVENT"))
    assert len(events) >= 12  # ~13 Monday evenings plus ~3 first Saturdays in 92 days
    starts = [e.decoded("dtstart") for e in events]
    assert starts == sorted(starts) and starts[0] > dt.datetime.now(dt.UTC)
    assert {str(e["summary"]) for e in events} == {kor.titel}
    assert len({str(e["uid"]) for e in events}) == len(events)
    mondays = [s for s in starts if s.astimezone(dt.timezone(dt.timedelta(hours=1))).weekday() == 0]
    assert mondays


def test_no_borger_data_on_public_pages(client, world, katalog):
    """Borgere matched to a fællesskab, their notes and the host's contact details never appear."""
    from matching.models import Match

    kor = katalog["kor"]
    kor.vaert_navn, kor.vaert_email, kor.vaert_telefon = "Vaert-Markoer", "vaert-markoer@example.org", "+4529999999"
    kor.save()
    borger = world.borger_a
    borger.fornavn, borger.efternavn, borger.email = "Borger-Markoer", "Efternavn-Markoer", "borger-markoer@example.org"
    borger.noter = "Note-Markoer"
    borger.save()
    Match.objects.create(center=world.center_a, borger=borger, faellesskab=kor)
    world.forening_a.noter = "Intern-Forening-Markoer"
    world.forening_a.save()
    urls = [reverse("foreninger:public_directory", args=["odense"]), reverse("foreninger:public_faellesskab", args=["odense", kor.pk]),
            reverse("foreninger:public_faellesskab_ics", args=["odense", kor.pk]), reverse("borgere:public_henvisning", args=["odense"]),
            reverse("borgere:public_henvisning_tak", args=["odense"])]
    for url in urls:
        body = client.get(url).content.decode()
        for marker in ("Borger-Markoer", "Efternavn-Markoer", "borger-markoer@", "Note-Markoer",
                       "vaert-markoer@", "+4529999999", "Intern-Forening-Markoer"):
            assert marker not in body, (url, marker)


@pytest.mark.parametrize("name", ["foreninger:public_directory", "foreninger:public_faellesskab", "foreninger:public_faellesskab_ics",
                                  "borgere:public_henvisning_tak"])
def test_public_pages_are_cacheable_without_cookies(client, world, name):
    args = ["odense", world.faellesskab_a.pk] if "faellesskab" in name else ["odense"]
    response = client.get(reverse(name, args=args))
    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "public" in cache_control and "max-age=300" in cache_control
    assert "cookie" not in response.get("Vary", "").lower()
    assert not response.cookies


def test_logged_in_staff_get_the_same_cookie_free_page(as_koordinator_a, world):
    as_koordinator_a.get(reverse("foreninger:public_directory", args=["odense"]))  # the first visit may update the session
    response = as_koordinator_a.get(reverse("foreninger:public_directory", args=["odense"]))
    assert response.status_code == 200 and "public" in response["Cache-Control"]
    assert "cookie" not in response.get("Vary", "").lower()
    assert "Log ud" not in response.content.decode()


def test_language_comes_from_the_url(client, world):
    url = reverse("foreninger:public_directory", args=["odense"])
    assert client.get(url)["Content-Language"] == "da"
    response = client.get(url, {"sprog": "en"})
    assert response["Content-Language"] == "en" and '<html lang="en">' in response.content.decode()
    client.cookies["django_language"] = "en"
    assert client.get(url)["Content-Language"] == "da"  # a cookie never changes a cacheable page


def test_list_queries_do_not_grow_with_rows(client, world, django_assert_max_num_queries):
    for _i in range(25):
        fs = f.FaellesskabFactory(forening=world.forening_a, kategori=f.tag(TagType.KATEGORI, "musik-og-sang"))
        fs.tilgaengelighed.set([f.tag(TagType.TILGAENGELIGHED, "koerestolsadgang")])
        f.MoedetidFactory(faellesskab=fs)
    with django_assert_max_num_queries(10):
        directory(client, world.center_a, postnummer="5000", afstand="25", q="hygger")


def test_detail_queries(client, world, django_assert_max_num_queries):
    fs = world.faellesskab_a
    fs.tilgaengelighed.set([f.tag(TagType.TILGAENGELIGHED, "koerestolsadgang")])
    for day in range(3):
        f.MoedetidFactory(faellesskab=fs, ugedag=day)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("foreninger:public_faellesskab", args=["odense", fs.pk])).status_code == 200


def test_demo_data_fills_the_directory(client, settings):
    """`seed_demo` gives each demo centre a directory with welcome descriptions and meeting times."""
    from io import StringIO

    from django.core.management import call_command

    from foreninger.models import Faellesskab

    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=StringIO())
    for slug in ("odense", "silkeborg"):
        response = client.get(reverse("foreninger:public_directory", args=[slug]))
        assert response.status_code == 200
        assert response.context["page"].paginator.count >= 20
        first = response.context["page"][0]
        assert Faellesskab.objects.get(pk=first.pk).center.slug == slug  # a card (selectors.Kort), not the row
        detail = client.get(reverse("foreninger:public_faellesskab", args=[slug, first.pk])).content.decode()
        assert "Sådan bliver du taget imod" in detail
    assert Faellesskab.objects.exclude(velkomst="").filter(offentlig=True).count() >= 40


def test_public_pages_need_no_two_factor_setup(world):
    """A koordinator who has not set up two-factor login yet still sees the public pages as anyone does."""
    from django.test import Client

    from brobygning.models import Rolle

    user = f.UserFactory(email="ny-koordinator@a.test")
    f.MedlemskabFactory(user=user, center=world.center_a, rolle=Rolle.KOORDINATOR)
    client = Client()
    client.force_login(user)
    assert client.get(reverse("matching:forside")).status_code == 302  # sent to set up two-factor login
    assert client.get(reverse("foreninger:public_directory", args=["odense"])).status_code == 200


# --- Near a postal code on PostgreSQL: the page from the nearest rows (issue 15) -------------------


def _spredte(world):
    """Rows with their own coordinates (some at the same place, titles repeated) and rows without,
    at several postal codes (all the rows of a code share its distance), around 5000 Odense C."""
    postnumre = ["5000", "5200", "5210", "5220", "5230", "5250", "5260", "5270", "5700", "5800"]
    koerestol, toilet = f.tag(TagType.TILGAENGELIGHED, "koerestolsadgang"), f.tag(TagType.TILGAENGELIGHED, "handicaptoilet")
    for i in range(45):
        fs = f.FaellesskabFactory(forening=world.forening_a, titel=f"Klub {i % 4}", lat=55.38 + (i % 9) / 200,
                                  lng=10.36 + (i % 7) / 150, aaben_for_nye=i % 5 != 0)
        fs.tilgaengelighed.set([koerestol, toilet][:i % 3])
    for i in range(40):
        fs = f.FaellesskabFactory(forening=world.forening_a, titel=f"Klub {i % 3}",
                                  postnummer=f.postnummer(postnumre[i % 10]), aaben_for_nye=i % 4 != 0)
        fs.tilgaengelighed.set([koerestol, toilet][:i % 3])
    return {"KOERESTOL": str(koerestol.pk), "TOILET": str(toilet.pk)}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the nearest-first page is PostgreSQL's")
@pytest.mark.parametrize("params", [{"afstand": "10"}, {"afstand": "50"}, {"afstand": "2"}, {"afstand": "25", "q": "hygger"},
                                    {"afstand": "50", "aaben_for_nye": "on"},
                                    # each chosen feature an EXISTS: a join and DISTINCT made the page's SQL invalid
                                    {"afstand": "50", "tilgaengelighed": ["KOERESTOL", "TOILET"]},
                                    {"afstand": "25", "tilgaengelighed": ["KOERESTOL"], "q": "hygger"}])
def test_near_a_postcode_every_page_is_the_whole_lists_page(client, world, params):
    """Each page equals the same slice of the whole list ordered by distance, title and id
    (`med_afstand`, what SQLite and the text search use), with ties at the page's edge, rows with and
    without coordinates, and the other filters; the count is exact below the cap."""
    from foreninger.public_filters import PublicFaellesskabFilter
    from foreninger.selectors import public_faellesskab_list

    tags = _spredte(world)
    params = {name: [tags[v] for v in value] if name == "tilgaengelighed" else value for name, value in params.items()}
    for postnummer in ("5000", "5250", "5800"):
        data = {"postnummer": postnummer, **params}
        hele = PublicFaellesskabFilter(data, queryset=public_faellesskab_list(center=world.center_a)).qs
        forventet = list(hele.values_list("pk", "afstand_km"))
        assert forventet  # the case is not empty
        url = reverse("foreninger:public_directory", args=[world.center_a.slug])
        for side in range(1, len(forventet) // 25 + 2):
            page = client.get(url, {**data, "side": side}).context["page"]
            assert [(row.pk, row.afstand_km) for row in page.object_list] == forventet[(side - 1) * 25:side * 25]
            assert page.paginator.count == len(forventet) and not page.paginator.over_loft


def test_near_a_postcode_the_search_s_where_is_its_own_table_s():
    """`naermeste` writes its statements around the search's WHERE on the fællesskab table alone: a
    filter that joined another table would name a table the statements lack, so it is refused."""
    from foreninger.models import Faellesskab
    from foreninger.public_filters import _where

    sql, params = _where(Faellesskab.objects.filter(titel="x", center_id=1))
    assert sql == '("foreninger_faellesskab"."center_id" = %s AND "foreninger_faellesskab"."titel" = %s)'
    assert params == [1, "x"]
    with pytest.raises(ValueError, match="joined another table"):
        _where(Faellesskab.objects.filter(forening__navn="x"))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the count is capped on PostgreSQL")
def test_near_a_postcode_the_count_stops_at_the_cap(client, world, monkeypatch):
    from foreninger.views import public

    monkeypatch.setattr(public, "LOFT", 10)  # at least one page and a row beyond it: 26 rows
    _spredte(world)
    url = reverse("foreninger:public_directory", args=[world.center_a.slug])
    response = client.get(url, {"postnummer": "5000", "afstand": "50"})
    html = response.content.decode()
    assert "Over 25 fællesskaber fundet" in html and "Side 1 af 2+" in html
    assert len(response.context["page"].object_list) == 25 and response.context["page"].has_next()
    # a later page counts just past itself, so "Næste" leads on while there are more
    response = client.get(url, {"postnummer": "5000", "afstand": "50", "side": 3})
    assert "Over 75 fællesskaber fundet" in response.content.decode() and response.context["page"].has_next()
    response = client.get(url, {"postnummer": "5000", "afstand": "50", "side": 4})
    assert response.context["page"].paginator.count == 86 and not response.context["page"].has_next()
    assert "86 fællesskaber fundet" in response.content.decode()


# --- The search form's choice fields, remembered per process (brobygning_tags.felt_husket) ------


def test_remembered_form_fields_are_the_fields_drawn_anew(world, katalog, settings):
    """Each remembered field is what `felt` draws for the same request: after other values, another
    language and a renamed tag have been drawn (and remembered) first, whatever the order."""
    from django.http import QueryDict
    from django.utils import translation

    from brobygning.models import Tag
    from brobygning.templatetags.brobygning_tags import _FELTER_HUSKET, felt, felt_husket
    from foreninger.public_filters import PublicFaellesskabFilter
    from foreninger.selectors import public_faellesskab_list

    settings.DEBUG = False
    ensomhed, koerestol = f.tag(TagType.UDFORDRING, "ensomhed"), f.tag(TagType.TILGAENGELIGHED, "koerestolsadgang")
    kategori = f.tag(TagType.KATEGORI, "musik-og-sang")
    queries = ["", f"maalgruppe={ensomhed.pk}", f"tilgaengelighed={koerestol.pk}&ugedag=1&ugedag=3",
               f"kategori={kategori.pk}&afstand=25&rolle=frivillig&aaben_for_nye=on&tidspunkt=aften",
               "ugedag=9&kategori=999999", None]  # None: an unbound form (no GET parameters)
    names = ["kategori", "maalgruppe", "ugedag", "tidspunkt", "afstand", "tilgaengelighed", "rolle", "aaben_for_nye"]
    _FELTER_HUSKET.clear()
    seen = set()
    for omgang in range(3):
        if omgang == 2:
            Tag.objects.filter(pk=koerestol.pk).update(navn="Kørestol OK")  # the choices change
        for sprog in ("da", "en"):
            for query in queries:
                with translation.override(sprog):
                    filterset = PublicFaellesskabFilter(QueryDict(query) if query is not None else None,
                                                        queryset=public_faellesskab_list(center=world.center_a))
                    filterset.qs  # noqa: B018 -- validates, as the view does
                    for name in names:
                        field = filterset.form[name]
                        husket = felt_husket(field, filterset)
                        assert husket == felt(filterset.form[name]), (omgang, sprog, query, name)
                        seen.add(husket)
    assert _FELTER_HUSKET  # remembered, not drawn anew every time
    assert any("Kørestol OK" in html for html in seen) and any("checked" in html for html in seen)
