"""How apps above foreninger add to the public directory, without foreninger importing them.

matching registers a provider of the centre's coming public arrangementer (`matching.apps`); the
directory page (`foreninger.views.public.directory`) shows what the providers give. A provider is
`provider(center, limit) -> PublicEvents | None` and must return only what is public: no personal data.

The HSDS API shows the same events as services with one schedule per date
(`foreninger.hsds.serialize.event_service`): `register_hsds_events(provider)`, where
`provider(center | None, limit) -> list[EventService]` (None: every centre), soonest first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class PublicEvent:
    titel: str
    start: datetime
    sted: str
    url: str
    slags: str = ""


@dataclass(frozen=True)
class PublicEvents:
    items: list[PublicEvent] = field(default_factory=list)
    alle_url: str = ""  # the page with all of them
    ical_url: str = ""  # their iCal feed


@dataclass(frozen=True)
class EventDate:
    uid: str  # a stable UUID
    start: datetime
    slut: datetime


@dataclass(frozen=True)
class EventService:
    """A public event as the HSDS API shows it: what the public page shows, nothing more."""

    uid: str  # a stable UUID
    titel: str
    beskrivelse: str
    slags: str
    maalgruppe: str
    sted: str
    online_link: str
    url: str  # the public page, with the registration form
    center_navn: str
    center_email: str
    opdateret: datetime
    datoer: list[EventDate] = field(default_factory=list)


_providers: list[Callable] = []
_hsds_providers: list[Callable] = []


def register_public_events(provider: Callable) -> None:
    if provider not in _providers:
        _providers.append(provider)


def public_events(center, limit: int = 5) -> list[PublicEvents]:
    return [events for provider in _providers if (events := provider(center, limit)) is not None]


def register_hsds_events(provider: Callable) -> None:
    if provider not in _hsds_providers:
        _hsds_providers.append(provider)


def hsds_events(center, limit: int) -> list[EventService]:
    """Every provider's public events for the HSDS API (`center` None: the whole deployment)."""
    return [event for provider in _hsds_providers for event in provider(center, limit)][:limit]
