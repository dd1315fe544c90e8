"""The ids of the records one reading showed, in one column.

A list (a caseload page, an API page, an inbox, a FHIR search) writes one access event
naming every record it showed, rather than one row per record (issue 18: a region's lists
wrote ≈ 9 rows a request). PostgreSQL stores them as `uuid[]` (16 bytes an id) searched
through a GIN index (`@>`, migration 0007); SQLite, the demo's database, as a JSON list of
strings searched with `json_each`: the same answers, without an index.
"""

import json
import uuid

from django.db import models
from django.db.models import Lookup


def _as_uuid(value) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


class IdList(models.Field):
    description = "a list of record ids"

    def db_type(self, connection):
        return "uuid[]" if connection.vendor == "postgresql" else "text"

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is None:
            return None
        ids = [_as_uuid(v) for v in value]
        if connection.vendor == "postgresql":
            return ids
        return json.dumps([str(i) for i in ids])

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        if isinstance(value, str):
            value = json.loads(value)
        return [_as_uuid(v) for v in value]

    def to_python(self, value):
        if value is None or isinstance(value, list):
            return value
        return self.from_db_value(value, None, None)


@IdList.register_lookup
class Names(Lookup):
    """`object_ids__names=<id>`: the reading showed this record."""

    lookup_name = "names"
    prepare_rhs = False

    def process_rhs(self, compiler, connection):
        value = _as_uuid(self.rhs)
        return "%s", [value if connection.vendor == "postgresql" else str(value)]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        if connection.vendor == "postgresql":
            # `@>` with a one-element array is what the GIN index answers (`= ANY` is not).
            return f"{lhs} @> ARRAY[{rhs}]::uuid[]", [*lhs_params, *rhs_params]
        # lhs is the column, rhs a placeholder: no value is put into the SQL's text.
        sql = f"EXISTS (SELECT 1 FROM json_each({lhs}) AS shown WHERE shown.value = {rhs})"  # noqa: S608
        return sql, [*lhs_params, *rhs_params]
