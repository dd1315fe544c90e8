"""French typography in templates: `{% colon %}` after a label is ":" in English and a
non-breaking space then ":" in French."""

from django import template
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def colon() -> str:
    return mark_safe("\u00a0:" if (get_language() or "").startswith("fr") else ":")  # noqa: S308
