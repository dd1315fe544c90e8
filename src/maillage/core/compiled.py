"""Fixed-shape queries compiled to SQL once per process.

Django compiles a queryset to SQL at every evaluation. For the few statements nearly every
request sends (its session, its user, the reader's circle of care and the consents that
open it), that compilation cost more than the database's own work: 0.4 to 1 ms each, where
PostgreSQL answers in 0.1 ms (BENCHMARKS.md, eighth round). A CompiledQuery builds its
queryset once, with placeholder values, keeps the SQL and Django's compiler, and at each
call only puts the real values in the parameters' places and converts the rows as the ORM
would (the compiler's converters: a UUID read from SQLite's text, an aware datetime).

Only for queries whose shape never depends on the values: the same joins, the same
conditions, one placeholder per value (no None). A list of values (`Many(field)`, for an
`__in`) is one placeholder per item, so the SQL depends on the list's length: it is
compiled once per length met (a reader's caseload, a page: a few dozen lengths), and an
empty list, whose meaning the ORM decides case by case, is left to the ORM.
"""

import functools
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Field, QuerySet, signals
from django.db.models.base import ModelState
from django.db.models.sql import InsertQuery

# Lengths of lists compiled and kept per query and database; beyond, compiled each time
# (correct, only slower): a bound on the memory a stream of odd lengths could take.
MAX_SHAPES = 256


@dataclass(frozen=True)
class Many:
    """A value that is a list of the field's values (the right side of an `__in`)."""

    field: Field


def _placeholder(field: Field, serial: int):
    """A value of the field's type that no real row holds, told apart by its serial."""
    kind = field.get_internal_type()
    if kind == "UUIDField":
        return uuid.UUID(int=0xC0DE_0000_0000 + serial)
    if kind == "DateTimeField":
        return datetime(1901, 1, 1, tzinfo=UTC) + timedelta(minutes=serial)
    if kind == "DateField":
        return date(1801, 1, 1) + timedelta(days=serial)
    if kind in ("CharField", "TextField"):
        return f"\x1fplaceholder {serial}\x1f"
    raise TypeError(f"no placeholder for a {kind}")


class CompiledQuery:
    """`build(*values)` returns the queryset (a values_list) for those values; `fields`
    says each value's type (a model field, whose own preparation the ORM applies to it, or
    `Many(field)` for a list of them)."""

    def __init__(self, build: Callable[..., QuerySet], fields: Sequence[Field | Many]):
        self._build = build
        self._fields = list(fields)
        # (database alias, lengths of the lists) -> (sql, params, positions, compiler)
        self._compiled: dict = {}

    def _field(self, which: int) -> Field:
        spec = self._fields[which]
        return spec.field if isinstance(spec, Many) else spec

    def _shape(self, values) -> tuple:
        return tuple(
            len(value) if isinstance(spec, Many) else None
            for spec, value in zip(self._fields, values, strict=True)
        )

    def _compile(self, alias: str, shape: tuple):
        connection = connections[alias]
        serial = iter(range(1 << 30))
        placeholders = [
            [_placeholder(self._field(i), next(serial)) for _ in range(length)]
            if length is not None
            else _placeholder(self._field(i), next(serial))
            for i, length in enumerate(shape)
        ]
        # Every placeholder, prepared as the ORM prepares it: (value, which, item or None).
        prepared = []
        for which, value in enumerate(placeholders):
            field = self._field(which)
            if shape[which] is None:
                prepared.append((field.get_db_prep_value(value, connection), which, None))
            else:
                for item, one in enumerate(value):
                    prepared.append((field.get_db_prep_value(one, connection), which, item))
        queryset = self._build(*placeholders)
        compiler = queryset.query.get_compiler(alias)
        sql, params = compiler.as_sql()
        # Where each value goes: a parameter equal to a prepared placeholder is that value.
        positions = []
        for index, param in enumerate(params):
            for candidate, which, item in prepared:
                if type(param) is type(candidate) and param == candidate:
                    positions.append((index, which, item))
        if {(which, item) for _index, which, item in positions} != {
            (which, item) for _candidate, which, item in prepared
        }:
            raise ValueError("every value must appear among the query's parameters")
        found = (sql, list(params), positions, compiler)
        if len(self._compiled) < MAX_SHAPES:
            self._compiled[(alias, shape)] = found
        return found

    def rows(self, *values, using: str = "default") -> list[tuple]:
        """The rows for these values, as `list(build(*values))` would return them."""
        values = [
            list(value) if isinstance(spec, Many) else value
            for spec, value in zip(self._fields, values, strict=True)
        ]
        shape = self._shape(values)
        if 0 in shape:  # an empty list: the ORM knows what it means in this query
            return list(self._build(*values).using(using))
        sql, params, positions, compiler = self._compiled.get((using, shape)) or self._compile(
            using, shape
        )
        connection = connections[using]
        params = list(params)
        for index, which, item in positions:
            value = values[which] if item is None else values[which][item]
            params[index] = self._field(which).get_db_prep_value(value, connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        return list(compiler.results_iter(results=[fetched], tuple_expected=True))


def instance(model, values: dict, using: str = DEFAULT_DB_ALIAS):
    """The model instance of a row read as values ({column's attname: value}), as the ORM
    makes it, the other fields deferred.

    Built as Model.from_db would, without Model.__init__: __init__ walks every field of
    the model to find the few given, 12 µs for a referral where filling the instance's
    dictionary takes 0.7 µs, and a page of 25 referrals builds 150 instances (BENCHMARKS.md,
    twelfth round). What __init__ adds beyond the values is its signals: a model with
    listeners to them goes through from_db. A name that is no column's attname is refused
    (set in the dictionary, "team" would hide the relation's descriptor, not fill it)."""
    unknown = values.keys() - _attnames(model)
    if unknown:
        raise ValueError(f"{model.__name__} has no column {', '.join(sorted(unknown))}")
    if (signals.pre_init.receivers or signals.post_init.receivers) and (
        signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model)
    ):
        names = [f.attname for f in model._meta.concrete_fields if f.attname in values]
        return model.from_db(using, names, [values[name] for name in names])
    made = model.__new__(model)
    made._state = ModelState()
    made._state.adding = False
    made._state.db = using
    made.__dict__.update(values)
    return made


@functools.cache
def _attnames(model) -> frozenset:
    return frozenset(f.attname for f in model._meta.concrete_fields)


class CompiledInsert:
    """One row's INSERT into a model's table, its SQL built once per database: for the
    table every request writes (the access log), where building the INSERT through
    Model.save cost more than the database's work. Only for a model without signals,
    parents or database-generated values: the caller's save() stays the one way in."""

    def __init__(self, model):
        self._model = model
        self._sql: dict[str, str] = {}

    def insert(self, obj, using: str = "default") -> None:
        connection = connections[using]
        fields = self._model._meta.local_concrete_fields
        sql = self._sql.get(using)
        if sql is None:
            query = InsertQuery(self._model)
            query.insert_values(fields, [obj])
            [(sql, _params)] = query.get_compiler(using).as_sql()
            self._sql[using] = sql
        # What SQLInsertCompiler sends: each field's value before saving, prepared.
        params = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        obj._state.adding = False
        obj._state.db = using
