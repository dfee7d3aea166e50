"""The shape every report figure takes: a `Tabel` of rows, read by the report pages, the charts,
the exports (CSV, XLSX, PDF) and the network view alike (ARCHITECTURE.md, "Rapporter").

A table never holds personal data: only counts, rates, medians and names of fællesskaber,
foreninger, categories and centres. Cells that count people are marked in `taelle_kolonner`, so
the one suppression function can blank every count under 5 before a table leaves the centre.
"""

from dataclasses import dataclass, field
from datetime import date

Celle = str | int | float | None


@dataclass(frozen=True)
class Periode:
    """A report period, both days included, in the centre's local dates."""

    fra: date
    til: date


@dataclass
class Tabel:
    noegle: str                 # stable id: the export's file name and the page's anchor
    titel: str
    kolonner: list[str]
    raekker: list[list[Celle]]
    taelle_kolonner: frozenset[int] = field(default_factory=frozenset)  # columns that count people
    # Columns computed from a row's counts (a rate, a median, a mean change): blanked together with
    # the row's counts when suppression blanks any of them, so they cannot give a small count away.
    afledte_kolonner: frozenset[int] = field(default_factory=frozenset)
    note: str = ""              # source, denominator or caveat shown under the table
