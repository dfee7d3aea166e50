"""A fællesskab's meeting times as stage 2 reads them: slots ("1-eftermiddag") and how often each is held.

On PostgreSQL the database keeps each fællesskab's current meetings as numbers on its row (migration
matching.0021): frequency × 1000 + weekday × 100 + starting hour, so stage 2 knows a monthly group from
a weekly one. Elsewhere stage 1 reads the meetings themselves (`candidates._details`).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType

from brobygning.availability import daypart_for_hour

FREKVENS_KODE = {"WEEKLY": 0, "BIWEEKLY": 1, "MONTHLY": 2}
_KODE_FREKVENS = {code: name for name, code in FREKVENS_KODE.items()}


@functools.cache
def slot(ugedag: int, hour: int) -> str:
    """The availability code of a meeting starting at `hour` on `ugedag`, e.g. "1-eftermiddag"."""
    return f"{ugedag}-{daypart_for_hour(hour)}"


def tilfoej(slots: set[str], frekvenser: dict[str, str], slot_: str, frekvens_kode: int) -> None:
    """One meeting in `slot_`; of two in the same slot, the more frequent counts."""
    slots.add(slot_)
    best = min(frekvens_kode, FREKVENS_KODE.get(frekvenser.get(slot_, "MONTHLY"), 2))
    frekvenser[slot_] = _KODE_FREKVENS.get(best, "WEEKLY")


@functools.lru_cache(maxsize=4096)
def moeder(codes: tuple[int, ...]) -> tuple[frozenset[str], Mapping[str, str]]:
    """The slots and frequencies of meetings by their kept codes. Remembered per process: most
    fællesskaber meet at one of a few hundred weekday, hour and frequency codes, so a page's 200
    candidates mostly share results (issue 15: decoding each meeting was about a third of stage 1's
    Python). Read-only, as stage 2 treats them."""
    slots: set[str] = set()
    frekvenser: dict[str, str] = {}
    for code in codes:
        tilfoej(slots, frekvenser, slot((code % 1000) // 100, code % 100), code // 1000)
    return frozenset(slots), MappingProxyType(frekvenser)
