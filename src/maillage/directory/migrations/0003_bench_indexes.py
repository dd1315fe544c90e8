"""Indexes for the directory search on PostgreSQL (benchmarks: BENCHMARKS.md).

The search matches every word anywhere in a team's folded `search_text` (`LIKE '%word%'`):
a trigram index (pg_trgm, a trusted extension: the database's owner may create it) finds
rare words without reading every team; an index on (name, id) gives the first page in
order without sorting every match of a common word. At region scale (1,000 teams) the
search's SQL went from 1.7 to 1.1 ms; without them it grows with the directory (a
province has 10,000 teams). SQLite keeps its plain scan: nothing is done there.
"""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS directory_team_search_trgm "
    "ON directory_team USING gin (search_text gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS directory_team_name_id ON directory_team (name, id)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS directory_team_name_id",
    "DROP INDEX IF EXISTS directory_team_search_trgm",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_serviceoffer_acknowledge_within_days")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
