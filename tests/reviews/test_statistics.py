"""The statistics of a period equal counts computed independently from the rows, and the
CSV export says the same."""

import csv
import io
from collections import Counter
from datetime import timedelta
from itertools import combinations

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.reviews import services
from maillage.reviews.models import ImprovementAction, Meeting, Situation
from maillage.reviews.statistics import group_statistics

pytestmark = pytest.mark.django_db

HOSPITAL, CLSC, PERINATAL, ADDICTION = "hospital", "primary_care", "perinatal", "substance_use"
# (days from today, kind, types, sectors, patient harm, carer harm, avoidable, actions)
PLAN = [
    (-400, "malfunction", ["communication"], [HOSPITAL, CLSC], "yes", "yes", "yes", 1),
    (
        -300,
        "malfunction",
        ["referral_only", "communication"],
        [PERINATAL, ADDICTION],
        "yes",
        "no",
        "yes",
        2,
    ),
    (-250, "went_well", [], ["community_outreach", PERINATAL], "no", "no", "unknown", 1),
    (-200, "malfunction", ["carer_conflict"], [HOSPITAL], "yes", "yes", "partly", 2),
    (
        -150,
        "malfunction",
        ["confidentiality"],
        ["early_childhood", HOSPITAL],
        "unknown",
        "yes",
        "no",
        0,
    ),
    (
        -100,
        "malfunction",
        ["access_delay", "other"],
        [CLSC, HOSPITAL, PERINATAL],
        "no",
        "unknown",
        "yes",
        3,
    ),
    (-20, "malfunction", ["role_confusion"], ["home_visiting", CLSC], "yes", "no", "yes", 1),
    # Today: held but not closed yet (a meeting is analysed on its day, never before).
    (0, "malfunction", ["communication"], [HOSPITAL, CLSC], "yes", "yes", "yes", 1),
]


@pytest.fixture
def year(review, make_meeting, submit, analyse):
    moderator = review["moderator"]
    owners = [review["orgs"]["clsc"], review["orgs"]["crd"], review["orgs"]["hospital"]]
    actions = []
    for n, (days, kind, types, sectors, patient, carer, avoidable, count) in enumerate(PLAN):
        meeting = make_meeting(days_from_now=days)
        situation = submit(title=f"Situation {n}", kind=kind, sectors=sectors)
        how = {"patient_harm_how": "Retard.", "carer_harm_how": "Épuisement."}
        analyse(
            meeting,
            situation,
            malfunction_types=types,
            patient_harm=patient,
            carer_harm=carer,
            avoidable=avoidable,
            **how,
        )
        for k in range(count):
            actions.append(
                services.add_improvement_action(
                    by=moderator,
                    meeting=meeting,
                    situation=situation,
                    description=f"Action {n}.{k}",
                    due_date=timezone.localtime(meeting.starts_at).date() + timedelta(days=30),
                    owner_organization=owners[k % 3],
                )
            )
        services.record_attendance(
            by=moderator, meeting=meeting, present=[review["nurse"], review["doctor"]]
        )
        services.record_round_table(
            by=moderator,
            meeting=meeting,
            notes="",
            ratings={review["nurse"].pk: 3 + n % 3, review["doctor"].pk: 5},
        )
        if days < 0:
            services.close_meeting(by=moderator, meeting=meeting)
    for number, action in enumerate(actions):
        if number % 3 == 0:
            services.update_action_status(by=moderator, action=action, status="done")
        elif number % 5 == 1:
            services.update_action_status(by=moderator, action=action, status="in_progress")
    cancelled = make_meeting(days_from_now=-50)
    services.cancel_meeting(by=moderator, meeting=cancelled)
    return review["group"]


def expected_counts(group, start, end, today):
    """Counted row by row, in Python, without the code under test."""

    def day(moment):
        return timezone.localtime(moment).date()

    held = {
        m.pk
        for m in Meeting.objects.filter(group=group)
        if m.status == "held" and start <= day(m.starts_at) <= end
    }
    presented = [
        s
        for s in Situation.objects.filter(group=group).select_related("analysis")
        if s.status == "presented" and s.meeting_id in held
    ]
    types, pairs = Counter(), Counter()
    for s in presented:
        types.update(c for c in s.analysis.malfunction_types.split(",") if c)
        sectors = sorted({c for c in s.sectors.split(",") if c})
        pairs.update([(sectors[0], sectors[0])] if len(sectors) == 1 else combinations(sectors, 2))
    as_of = min(end, today)
    actions = list(
        ImprovementAction.objects.filter(situation__group=group).select_related("opened_at_meeting")
    )
    return {
        "meetings_held": len(held),
        "situations_presented": len(presented),
        "malfunctions": sum(s.kind == "malfunction" for s in presented),
        "went_well": sum(s.kind == "went_well" for s in presented),
        "harmed_patient": sum(s.analysis.patient_harm == "yes" for s in presented),
        "harmed_carer": sum(s.analysis.carer_harm == "yes" for s in presented),
        "avoidable": sum(s.analysis.avoidable == "yes" for s in presented),
        "partly_avoidable": sum(s.analysis.avoidable == "partly" for s in presented),
        "by_type": dict(types),
        "by_sector_pair": dict(pairs),
        "actions_opened": sum(start <= day(a.opened_at_meeting.starts_at) <= end for a in actions),
        "actions_closed": sum(
            a.closed_at is not None and start <= day(a.closed_at) <= end for a in actions
        ),
        "actions_overdue": sum(
            day(a.opened_at_meeting.starts_at) <= as_of
            and a.due_date < as_of
            and (a.closed_at is None or day(a.closed_at) > as_of)
            for a in actions
        ),
    }


def actual_counts(stats):
    return {
        name: getattr(stats, name)
        for name in (
            "meetings_held",
            "situations_presented",
            "malfunctions",
            "went_well",
            "harmed_patient",
            "harmed_carer",
            "avoidable",
            "partly_avoidable",
            "actions_opened",
            "actions_closed",
            "actions_overdue",
        )
    } | {
        "by_type": {code: n for code, _label, n in stats.by_type},
        "by_sector_pair": {pair: n for pair, _label, n in stats.by_sector_pair},
    }


@pytest.mark.parametrize(
    ("start_days", "end_days"), [(-364, 0), (-500, 100), (-180, -90), (-30, 30)]
)
def test_statistics_equal_counts_computed_from_the_rows(year, start_days, end_days):
    today = timezone.localdate()
    start, end = today + timedelta(days=start_days), today + timedelta(days=end_days)
    stats = group_statistics(year, start=start, end=end)
    expected = expected_counts(year, start, end, today)
    assert actual_counts(stats) == expected
    assert expected["situations_presented"] > 0 or start_days == -30


def test_the_year_has_something_in_every_column(year):
    stats = group_statistics(
        year, start=timezone.localdate() - timedelta(days=364), end=timezone.localdate()
    )
    assert stats.meetings_held == 6  # the meeting of 400 days ago and the coming one excluded
    assert stats.actions_overdue > 0 and stats.actions_closed > 0
    assert [p.count for p in stats.ratings] == [2] * 6
    assert stats.ratings[0].average == 4.5  # (4 + 5) / 2 for the second situation of PLAN


def test_csv_export_says_what_the_page_says(year, moderator_client):
    today = timezone.localdate()
    start, end = today - timedelta(days=364), today
    moderator_client.cookies["maillage_language"] = "en"
    response = moderator_client.get(
        reverse("reviews:statistics_csv", args=[year.id]),
        {"start": start.isoformat(), "end": end.isoformat()},
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    summary = {item: int(value) for section, item, value in rows if section == "summary"}
    expected = expected_counts(year, start, end, today)
    assert summary["Meetings held"] == expected["meetings_held"]
    assert summary["Situations presented"] == expected["situations_presented"]
    assert summary["Harmed the patient"] == expected["harmed_patient"]
    assert summary["Harmed the carer"] == expected["harmed_carer"]
    assert summary["Improvement actions overdue"] == expected["actions_overdue"]
    types = {item: int(value) for section, item, value in rows if section == "type of malfunction"}
    assert types["Communication: information not passed on"] == expected["by_type"]["communication"]
    page = moderator_client.get(
        reverse("reviews:statistics", args=[year.id]),
        {"start": start.isoformat(), "end": end.isoformat()},
    )
    assert page.context["stats"].meetings_held == expected["meetings_held"]


def test_period_with_its_end_before_its_start_is_refused(year, moderator_client):
    page = moderator_client.get(
        reverse("reviews:statistics", args=[year.id]), {"start": "2026-05-01", "end": "2026-01-01"}
    )
    assert "end" in page.context["form"].errors
