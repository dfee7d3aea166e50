"""How apps above foreninger add to the public directory, without foreninger importing them.

matching registers a provider of the centre's coming public arrangementer (`matching.apps`); the
directory page (`foreninger.views.public.directory`) shows what the providers give. A provider is
`provider(center, limit) -> PublicEvents | None` and must return only what is public: no personal data.
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


_providers: list[Callable] = []


def register_public_events(provider: Callable) -> None:
    if provider not in _providers:
        _providers.append(provider)


def public_events(center, limit: int = 5) -> list[PublicEvents]:
    return [events for provider in _providers if (events := provider(center, limit)) is not None]
