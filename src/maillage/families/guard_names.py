"""The names the de-identification guard looks for: every practitioner, account holder,
caregiver and child on record (never shown to anyone: only matched against a text about to
be shared, such as a review situation or a de-identified consultation).

At region scale that is some 65,000 people, which take a few seconds to read and index: the
index is kept per process and rebuilt only when the names changed. Whether they changed is
asked of the database on each use, with one query of counts and latest `updated_at` per
table (a few milliseconds): a name added a second ago is already caught, which a rebuild
every N seconds would not promise. A row added, removed or saved changes the count or the
latest `updated_at`; only a write that leaves `updated_at` alone (a bulk
`QuerySet.update()`, or `save(update_fields=[...])` without it), which nothing in the
application does to a name, would go unseen until the next change.
"""

from collections import defaultdict

from django.db import connection

from maillage.core.deidentification import CachedNameIndex, NameIndex
from maillage.core.models import User
from maillage.directory.models import Practitioner

from .models import Caregiver, Child

_TABLES = (User, Practitioner, Caregiver, Child)


def fingerprint() -> tuple:
    """Counts and latest change of the tables that hold names, in one query."""
    # Only table names from the models go into this SQL: nothing from a request.
    tables = [connection.ops.quote_name(model._meta.db_table) for model in _TABLES]
    sql = " UNION ALL ".join(
        f"SELECT {n}, COUNT(*), MAX(updated_at) FROM {table}"  # noqa: S608
        for n, table in enumerate(tables)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return tuple(sorted(cursor.fetchall()))


def build_index() -> NameIndex:
    """Every person on record. A child is indexed with each last name of the family's
    caregivers: "Léa" alone is an ordinary word, "Léa Côté" is a person."""
    last_names: dict[object, set[str]] = defaultdict(set)
    caregivers = Caregiver.objects.values_list("first_name", "last_name", "family_id")
    pairs: list[tuple[str, str]] = []
    for first, last, family_id in caregivers.iterator(chunk_size=5000):
        pairs.append((first, last))
        last_names[family_id].add(last)
    children = Child.objects.exclude(first_name="").values_list("first_name", "family_id")
    for first, family_id in children.iterator(chunk_size=5000):
        pairs.extend((first, last) for last in last_names.get(family_id, ()))
    pairs.extend(
        Practitioner.objects.values_list("first_name", "last_name").iterator(chunk_size=5000)
    )
    return NameIndex.from_names(
        pairs=pairs,
        full_names=User.objects.values_list("full_name", flat=True).iterator(chunk_size=5000),
    )


_cache = CachedNameIndex(fingerprint=lambda: fingerprint(), build=lambda: build_index())


def name_index() -> NameIndex:
    """The index of every person on record, as of now. Call it before opening a write
    transaction: a rebuild reads every name."""
    return _cache.get()
