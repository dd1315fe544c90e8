"""Indicators on the demo network equal figures computed here, independently, from the rows."""

from collections import defaultdict
from datetime import timedelta
from statistics import median

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.referrals import indicators
from maillage.referrals.models import Consultation, Referral
from maillage.seeding.generator import SCALES, NetworkGenerator

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    NetworkGenerator(SCALES["demo"], seed=5).run()


def period():
    today = timezone.localdate()
    return today - timedelta(days=700), today


def expected_by_team() -> dict[str, dict]:
    """Straight from the rows, one referral at a time."""
    start, end = period()
    rows = defaultdict(lambda: defaultdict(list))
    for r in Referral.objects.exclude(requested_at=None).select_related("from_team", "to_team"):
        day = timezone.localtime(r.requested_at).date()
        if not start <= day <= end:
            continue
        rows[r.from_team_id]["sent"].append(r)
        rows[r.to_team_id]["received"].append(r)
    result = {}
    for team_id, got in rows.items():
        received = got["received"]
        decided = [r for r in received if r.decided_at]
        accepted = [r for r in decided if r.reject_reason == ""]
        not_cancelled = [r for r in received if r.status != "cancelled"]
        ack = [
            (r.received_at - r.requested_at).total_seconds() / 3600
            for r in received
            if r.received_at
        ]
        result[str(team_id)] = {
            "sent": len(got["sent"]),
            "received": len(received),
            "acceptance_rate": round(len(accepted) / len(decided), 3) if decided else None,
            "median_hours_to_acknowledge": round(median(ack), 1) if ack else None,
            "loop_closure_rate": round(
                sum(r.status == "completed" for r in not_cancelled) / len(not_cancelled), 3
            )
            if not_cancelled
            else None,
            "joint_follow_up_share": round(
                sum(r.follow_up == "joint" for r in accepted) / len(accepted), 3
            )
            if accepted
            else None,
        }
    return result


def test_team_indicators_match_an_independent_count(demo):
    start, end = period()
    computed = {row["key"]: row for row in indicators.compute(start=start, end=end, by="team")}
    expected = expected_by_team()
    assert sum(e["sent"] for e in expected.values()) > 500
    for key, figures in expected.items():
        for name, value in figures.items():
            assert computed[key][name] == value, (key, name)


def test_sector_reciprocity_and_consultation_counts(demo):
    start, end = period()
    pairs = {row["key"]: row for row in indicators.compute(start=start, end=end, by="sector_pair")}
    counts = defaultdict(int)
    for r in Referral.objects.exclude(requested_at=None).select_related(
        "from_team__organization", "to_team__organization"
    ):
        counts[(r.from_team.organization.sector, r.to_team.organization.sector)] += 1
    for (a, b), n in counts.items():
        back = counts.get((b, a), 0)
        assert pairs[f"{a}|{b}"]["reciprocity"] == round(min(n, back) / max(n, back), 3)
    by_team = indicators.compute(start=start, end=end, by="team")
    assert sum(r["consultations_asked"] for r in by_team) == Consultation.objects.count()
    assert (
        sum(r["consultations_answered"] for r in by_team)
        == Consultation.objects.exclude(answered_at=None).count()
    )


def test_generator_puts_referrals_in_every_state(demo):
    from maillage.referrals.models import Status

    assert set(Referral.objects.values_list("status", flat=True)) == set(Status.values)
    assert 900 <= Referral.objects.count() <= 1000


def test_indicators_page_and_csv_for_a_coordinator(
    demo, verified_login, django_assert_max_num_queries
):
    from maillage.core.models import User

    client = verified_login(User.objects.get(email="coordinator@demo.maillage.test"))
    start, end = period()
    params = {"start": start.isoformat(), "end": end.isoformat(), "by": "organization"}
    with django_assert_max_num_queries(10):
        page = client.get(reverse("referrals:indicators"), params)
    assert page.status_code == 200
    csv_text = client.get(reverse("referrals:indicators"), {**params, "format": "csv"}).content
    assert (
        csv_text.decode("utf-8-sig")
        .splitlines()[0]
        .startswith("label,sent,received,acceptance_rate")
    )
    api = client.get("/api/v1/referrals/indicators", params)
    assert api.status_code == 200 and len(api.json()) == len(page.context["rows"])
