"""A choice's label as `get_FOO_display` gives it, from a table per language: Django's rebuilds the
field's choices into a dict on every call (~15–25 µs), which a list pays once per row (issue 15)."""

import functools

from django.utils import translation


@functools.lru_cache(maxsize=256)
def _tekst(choices, _sprog: str | None, value) -> str:
    return str(dict(choices.choices).get(value, value))


def tekst(choices, value) -> str:
    """The label of `value` among `choices` (a TextChoices class) in the active language; an unknown
    value as itself, as Django's `get_FOO_display` gives it."""
    return _tekst(choices, translation.get_language(), value)
