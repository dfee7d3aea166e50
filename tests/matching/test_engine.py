"""Stage 2 of matching: pure unit tests, no database."""

from datetime import date, timedelta

import pytest
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import engine
from matching.engine import WEIGHTS, BorgerProfil, Kandidat, hard_filter, rank, score_parts

TODAY = date(2026, 3, 10)

NAVNE = {
    "strik": "Strik", "natur": "Natur", "gaature": "Gåture", "fodbold": "Fodbold", "musik": "Musik",
    "nervoes-for-nye-steder": "Nervøs for nye steder", "oekonomi-kontingent": "Økonomi (kontingent)",
    "sprog": "Sprog", "hoerenedsaettelse": "Hørenedsættelse",
    "fast-vaert-tager-imod": "Fast vært tager imod", "smaa-hold": "Små hold",
    "gratis-eller-lav-pris": "Gratis eller lav pris", "koerestolsadgang": "Kørestolsadgang",
    "teleslynge": "Teleslynge", "natur-og-friluftsliv": "Natur og friluftsliv",
    "musik-og-sang": "Musik og sang",
}


@pytest.fixture(autouse=True)
def _danish():
    with translation.override("da"):
        yield


def borger(**kw) -> BorgerProfil:
    base = {"alder": 40, "rolle": "deltager", "max_afstand_km": 5.0, "interesser": frozenset({"strik", "natur"}),
            "tilgaengelighed": frozenset({"1-eftermiddag", "3-aften"}), "tag_navne": NAVNE}
    return BorgerProfil(**(base | kw))


def kandidat(id=1, **kw) -> Kandidat:
    base = {"id": id, "distance_km": 1.0, "interesser": frozenset({"strik"}), "slots": frozenset({"1-eftermiddag"}),
            "inklusionsparat": True, "vaert_navn": "Hanne Jensen", "sidst_bekraeftet": TODAY - timedelta(days=10),
            "kapacitet": None, "tag_navne": NAVNE}
    return Kandidat(**(base | kw))


def only(b, k, **kw):
    result = rank(b, [k], today=TODAY, **kw)
    assert len(result) == 1
    return result[0]


def score(b, k) -> int:
    return score_parts(b, k, TODAY)[0]


# --- Weights ----------------------------------------------------------------------------------------


def test_weights_add_up_to_100():
    assert sum(WEIGHTS.values()) == 100


def test_a_perfect_fit_scores_100_and_has_no_caveat():
    b = borger(interesser=frozenset({"strik"}))
    f = only(b, kandidat(distance_km=0.5))
    assert f.score == 100
    assert f.caveat is None


# --- Ranking ----------------------------------------------------------------------------------------


def test_a_close_fitting_one_ranks_above_a_far_one():
    b = borger()
    near = kandidat(id=1, distance_km=1.2)
    far = kandidat(id=2, distance_km=30.0)
    assert [f.id for f in rank(b, [far, near], today=TODAY)] == [1, 2]


def test_interests_outrank_a_slightly_shorter_trip():
    b = borger()
    fits = kandidat(id=1, distance_km=3.0, interesser=frozenset({"strik", "natur"}))
    closer = kandidat(id=2, distance_km=1.0, interesser=frozenset({"fodbold"}))
    assert [f.id for f in rank(b, [closer, fits], today=TODAY)] == [1, 2]


def test_top_k_only():
    b = borger()
    ks = [kandidat(id=i, distance_km=float(i)) for i in range(1, 30)]
    result = rank(b, ks, k=5, today=TODAY)
    assert [f.id for f in result] == [1, 2, 3, 4, 5]


def test_ties_are_broken_by_distance_then_id_whatever_the_input_order():
    b = borger()
    ks = [kandidat(id=i, distance_km=0.5 + (i % 2) * 0.1) for i in (5, 3, 4, 1, 2)]
    first = [f.id for f in rank(b, ks, today=TODAY)]
    assert first == [2, 4, 1, 3, 5]  # same score: 0.5 km (even ids) before 0.6 km, then by id
    assert [f.id for f in rank(b, list(reversed(ks)), today=TODAY)] == first


def test_scores_are_sorted_descending():
    b = borger()
    ks = [kandidat(id=i, distance_km=i * 1.7, kapacitet=i % 3, inklusionsparat=i % 2 == 0) for i in range(1, 15)]
    scores = [f.score for f in rank(b, ks, today=TODAY)]
    assert scores == sorted(scores, reverse=True)


# --- Hard filters -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("alder", "alder_min", "alder_max", "ok"), [
    (40, 18, 65, True),
    (17, 18, 65, False),  # below
    (66, 18, 65, False),  # above
    (18, 18, 65, True),  # edges are inside
    (65, 18, 65, True),
    (None, 18, 30, True),  # no birth year: passes
    (80, None, None, True),
    (80, 60, None, True),
])
def test_age(alder, alder_min, alder_max, ok):
    b = borger(alder=alder)
    k = kandidat(alder_min=alder_min, alder_max=alder_max)
    assert hard_filter(b, k) is ok
    assert (len(rank(b, [k], today=TODAY)) == 1) is ok


def test_accessibility_needs_must_all_be_met():
    b = borger(tilgaengelighedsbehov=frozenset({"koerestolsadgang", "teleslynge"}))
    assert not rank(b, [kandidat(tilgaengelighed=frozenset({"koerestolsadgang"}))], today=TODAY)
    assert rank(b, [kandidat(tilgaengelighed=frozenset({"koerestolsadgang", "teleslynge", "smaa-hold"}))],
                today=TODAY)


@pytest.mark.parametrize(("rolle", "deltagere", "frivillige", "ok"), [
    ("deltager", True, False, True),
    ("deltager", False, True, False),
    ("frivillig", True, False, False),
    ("frivillig", False, True, True),
    ("begge", True, False, True),
    ("begge", False, True, True),
])
def test_role_offered(rolle, deltagere, frivillige, ok):
    k = kandidat(for_deltagere=deltagere, for_frivillige=frivillige)
    assert bool(rank(borger(rolle=rolle), [k], today=TODAY)) is ok


def test_declined_or_open_match_is_excluded():
    b = borger()
    ks = [kandidat(id=1), kandidat(id=2), kandidat(id=3)]
    assert [f.id for f in rank(b, ks, exclude={2}, today=TODAY)] == [1, 3]


# --- Parts and their reasons ------------------------------------------------------------------------


def test_interest_reason_lists_the_shared_interests():
    f = only(borger(), kandidat(interesser=frozenset({"natur", "strik", "fodbold"})))
    assert "Fælles interesser: natur, strik" in f.reasons


def test_no_shared_interests_is_the_caveat():
    f = only(borger(), kandidat(interesser=frozenset({"fodbold"})))
    assert f.parts["interesser"] == 0
    assert f.caveat == "Ingen fælles interesser"
    assert not any(r.startswith("Fælles interesser") for r in f.reasons)


def test_related_category_gives_partial_interest_credit():
    b = borger(interesser=frozenset({"natur"}))
    related = only(b, kandidat(interesser=frozenset(), kategori="natur-og-friluftsliv"))
    unrelated = only(b, kandidat(interesser=frozenset(), kategori="musik-og-sang"))
    assert 0 < related.parts["interesser"] < WEIGHTS["interesser"]
    assert unrelated.parts["interesser"] == 0
    assert "Kategorien natur og friluftsliv ligger tæt på borgerens interesser" in related.reasons


def test_category_outside_the_table_relates_by_its_name():
    b = borger(interesser=frozenset({"fotografi"}), tag_navne={"fotografi": "Fotografi"})
    k = kandidat(interesser=frozenset(), kategori="fotografiklub", tag_navne={"fotografiklub": "Fotografiklub"})
    assert only(b, k).parts["interesser"] > 0


def test_borger_without_interests_is_neutral_not_penalised():
    f = only(borger(interesser=frozenset()), kandidat())
    assert f.parts["interesser"] == WEIGHTS["interesser"] / 2
    assert f.caveat != "Ingen fælles interesser"


def test_distance_reason_uses_a_danish_decimal_comma():
    f = only(borger(), kandidat(distance_km=2.44))
    assert "2,4 km væk" in f.reasons


def test_distance_reason_whole_km_above_ten():
    f = only(borger(max_afstand_km=20), kandidat(distance_km=12.6))
    assert "13 km væk" in f.reasons


def test_distance_full_near_then_smooth_decay_then_strong_penalty_beyond_max():
    b = borger(max_afstand_km=8)
    pts = [only(b, kandidat(distance_km=d)).parts["afstand"] for d in (0.5, 2, 4, 6, 8, 9, 12, 16, 40)]
    assert pts[0] == pts[1] == WEIGHTS["afstand"]  # within a quarter of the max: full
    assert all(a > b for a, b in zip(pts[1:], pts[2:], strict=False))  # strictly decreasing after that
    assert pts[4] == pytest.approx(WEIGHTS["afstand"] * engine.AT_MAX)
    assert pts[4] - pts[5] > pts[3] - pts[4]  # steeper just beyond the max than just inside it
    assert pts[-1] < 0  # far beyond: a penalty, not just zero credit
    assert pts[-1] >= WEIGHTS["afstand"] * engine.FAR_FLOOR


def test_beyond_max_distance_is_the_caveat_and_no_distance_reason():
    f = only(borger(max_afstand_km=5), kandidat(distance_km=9.0))
    assert f.caveat == "Længere væk end de 5 km, borgeren helst vil rejse"
    assert not any(r.endswith("km væk") for r in f.reasons)


def test_texts_remembered_across_calls_follow_the_borger_and_the_language():
    """The explanations' texts are remembered per language for the process (`engine._memo`): the next
    borger's own max distance, and another language, still get their own words."""
    assert only(borger(max_afstand_km=5), kandidat(distance_km=9.0)).caveat == \
        "Længere væk end de 5 km, borgeren helst vil rejse"
    assert only(borger(max_afstand_km=7.5), kandidat(distance_km=9.0)).caveat == \
        "Længere væk end de 7,5 km, borgeren helst vil rejse"
    assert "2,4 km væk" in only(borger(), kandidat(distance_km=2.44)).reasons
    # Both round to 10, one decimal under 10 km and whole km above.
    assert "10,0 km væk" in only(borger(max_afstand_km=20), kandidat(distance_km=9.96)).reasons
    assert "10 km væk" in only(borger(max_afstand_km=20), kandidat(distance_km=10.04)).reasons
    with translation.override("en"):
        f = only(borger(max_afstand_km=5), kandidat(distance_km=9.0))
        assert "5 km" in f.caveat and "Længere" not in f.caveat
        assert "2.4 km away" in only(borger(), kandidat(distance_km=2.44)).reasons
    assert "2,4 km væk" in only(borger(), kandidat(distance_km=2.44)).reasons


def test_schedule_fit_reason_names_the_slot():
    f = only(borger(tilgaengelighed=frozenset({"1-eftermiddag"})), kandidat(slots=frozenset({"1-eftermiddag"})))
    assert "Tirsdag eftermiddag passer" in f.reasons
    assert f.parts["tider"] == WEIGHTS["tider"]


def test_schedule_reason_picks_the_earliest_matching_slot_in_the_week():
    b = borger(tilgaengelighed=frozenset({"0-aften", "3-formiddag", "3-aften"}))
    f = only(b, kandidat(slots=frozenset({"3-aften", "3-formiddag", "5-formiddag"})))
    assert "Torsdag formiddag passer" in f.reasons
    assert f.parts["tider"] == WEIGHTS["tider"]  # one fitting time is all it takes; others never lower it


def test_schedule_mismatch_is_the_caveat():
    f = only(borger(), kandidat(slots=frozenset({"5-formiddag"})))
    assert f.parts["tider"] == -engine.TID_STRAF
    assert f.caveat == "Mødetiderne passer ikke med borgerens tider"


def test_unknown_schedule_is_neutral():
    f = only(borger(tilgaengelighed=frozenset()), kandidat())
    assert f.parts["tider"] == WEIGHTS["tider"] / 2
    f = only(borger(), kandidat(slots=frozenset()))
    assert f.parts["tider"] == WEIGHTS["tider"] / 2
    assert not any(r.endswith("passer") for r in f.reasons)


def test_inclusion_ready_and_host_reasons():
    f = only(borger(), kandidat(inklusionsparat=True, vaert_navn="Hanne Marie Jensen"))
    assert "Foreningen er klædt på til at tage imod nye" in f.reasons
    assert "Fast vært: Hanne" in f.reasons
    assert f.parts["vaertsskab"] == WEIGHTS["vaertsskab"]


def test_neither_host_nor_inclusion_ready():
    b = borger(interesser=frozenset({"strik"}))
    f = only(b, kandidat(inklusionsparat=False, vaert_navn=" "))
    assert f.parts["vaertsskab"] == 0
    assert not any(r.startswith("Fast vært") for r in f.reasons)
    assert f.caveat == "Ingen fast vært, og foreningen er ikke klædt på til nye"


def test_freshness_full_within_8_weeks_decays_to_zero_when_stale_at_16():
    b = borger()
    def pts(days):
        return only(b, kandidat(sidst_bekraeftet=TODAY - timedelta(days=days))).parts["friskhed"]
    assert pts(0) == pts(56) == WEIGHTS["friskhed"]
    assert WEIGHTS["friskhed"] > pts(70) > pts(90) > pts(111) > 0
    assert pts(112) == pts(800) == 0
    assert "Oplysningerne er bekræftet inden for de sidste 8 uger" in only(b, kandidat()).reasons


def test_freshness_follows_the_centres_interval():
    b = borger(interesser=frozenset({"strik"}))
    k = kandidat(sidst_bekraeftet=TODAY - timedelta(days=100))
    four_weeks = rank(b, [k], today=TODAY, fresh_days=28)[0]
    twenty_weeks = rank(b, [k], today=TODAY, fresh_days=140)[0]
    assert four_weeks.parts["friskhed"] == 0
    assert four_weeks.caveat == "Oplysningerne er ikke bekræftet i over 8 uger"
    assert twenty_weeks.parts["friskhed"] == WEIGHTS["friskhed"]
    assert twenty_weeks.score > four_weeks.score


def test_stale_or_never_confirmed():
    b = borger(interesser=frozenset({"strik"}))
    old = only(b, kandidat(sidst_bekraeftet=TODAY - timedelta(days=400)))
    never = only(b, kandidat(sidst_bekraeftet=None))
    assert old.caveat == "Oplysningerne er ikke bekræftet i over 16 uger"
    assert never.caveat == "Oplysningerne er aldrig blevet bekræftet"
    assert never.parts["friskhed"] == 0


def test_capacity():
    b = borger(interesser=frozenset({"strik"}))
    assert rank(b, [kandidat(kapacitet=0)], today=TODAY) == []  # hidden (counted, see test_suggest)
    full = engine.rank_forklaret(b, [kandidat(kapacitet=0)], today=TODAY, vis_skjulte=True).forslag[0]
    assert full.parts["kapacitet"] == 0
    assert full.caveat == "Ingen ledige pladser lige nu"
    assert only(b, kandidat(kapacitet=None)).parts["kapacitet"] == WEIGHTS["kapacitet"]
    assert "1 ledig plads" in only(b, kandidat(kapacitet=1)).reasons
    assert "4 ledige pladser" in only(b, kandidat(kapacitet=4)).reasons
    assert score(b, kandidat(kapacitet=0)) < score(b, kandidat(kapacitet=1)) < score(b, kandidat(kapacitet=5))


def test_barrier_prefers_features():
    b = borger(barrierer=frozenset({"nervoes-for-nye-steder", "oekonomi-kontingent"}))
    both = kandidat(tilgaengelighed=frozenset({"smaa-hold"}), pris=0)
    one = kandidat(tilgaengelighed=frozenset({"teleslynge"}), pris=100)  # the price is no barrier under LAV_PRIS
    none = kandidat(tilgaengelighed=frozenset({"teleslynge"}), pris=600)
    assert score(b, both) > score(b, one) > score(b, none)
    assert "Tager hensyn til borgerens barrierer: små hold" in only(b, both).reasons
    assert "Gratis" in only(b, both).reasons
    assert only(b, one).parts["barrierer"] == WEIGHTS["barrierer"] / 2


def test_unmet_barrier_can_be_the_caveat():
    b = borger(interesser=frozenset({"strik"}), barrierer=frozenset({"hoerenedsaettelse"}))
    f = only(b, kandidat(tilgaengelighed=frozenset()))
    assert f.caveat == "Intet særligt hensyn til: hørenedsættelse"


def test_barrier_table_uses_seeded_slugs():
    features = {f for fs in engine.BARRIER_PREFERS.values() for f in fs}
    assert features <= {
        "koerestolsadgang", "handicaptoilet", "stille-rum-eller-pauserum", "smaa-hold", "fast-vaert-tager-imod",
        "gratis-eller-lav-pris", "tolk-eller-engelsktalende", "taet-paa-offentlig-transport", "teleslynge",
        "man-maa-tage-en-ledsager-med", "intet-krav-om-fremmoede-hver-gang",
    }


def test_no_barriers_means_full_barrier_part():
    assert only(borger(), kandidat()).parts["barrierer"] == WEIGHTS["barrierer"]


def test_caveat_is_the_costliest_shortcoming():
    b = borger(max_afstand_km=5)
    # Far beyond the max (costs all the distance points + penalty) and stale (costs 3): distance first.
    f = only(b, kandidat(distance_km=20, sidst_bekraeftet=None))
    assert f.caveat.startswith("Længere væk")
    assert f.caveats[1] == "Oplysningerne er aldrig blevet bekræftet"
    # Near, no shared interests (30) and stale (5): interests win.
    f = only(b, kandidat(interesser=frozenset(), sidst_bekraeftet=None))
    assert f.caveat == "Ingen fælles interesser"


def test_reasons_follow_the_active_language():
    with translation.override("en"):
        f = only(borger(), kandidat(distance_km=2.44))
    assert any("2.4" in r for r in f.reasons)  # English number format, whether or not the text is translated


def test_custom_weights():
    b = borger()
    k = kandidat(distance_km=30)
    only_distance = dict.fromkeys(WEIGHTS, 0) | {"afstand": 100}
    assert rank(b, [k], today=TODAY, weights=only_distance)[0].score == 0


# --- Properties -------------------------------------------------------------------------------------

SLUGS = ["strik", "natur", "gaature", "fodbold", "musik"]
FEATURES = ["smaa-hold", "fast-vaert-tager-imod", "gratis-eller-lav-pris", "koerestolsadgang", "teleslynge"]
BARRIERS = ["nervoes-for-nye-steder", "oekonomi-kontingent", "sprog", "hoerenedsaettelse", "tidspunkter"]
SLOT_CODES = [f"{d}-{p}" for d in range(7) for p in ("formiddag", "eftermiddag", "aften")]

ages = st.none() | st.integers(min_value=10, max_value=110)
kandidater = st.builds(
    Kandidat,
    id=st.integers(min_value=1, max_value=10_000),
    distance_km=st.floats(min_value=0, max_value=500, allow_nan=False),
    alder_min=ages, alder_max=ages,
    for_deltagere=st.booleans(), for_frivillige=st.booleans(),
    interesser=st.frozensets(st.sampled_from(SLUGS)),
    tilgaengelighed=st.frozensets(st.sampled_from(FEATURES)),
    kategori=st.none() | st.sampled_from(["natur-og-friluftsliv", "musik-og-sang", "ukendt-kategori"]),
    slots=st.frozensets(st.sampled_from(SLOT_CODES), max_size=4),
    inklusionsparat=st.booleans(),
    vaert_navn=st.sampled_from(["", "Hanne Jensen", " "]),
    sidst_bekraeftet=st.none() | st.dates(min_value=date(2020, 1, 1), max_value=TODAY),
    kapacitet=st.none() | st.integers(min_value=0, max_value=50),
    maalgrupper=st.frozensets(st.sampled_from(["ensomhed", "angst", "ny-i-danmark"])),
    frekvenser=st.dictionaries(st.sampled_from(SLOT_CODES), st.sampled_from(["WEEKLY", "BIWEEKLY", "MONTHLY"])),
    pris=st.floats(min_value=0, max_value=2000, allow_nan=False),
)
borgere = st.builds(
    BorgerProfil,
    alder=ages,
    rolle=st.sampled_from(["deltager", "frivillig", "begge"]),
    max_afstand_km=st.floats(min_value=1, max_value=200, allow_nan=False),
    interesser=st.frozensets(st.sampled_from(SLUGS)),
    udfordringer=st.frozensets(st.sampled_from(["ensomhed", "angst", "ny-i-danmark"])),
    alder_usikker=st.booleans(),
    barrierer=st.frozensets(st.sampled_from(BARRIERS)),
    tilgaengelighedsbehov=st.frozensets(st.sampled_from(FEATURES), max_size=2),
    tilgaengelighed=st.frozensets(st.sampled_from(SLOT_CODES), max_size=8),
)


@settings(max_examples=200, deadline=None)
@given(b=borgere, ks=st.lists(kandidater, max_size=25, unique_by=lambda k: k.id),
       exclude=st.frozensets(st.integers(min_value=1, max_value=10_000), max_size=5),
       k=st.integers(min_value=0, max_value=30))
def test_property_scores_in_range_and_hard_filters_hold(b, ks, exclude, k):
    result = rank(b, ks, exclude=exclude, k=k, today=TODAY)
    assert len(result) <= k
    allowed = {c.id for c in ks if hard_filter(b, c, exclude)}
    assert len(result) == min(k, len(allowed))
    for f in result:
        assert 0 <= f.score <= 100
        assert f.id in allowed and f.id not in exclude
        c = f.kandidat
        assert b.tilgaengelighedsbehov <= c.tilgaengelighed
        if b.alder is not None and (b.rolle == "deltager" or not c.for_deltagere):
            assert c.alder_min is None or b.alder + b.alder_usikker >= c.alder_min
            assert c.alder_max is None or b.alder <= c.alder_max
        assert c.kapacitet is None or c.kapacitet > 0
        assert all(isinstance(r, str) and r for r in f.reasons)
    keys = [(-f.score, f.kandidat.distance_km, f.id) for f in result]
    assert keys == sorted(keys)



@settings(max_examples=200, deadline=None)
@given(b=borgere, ks=st.lists(kandidater, max_size=25, unique_by=lambda k: k.id),
       weights=st.fixed_dictionaries({name: st.integers(min_value=0, max_value=40) for name in WEIGHTS}))
def test_property_the_ranked_score_is_the_sum_of_the_parts_it_explains(b, ks, weights):
    """Ranking adds the parts up written out (`rank_forklaret`), the explanation part by part
    (`engine.fractions`): each weight must meet its own part, whatever the weights."""
    for f in engine.rank_forklaret(b, ks, k=25, today=TODAY, weights=weights, vis_skjulte=True).forslag:
        fractions = engine.fractions(b, f.kandidat, TODAY)
        assert f.parts == {name: weights[name] * fractions[name] for name in WEIGHTS}
        assert f.score == max(0, min(100, round(sum(f.parts.values()))))

# --- Cost (issue 15) --------------------------------------------------------------------------------


def test_the_far_caveat_is_formatted_once_per_call(monkeypatch):
    """Every candidate beyond the borger's max distance gets the same caveat; its number is formatted once
    (for the language and the distance, `engine._memo`)."""
    calls = []
    real = engine.number_format

    def counting(value, *args, **kw):
        calls.append(value)
        return real(value, *args, **kw)

    monkeypatch.setattr(engine, "number_format", counting)
    monkeypatch.setattr(engine, "_MEMOER", {})  # what earlier tests remembered
    b = borger(max_afstand_km=5.0)
    out = engine.forklar(b, [kandidat(i, distance_km=20.0 + i) for i in range(1, 4)], today=TODAY)
    assert [f.caveats[0] for f in out] == ["Længere væk end de 5 km, borgeren helst vil rejse"] * 3
    assert calls == [5]
    engine.forklar(b, [kandidat(4, distance_km=30.0)], today=TODAY)  # remembered for the language
    assert calls == [5]
