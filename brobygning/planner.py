"""One statement planned with a PostgreSQL setting of its own (issue 15).

`random_page_cost` is the planner's price of a heap page fetched out of order. A few statements choose
the right index only with a lower price than the server's (matching's KNN query, the borger search);
they set it for themselves, in the same round trip, and reset it after.

`fetch_together`: a page's several reads of the same thing in one round trip.

`EnGangKompileret`: a query every request runs, compiled by the ORM once per process.

`fra_db`: a model instance from a row such statements read, with the ORM's converters applied.
"""

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.db import connections
from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import get_related_populators
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init


def fetch_with_random_page_cost(cursor, sql: str, params, cost: float, *, then: str | None = None,
                                foran: tuple[str, list] | None = None):
    """The rows of `sql` planned with `random_page_cost = cost`: `SET …; statement; RESET` in one round
    trip (client-side binding). PostgreSQL runs such a string as one implicit transaction, so when the
    statement fails the SET is rolled back with it; no reset is needed then (tests/brobygning/test_planner.py).

    `then`: a second statement (no parameters) sent in the same round trip, after `sql`; its rows are
    returned too, as `(rows, then_rows)`.
    `foran`: a statement and its parameters sent first, in the same round trip and planned with the server's
    own setting; its rows come first: `(foran_rows, rows)` or `(foran_rows, rows, then_rows)`. It is bound
    here as `execute` binds (`mogrify`), so its parameters may be of another style than `params`."""
    forrest = ""
    if foran is not None:
        forrest = cursor.mogrify(*foran) + "; "
        if params is not None:  # bound already: its literal % must not read as a placeholder of `params`
            forrest = forrest.replace("%", "%%")
    extra = f"; {then}" if then else ""
    cursor.execute(f"{forrest}SET random_page_cost = {float(cost)}; {sql}{extra}; RESET random_page_cost", params)
    sets = []  # the statements' rows in order, the SET's and RESET's (none) left out
    if foran is not None:
        sets.append(cursor.fetchall())
        cursor.nextset()
    cursor.nextset()
    sets.append(cursor.fetchall())
    if then:
        cursor.nextset()
        sets.append(cursor.fetchall())
    return tuple(sets) if len(sets) > 1 else sets[0]


@dataclass(frozen=True)
class Laesning:
    """One read for `fetch_together`: a statement, its parameters, and what makes its rows a result
    (`parse(rows, connection)`)."""

    sql: str
    params: list
    parse: Callable


def fetch_together(connection, laesninger: list[Laesning]) -> list:
    """Each read's result, in order. On PostgreSQL the statements go in one round trip (client-side
    binding: `a; b; c` with all parameters, the results by `cursor.nextset()`; issue 15: a round trip
    costs more than these reads of one borger take to run); elsewhere one query each."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(laesninger) > 1:
            cursor.execute("; ".join(laesning.sql for laesning in laesninger),
                           [param for laesning in laesninger for param in laesning.params])
            sets = []
            for i in range(len(laesninger)):
                if i:
                    cursor.nextset()
                sets.append(cursor.fetchall())
        else:
            sets = []
            for laesning in laesninger:
                cursor.execute(laesning.sql, laesning.params)
                sets.append(cursor.fetchall())
    return [laesning.parse(rows, connection) for laesning, rows in zip(laesninger, sets, strict=True)]


@cache
def _omformere(alias: str, model, felter: tuple) -> tuple:
    """(position, converters, column) for each of `felter` (attnames of `model`) whose value the ORM
    converts on this backend: what `SQLCompiler.get_converters` finds for a plain column."""
    connection = connections[alias]
    ud = []
    for pos, navn in enumerate(felter):
        kolonne = model._meta.get_field(navn).get_col(model._meta.db_table)
        if funktioner := [*connection.ops.get_db_converters(kolonne), *kolonne.get_db_converters(connection)]:
            ud.append((pos, funktioner, kolonne))
    return tuple(ud)


def omform(alias: str, model, felter: tuple, values) -> list | tuple:
    """`values` (a raw row's columns `felter` of `model`) as the ORM would have them: on SQLite a
    datetime is read as naive text and a boolean as 0 or 1; on PostgreSQL nothing changes."""
    omformere = _omformere(alias, model, felter)
    if not omformere:
        return values
    values, connection = list(values), connections[alias]
    for pos, funktioner, kolonne in omformere:
        for funktion in funktioner:
            values[pos] = funktion(values[pos], kolonne, connection)
    return values


def fra_db(model, alias: str, felter: tuple, values):
    """`model.from_db` for a raw row's columns `felter` (attnames, in the model's field order), after
    `omform`. Where nothing in Django's constructor acts on these fields (`_direkte`), the instance is made
    as that constructor leaves it, its values put straight in its `__dict__`: ~0.4 µs, not ~3.3 µs, which a
    list of meetings with their match, borger and fællesskab pays four times a row (issue 15)."""
    return _instans(model, alias, felter, omform(alias, model, felter, values))


def _instans(model, alias: str, felter: tuple, values):
    """`model.from_db(alias, felter, values)`, directly where `_direkte` allows (`fra_db`; the rows of
    `EnGangKompileret`, whose related objects Django's populators make)."""
    if not _direkte(model, felter) or pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model.from_db(alias, felter, values)
    obj = model.__new__(model)
    obj._state = ModelState()
    obj._state.adding, obj._state.db = False, alias
    obj.__dict__.update(zip(felter, values, strict=True))
    return obj


@cache
def _direkte(model, felter: tuple) -> bool:
    """Whether `model` keeps Django's `__init__` and `from_db`, and each of `felter` is a plain field, whose
    class attribute sets nothing but the value (a phone number's descriptor converts it as it is set, a
    file's wraps it). The signals are asked on every call: a receiver may be connected later."""
    if model.__init__ is not Model.__init__ or model.from_db.__func__ is not Model.from_db.__func__:
        return False
    return all(type(inspect.getattr_static(model, felt)) in (DeferredAttribute, ForeignKeyDeferredAttribute)
               for felt in felter)


# `EnGangKompileret`'s stand-in for a query with no value of its own.
INGEN = object()


class EnGangKompileret:
    """A query the ORM compiles once per process (per database alias) and that is run for a value
    many times: `bygget(vaerdi)` builds the queryset (its one parameter `vaerdi`, e.g. a user id), the
    first call compiles it with a stand-in value, and each call runs that SQL with the stand-in's
    parameter swapped for the value and makes the rows model instances as the ORM would (the model's
    fields, or those `only` names, `select_related` and annotations; not `prefetch_related` or `values`).
    For the statements every request runs (`brobygning.auth.Backend`), where building and compiling cost
    more than running the statement.

    `standin`: a value of the parameter's type that the query's other parameters never are. Should the
    compiled SQL hold it other than as exactly one parameter, every call builds and runs the query.
    Without one (`INGEN`), the query has no value of its own: `bygget(INGEN)` builds it whole, for a key
    that holds all that decides it (the koordinator's day lists, `matching.forside`), and it runs as compiled."""

    def __init__(self, bygget: Callable, standin, *, noegle: Callable = lambda: ()):
        self.bygget, self.standin, self.noegle = bygget, standin, noegle
        self._planer: dict = {}

    def _plan(self, alias: str):
        key = (alias, self.noegle())
        plan = self._planer.get(key)
        if plan is None:
            qs = self.bygget(self.standin)
            compiler = qs.query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            params = list(params)
            if self.standin is not INGEN and params.count(self.standin) != 1:  # pragma: no cover - the caller's shape
                plan = False
            else:
                select, klass_info = compiler.select, compiler.klass_info
                start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
                plan = (sql, params, None if self.standin is INGEN else params.index(self.standin), klass_info["model"],
                        tuple(s[0].target.attname for s in select[start:end]), start, end,
                        get_related_populators(klass_info, select, alias), dict(compiler.annotation_col_map or {}),
                        compiler.get_converters([s[0] for s in select[:compiler.col_count]]))
            self._planer[key] = plan
        return plan

    def __call__(self, vaerdi, *, alias: str) -> list:
        """The instances for `vaerdi` (as the database takes it: the caller prepares it), from `alias`."""
        statement = self.sql(vaerdi, alias=alias)
        if statement is None:
            return list(self.bygget(vaerdi).using(alias))
        with connections[alias].cursor() as cursor:
            cursor.execute(*statement)
            return self.instanser(cursor.fetchall(), alias=alias)

    def sql(self, vaerdi, *, alias: str) -> tuple[str, tuple] | None:
        """The compiled statement and its parameters for `vaerdi`, to run elsewhere (in another round
        trip's statements); None when it is not compiled once (then call the object)."""
        plan = self._plan(alias)
        if not plan:
            return None
        sql, params, i = plan[:3]
        return (sql, tuple(params)) if i is None else (sql, (*params[:i], vaerdi, *params[i + 1:]))

    def instanser(self, rows, *, alias: str) -> list:
        """The rows of `sql(…)`'s statement as model instances."""
        _sql, _params, _i, model, init_list, start, end, populators, annotations, converters = self._plan(alias)
        connection = connections[alias]
        out = []
        for row in rows:
            if converters:
                row = list(row)
                for pos, (funktioner, expression) in converters.items():
                    for funktion in funktioner:
                        row[pos] = funktion(row[pos], expression, connection)
            obj = _instans(model, alias, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, pos in annotations.items():
                setattr(obj, name, row[pos])
            out.append(obj)
        return out
