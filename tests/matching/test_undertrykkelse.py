"""Suppression of small counts (matching/undertrykkelse.py): the one function every export uses."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.rapport_tabel import Tabel
from matching.undertrykkelse import skjult, smaa_celler, undertryk

SKJULT = skjult()


def tjek_ingen_smaa(tabel: Tabel) -> None:
    """Fails when any count cell holds 1 to 4. Every export test runs it on what it exported."""
    smaa = smaa_celler(tabel)
    assert not smaa, f"celler med 1-4 i {tabel.noegle}: {smaa}"


def tabel(raekker, taelle=(1,), afledte=(), kolonner=None):
    bredde = len(raekker[0]) if raekker else 3
    return Tabel(noegle="t", titel="T", kolonner=kolonner or [f"k{i}" for i in range(bredde)],
                 raekker=raekker, taelle_kolonner=frozenset(taelle), afledte_kolonner=frozenset(afledte))


def test_the_checker_fails_on_any_cell_from_1_to_4():
    for n in (1, 2, 3, 4):
        with pytest.raises(AssertionError):
            tjek_ingen_smaa(tabel([["a", 10], ["b", n]]))
    tjek_ingen_smaa(tabel([["a", 0], ["b", 5], ["c", SKJULT]]))


def test_small_counts_are_blanked_zero_and_five_stay():
    ud = undertryk(tabel([["a", 0], ["b", 1], ["c", 4], ["d", 5], ["e", 120]]))
    assert ud.raekker == [["a", 0], ["b", SKJULT], ["c", SKJULT], ["d", 5], ["e", 120]]
    assert "<5" in ud.note


def test_labels_are_never_touched_and_the_input_is_unchanged():
    original = tabel([[3, 3], ["b", 7]], taelle=(1,))
    ud = undertryk(original)
    assert ud.raekker == [[3, SKJULT], ["b", 7]]
    assert original.raekker == [[3, 3], ["b", 7]]


def test_derived_cells_of_a_blanked_row_are_blanked():
    ud = undertryk(tabel([["a", 40, 30, 0.75], ["b", 8, 2, 0.25]], taelle=(1, 2), afledte=(3,)))
    assert ud.raekker == [["a", 40, 30, 0.75], ["b", 8, SKJULT, None]]


def test_a_total_row_gets_a_second_cell_blanked():
    # Without secondary suppression, 3 = 23 - 8 - 12 could be worked out.
    ud = undertryk(tabel([["a", 3], ["b", 8], ["c", 12], ["I alt", 23]]))
    assert ud.raekker == [["a", SKJULT], ["b", SKJULT], ["c", 12], ["I alt", 23]]


def test_a_total_row_with_nothing_else_to_blank_blanks_the_total():
    ud = undertryk(tabel([["a", 3], ["b", 0], ["c", 0], ["I alt", 3]]))
    assert ud.raekker == [["a", SKJULT], ["b", 0], ["c", 0], ["I alt", SKJULT]]


def test_a_total_column_is_protected_along_the_row():
    ud = undertryk(tabel([["a", 2, 10, 9, 21], ["b", 10, 10, 10, 30]], taelle=(1, 2, 3, 4)))
    assert ud.raekker[0] == ["a", SKJULT, 10, SKJULT, 21]
    assert ud.raekker[1] == ["b", 10, 10, 10, 30]


def _totaler_er_beskyttede(raekker, ud, kolonner):
    """No column has exactly one blanked cell when the last row is its total."""
    for k in kolonner:
        skjulte = [r[k] for r in ud.raekker if r[k] == SKJULT]
        assert len(skjulte) != 1, (raekker, ud.raekker)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.integers(min_value=0, max_value=40), min_size=3, max_size=3), min_size=0, max_size=8),
       st.booleans())
def test_property_no_count_cell_is_1_to_4_and_totals_cannot_be_subtracted(celler, med_total):
    raekker = [[f"r{i}", *c, 0.5] for i, c in enumerate(celler)]
    if med_total and len(raekker) >= 2:
        raekker.append(["I alt", *(sum(c[k] for c in celler) for k in range(3)), 1.0])
    ud = undertryk(tabel(raekker, taelle=(1, 2, 3), afledte=(4,)))
    tjek_ingen_smaa(ud)
    for original, ny in zip(raekker, ud.raekker, strict=True):
        assert ny[0] == original[0]
        for k in (1, 2, 3):
            assert ny[k] in (original[k], SKJULT)
            assert (ny[k] == 0) == (original[k] == 0)  # zeros stay, nothing else becomes zero
        if any(ny[k] == SKJULT for k in (1, 2, 3)):
            assert ny[4] is None
    if med_total and len(raekker) >= 3 and any(any(c) for c in celler):
        _totaler_er_beskyttede(raekker, ud, (1, 2, 3))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=3), st.integers(-5, 50), st.floats(0, 50)),
                min_size=4, max_size=4), st.integers(1, 10))
def test_property_any_cells_any_threshold(raekke, mindst):
    ud = undertryk(tabel([raekke, list(raekke)], taelle=(0, 1, 2, 3)), mindst=mindst)
    assert smaa_celler(ud, mindst=mindst) == []
