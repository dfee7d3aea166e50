"""`matching.candidate_cache`: stage 1's candidates remembered per process by row version (PostgreSQL).

Every test runs in one transaction, so the fællesskaber's updates here share one `xmin`: only the
`ctid` half of the version tells them apart, as it must.
"""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from borgere.models import Borger
from brobygning.models import Postnummer, Tag, TagType
from foreninger.models import Faellesskab, FaellesskabStatus
from matching import candidate_cache
from matching.candidates import candidates_for, candidates_og_velkomst
from matching.models import Velkomstscore
from matching.suggest import suggestions_for

from .. import factories as f
from .test_candidates import at, borger, center, forening, fs  # noqa: F401 -- fixtures

pytestmark = [pytest.mark.django_db,
              pytest.mark.skipif("connection.vendor != 'postgresql'", reason="PostgreSQL only: SQLite reads every time")]


@pytest.fixture(autouse=True)
def _remembering_nothing():
    # What one test read stays remembered for the next when the tag table is the same (only the seeded
    # tags): the names shared by every candidate (`Lager.navne`) would then hold that test's too.
    candidate_cache.clear()


def _as_read_anew(b):
    """The candidates as a process that remembers nothing reads them."""
    candidate_cache.clear()
    return candidates_for(b)


def _felter(kandidater):
    return [(*(getattr(k, name) for name in k.__slots__ if name != "tag_navne"), dict(k.tag_navne)) for k in kandidater]


def test_a_changed_faellesskab_is_read_again_and_an_unchanged_one_is_not(
        center, forening, borger, django_assert_num_queries):  # noqa: F811
    strik = f.tag(TagType.INTERESSE, "strik")
    a, b = fs(forening, km=1, titel="Strik"), fs(forening, km=2, titel="Natur")
    candidates_for(borger)
    with django_assert_num_queries(1):  # the KNN statement alone: both remembered
        assert [k.titel for k in candidates_for(borger)] == ["Strik", "Natur"]

    Faellesskab.objects.filter(pk=a.pk).update(titel="Strik og snak", vaert_navn="Ib", kapacitet=2)
    with django_assert_num_queries(2):  # a's new version is read
        got = candidates_for(borger)
    assert [(k.titel, k.vaert_navn, k.kapacitet) for k in got] == [("Strik og snak", "Ib", 2), ("Natur", "", None)]

    a.interesser.add(strik)  # the database's trigger writes the tag ids on a's row: a new version
    f.MoedetidFactory(faellesskab=b, ugedag=2, fra="19:00", til="21:00", frekvens="MONTHLY")
    got = candidates_for(borger)
    assert (got[0].interesser, got[1].slots, dict(got[1].frekvenser)) == ({"strik"}, {"2-aften"}, {"2-aften": "MONTHLY"})
    assert _felter(got) == _felter(_as_read_anew(borger))


def test_a_foreningens_new_name_or_readiness_gives_its_faellesskaber_a_new_version(
        center, forening, borger, django_assert_num_queries):  # noqa: F811
    # The KNN statement does not join the foreninger: a trigger writes their fællesskab rows anew
    # (migration matching.0025), and only when the name or the readiness changes.
    fs(forening, km=1)
    assert [(k.forening_navn, k.inklusionsparat) for k in candidates_for(borger)] == [(forening.navn, True)]
    forening.beskrivelse = "Ny beskrivelse"
    forening.save()
    with django_assert_num_queries(1):
        candidates_for(borger)
    forening.navn = "Nyt navn"
    forening.save()
    assert [(k.forening_navn, k.inklusionsparat) for k in candidates_for(borger)] == [("Nyt navn", True)]
    forening.inklusionsparat = False
    forening.save()
    assert [(k.forening_navn, k.inklusionsparat) for k in candidates_for(borger)] == [("Nyt navn", False)]


def test_a_new_changed_or_deleted_welcome_score_gives_the_faellesskab_a_new_version(
        center, forening, borger, django_assert_num_queries):  # noqa: F811
    # The KNN statement does not join the welcome scores: a trigger writes the fællesskab's row anew when its
    # score is written, changed or deleted (migration matching.0028), not when a rewrite changes no value.
    a = fs(forening, km=1)

    def scores():
        found = candidates_og_velkomst(borger)[1]
        return {fid: (v.n, v.blevet, v.score) for fid, v in found.items()}

    assert scores() == {}
    v = Velkomstscore.objects.create(center=center, faellesskab=a, n=4, blevet=3, prior=0.5, score=0.6,
                                     beregnet=timezone.now())
    assert scores() == {a.pk: (4, 3, 0.6)}
    Velkomstscore.objects.filter(pk=v.pk).update(beregnet=timezone.now() + timedelta(days=1))
    with django_assert_num_queries(1):  # the nightly rewrite changed nothing stage 2 reads: still remembered
        assert scores() == {a.pk: (4, 3, 0.6)}
    Velkomstscore.objects.filter(pk=v.pk).update(n=2)  # below MIN_N: not used
    assert scores() == {}
    Velkomstscore.objects.filter(pk=v.pk).update(n=5, blevet=5, score=0.7)
    assert scores() == {a.pk: (5, 5, 0.7)}
    v.delete()
    assert scores() == {}


def test_a_renamed_tag_drops_what_was_remembered(center, forening, borger):  # noqa: F811
    # A tag's slug or name lives in the tag table, not on the fællesskab's row: its version does not change.
    stol = f.tag(TagType.TILGAENGELIGHED, "koerestolsadgang")
    kategori = f.tag(TagType.KATEGORI, "natur-og-friluftsliv")
    a = fs(forening, km=1, kategori=kategori)
    a.tilgaengelighed.add(stol)
    a.interesser.add(f.tag(TagType.INTERESSE, "natur"))
    first = candidates_for(borger)[0]
    assert (first.kategori, first.tag_navne["koerestolsadgang"]) == ("natur-og-friluftsliv", stol.navn)
    Tag.objects.filter(pk=stol.pk).update(navn="Kørestol OK")
    Tag.objects.filter(type=TagType.INTERESSE, slug="natur").update(slug="natur-og-ud")
    got = candidates_for(borger)[0]
    assert (got.tag_navne["koerestolsadgang"], got.interesser) == ("Kørestol OK", {"natur-og-ud"})


def test_a_new_day_reads_the_meetings_anew(center, forening, borger, monkeypatch):  # noqa: F811
    # A meeting with an end date counts until that day: what was remembered yesterday holds it still.
    a = fs(forening, km=1)
    today = timezone.localdate()
    f.MoedetidFactory(faellesskab=a, ugedag=1, fra="17:00", til="18:00", gyldig_til=today)
    assert candidates_for(borger)[0].slots == {"1-aften"}
    monkeypatch.setattr("matching.candidates.timezone.localdate", lambda: today + timedelta(days=1))
    assert candidates_for(borger)[0].slots == set()


def test_bounded_the_first_read_dropped_first(center, forening, borger, monkeypatch):  # noqa: F811
    monkeypatch.setattr(candidate_cache, "MAX", 3)
    near = [fs(forening, km=km) for km in (1, 2)]
    far = [fs(forening, km=km) for km in (20, 30, 40)]
    assert len(candidates_for(borger, max_km=5)) == 2
    assert len(candidates_for(borger)) == 5  # three more read, then trimmed to the three read last
    assert list(candidate_cache._lager.entries) == [x.pk for x in far]
    assert [k.id for k in candidates_for(borger, max_km=5)] == [x.pk for x in near]  # read again
    assert list(candidate_cache._lager.entries) == [far[2].pk, near[0].pk, near[1].pk]


def _tagversion(cursor) -> int:
    cursor.execute(candidate_cache.VERSION_SQL)
    return cursor.fetchone()[0]


def test_a_faellesskab_gone_since_the_knn_statement_is_left_out(center, forening, borger):  # noqa: F811
    a = fs(forening, km=1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, 0.5, xmin, ctid FROM foreninger_faellesskab WHERE id = %s", [a.pk])
        rows = cursor.fetchall()
        assert [k.id for k in candidate_cache.kandidater(cursor, timezone.localdate(), _tagversion(cursor),
                                                         [*rows, (a.pk + 1000, 0.7, "1", "(0,1)")])] == [a.pk]


def test_a_tag_added_after_the_knn_statement_is_read_with_the_rest(center, forening, borger):  # noqa: F811
    # The KNN statement read the tag table's version; a tag added and given to a candidate before the rest of it
    # is read is not in that version's table: that read sees the newer version, and the candidates are read
    # again with the newer table.
    a = fs(forening, km=1)
    with connection.cursor() as cursor:
        version = _tagversion(cursor)
        candidate_cache.kandidater(cursor, timezone.localdate(), version, [])  # the process holds that version's table
        a.interesser.add(Tag.objects.create(type=TagType.INTERESSE, slug="ny-interesse", navn="Ny interesse"))
        cursor.execute("SELECT id, 0.5, xmin, ctid FROM foreninger_faellesskab WHERE id = %s", [a.pk])
        got = candidate_cache.kandidater(cursor, timezone.localdate(), version, cursor.fetchall())
    assert [k.interesser for k in got] == [{"ny-interesse"}]
    assert candidate_cache._lager.version != version


def test_every_write_of_the_tag_table_gives_it_a_new_version_never_used_before(center):  # noqa: F811
    # A sequence, not a counter: a version that a rolled-back transaction saw cannot come back with other tags.
    with connection.cursor() as cursor:
        seen = [_tagversion(cursor)]
        tag = Tag.objects.create(type=TagType.INTERESSE, slug="ny", navn="Ny")
        seen.append(_tagversion(cursor))
        Tag.objects.filter(pk=tag.pk).update(navn="Nyt navn")
        seen.append(_tagversion(cursor))
        try:
            with transaction.atomic():
                Tag.objects.filter(pk=tag.pk).update(slug="rullet-tilbage")
                seen.append(_tagversion(cursor))
                raise RuntimeError
        except RuntimeError:
            pass
        assert _tagversion(cursor) == seen[2]  # rolled back with the write
        tag.delete()
        seen.append(_tagversion(cursor))
        Tag.objects.filter(slug="ingen-saadan").update(navn="x")  # a statement that wrote no row: a new one all the same
        seen.append(_tagversion(cursor))
    assert len(set(seen)) == len(seen) == 6


def test_a_process_that_holds_nothing_reads_the_reference_data_with_the_candidates(
        center, forening, borger, django_assert_num_queries):  # noqa: F811
    # The worst case for the suggestions: the borger's context and the KNN statement in one round trip, then
    # the reference data, the candidates and the version after them in a second.
    a = fs(forening, km=1, titel="Strik")
    fresh = [Borger.objects.get(pk=borger.pk) for _ in range(3)]  # (as a view has it: nothing loaded with it)
    with django_assert_num_queries(2):
        assert [s.faellesskab_id for s in suggestions_for(fresh[0])] == [a.pk]
    Faellesskab.objects.filter(pk=a.pk).update(status=FaellesskabStatus.PAUSE)
    candidate_cache.clear()
    with django_assert_num_queries(2):  # no candidates: the reference data alone in the second
        assert suggestions_for(fresh[1]) == []
    with django_assert_num_queries(1):
        assert suggestions_for(fresh[2]) == []


def test_the_postal_codes_place_as_the_process_holds_it_and_read_anew_when_it_moves(
        center, forening, borger, django_assert_num_queries):  # noqa: F811
    near, far = fs(forening, km=1), fs(forening, km=30)
    fresh = [Borger.objects.get(pk=borger.pk) for _ in range(3)]
    suggestions_for(fresh[0])
    with CaptureQueriesContext(connection) as held:
        got = suggestions_for(fresh[1])
    assert [s.faellesskab_id for s in got] == [near.pk, far.pk]
    assert len(held) == 1 and Postnummer._meta.db_table not in held[0]["sql"]  # given to the KNN statement
    # The borger's postal code moves 30 km east (an edit in the admin): the version read with the KNN statement
    # is not the one the place is of, and the statement is sent again reading the place itself.
    lat, lng = at(30)
    Postnummer.objects.filter(nr="5000").update(lat=lat, lng=lng)
    with django_assert_num_queries(3):  # that, again, and the reference data with the candidates: all new
        got = suggestions_for(fresh[2])
    assert [s.faellesskab_id for s in got] == [far.pk, near.pk]
    assert [round(s.distance_km) for s in got] == [0, 29]
    assert candidate_cache.sted("5000")[1:] == (lat, lng)
