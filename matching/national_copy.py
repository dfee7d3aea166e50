"""COPY rows straight into a model's own table (PostgreSQL only), for the national dataset.

Table and column names come from the model's `_meta`, never from hand-written SQL names, and every
required column must be given or have a default, so a model change makes the generator fail loudly
instead of writing rows that no longer fit.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.management.color import no_style
from django.db import connection, models
from django.utils import timezone
from psycopg.types.json import Jsonb


class ModelDrift(Exception):
    """The model has a required column the generator does not fill."""


class Copier:
    def __init__(self):
        self.counts: dict[str, int] = {}
        self.models: list[type[models.Model]] = []
        self.now = timezone.now()

    def next_id(self, model) -> int:
        """The first free primary key: the generator assigns ids itself, so parents can be referenced."""
        with connection.cursor() as cursor:
            cursor.execute(f'SELECT COALESCE(MAX("{model._meta.pk.column}"), 0) + 1 FROM "{model._meta.db_table}"')  # noqa: S608 - names from _meta
            return cursor.fetchone()[0]

    def copy(self, model, field_names: list[str], rows: Iterable[tuple]) -> int:
        """Writes `rows` (values in the order of `field_names`) with one COPY; fills the other columns
        from their defaults. Returns the number of rows."""
        meta = model._meta
        given = [meta.get_field(name) for name in field_names]
        extra, extra_values = [], []  # defaults: a constant, or a callable called per row
        for field in meta.concrete_fields:
            if field in given or field.generated:  # the database computes a generated column
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                extra.append(field)
                extra_values.append(self.now)
            elif field.has_default():
                extra.append(field)
                extra_values.append(field.default)
            elif field.null or field.primary_key:
                continue
            elif field.blank and field.empty_strings_allowed:  # an optional text field, as the ORM saves it
                extra.append(field)
                extra_values.append("")
            else:
                raise ModelDrift(f"{meta.label}.{field.name} is required but the national generator does not fill it.")
        columns = [f.column for f in given + extra]
        json_at = [i for i, f in enumerate(given + extra) if isinstance(f, models.JSONField)]
        callables = [(len(given) + i, v) for i, v in enumerate(extra_values) if callable(v)]
        constants = [None if callable(v) else v for v in extra_values]
        column_sql = ", ".join(f'"{c}"' for c in columns)
        n = 0
        with connection.cursor() as cursor, cursor.cursor.copy(
            f'COPY "{meta.db_table}" ({column_sql}) FROM STDIN'  # noqa: S608 - names from _meta
        ) as copy:
            for row in rows:
                values = [*row, *constants]
                for i, make in callables:
                    values[i] = make()
                for i in json_at:
                    values[i] = Jsonb(values[i])
                copy.write_row(values)
                n += 1
        self.counts[meta.label] = self.counts.get(meta.label, 0) + n
        if model not in self.models:
            self.models.append(model)
        return n

    def finish(self) -> None:
        """Moves each sequence past the ids written, then ANALYZE so the planner sees the new volume."""
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), self.models):
                cursor.execute(sql)
            for model in self.models:
                cursor.execute(f'ANALYZE "{model._meta.db_table}"')
