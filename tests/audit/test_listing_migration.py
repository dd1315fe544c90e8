"""Migration audit 0008 turns the rows lists wrote before issue 18 (one per family shown)
into one event per reading, and every family's access report answers as before: who,
when, which parts, through what, why, from where."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from maillage.audit.models import AuditEvent
from maillage.families import selectors
from maillage.families.models import Family
from tests.conftest import make_user

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the conversion is PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]
BEFORE = [("audit", "0007_listing_events")]


def _row(event_model, actor, family, parts, *, purpose, via="circle", at=None, ip="10.0.0.7"):
    return event_model(
        id=uuid.uuid4(),
        at=at or timezone.now(),
        actor_id=actor.pk,
        actor_label=actor.email,
        action="viewed",
        object_type="families.family",
        object_id=str(family),
        object_label=str(family)[:8].upper(),
        ip_address=ip,
        purpose=purpose,
        details={"parts": sorted(parts), "via": via, "break_glass": via == "emergency"},
    )


def _reading(event_model, rows) -> None:
    """One request of before: its rows written by one INSERT, in its own transaction."""
    with transaction.atomic():
        event_model.objects.bulk_create(rows)


def _entry(event) -> tuple:
    details = event.details or {}
    return (
        event.actor_id,
        event.action,
        tuple(details.get("parts") or ()),
        details.get("via"),
        details.get("break_glass"),
        event.purpose,
        event.ip_address,
    )


def _report_before(event_model, family) -> list:
    rows = event_model.objects.filter(object_type="families.family", object_id=str(family))
    return sorted((_entry(e), e.at) for e in rows)


def _report_after(family) -> list:
    shown = selectors.as_reported(selectors.access_report(Family(id=family)), Family(id=family))
    return sorted((_entry(e), e.at) for e in shown)


def _same_report(before: list, after: list) -> None:
    assert [entry for entry, _at in before] == [entry for entry, _at in after]
    for (_e, at_before), (_f, at_after) in zip(before, after, strict=True):
        # A reading's time is its first row's: the others were written microseconds later.
        assert abs(at_before - at_after) < timedelta(seconds=1)


def test_every_familys_access_report_is_the_same_after_the_conversion():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("audit", "AuditEvent")
    nurse, partner = make_user("nurse@clsc.example.org"), make_user("partner@crd.example.org")
    families = [uuid.uuid4() for _ in range(6)]
    a, b, c, d, e, f = families
    # Caseload pages: what each row showed differs by family (names, plan).
    _reading(
        old,
        [
            _row(old, nurse, a, ["caseload", "identity", "plan"], purpose="caseload"),
            _row(old, nurse, b, ["caseload", "identity", "plan"], purpose="caseload"),
            _row(old, nurse, c, ["caseload"], purpose="caseload", via="team_lead"),
        ],
    )
    _reading(
        old, [_row(old, nurse, x, ["caseload", "identity"], purpose="api caseload") for x in (a, d)]
    )
    # An inbox naming one family twice (two referrals), by a partner.
    _reading(
        old,
        [
            _row(
                old, partner, x, ["identity", "referral"], purpose="referral inbox", via="referral"
            )
            for x in (b, e, b)
        ],
    )
    # A FHIR search page, a one-family list, one family's own page, an emergency read.
    _reading(old, [_row(old, partner, x, ["patient"], purpose="fhir") for x in (d, e, f)])
    _reading(old, [_row(old, nurse, f, ["caseload", "identity", "plan"], purpose="caseload")])
    _reading(old, [_row(old, nurse, a, ["consents", "identity", "plan"], purpose="")])
    _reading(old, [_row(old, partner, c, ["identity"], purpose="emergency", via="emergency")])
    # Two readings by the same person, same list, a minute apart: two events, not one.
    earlier = timezone.now() - timedelta(minutes=1)
    _reading(
        old,
        [
            _row(old, nurse, x, ["caseload", "identity"], purpose="caseload", at=earlier)
            for x in (e, f)
        ],
    )
    before = {family: _report_before(old, family) for family in families}
    rows_before = old.objects.count()

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    for family in families:
        _same_report(before[family], _report_after(family))
    listings = AuditEvent.objects.filter(object_ids__isnull=False)
    # caseload, API, inbox, FHIR, the earlier caseload: five readings of two families or more.
    assert listings.count() == 5
    # 16 rows: the 12 of those readings (not the inbox's repeated family) became 5 events.
    assert AuditEvent.objects.count() == rows_before - 12 + 5
