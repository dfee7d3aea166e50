"""How apps built on borgere take part in a borger's life, without borgere importing them.

An app that keeps data about a borger (matching: matches, meetings, follow-ups, their påmindelser)
registers one `BorgerData` in its `AppConfig.ready()`. borgere calls every registered part:

* `archived(borger)`: the borger was archived (inside the transaction);
* `consent_changed(borger_id)`: a consent was given or withdrawn (after commit);
* `anonymise(borger)`: art. 17 — remove what identifies the person, keep what statistics need
  (inside the transaction that anonymises the borger);
* `export(borger) -> dict`: art. 15 — the part's sections of the borger's insight export;
* `last_activity() -> list`: expressions (over a Borger queryset) of the part's latest activity
  dates, for the retention period. They are stored in `Borger.sidste_aktivitet`: the part's services
  call `borgere.gdpr.aktivitet_registreret(borger_id)` after each write that is activity;
* `timeline(actor, borger) -> list[Haendelse]`: the part's lines in the borger's forløb, as the
  actor may see them;
* `activity_recorded(borger_ids)` (optional): called by `aktivitet_registreret` after each write
  that is activity, in the same transaction, so a part can keep its own summary of the borger
  (matching: the forløb summary the reports read).

A new app with data about borgere must register here, or art. 15 and 17 would miss its data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime


@dataclass(frozen=True)
class Haendelse:
    """One line in a borger's forløb (the timeline on the borger page)."""

    dato: date | datetime
    slags: str
    titel: str
    detalje: str
    url: str | None = None


@dataclass(frozen=True)
class BorgerData:
    name: str
    archived: Callable
    consent_changed: Callable
    anonymise: Callable
    export: Callable
    last_activity: Callable
    timeline: Callable
    activity_recorded: Callable | None = None
    # `timeline`'s read as a `brobygning.planner.Laesning`, which the borger page sends with its own
    # reads in one round trip (`selectors.borger_side`); the same lines as `timeline`.
    timeline_laesning: Callable | None = None


_parts: dict[str, BorgerData] = {}


def register(part: BorgerData) -> None:
    _parts[part.name] = part


def parts() -> list[BorgerData]:
    return list(_parts.values())
