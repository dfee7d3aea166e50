"""The HSDS 3.0 JSON schemas (copied into `schema/`, see its README) as ready jsonschema validators."""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import jsonschema_rs
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).resolve().parent / "schema"

format_checker = FormatChecker()


@format_checker.checks("date-time", raises=ValueError)
def _is_datetime(value) -> bool:
    return not isinstance(value, str) or bool(datetime.fromisoformat(value))


@format_checker.checks("date", raises=ValueError)
def _is_date(value) -> bool:
    return not isinstance(value, str) or bool(date.fromisoformat(value))


@format_checker.checks("uri")
def _is_uri(value) -> bool:
    if not isinstance(value, str):
        return True
    parts = urlsplit(value)
    return bool(parts.scheme and (parts.netloc or parts.path))


def load(name: str) -> dict:
    return json.loads((SCHEMA_DIR / f"{name}.json").read_text(encoding="utf-8"))


@cache
def _registry() -> Registry:
    # taxonomy_term.json refers to taxonomy.json and metadata.json by relative name.
    resources = [("taxonomy.json", load("taxonomy")), ("metadata.json", {"type": "object"})]
    return Registry().with_resources(
        (uri, Resource.from_contents(contents, default_specification=DRAFT202012)) for uri, contents in resources
    )


@cache
def validator(name: str) -> Draft202012Validator:
    """A validator for `name` (e.g. "service"), built once per process."""
    return Draft202012Validator(load(name), registry=_registry(), format_checker=format_checker)


def errors(name: str, instance) -> list[str]:
    """Readable messages for every way `instance` breaks schema `name` (empty when it is valid)."""
    return [
        f"{'/'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message}"
        for error in validator(name).iter_errors(instance)
    ]


@cache
def fast_validator(name: str):
    """The same schema compiled by jsonschema-rs: about a hundred times faster, for checking uploads."""
    return jsonschema_rs.validator_for(load(name), validate_formats=True)


def fast_errors(name: str, instance, limit: int = 5) -> list[str]:
    found = []
    for error in fast_validator(name).iter_errors(instance):
        found.append(f"{'/'.join(str(p) for p in error.instance_path) or '(top)'}: {error.message}")
        if len(found) >= limit:
            break
    return found
