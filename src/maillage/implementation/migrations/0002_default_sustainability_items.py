"""Data: the shipped sustainability statements (defaults.py), separate from the schema."""

import uuid

from django.db import migrations


def add_items(apps, schema_editor):
    from maillage.implementation.defaults import DEFAULT_ITEMS

    item_model = apps.get_model("implementation", "SustainabilityItem")
    item_model.objects.bulk_create(
        item_model(id=uuid.uuid4(), domain=domain, position=k, text_fr=fr, text_en=en)
        for k, (domain, fr, en) in enumerate(DEFAULT_ITEMS, start=1)
    )


def remove_items(apps, schema_editor):
    apps.get_model("implementation", "SustainabilityItem").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("implementation", "0001_initial")]

    operations = [migrations.RunPython(add_items, remove_items)]
