"""Stage 1 (database candidates) and `suggestions_for` end to end. Runs on SQLite and PostgreSQL."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from borgere.models import Borger
from brobygning.models import Tag, TagType
from foreninger.models import Faellesskab, FaellesskabStatus
from matching.candidates import Filter, candidates_for, filter_for, haversine_km, knn_query, nearest
from matching.engine import BARRIER_PREFERS, KATEGORI_INTERESSER, BorgerProfil
from matching.models import Match, Stage
from matching.suggest import Suggestion, excluded_ids, profil_for, suggestions_for

from .. import factories as f

pytestmark = pytest.mark.django_db

ODENSE = (55.403021, 10.39174411)  # postal code 5000's coordinates


def at(km_east: float, origin=ODENSE) -> tuple[float, float]:
    """A point about `km_east` km due east of the origin."""
    lat, lng = origin
    return lat, lng + km_east / 63.2  # ~63 km per degree of longitude at 55.4°N


@pytest.fixture
def center(db):
    return f.CenterFactory(slug="odense")


@pytest.fixture
def forening(center):
    return f.ForeningFactory(center=center, inklusionsparat=True)


@pytest.fixture
def borger(center):
    return f.BorgerFactory(center=center, postnummer=f.postnummer("5000"), foedselsaar=1980,
                           max_afstand_km=10)


def fs(forening, km=None, **kw):
    if km is not None:
        kw["lat"], kw["lng"] = at(km)
    return f.FaellesskabFactory(forening=forening, **kw)


def ids(kandidater):
    return [k.id for k in kandidater]


def test_only_the_centres_active_open_unarchived_ones_offering_the_role(center, forening, borger):
    good = fs(forening, km=1)
    fs(forening, km=1.1, status=FaellesskabStatus.PAUSE)
    fs(forening, km=1.2, status=FaellesskabStatus.OPHOERT)
    fs(forening, km=1.3, aaben_for_nye=False)
    fs(forening, km=1.4, arkiveret=timezone.now())
    fs(forening, km=1.5, for_deltagere=False, for_frivillige=True)
    other_centre = f.ForeningFactory(center=f.CenterFactory(slug="andet"))
    fs(other_centre, km=0.5)
    assert ids(candidates_for(borger)) == [good.pk]


def test_role_filter(center, forening, borger):
    deltager = fs(forening, km=1, for_deltagere=True, for_frivillige=False)
    frivillig = fs(forening, km=2, for_deltagere=False, for_frivillige=True)
    begge = fs(forening, km=3, for_deltagere=True, for_frivillige=True)
    assert ids(candidates_for(borger)) == [deltager.pk, begge.pk]  # the borger's wish: deltager
    assert ids(candidates_for(borger, rolle="frivillig")) == [frivillig.pk, begge.pk]
    assert ids(candidates_for(borger, rolle="begge")) == [deltager.pk, frivillig.pk, begge.pk]
    borger.oensket_rolle = "frivillig"
    assert ids(candidates_for(borger)) == [frivillig.pk, begge.pk]


def test_nearest_first_with_distances(center, forening, borger):
    far, near, mid = fs(forening, km=30), fs(forening, km=0.8), fs(forening, km=4)
    result = candidates_for(borger)
    assert ids(result) == [near.pk, mid.pk, far.pk]
    assert [round(k.distance_km, 1) for k in result] == pytest.approx([0.8, 4.0, 30.0], abs=0.2)
    expected = haversine_km(*ODENSE, far.lat, far.lng)
    assert result[2].distance_km == pytest.approx(expected, rel=1e-6)


def test_respects_n(center, forening, borger):
    made = [fs(forening, km=km) for km in (5, 1, 3, 2, 4, 60)]
    assert ids(candidates_for(borger, n=3)) == [made[1].pk, made[3].pk, made[2].pk]
    assert candidates_for(borger, n=0) == []


def test_far_ones_are_found_when_few_are_near(center, forening, borger):
    """SQLite's bounding box must not hide the only fællesskaber in a thin area."""
    aarhus = fs(forening, postnummer=f.postnummer("8000"))
    assert ids(candidates_for(borger)) == [aarhus.pk]


def test_postal_code_fallback_for_rows_without_coordinates(center, forening, borger):
    """Rows without lat/lng are placed at their postal code and merged in distance order."""
    own_near = fs(forening, km=0.5)
    odense_v = fs(forening, postnummer=f.postnummer("5200"))  # ~4.1 km west, no own coordinates
    own_mid = fs(forening, km=6)
    svendborg = fs(forening, postnummer=f.postnummer("5700"))  # ~45 km, no own coordinates
    own_far = fs(forening, km=20)
    assert odense_v.lat is None
    result = candidates_for(borger)
    assert ids(result) == [own_near.pk, odense_v.pk, own_mid.pk, own_far.pk, svendborg.pk]
    pn = f.postnummer("5200")
    assert result[1].distance_km == pytest.approx(haversine_km(*ODENSE, pn.lat, pn.lng), rel=1e-6)
    assert ids(candidates_for(borger, n=2)) == [own_near.pk, odense_v.pk]


def test_hard_max_km_and_category_and_age_and_exclude(center, forening, borger):
    natur = f.tag(TagType.KATEGORI, "natur-og-friluftsliv")
    a = fs(forening, km=1, kategori=natur)
    b = fs(forening, km=3)
    c = fs(forening, km=8, kategori=natur)
    fs(forening, km=2, alder_min=60)  # the borger is in their forties
    fs(forening, km=2.5, alder_max=30)
    d = fs(forening, km=2.7, alder_min=18, alder_max=99)
    assert ids(candidates_for(borger)) == [a.pk, d.pk, b.pk, c.pk]
    assert ids(candidates_for(borger, max_km=5)) == [a.pk, d.pk, b.pk]
    assert ids(candidates_for(borger, kategori_id=natur.pk)) == [a.pk, c.pk]
    assert ids(candidates_for(borger, exclude_ids={a.pk, b.pk})) == [d.pk, c.pk]
    assert ids(nearest(Filter(center_id=center.pk, max_km=1.5), *ODENSE)) == [a.pk]


def test_accessibility_needs_are_filtered_in_the_database(center, forening, borger):
    stol, toilet = f.tag(TagType.TILGAENGELIGHED, "koerestolsadgang"), f.tag(TagType.TILGAENGELIGHED, "handicaptoilet")
    both, only_stol, neither = fs(forening, km=3), fs(forening, km=1), fs(forening, km=2)
    both.tilgaengelighed.set([stol, toilet])
    only_stol.tilgaengelighed.set([stol])
    assert ids(candidates_for(borger)) == [only_stol.pk, neither.pk, both.pk]
    assert ids(candidates_for(borger, needs=["koerestolsadgang"])) == [only_stol.pk, both.pk]
    assert ids(candidates_for(borger, needs=["koerestolsadgang", "handicaptoilet"])) == [both.pk]
    assert ids(candidates_for(borger, needs=["koerestolsadgang"], n=1)) == [only_stol.pk]
    # A need no tag has, alone or with one that exists: nothing has it.
    assert candidates_for(borger, needs=["svaevebane"]) == []
    assert candidates_for(borger, needs=["koerestolsadgang", "svaevebane"]) == []
    # The same, read from the borger by the suggestions' statement (PostgreSQL; elsewhere from the profile).
    borger.tilgaengelighedsbehov.set([stol, toilet])
    assert [s.faellesskab_id for s in suggestions_for(Borger.objects.get(pk=borger.pk))] == [both.pk]


def test_candidate_carries_what_stage_two_needs(center, forening, borger):
    natur = f.tag(TagType.KATEGORI, "natur-og-friluftsliv")
    fk = fs(forening, km=2, kategori=natur, alder_min=18, alder_max=80, vaert_navn="Hanne Jensen",
            kapacitet=3, sidst_bekraeftet=timezone.localdate(), for_frivillige=True)
    fk.interesser.set([f.tag(TagType.INTERESSE, "strik"), f.tag(TagType.INTERESSE, "natur")])
    fk.tilgaengelighed.set([f.tag(TagType.TILGAENGELIGHED, "smaa-hold")])
    fk.maalgrupper.set([f.tag(TagType.UDFORDRING, "ensomhed")])
    f.MoedetidFactory(faellesskab=fk, ugedag=1, fra="17:00", til="19:00")
    f.MoedetidFactory(faellesskab=fk, ugedag=3, fra="10:00", til="12:00")
    f.MoedetidFactory(faellesskab=fk, ugedag=5, fra="13:00", til="15:00",
                      gyldig_til=timezone.localdate() - timedelta(days=1))  # ended: ignored
    (k,) = candidates_for(borger)
    assert k.id == fk.pk
    assert k.interesser == {"strik", "natur"}
    assert k.tilgaengelighed == {"smaa-hold"}
    assert k.kategori == "natur-og-friluftsliv"
    assert k.tag_navne["natur-og-friluftsliv"] == "Natur og friluftsliv"
    assert k.tag_navne["smaa-hold"] == "Små hold"
    assert k.slots == {"1-aften", "3-formiddag"}
    assert (k.alder_min, k.alder_max, k.kapacitet) == (18, 80, 3)
    assert k.inklusionsparat is True and k.har_vaert
    assert k.for_deltagere and k.for_frivillige
    assert k.sidst_bekraeftet == timezone.localdate()


# --- suggestions_for --------------------------------------------------------------------------------


@pytest.fixture
def rich(center, forening, borger):
    """A borger with tags, and 30 fællesskaber with tags and meeting times around them."""
    strik, natur = f.tag(TagType.INTERESSE, "strik"), f.tag(TagType.INTERESSE, "natur")
    borger.interesser.set([strik, natur])
    borger.barrierer.set([f.tag(TagType.BARRIERE, "nervoes-for-nye-steder")])
    borger.tilgaengelighedsbehov.set([f.tag(TagType.TILGAENGELIGHED, "koerestolsadgang")])
    borger.tilgaengelighed = ["1-aften", "3-formiddag"]
    borger.save()
    rolle_stol = f.tag(TagType.TILGAENGELIGHED, "koerestolsadgang")
    smaa = f.tag(TagType.TILGAENGELIGHED, "smaa-hold")
    plain = f.ForeningFactory(center=center, inklusionsparat=False)
    made = []
    for i in range(30):
        fk = fs(forening if i % 2 else plain, km=0.5 + i, vaert_navn="Hanne Jensen" if i % 3 == 0 else "",
                sidst_bekraeftet=timezone.localdate() - timedelta(days=20 * i))
        fk.interesser.set([strik] if i % 2 else [natur, strik])
        fk.tilgaengelighed.set([rolle_stol, smaa] if i % 5 else [smaa])  # every 5th lacks wheelchair access
        f.MoedetidFactory(faellesskab=fk, ugedag=i % 7, fra="17:00", til="19:00")
        made.append(fk)
    return made


def test_suggestions_end_to_end(rich, borger):
    # Declined before (ended match) and an open match: both left out.
    Match.objects.create(center=borger.center, borger=borger, faellesskab=rich[1], stage=Stage.AFSLUTTET)
    Match.objects.create(center=borger.center, borger=borger, faellesskab=rich[2], stage=Stage.ACCEPTERET)
    result = suggestions_for(borger, k=10)
    assert len(result) == 10
    assert all(isinstance(s, Suggestion) for s in result)
    got = [s.faellesskab_id for s in result]
    assert rich[1].pk not in got and rich[2].pk not in got
    assert not {rich[0].pk, rich[5].pk, rich[10].pk} & set(got)  # no wheelchair access
    assert [s.score for s in result] == sorted((s.score for s in result), reverse=True)
    assert all(0 <= s.score <= 100 for s in result)
    # No. 8 shares both interests and meets on a Tuesday evening, which the borger can.
    best = result[0]
    assert best.faellesskab_id == rich[8].pk
    assert "Fælles interesser: natur, strik" in best.reasons
    assert "Tirsdag aften passer" in best.reasons
    assert "8,5 km væk" in best.reasons
    assert best.distance_km == pytest.approx(8.5, abs=0.2)
    # What the list shows comes with the candidates.
    assert (best.titel, best.forening_navn) == (rich[8].titel, rich[8].forening.navn)
    assert best.url == rich[8].get_absolute_url()


def test_suggestions_query_count_is_bounded_and_independent_of_n_and_k(
        rich, borger, django_assert_max_num_queries):
    # Nothing cached: the worst case. 2 on PostgreSQL (the context with the KNN and the welcome scores in
    # one round trip, the candidates not seen before: `candidate_cache`); SQLite reads the context first,
    # fetches details separately and may look twice when its bounding box holds fewer than N rows (as here),
    # then the welcome scores.
    limit = 2 if connection.vendor == "postgresql" else 5
    fresh = Borger.objects.get(pk=borger.pk)
    with django_assert_max_num_queries(limit):
        assert len(suggestions_for(fresh, k=3)) == 3
    fresh = Borger.objects.get(pk=borger.pk)
    with django_assert_max_num_queries(limit):
        assert len(suggestions_for(fresh, k=50, n=500)) == 24
    loaded = (Borger.objects.select_related("postnummer")
              .prefetch_related("interesser", "udfordringer", "barrierer", "tilgaengelighedsbehov").get(pk=borger.pk))
    with django_assert_max_num_queries(limit):
        assert len(suggestions_for(loaded, k=20)) == 20


def test_suggestions_with_filters(rich, borger):
    assert [s.faellesskab_id for s in suggestions_for(borger, max_km=3)] == [rich[1].pk, rich[2].pk]
    assert suggestions_for(borger, rolle="frivillig") == []
    assert suggestions_for(borger, kategori_id=f.tag(TagType.KATEGORI, "dyr").pk) == []


def test_no_candidates(borger):
    assert suggestions_for(borger) == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GiST indexes exist on PostgreSQL only")
def test_knn_index_exists_and_is_used(center, forening, borger):
    fs(forening, km=1)
    fs(forening, postnummer=f.postnummer("5200"))  # no own coordinates: walked by its postal code's
    sql, params = knn_query(Filter(center_id=center.pk), *ODENSE)
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'matching_%%'")
        assert "matching_faellesskab_knn_sted" in {row[0] for row in cursor.fetchall()}
        cursor.execute("ANALYZE foreninger_faellesskab")
        # A few rows: without these the planner rightly reads them all and sorts them.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN (COSTS OFF) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "matching_faellesskab_knn_sted" in plan, plan
    # One walk, which reads this centre's rows only (the centre as bigint, or btree_gist cannot use it)
    assert plan.count("Index Scan using matching_faellesskab_knn_sted") == 1, plan
    walk = plan[plan.index("matching_faellesskab_knn_sted"):]
    assert f"Index Cond: (center_id = '{center.pk}'::bigint)" in walk.splitlines()[1], plan
    assert "f.center_id = CAST(%(center)s AS bigint)" in sql


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the GiST indexes exist on PostgreSQL only")
def test_the_suggestions_walk_the_knn_index_for_a_borger_with_a_need(center, forening, borger):
    # The statement reads the borger's needs itself (`Filter.borgers_behov`), an array the planner does not
    # know when it plans. Bare `@>` on it, it guessed that almost no row passes and read the whole centre and
    # sorted it; the expression it is wrapped in makes it walk the index, as for a borger without needs.
    lift = f.tag(TagType.TILGAENGELIGHED, "koerestolsadgang")
    borger.tilgaengelighedsbehov.set([lift])
    rows = Faellesskab.objects.bulk_create([
        Faellesskab(forening=forening, center=center, titel=f"F{i}", postnummer_id="5000", lat=at(i / 50)[0],
                    lng=at(i / 50)[1], status=FaellesskabStatus.AKTIV, aaben_for_nye=True, for_deltagere=True)
        for i in range(1500)])
    Faellesskab.tilgaengelighed.through.objects.bulk_create([
        Faellesskab.tilgaengelighed.through(faellesskab_id=row.pk, tag_id=lift.pk) for row in rows[::6]])
    sql, params = knn_query(filter_for(borger, borger_id=borger.pk, borgers_behov=True), None, None, postnummer="5000")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE foreninger_faellesskab")
        cursor.execute("SET LOCAL random_page_cost = 1.1")  # as the statement is sent (KNN_RANDOM_PAGE_COST)
        cursor.execute("EXPLAIN (COSTS OFF) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan using matching_faellesskab_knn_sted" in plan, plan
    got = suggestions_for(Borger.objects.get(pk=borger.pk), k=5)
    assert [s.faellesskab_id for s in got] == [row.pk for row in rows[:30:6]]


def _knn_sted(faellesskab):
    with connection.cursor() as cursor:
        cursor.execute("SELECT knn_lat, knn_lng FROM foreninger_faellesskab WHERE id = %s", [faellesskab.pk])
        return cursor.fetchone()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the column and its triggers are PostgreSQL's")
def test_the_knn_place_stays_in_step_with_the_coordinates_and_the_postal_code(center, forening):
    """knn_lat/knn_lng (migration matching.0020): the own coordinates where there are both, else the
    postal code's, whoever writes the row."""
    odense_v, svendborg = f.postnummer("5200"), f.postnummer("5700")
    own = fs(forening, km=1)
    assert _knn_sted(own) == (own.lat, own.lng)
    uden = fs(forening, postnummer=odense_v)
    assert _knn_sted(uden) == (odense_v.lat, odense_v.lng)
    uden.postnummer = svendborg  # moved: the new postal code's place
    uden.save()
    assert _knn_sted(uden) == (svendborg.lat, svendborg.lng)
    uden.lat, uden.lng = at(2)  # given coordinates: those
    uden.save(update_fields=["lat", "lng"])
    assert _knn_sted(uden) == at(2)
    Faellesskab.objects.filter(pk=uden.pk).update(lat=None)  # only one of the two: the postal code's
    assert _knn_sted(uden) == (svendborg.lat, svendborg.lng)
    halv = fs(forening, postnummer=odense_v, lat=55.0)
    assert _knn_sted(halv) == (odense_v.lat, odense_v.lng)
    [bulk] = Faellesskab.objects.bulk_create([f.FaellesskabFactory.build(forening=forening, center=center,
                                                                         postnummer=odense_v)])
    assert _knn_sted(bulk) == (odense_v.lat, odense_v.lng)
    # A postal code's coordinates corrected: the rows placed by it follow, the others keep theirs.
    type(odense_v).objects.filter(nr=odense_v.nr).update(lat=55.5, lng=10.5)
    assert _knn_sted(bulk) == _knn_sted(halv) == (55.5, 10.5)
    assert _knn_sted(own) == (own.lat, own.lng)


def _knn_lister(faellesskab):
    with connection.cursor() as cursor:
        cursor.execute("SELECT knn_interesser, knn_tilgaengelighed, knn_maalgrupper, knn_moeder, knn_moeder_til "
                       "FROM foreninger_faellesskab WHERE id = %s", [faellesskab.pk])
        return cursor.fetchone()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the columns and their triggers are PostgreSQL's")
def test_the_knn_lists_stay_in_step_with_the_tags_and_meeting_times(center, forening, borger):
    """knn_interesser … knn_moeder_til (migration matching.0021) follow every write of the link tables
    and the meeting times, and stage 1 reads what they hold."""
    strik, natur = f.tag(TagType.INTERESSE, "strik"), f.tag(TagType.INTERESSE, "natur")
    smaa, ensomhed = f.tag(TagType.TILGAENGELIGHED, "smaa-hold"), f.tag(TagType.UDFORDRING, "ensomhed")
    fk = fs(forening, km=1)
    assert _knn_lister(fk) == ([], [], [], [], [])
    fk.interesser.set([strik, natur])
    fk.tilgaengelighed.add(smaa)
    fk.maalgrupper.set([ensomhed])
    assert _knn_lister(fk)[:3] == (sorted([strik.pk, natur.pk]), [smaa.pk], [ensomhed.pk])
    fk.interesser.remove(natur)
    fk.tilgaengelighed.clear()
    Faellesskab.maalgrupper.through.objects.bulk_create([
        Faellesskab.maalgrupper.through(faellesskab_id=fk.pk, tag_id=f.tag(TagType.UDFORDRING, "angst").pk)])
    assert _knn_lister(fk)[:3] == ([strik.pk], [], sorted([ensomhed.pk, f.tag(TagType.UDFORDRING, "angst").pk]))
    (k,) = candidates_for(borger)
    assert (k.interesser, k.tilgaengelighed, k.maalgrupper) == ({"strik"}, set(), {"ensomhed", "angst"})

    i_dag = timezone.localdate()
    mandag = f.MoedetidFactory(faellesskab=fk, ugedag=1, fra="17:00", til="19:00")
    onsdag = f.MoedetidFactory(faellesskab=fk, ugedag=3, fra="10:00", til="12:00", gyldig_til=i_dag)
    assert _knn_lister(fk)[3:] == ([117, 310], [None, i_dag])
    assert candidates_for(borger)[0].slots == {"1-aften", "3-formiddag"}  # the end date's day still counts
    onsdag.gyldig_til = i_dag - timedelta(days=1)
    onsdag.save()
    assert _knn_lister(fk)[4] == [None, i_dag - timedelta(days=1)]
    assert candidates_for(borger)[0].slots == {"1-aften"}  # ended
    mandag.frekvens = "MONTHLY"
    mandag.save()
    onsdag.delete()
    assert _knn_lister(fk)[3:] == ([2117], [None])
    assert candidates_for(borger)[0].frekvenser == {"1-aften": "MONTHLY"}


def test_rows_of_one_postal_code_at_the_nth_distance_are_taken_by_id(center, forening, borger):
    """Rows placed at the same postal code tie; the nearest N are those of the lowest ids, on both
    backends, whatever order an index walk gives them in."""
    near = fs(forening, km=0.5)
    same_place = [fs(forening, postnummer=f.postnummer("5200")) for _ in range(6)]
    fs(forening, km=30)
    expected = [near.pk, *sorted(x.pk for x in same_place)[:3]]
    assert ids(candidates_for(borger, n=4)) == expected
    for x in same_place[:3]:  # rewritten rows move in the heap and may come first in a walk
        x.save()
    assert ids(candidates_for(borger, n=4)) == expected


def test_profile_from_the_borger_with_or_without_prefetch(rich, borger, django_assert_num_queries):
    fresh = Borger.objects.get(pk=borger.pk)
    with django_assert_num_queries(1):
        p = profil_for(fresh)
    assert p.interesser == {"strik", "natur"}
    assert p.barrierer == {"nervoes-for-nye-steder"}
    assert p.tilgaengelighedsbehov == {"koerestolsadgang"}
    assert p.tilgaengelighed == {"1-aften", "3-formiddag"}
    assert p.tag_navne["nervoes-for-nye-steder"] == "Nervøs for nye steder"
    assert (p.alder, p.rolle, p.max_afstand_km) == (borger.alder, "deltager", 10.0)
    loaded = Borger.objects.prefetch_related("interesser", "udfordringer", "barrierer", "tilgaengelighedsbehov").get(pk=borger.pk)
    with django_assert_num_queries(0):
        assert profil_for(loaded, rolle="begge") == BorgerProfil(**{**p.__dict__, "rolle": "begge"})


def test_engine_tables_use_the_seeded_slugs(db):
    """The barrier and category tables in matching/engine.py must follow the taxonomy migration."""
    slugs = {t: set(Tag.objects.filter(type=t).values_list("slug", flat=True)) for t in TagType.values}
    assert slugs[TagType.BARRIERE] - {"tidspunkter"} <= set(BARRIER_PREFERS)  # every barrier is mapped
    assert {f for fs in BARRIER_PREFERS.values() for f in fs} <= slugs[TagType.TILGAENGELIGHED]
    assert set(KATEGORI_INTERESSER) <= slugs[TagType.KATEGORI]
    assert set().union(*KATEGORI_INTERESSER.values()) <= slugs[TagType.INTERESSE]


def test_excluded_ids_are_all_the_borgers_matches(rich, borger, center):
    Match.objects.create(center=center, borger=borger, faellesskab=rich[3], stage=Stage.AFSLUTTET)
    Match.objects.create(center=center, borger=borger, faellesskab=rich[4], stage=Stage.MOEDE_PLANLAGT)
    other = f.BorgerFactory(center=center)
    Match.objects.create(center=center, borger=other, faellesskab=rich[6])
    assert excluded_ids(borger) == {rich[3].pk, rich[4].pk}
    assert {s.faellesskab_id for s in suggestions_for(borger, k=50)} & {rich[3].pk, rich[4].pk} == set()
    assert rich[6].pk in {s.faellesskab_id for s in suggestions_for(borger, k=50)}


def test_freshness_follows_the_borgers_centre(rich, borger):
    """A fællesskab confirmed 10 weeks ago is fresh for a centre asking every 12 weeks, stale at 4."""
    from datetime import timedelta

    from django.utils import timezone

    from foreninger.models import Faellesskab

    Faellesskab.objects.filter(pk__in=[x.pk for x in rich]).update(
        sidst_bekraeftet=timezone.localdate() - timedelta(weeks=10))
    center = borger.center
    center.bekraeft_interval_uger = 12
    center.save()
    fresh = suggestions_for(Borger.objects.get(pk=borger.pk), k=1)[0]
    center.bekraeft_interval_uger = 4
    center.save()
    stale = suggestions_for(Borger.objects.get(pk=borger.pk), k=1)[0]
    assert fresh.parts["friskhed"] > 0 and stale.parts["friskhed"] == 0


def test_of_two_meetings_in_one_slot_the_more_frequent_counts_and_fellows_share_the_result(center, forening, borger):
    """Monday 17:00 monthly and Monday 19:00 weekly are both Monday evening: the weekly one counts,
    in either order. On PostgreSQL fællesskaber meeting alike share one decoded result (stage 1
    remembers it per process), so it must be read-only."""
    a, b = fs(forening, km=1), fs(forening, km=2)
    for fk, first, second in ((a, "MONTHLY", "WEEKLY"), (b, "WEEKLY", "MONTHLY")):
        f.MoedetidFactory(faellesskab=fk, ugedag=1, fra="17:00", til="18:00", frekvens=first)
        f.MoedetidFactory(faellesskab=fk, ugedag=1, fra="19:00", til="20:00", frekvens=second)
    c = fs(forening, km=3)
    f.MoedetidFactory(faellesskab=c, ugedag=1, fra="17:00", til="18:00", frekvens="BIWEEKLY")
    f.MoedetidFactory(faellesskab=c, ugedag=2, fra="10:00", til="11:00", frekvens="MONTHLY")
    got = {k.id: (k.slots, dict(k.frekvenser)) for k in candidates_for(borger)}
    assert got == {a.pk: ({"1-aften"}, {"1-aften": "WEEKLY"}), b.pk: ({"1-aften"}, {"1-aften": "WEEKLY"}),
                   c.pk: ({"1-aften", "2-formiddag"}, {"1-aften": "BIWEEKLY", "2-formiddag": "MONTHLY"})}
    if connection.vendor == "postgresql":
        kandidat = candidates_for(borger)[0]
        with pytest.raises(TypeError):
            kandidat.frekvenser["1-aften"] = "MONTHLY"
        with pytest.raises(AttributeError):
            kandidat.slots.add("2-aften")
