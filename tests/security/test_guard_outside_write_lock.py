"""No request holds the write lock while the de-identification guard reads its text.

The guard scans up to 20,000 characters and, when the names on record changed, reads every
one of them: seconds, at region scale. Inside a write transaction that would hold, on
SQLite (BEGIN IMMEDIATE), the whole database's write lock, and on PostgreSQL the row locks
the service takes: every other writer would wait, and time out.

Deterministic, not timed: while the guard is running (the scan is wrapped to pause there),
another connection reads, then asks for the very lock the service will take, without
waiting (PostgreSQL: SELECT ... FOR UPDATE NOWAIT; SQLite: a write with a busy timeout of
zero). Both must succeed at once; before the fix, the lock request failed. Runs on SQLite
and PostgreSQL."""

import threading
from datetime import timedelta

import pytest
from django.db import DatabaseError, connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from maillage.core import deidentification
from maillage.referrals import services as referral_services
from maillage.referrals.models import Consultation
from maillage.reviews import services
from maillage.reviews.models import Meeting, MeetingSlot, ReviewGroup, Situation
from tests.families.conftest import care  # noqa: F401 - shared fixtures
from tests.reviews.conftest import at, review, submit  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)

# A narrative at the limit, in ordinary words: the guard finds nothing and the write happens.
NARRATIVE = ("L'équipe a orienté la mère sans entente de suivi conjoint. " * 400)[:20_000]


def from_another_connection(model, pk) -> dict[str, object]:
    """In another thread (so another connection): a simple read, then the write lock on
    the row, asked without waiting. Says what each one gave."""
    outcome: dict[str, object] = {}

    def run():
        try:
            outcome["read"] = model.objects.filter(pk=pk).exists()
            try:
                if connection.vendor == "sqlite":
                    with connection.cursor() as cursor:
                        cursor.execute("PRAGMA busy_timeout = 0")
                    with transaction.atomic():
                        model.objects.filter(pk=pk).update(updated_at=F("updated_at"))
                else:
                    with transaction.atomic():
                        model.objects.select_for_update(nowait=True).get(pk=pk)
                outcome["lock"] = "free"
            except DatabaseError:
                outcome["lock"] = "held"
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=60)
    return outcome


@pytest.fixture
def while_scanning(monkeypatch):
    """Runs `check` each time the guard scans a text, before the scan; keeps what it saw."""
    seen: list[dict[str, object]] = []
    real_scan = deidentification.scan

    def watch(check):
        def scan(text, *, names):
            seen.append({"in_transaction": connection.in_atomic_block, **check()})
            return real_scan(text, names=names)

        monkeypatch.setattr(deidentification, "scan", scan)
        return seen

    return watch


def test_a_situation_is_scanned_before_the_group_is_locked(review, while_scanning):  # noqa: F811
    group = review["group"]
    seen = while_scanning(lambda: from_another_connection(ReviewGroup, group.pk))
    services.submit_situation(
        by=review["nurse"],
        group=group,
        kind="malfunction",
        title="Une orientation sans suivi",
        narrative=NARRATIVE,
        sectors=["primary_care"],
    )
    assert Situation.objects.get().narrative == NARRATIVE
    assert seen and all(s == {"in_transaction": False, "read": True, "lock": "free"} for s in seen)


def test_a_rewritten_situation_is_scanned_before_it_is_locked(review, submit, while_scanning):  # noqa: F811
    situation = submit()
    seen = while_scanning(lambda: from_another_connection(Situation, situation.pk))
    services.update_situation(
        by=review["nurse"],
        situation=situation,
        kind="malfunction",
        title="Une orientation sans suivi",
        narrative=NARRATIVE,
        sectors=["primary_care"],
    )
    situation.refresh_from_db()
    assert situation.narrative == NARRATIVE
    assert seen and all(s == {"in_transaction": False, "read": True, "lock": "free"} for s in seen)


def test_meeting_notes_are_scanned_before_the_meeting_is_locked(review, while_scanning):  # noqa: F811
    meeting = services.schedule_meeting(
        by=review["moderator"],
        group=review["group"],
        starts_at=at(timezone.localdate() + timedelta(days=7)),
    )
    seen = while_scanning(lambda: from_another_connection(Meeting, meeting.pk))
    services.add_meeting_slot(
        by=review["moderator"], meeting=meeting, kind="training", title="Formation", notes=NARRATIVE
    )
    assert MeetingSlot.objects.get().notes == NARRATIVE
    assert seen and all(s == {"in_transaction": False, "read": True, "lock": "free"} for s in seen)


def test_a_consultation_question_is_scanned_before_the_write_begins(care, while_scanning):  # noqa: F811
    # On PostgreSQL nothing is locked before the insert; on SQLite, BEGIN IMMEDIATE would
    # take the database's write lock: any row of any table shows it.
    team = care["teams"]["perinatal"]
    seen = while_scanning(lambda: from_another_connection(type(team), team.pk))
    referral_services.ask_consultation(
        by=care["users"]["owner"],
        from_team=team,
        to_team=care["teams"]["mother_child"],
        subject="Sevrage et allaitement",
        question=NARRATIVE,
    )
    assert Consultation.objects.get().messages.get().text == NARRATIVE
    assert seen and all(s == {"in_transaction": False, "read": True, "lock": "free"} for s in seen)
