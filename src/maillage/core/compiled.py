"""Fixed-shape queries compiled to SQL once per process.

Django compiles a queryset to SQL at every evaluation. For the few statements nearly every
request sends (its session, its user, the reader's circle of care), that compilation cost
more than the database's own work: 0.4 to 1 ms each, where PostgreSQL answers in 0.1 ms
(BENCHMARKS.md, eighth round). A CompiledQuery builds its queryset once, with placeholder
values, keeps the SQL and Django's compiler, and at each call only puts the real values in
the parameters' places and converts the rows as the ORM would (the compiler's converters:
a UUID read from SQLite's text, an aware datetime).

Only for queries whose shape never depends on the values: the same joins, the same
conditions, one placeholder per value (no list of varying length, no None).
"""

import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from django.db import connections
from django.db.models import Field, QuerySet


def _placeholder(field: Field, position: int):
    """A value of the field's type that no real row holds, told apart by its position."""
    kind = field.get_internal_type()
    if kind == "UUIDField":
        return uuid.UUID(int=0xC0DE_0000 + position)
    if kind == "DateTimeField":
        return datetime(1901, 1, 1 + position, tzinfo=UTC)
    if kind in ("CharField", "TextField"):
        return f"\x1fplaceholder {position}\x1f"
    raise TypeError(f"no placeholder for a {kind}")


class CompiledQuery:
    """`build(*values)` returns the queryset (a values_list) for those values; `fields`
    says each value's type (a model field, whose own preparation the ORM applies to it)."""

    def __init__(self, build: Callable[..., QuerySet], fields: Sequence[Field]):
        self._build = build
        self._fields = list(fields)
        self._compiled: dict = {}  # database alias -> (sql, params, positions, compiler)

    def _compile(self, alias: str):
        connection = connections[alias]
        placeholders = [_placeholder(f, i) for i, f in enumerate(self._fields)]
        prepared = [
            f.get_db_prep_value(p, connection)
            for f, p in zip(self._fields, placeholders, strict=True)
        ]
        queryset = self._build(*placeholders)
        compiler = queryset.query.get_compiler(alias)
        sql, params = compiler.as_sql()
        # Where each value goes: a parameter equal to a prepared placeholder is that value.
        positions = []
        for index, param in enumerate(params):
            for which, candidate in enumerate(prepared):
                if type(param) is type(candidate) and param == candidate:
                    positions.append((index, which))
        if len({which for _index, which in positions}) != len(self._fields):
            raise ValueError("every value must appear among the query's parameters")
        found = (sql, list(params), positions, compiler)
        self._compiled[alias] = found
        return found

    def rows(self, *values, using: str = "default") -> list[tuple]:
        """The rows for these values, as `list(build(*values))` would return them."""
        sql, params, positions, compiler = self._compiled.get(using) or self._compile(using)
        connection = connections[using]
        params = list(params)
        for index, which in positions:
            params[index] = self._fields[which].get_db_prep_value(values[which], connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        return list(compiler.results_iter(results=[fetched], tuple_expected=True))
