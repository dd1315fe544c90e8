"""Working days between two moments: targets such as "acknowledge within 2 working days"
do not count the weekend."""

from datetime import date, datetime, timedelta

from django.utils import timezone


def working_days_between(start: datetime, end: datetime | None = None) -> int:
    """Whole working days (Monday to Friday) from start to end, local time."""
    first = timezone.localtime(start).date()
    last = timezone.localtime(end or timezone.now()).date()
    if last <= first:
        return 0
    days = (last - first).days
    weeks, rest = divmod(days, 7)
    count = weeks * 5
    for offset in range(1, rest + 1):
        if (first + timedelta(days=offset)).weekday() < 5:
            count += 1
    return count


def add_working_days(start: date, days: int) -> date:
    current = start
    while days > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            days -= 1
    return current
