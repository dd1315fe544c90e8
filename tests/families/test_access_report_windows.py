"""The access report's page is asked in widening windows of time (a month, a quarter, a
year, everything) so that PostgreSQL plans over the latest monthly partitions only; the
page it answers must be the one the whole history gives, whatever the spread of the
family's reads."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from maillage.audit import partitions
from maillage.audit.models import Action, AuditEvent
from maillage.families import selectors
from maillage.families.selectors import FAMILY


def _reads(family, user, days_ago: list[int]) -> list[AuditEvent]:
    now = timezone.now()
    if partitions.is_partitioned():  # the past months the test writes into
        with connection.cursor() as cursor:
            for days in days_ago:
                partitions.create_partition(
                    cursor, partitions.first_of_month((now - timedelta(days=days)).date())
                )
    return [
        AuditEvent.objects.create(
            action=Action.VIEWED,
            actor=user,
            object_type=FAMILY,
            object_id=str(family.id),
            at=now - timedelta(days=days, minutes=k),
        )
        for k, days in enumerate(days_ago)
    ]


def _whole_history(family) -> list:
    return [e.id for e in selectors.access_report(family)]


@pytest.mark.parametrize(
    "days_ago",
    [
        [1, 2, 3, 4, 5],  # all within the month
        [1, 40, 100, 400, 800],  # one a window
        [300, 301, 302, 303, 900],  # nothing recent
        [1, 2, 3, 700, 701],  # a full first page in the month, older ones behind it
    ],
)
def test_every_page_is_the_page_of_the_whole_history(care, days_ago):
    family, user = care["family"], care["users"]["owner"]
    _reads(family, user, days_ago)
    history = _whole_history(family)
    assert len(history) >= len(days_ago)
    size = 2
    shown, number = [], 1
    while True:
        page = selectors.access_report_page(family, str(number), size=size)
        rows = [e.id for e in page]
        assert rows == history[(number - 1) * size : number * size]
        shown += rows
        if not page.has_next:
            break
        number += 1
    assert shown == history
