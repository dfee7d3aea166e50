"""Suppression of small counts: the one function every table goes through before it leaves the
centre (exports, the funder PDF, the network view). ARCHITECTURE.md, "Rapporter".

The rule, for the cells in a table's `taelle_kolonner` (columns that count people):

* A count of 1 to `mindst - 1` (1–4 by default) is blanked and shown as "<5".
* 0 stays 0: nobody is counted, so nobody can be recognised, and a report full of "<5" where the
  truth is "none" would mislead a funder. (Zero never helps to work out a blanked cell: see below.)
* When any count in a row is blanked, the row's derived cells (`afledte_kolonner`: rates, medians,
  mean changes) are blanked too, as they could give the small count away.
* Secondary suppression: when a row (or count column) is the sum of the others — a total — a
  single blanked cell could be worked out by subtracting. So in every such line with exactly one
  blanked cell, the smallest other non-zero count is blanked as well (or, when there is none, the
  total itself), repeated until no line has a single blanked cell. Totals are recognised by their
  values, not by a label, so a new table with an "I alt" row is covered without being marked.

Non-count cells (names, labels) are never touched. The input table is not changed.
"""

from dataclasses import replace

from django.utils.translation import gettext as _

from matching.rapport_tabel import Celle, Tabel

MINDST = 5


def skjult(mindst: int = MINDST) -> str:
    """What a blanked count shows: "<5"."""
    return f"<{mindst}"


def _er_tal(celle: Celle) -> bool:
    return isinstance(celle, int | float) and not isinstance(celle, bool)


def _sum_linjer(vaerdier: list[list[Celle]], kolonner: list[int]) -> list[int]:
    """The indexes of the rows that are the sum of all the other rows in every count column
    (with at least two other rows, and a non-zero sum somewhere)."""
    if len(vaerdier) < 3 or not kolonner:
        return []
    fundet = []
    for i, raekke in enumerate(vaerdier):
        if not all(_er_tal(raekke[k]) for k in kolonner):
            continue
        andre = [r for j, r in enumerate(vaerdier) if j != i]
        if not all(_er_tal(r[k]) for r in andre for k in kolonner):
            continue
        summer = [sum(r[k] for r in andre) for k in kolonner]
        if any(summer) and all(raekke[k] == s for k, s in zip(kolonner, summer, strict=True)):
            fundet.append(i)
    return fundet[:1]  # two "totals" would each be the sum of the other: take the first only


def _sum_kolonner(vaerdier: list[list[Celle]], kolonner: list[int]) -> list[int]:
    """The count columns that are, in every row, the sum of the other count columns."""
    if len(kolonner) < 3 or not vaerdier:
        return []
    for k in kolonner:
        andre = [c for c in kolonner if c != k]
        if all(_er_tal(r[c]) for r in vaerdier for c in kolonner) and \
                any(r[k] for r in vaerdier) and all(r[k] == sum(r[c] for c in andre) for r in vaerdier):
            return [k]
    return []


def undertryk(tabel: Tabel, mindst: int = MINDST) -> Tabel:
    """A copy of `tabel` with every count of 1..mindst-1 blanked ("<5"), the derived cells of those
    rows blanked, and totals protected by secondary suppression (see the module's docstring)."""
    kolonner = sorted(k for k in tabel.taelle_kolonner if k < len(tabel.kolonner))
    raekker = [list(r) for r in tabel.raekker]
    blank: set[tuple[int, int]] = {
        (i, k) for i, r in enumerate(raekker) for k in kolonner if _er_tal(r[k]) and 0 < r[k] < mindst
    }
    sum_raekker = _sum_linjer(raekker, kolonner)
    sum_kolonner = _sum_kolonner(raekker, kolonner)

    # Lines (sets of cells) whose sum is shown elsewhere: columns under a total row, rows beside a
    # total column. Each line's total cell is part of it.
    linjer: list[list[tuple[int, int]]] = []
    if sum_raekker:
        linjer += [[(i, k) for i in range(len(raekker))] for k in kolonner]
    if sum_kolonner:
        linjer += [[(i, k) for k in kolonner] for i in range(len(raekker))]
    totaler = {(t, k) for t in sum_raekker for k in kolonner} | {(i, t) for t in sum_kolonner for i in range(len(raekker))}

    aendret = True
    while aendret:
        aendret = False
        for linje in linjer:
            skjulte = [c for c in linje if c in blank]
            if len(skjulte) != 1:
                continue
            kandidater = sorted((raekker[i][k], (i, k)) for i, k in linje
                                if (i, k) not in blank and (i, k) not in totaler and raekker[i][k])
            if kandidater:
                blank.add(kandidater[0][1])
            else:
                blank.update(c for c in linje if c in totaler)
            aendret = True

    raekker_med_blank = {i for i, _k in blank}
    for i, k in blank:
        raekker[i][k] = skjult(mindst)
    for i in raekker_med_blank:
        for k in tabel.afledte_kolonner:
            if k < len(raekker[i]):
                raekker[i][k] = None
    note = tabel.note
    if blank:
        tekst = _("Tal under %(mindst)s vises som “%(skjult)s”, og tal, der kunne afsløre dem, er også skjult.") % {
            "mindst": mindst, "skjult": skjult(mindst)}
        note = f"{note} {tekst}".strip()
    return replace(tabel, raekker=raekker, note=note)


def smaa_celler(tabel: Tabel, mindst: int = MINDST) -> list[tuple[int, int, Celle]]:
    """Every count cell that still holds 1..mindst-1, as (row, column, value): empty after `undertryk`.
    The check every export test runs, and the exports assert it before anything leaves."""
    return [(i, k, r[k]) for i, r in enumerate(tabel.raekker) for k in sorted(tabel.taelle_kolonner)
            if k < len(r) and _er_tal(r[k]) and 0 < r[k] < mindst]
