"""Stage 2 of matching, issue 16 point 2 ("Matching is hard to trust"): one test per bullet. No database."""

from datetime import date, timedelta

import pytest
from django.utils import translation

from matching import engine
from matching.engine import WEIGHTS, BorgerProfil, Kandidat, rank, rank_forklaret, score_parts

TODAY = date(2026, 3, 10)
NAVNE = {"faellesspisning": "Fællesspisning", "sang-og-kor": "Sang og kor", "computer": "Computer",
         "gaature": "Gåture", "natur": "Natur", "loeb": "Løb", "ensomhed": "Ensomhed", "angst": "Angst",
         "koerestolsadgang": "Kørestolsadgang", "oekonomi-kontingent": "Økonomi (kontingent)"}


@pytest.fixture(autouse=True)
def _danish():
    with translation.override("da"):
        yield


def borger(**kw) -> BorgerProfil:
    base = {"alder": 70, "max_afstand_km": 5.0, "interesser": frozenset({"faellesspisning", "sang-og-kor"}),
            "tilgaengelighed": frozenset({"1-formiddag", "3-aften"}), "tag_navne": NAVNE}
    return BorgerProfil(**(base | kw))


def kandidat(id=1, **kw) -> Kandidat:
    base = {"id": id, "distance_km": 1.0, "interesser": frozenset({"sang-og-kor"}), "slots": frozenset({"3-aften"}),
            "inklusionsparat": True, "vaert_navn": "Hanne Jensen", "sidst_bekraeftet": TODAY - timedelta(days=10),
            "tag_navne": NAVNE}
    return Kandidat(**(base | kw))


def order(b, *ks) -> list[int]:
    return [f.id for f in rank(b, ks, today=TODAY)]


def score(b, k) -> int:
    return score_parts(b, k, TODAY)[0]


def test_weights_add_up_to_100_and_every_part_has_a_weight():
    assert sum(WEIGHTS.values()) == 100
    assert set(WEIGHTS) == set(engine.PARTS)


def test_shared_interests_dominate_birthe():
    """Birthe (fællesspisning, sang og kor) must not get "Digital café" first."""
    digital = kandidat(1, distance_km=0.3, interesser=frozenset({"computer"}), kategori="digital-hjaelp-og-it",
                       slots=frozenset({"1-formiddag"}))
    spisning = kandidat(2, distance_km=2.5, interesser=frozenset({"faellesspisning"}), inklusionsparat=False)
    kor = kandidat(3, distance_km=3.0, interesser=frozenset({"sang-og-kor"}), vaert_navn="")
    assert order(borger(), digital, spisning, kor)[-1] == 1


def test_closer_and_both_interests_wins_inge():
    b = borger(interesser=frozenset({"gaature", "natur"}), tilgaengelighed=frozenset({"2-formiddag", "1-aften"}))
    loeb = kandidat(1, distance_km=1.8, interesser=frozenset({"loeb", "natur"}), slots=frozenset({"1-aften"}))
    gaa = kandidat(2, distance_km=0.8, interesser=frozenset({"gaature", "natur"}), slots=frozenset({"2-formiddag"}),
                   inklusionsparat=False)
    assert order(b, loeb, gaa) == [2, 1]


def test_distance_counts_within_the_max():
    b = borger()
    assert score(b, kandidat(distance_km=1)) > score(b, kandidat(distance_km=4)) > score(b, kandidat(distance_km=8))


def test_no_free_places_is_hidden_and_counted_with_a_reason():
    full, free = kandidat(1, kapacitet=0), kandidat(2, kapacitet=3, distance_km=4)
    result = rank_forklaret(borger(), [full, free], today=TODAY)
    assert [f.id for f in result.forslag] == [2]
    assert result.skjulte == {"fuld": 1}
    assert result.tekster["fuld"] == "ingen ledige pladser"
    shown = rank_forklaret(borger(), [full, free], today=TODAY, vis_skjulte=True)
    [marked] = [f for f in shown.forslag if f.id == 1]
    assert marked.skjult == ["ingen ledige pladser"]
    assert marked.caveats[0] == "Ingen ledige pladser lige nu"


def test_weekly_scores_above_every_other_week_above_monthly():
    b = borger()
    ugentlig = kandidat(frekvenser={"3-aften": "WEEKLY"})
    hver_anden = kandidat(frekvenser={"3-aften": "BIWEEKLY"})
    maanedlig = kandidat(frekvenser={"3-aften": "MONTHLY"})
    assert score(b, ugentlig) > score(b, hver_anden) > score(b, maanedlig)
    f = rank(b, [maanedlig], today=TODAY)[0]
    assert "Torsdag aften passer (hver måned)" in f.reasons
    assert "Mødes kun hver måned" in f.caveats


def test_the_best_fitting_meeting_counts_for_frequency():
    b = borger(tilgaengelighed=frozenset({"3-aften"}))
    k = kandidat(slots=frozenset({"1-formiddag", "3-aften"}), frekvenser={"1-formiddag": "WEEKLY", "3-aften": "MONTHLY"})
    assert score_parts(b, k, TODAY)[1]["hyppighed"] == engine.HYPPIGHED["MONTHLY"]  # she can only come monthly


def test_hidden_need_is_counted_per_need():
    b = borger(tilgaengelighedsbehov=frozenset({"koerestolsadgang"}))
    kor1, kor2 = kandidat(1), kandidat(2, distance_km=2)
    result = rank_forklaret(b, [kor1, kor2], today=TODAY)
    assert result.forslag == []
    assert result.skjulte == {"behov:koerestolsadgang": 2}
    assert result.tekster["behov:koerestolsadgang"] == "har ikke kørestolsadgang, som borgeren har brug for"
    assert [f.id for f in rank_forklaret(b, [kor1, kor2], today=TODAY, vis_skjulte=True).forslag] == [1, 2]


@pytest.mark.parametrize(("score_", "words"), [
    (100, "Passer meget godt"), (80, "Passer meget godt"), (79, "Passer godt"), (65, "Passer godt"),
    (64, "Passer rimeligt"), (45, "Passer rimeligt"), (44, "Passer svagt"), (0, "Passer svagt"),
])
def test_the_score_in_words(score_, words):
    assert engine.vurdering(score_) == words


def test_forslag_carries_the_words_and_reasons():
    f = rank(borger(), [kandidat()], today=TODAY)[0]
    assert f.vurdering == engine.vurdering(f.score)
    assert "Fælles interesser: sang og kor" in f.reasons


def test_target_groups_count():
    b = borger(udfordringer=frozenset({"ensomhed"}))
    aimed = kandidat(1, maalgrupper=frozenset({"ensomhed", "seniorer"}), distance_km=2)
    open_to_all = kandidat(2, distance_km=2)
    other = kandidat(3, maalgrupper=frozenset({"angst"}), distance_km=2)
    assert order(b, other, open_to_all, aimed) == [1, 2, 3]
    assert "Rettet mod: ensomhed" in rank(b, [aimed], today=TODAY)[0].reasons
    assert "Ikke rettet mod borgerens udfordringer" in rank(b, [other], today=TODAY)[0].caveats


def test_no_challenges_recorded_is_no_penalty():
    assert score_parts(borger(), kandidat(maalgrupper=frozenset({"angst"})), TODAY)[1]["maalgrupper"] == 1.0


@pytest.mark.parametrize("rolle", ["frivillig", "begge"])
def test_the_participants_age_range_does_not_block_volunteers(rolle):
    lektiecafe = kandidat(alder_min=13, alder_max=25, for_deltagere=True, for_frivillige=True)
    assert order(borger(alder=58, rolle=rolle), lektiecafe) == [1]
    assert order(borger(alder=58, rolle="deltager"), lektiecafe) == []
    # A role only for volunteers: its age range is the volunteers'.
    assert order(borger(alder=15, rolle=rolle), kandidat(alder_min=18, for_deltagere=False, for_frivillige=True)) == []


def test_a_second_meeting_time_never_lowers_the_schedule_score():
    b = borger()
    one = kandidat(1, slots=frozenset({"3-aften"}))
    two = kandidat(2, slots=frozenset({"3-aften", "5-formiddag"}))
    assert score_parts(b, one, TODAY)[2]["tider"] == score_parts(b, two, TODAY)[2]["tider"] == WEIGHTS["tider"]


def test_a_time_that_does_not_fit_drops_the_group_far_down():
    b = borger()
    cannot = kandidat(1, slots=frozenset({"5-formiddag"}), interesser=frozenset({"sang-og-kor", "faellesspisning"}))
    can = kandidat(2, interesser=frozenset(), distance_km=3, vaert_navn="", inklusionsparat=False)
    assert order(b, cannot, can) == [2, 1]
    fits = kandidat(1, slots=frozenset({"3-aften"}), interesser=frozenset({"sang-og-kor", "faellesspisning"}))
    assert score(b, fits) - score(b, cannot) == WEIGHTS["tider"] + engine.TID_STRAF


@pytest.mark.parametrize(("alder", "usikker", "alder_min", "alder_max", "ok"), [
    (24, True, 25, None, True),   # born 2001, it is 2026: maybe 25 already
    (24, False, 25, None, False),  # exactly 24
    (25, True, None, 25, True),
    (26, True, None, 25, False),  # surely 26 or more
])
def test_age_from_birth_year_excludes_only_the_surely_outside(alder, usikker, alder_min, alder_max, ok):
    b = borger(alder=alder, alder_usikker=usikker)
    assert bool(order(b, kandidat(alder_min=alder_min, alder_max=alder_max))) is ok


def test_price_is_read_against_an_economy_barrier():
    b = borger(barrierer=frozenset({"oekonomi-kontingent"}))
    dyr = kandidat(1, pris=600, distance_km=0.5)
    gratis = kandidat(2, pris=0, distance_km=3)
    assert order(b, dyr, gratis) == [2, 1]
    f = rank(b, [dyr], today=TODAY)[0]
    assert "Koster 600 kr., og borgeren har svært ved at betale kontingent" in f.caveats
    assert "Gratis" in rank(b, [gratis], today=TODAY)[0].reasons
    # Without the barrier the price does not count.
    assert score(borger(), dyr) == score(borger(), kandidat(1, pris=0, distance_km=0.5))


def test_the_caveats_list_every_shortfall():
    b = borger()
    k = kandidat(distance_km=12, kapacitet=0, interesser=frozenset(), sidst_bekraeftet=None,
                 inklusionsparat=False, vaert_navn="")
    f = rank_forklaret(b, [k], today=TODAY, vis_skjulte=True).forslag[0]
    assert f.caveat == f.caveats[0] == "Ingen ledige pladser lige nu"
    assert set(f.caveats) >= {"Ingen ledige pladser lige nu", "Længere væk end de 5 km, borgeren helst vil rejse",
                              "Ingen fælles interesser", "Oplysningerne er aldrig blevet bekræftet",
                              "Ingen fast vært, og foreningen er ikke klædt på til nye"}
