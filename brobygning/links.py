"""Links to a page whose only URL argument is an integer id, reversed once per process (and URL
configuration and prefix) with the id put in afterwards: a list of 25 or 140 rows otherwise calls
`reverse()` once per row (PERFORMANCE.md, "The borger pages"). The template tag `{% pk_url %}`
(`brobygning_tags`) and code that prepares a list's links both use this."""

import functools

from django.urls import get_script_prefix, get_urlconf, reverse

_PK_PLADS = 987654321  # stands for the id while the URL is reversed once


@functools.lru_cache(maxsize=256)
def _pk_url(name: str, urlconf, prefix: str) -> tuple[str, str]:
    foer, _plads, efter = reverse(name, urlconf=urlconf, args=[_PK_PLADS]).rpartition(str(_PK_PLADS))
    return foer, efter


def pk_url(name: str, pk) -> str:
    """`reverse(name, args=[pk])`."""
    foer, efter = _pk_url(name, get_urlconf(), get_script_prefix())
    return f"{foer}{int(pk)}{efter}"


def pk_urls(name: str, pks) -> list[str]:
    """`pk_url` for each of `pks`: the URL configuration and prefix looked up once for the list."""
    foer, efter = _pk_url(name, get_urlconf(), get_script_prefix())
    return [f"{foer}{int(pk)}{efter}" for pk in pks]
