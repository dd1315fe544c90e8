"""`{{ value|local_datetime }}`: a stored datetime in local time, that never fails a page.

Dates are checked on the way in (core.dates), but a row stored before that, or written
by another program, may hold year 1 or 9999, whose conversion to local time overflows:
Django's `date` filter would then fail the whole page, for every reader, on every visit.
This filter shows such a value as it is stored (UTC) instead.
"""

from django import template
from django.utils import formats, timezone

register = template.Library()


@register.filter(expects_localtime=False)
def local_datetime(value, arg: str = "SHORT_DATETIME_FORMAT") -> str:
    if value in (None, ""):
        return ""
    try:
        shown = timezone.localtime(value) if timezone.is_aware(value) else value
        return formats.date_format(shown, arg)
    except (OverflowError, ValueError, AttributeError, TypeError):
        pass
    try:
        return formats.date_format(value, arg) + " UTC"
    except (OverflowError, ValueError, AttributeError, TypeError):
        return str(value)
