"""A list's reading becomes one event naming every record it showed (issue 18): the
column of their ids, and on PostgreSQL the GIN index through which a family's access
report finds the lists that showed it (`object_ids @> ARRAY[id]`)."""

from django.db import migrations

import maillage.audit.fields

GIN_UP = "CREATE INDEX audit_event_object_ids_gin ON audit_auditevent USING gin (object_ids)"
GIN_DOWN = "DROP INDEX IF EXISTS audit_event_object_ids_gin"


def add_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GIN_UP)


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(GIN_DOWN)


class Migration(migrations.Migration):
    dependencies = [("audit", "0006_refuse_replace")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="object_ids",
            field=maillage.audit.fields.IdList(
                blank=True, editable=False, null=True, verbose_name="records shown"
            ),
        ),
        migrations.RunPython(add_index, drop_index),
    ]
