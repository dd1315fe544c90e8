"""The header says how many notifications the person has not read: in words for screen
readers, in the reader's language with plural forms, with one query whatever their number."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from maillage.referrals.models import Notification
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def notify(user, count: int) -> None:
    Notification.objects.bulk_create(
        Notification(user=user, kind="incoming", params={}, url="/referrals/")
        for _n in range(count)
    )


def header(client) -> str:
    page = client.get(reverse("directory:search")).content.decode()
    return page[page.index('<header class="site-header">') : page.index("</header>")]


def test_the_header_counts_only_unread_notifications(client):
    user = make_user("nurse@example.org")
    notify(user, 3)
    Notification.objects.create(
        user=user, kind="incoming", params={}, url="/", read_at="2025-01-01T00:00Z"
    )
    client.force_login(user)
    client.cookies["maillage_language"] = "en"
    shown = header(client)
    assert '<span class="badge" aria-hidden="true">3</span>' in shown
    assert "(3 unread)" in shown


@pytest.mark.parametrize(
    ("count", "french", "english"),
    [(1, "(1 non lue)", "(1 unread)"), (2, "(2 non lues)", "(2 unread)")],
)
def test_the_count_uses_plural_forms_in_both_languages(client, count, french, english):
    user = make_user("nurse@example.org")
    notify(user, count)
    client.force_login(user)
    client.cookies["maillage_language"] = "fr"
    assert french in header(client)
    client.cookies["maillage_language"] = "en"
    assert english in header(client)


def test_no_badge_without_unread_notifications(client):
    client.force_login(make_user("nurse@example.org"))
    assert 'class="badge"' not in header(client)


def test_the_count_costs_one_query_whatever_the_number(client):
    user = make_user("nurse@example.org")
    client.force_login(user)
    url = reverse("directory:search")
    client.get(url)
    with CaptureQueriesContext(connection) as none:
        client.get(url)
    notify(user, 40)
    with CaptureQueriesContext(connection) as many:
        assert "40" in client.get(url).content.decode()
    assert len(many) == len(none)
    assert sum("referrals_notification" in q["sql"] for q in many.captured_queries) == 1


def test_each_person_sees_their_own_count(client):
    # The count is a statement compiled once, its user's id bound at each call.
    nurse, midwife = make_user("nurse@example.org"), make_user("midwife@example.org")
    notify(nurse, 2)
    notify(midwife, 5)
    for user, count in ((nurse, "2"), (midwife, "5"), (nurse, "2")):
        client.force_login(user)
        assert f'<span class="badge" aria-hidden="true">{count}</span>' in header(client)
