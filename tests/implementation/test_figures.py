"""Each dashboard figure equals a count or calculation written here, from the rows, without
the figures module: dose, reach, days to first session, completion, no-shows, fidelity,
sustainability means and interval, trained capacity after a departure, register counts."""

import math
import statistics
from collections import Counter
from datetime import date, timedelta

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from maillage.core.models import User
from maillage.directory.models import Membership
from maillage.families import services as family_services
from maillage.implementation import figures, selectors, services
from maillage.implementation.models import (
    Departure,
    EnrolmentStatus,
    ExitReason,
    TrainingKind,
    TrainingRecord,
)
from tests.families.conftest import practitioner

from .conftest import COMPONENTS, days_ago

pytestmark = pytest.mark.django_db


def means_of(board) -> dict:
    """{practitioner id: mean fidelity}, every page of the dashboard's table at once."""
    people = board.fidelity_by_practitioner.all()
    assert len(people) == len(board.fidelity_by_practitioner)
    return {person.id: person.mean for person in people}


def _second_family(s, name="Julie"):
    return family_services.create_family(
        by=s["users"]["owner"],
        team=s["teams"]["perinatal"],
        role="Infirmière",
        caregivers=[family_services.CaregiverData(first_name=name, last_name="Tremblay")],
        children=[],
        reasons=["parenting"],
    )


@pytest.fixture
def delivered(enrolled):
    """Three families: A (enrolled 30 days ago, 3 sessions + 1 missed), B (enrolled, 1
    session, then exited), C (referred, not eligible), D (referred, eligible, never enrolled)."""
    s = enrolled
    owner = s["users"]["owner"]
    a = s["enrolment"]
    rated = [
        (25, True, {COMPONENTS[0]: 4, COMPONENTS[1]: 2}),
        (18, True, {COMPONENTS[0]: 5}),
        (11, False, {}),
        (4, True, {}),
    ]
    for held, came, fidelity in rated:
        services.record_session(
            by=owner,
            enrolment=a,
            held_on=days_ago(held),
            attended=came,
            fidelity=fidelity,
            rated_by="supervisor" if fidelity else "",
        )
    b_family, c_family, d_family = (
        _second_family(s),
        _second_family(s, "Léa"),
        _second_family(s, "Zoé"),
    )
    b = services.enrol_family(
        by=owner,
        family=b_family,
        site=s["site"],
        referred_on=days_ago(60),
        offered_on=days_ago(50),
        enrolled_on=days_ago(45),
    )
    services.record_session(
        by=owner,
        enrolment=b,
        held_on=days_ago(40),
        fidelity={COMPONENTS[2]: 3},
        rated_by="practitioner",
    )
    services.move_enrolment(
        by=owner,
        enrolment=b,
        to=EnrolmentStatus.EXITED,
        on=days_ago(20),
        exit_reason=ExitReason.LOST_CONTACT,
    )
    services.enrol_family(
        by=owner, family=c_family, site=s["site"], referred_on=days_ago(15), eligible=False
    )
    services.enrol_family(by=owner, family=d_family, site=s["site"], referred_on=days_ago(12))
    return {**s, "a": a, "b": b}


def test_engagement_and_dose_figures_equal_a_count_from_the_rows(delivered):
    s = delivered
    board = selectors.dashboard(fetched_by=s["coordinator"], programme=s["programme"])
    # Reach: eligible referred = A, B, D (C is not eligible); enrolled among them = A, B.
    assert (board.reach.numerator, board.reach.denominator) == (2, 3)
    # Days from referral to first attended session: A referred 40 days ago, first seen 25
    # days ago -> 15; B referred 60, first seen 40 -> 20.
    assert board.days_to_first.counts == {15: 1, 20: 1}
    assert board.days_to_first.median == 17.5
    # Sessions attended per enrolled family: A 3 (one missed), B 1.
    assert board.per_family.counts == {1: 1, 3: 1}
    assert board.per_family.median == 2
    distribution = dict(board.distribution)
    assert distribution["1"] == 1 and distribution["3"] == 1 and distribution["12+"] == 0
    # Completion at the planned dose (12): nobody; at a threshold of 3: A only.
    assert (board.completion.numerator, board.completion.denominator) == (0, 2)
    services.set_completion_threshold(by=s["coordinator"], programme=s["programme"], threshold=3)
    board = selectors.dashboard(fetched_by=s["coordinator"], programme=s["programme"])
    assert (board.completion.numerator, board.completion.denominator) == (1, 2)
    # No-shows: one of five sessions.
    assert (board.no_shows.numerator, board.no_shows.denominator) == (1, 5)
    assert dict(board.exit_reasons) == {ExitReason.LOST_CONTACT: 1}


def test_fidelity_figures_equal_the_mean_of_session_means(delivered):
    s = delivered
    board = selectors.dashboard(fetched_by=s["coordinator"], programme=s["programme"])
    session_means = [statistics.fmean([4, 2]), 5.0, 3.0]
    # Rated: 3 of the 4 attended sessions.
    assert (board.share_rated.numerator, board.share_rated.denominator) == (3, 4)
    owner_id = s["users"]["owner"].practitioner.id
    assert means_of(board)[owner_id] == pytest.approx(statistics.fmean(session_means))
    assert board.fidelity_by_site[s["site"].id] == pytest.approx(statistics.fmean(session_means))
    assert sum(n for _q, _m, n in board.fidelity_trend) == 3
    by_quarter: dict = {}
    for ago, mean in ((25, 3.0), (18, 5.0), (40, 3.0)):
        d = days_ago(ago)
        by_quarter.setdefault((d.year, (d.month - 1) // 3 + 1), []).append(mean)
    assert [(q, pytest.approx(m)) for q, m, _n in board.fidelity_trend] == [
        (q, pytest.approx(statistics.fmean(v))) for q, v in sorted(by_quarter.items())
    ]


def test_sustainability_domain_means_and_interval(programme_setup):
    s = programme_setup
    items = selectors.sustainability_items()
    funding = [i for i in items if i.domain == "funding_stability"]
    respondents = [s["users"]["owner"], s["lead"], s["users"]["colleague"]]
    # The colleague works in another team: make them a member of the site's team.
    Membership.objects.create(
        practitioner=s["users"]["colleague"].practitioner, team=s["teams"]["perinatal"]
    )
    funding_scores = {
        respondents[0]: [2, 3, 4],
        respondents[1]: [5, 5, 6],
        respondents[2]: [7, 6, 7],
    }
    for user in respondents:
        scores = {str(i.id): 4 for i in items}
        for item, score in zip(funding, funding_scores[user], strict=True):
            scores[str(item.id)] = score
        services.answer_sustainability(by=user, site=s["site"], year=2026, scores=scores)
    board = selectors.dashboard(fetched_by=s["coordinator"], programme=s["programme"])
    figure = board.sustainability[(2026, "funding_stability")]
    per_person = [statistics.fmean(v) for v in funding_scores.values()]
    mean = statistics.fmean(per_person)
    half = 4.302653 * statistics.stdev(per_person) / math.sqrt(3)  # t(0.975, 2)
    assert figure.n == 3
    assert figure.mean == pytest.approx(mean)
    assert figure.low == pytest.approx(mean - half, abs=1e-3)
    assert figure.high == pytest.approx(mean + half, abs=1e-3)


def test_a_rating_out_of_the_scale_writes_no_answer(programme_setup):
    s = programme_setup
    items = selectors.sustainability_items()
    scores = {str(i.id): 4 for i in items}
    scores[str(items[0].id)] = 9
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        services.answer_sustainability(
            by=s["users"]["owner"], site=s["site"], year=2026, scores=scores
        )
    assert f"item_{items[0].id}" in error.value.message_dict


def test_trained_capacity_loses_a_worker_whose_membership_ends(programme_setup):
    s = programme_setup
    owner = s["users"]["owner"].practitioner
    lead = s["lead"].practitioner
    for person, ago in ((owner, 200), (lead, 100)):
        services.record_training(
            by=s["coordinator"],
            site=s["site"],
            practitioner=person,
            kind=TrainingKind.INITIAL,
            on=days_ago(ago),
            hours=14,
        )
    capacity = selectors.site_capacity(s["site"])
    assert capacity.now[s["site"].id] == 2
    # The owner leaves the team (the directory membership ends).
    Membership.objects.filter(practitioner=owner, team=s["teams"]["perinatal"]).delete()
    capacity = selectors.site_capacity(s["site"])
    assert capacity.now[s["site"].id] == 1
    assert capacity.series[s["site"].id][-1] == 1
    assert capacity.lost[s["site"].id] == [owner.id]
    # With the departure dated 50 days ago, the months before still count both.
    services.record_departure(
        by=s["lead"], site=s["site"], practitioner=owner, left_on=days_ago(50)
    )
    capacity = selectors.site_capacity(s["site"])
    month_index = next(
        k
        for k, m in enumerate(capacity.months)
        if m <= days_ago(70) and m.month == days_ago(70).month
    )
    assert capacity.series[s["site"].id][month_index] == 2
    assert capacity.series[s["site"].id][-1] == 1


def test_the_dashboards_capacity_today_equals_the_rule_on_every_case(programme_setup):
    """The dashboard counts today's capacity in the database (selectors._CAPACITY_TODAY_SQL):
    the same counts and the same people gone as figures.trained_capacity on the rows, and as
    counted here by hand, for each way of staying or leaving."""
    s = programme_setup
    site, other_site, team = s["site"], s["other_site"], s["teams"]["perinatal"]
    people = [practitioner(f"p{k}@clsc.example.org", team).practitioner for k in range(6)]
    today = timezone.localdate()

    def trained(person, kind=TrainingKind.INITIAL, at=site):
        TrainingRecord.objects.create(
            site=at, practitioner=person, kind=kind, on=days_ago(100), hours=7
        )

    stays, left_before, leaves_later, out_of_team, out_leaving_later, booster_only = people
    trained(stays)
    trained(stays, TrainingKind.CERTIFICATION)  # counted once
    for person in (left_before, leaves_later, out_of_team, out_leaving_later):
        trained(person)
    trained(booster_only, TrainingKind.BOOSTER)  # not trained capacity
    Departure.objects.create(site=site, practitioner=left_before, left_on=days_ago(10))
    Departure.objects.create(
        site=site, practitioner=leaves_later, left_on=today + timedelta(days=10)
    )
    Departure.objects.create(
        site=site, practitioner=out_leaving_later, left_on=today + timedelta(days=10)
    )
    Membership.objects.filter(practitioner__in=[out_of_team, out_leaving_later], team=team).delete()
    # At the other site (another team), the owner is trained but not in its team: gone.
    trained(s["users"]["owner"].practitioner, at=other_site)

    board = selectors.dashboard(fetched_by=s["coordinator"], programme=s["programme"])
    assert board.capacity.now == {site.id: 2, other_site.id: 0}
    assert {k: set(v) for k, v in board.capacity.lost.items()} == {
        site.id: {left_before.id, out_of_team.id, out_leaving_later.id},
        other_site.id: {s["users"]["owner"].practitioner.id},
    }
    rule = selectors._capacity([site, other_site], today, over_time=False)
    assert board.capacity.now == rule.now
    assert {k: set(v) for k, v in board.capacity.lost.items()} == {
        k: set(v) for k, v in rule.lost.items()
    }
    one = selectors.dashboard(fetched_by=s["coordinator"], programme=s["programme"], site=site)
    assert one.capacity.now == {site.id: 2}


def test_register_counts_by_category_and_sector(programme_setup):
    s = programme_setup
    rows = [
        ("barrier", "organizational", ["primary_care"]),
        ("barrier", "family", ["primary_care", "substance_use"]),
        ("facilitator", "external", ["hospital"]),
        ("barrier", "organizational", []),
    ]
    for polarity, category, sectors in rows:
        services.add_factor(
            by=s["users"]["owner"],
            polarity=polarity,
            category=category,
            title="T",
            heard_in="focus_group",
            heard_on=days_ago(1),
            sectors=sectors,
        )
    counts = selectors.register_figures(fetched_by=s["users"]["owner"])
    assert counts["category"][("organizational", "barrier")] == 2
    assert counts["category"][("external", "facilitator")] == 1
    assert counts["sector"]["primary_care"] == 2
    assert counts["sector"]["substance_use"] == 1
    assert sum(counts["year"].values()) == 4


def test_stage_days_and_share_of_activities(programme_setup):
    s = programme_setup
    services.record_stage(
        by=s["coordinator"],
        site=s["site"],
        stage="engagement",
        started_on=days_ago(90),
        finished_on=days_ago(50),
        activities_planned=5,
        activities_done=4,
    )
    services.record_stage(
        by=s["coordinator"],
        site=s["site"],
        stage="feasibility",
        started_on=days_ago(50),
        activities_planned=2,
        activities_done=0,
    )
    found = {f.stage: f for f in selectors.site_stages(s["site"])}
    assert found["engagement"].days == 40
    assert found["engagement"].share_done == 4 / 5
    assert found["feasibility"].days == 50
    assert found["readiness"].days is None


def test_a_site_dashboard_counts_only_the_families_and_sessions_of_its_site(delivered):
    """The other site enrols a family (2 sessions, one missed, one rated 1): the programme's
    figures add it, the first site's leave it out."""
    s = delivered
    owner = s["users"]["owner"]
    Membership.objects.create(practitioner=owner.practitioner, team=s["teams"]["obstetrics"])
    owner = User.objects.get(id=owner.id)  # a new request: the teams are read again
    e = services.enrol_family(
        by=owner,
        family=_second_family(s, "Inès"),
        site=s["other_site"],
        referred_on=days_ago(33),
        offered_on=days_ago(32),
        enrolled_on=days_ago(31),
    )
    services.record_session(by=owner, enrolment=e, held_on=days_ago(30), attended=False)
    services.record_session(
        by=owner,
        enrolment=e,
        held_on=days_ago(23),
        fidelity={COMPONENTS[0]: 1},
        rated_by="supervisor",
    )
    whole = selectors.dashboard(fetched_by=s["coordinator"], programme=s["programme"])
    one = selectors.dashboard(fetched_by=s["coordinator"], programme=s["programme"], site=s["site"])
    # Reach: the first site's 2 of 3, the programme's 3 of 4.
    assert (one.reach.numerator, one.reach.denominator) == (2, 3)
    assert (whole.reach.numerator, whole.reach.denominator) == (3, 4)
    # Days to first session: the new family waited 10 days (referred 33, came 23 days ago).
    assert one.days_to_first.counts == {15: 1, 20: 1}
    assert whole.days_to_first.counts == {10: 1, 15: 1, 20: 1}
    assert whole.days_to_first.median == 15
    assert whole.per_family.counts == {1: 2, 3: 1}
    assert (one.no_shows.numerator, one.no_shows.denominator) == (1, 5)
    assert (whole.no_shows.numerator, whole.no_shows.denominator) == (2, 7)
    assert (whole.share_rated.numerator, whole.share_rated.denominator) == (4, 5)
    assert set(one.fidelity_by_site) == {s["site"].id}
    assert whole.fidelity_by_site[s["other_site"].id] == 1.0
    owner_id = owner.practitioner.id
    means = [statistics.fmean([4, 2]), 5.0, 3.0]
    assert means_of(one)[owner_id] == pytest.approx(statistics.fmean(means))
    assert means_of(whole)[owner_id] == pytest.approx(statistics.fmean([*means, 1.0]))
    assert sum(n for _q, _m, n in whole.fidelity_trend) == 4
    e.refresh_from_db()
    assert sum(one.statuses.values()) == 4
    assert whole.statuses - one.statuses == Counter({e.status: 1})


@given(st.lists(st.integers(min_value=-400, max_value=400), max_size=40))
def test_a_summary_from_counts_is_the_median_and_mean_of_the_values(values):
    summary = figures.Summary.of_counts(Counter(values))
    assert summary.n == len(values)
    if values:
        assert summary.median == statistics.median(values)
        assert summary.mean == pytest.approx(statistics.fmean(values))
    else:
        assert (summary.median, summary.mean) == (None, None)


@given(
    trainings=st.lists(
        st.tuples(
            st.sampled_from(["a", "b"]),
            st.integers(1, 4),
            st.sampled_from(["initial", "certification", "booster"]),
            st.integers(0, 400),
        ),
        max_size=12,
    ),
    members=st.sets(st.tuples(st.sampled_from(["a", "b"]), st.integers(1, 4))),
    departures=st.dictionaries(
        st.tuples(st.sampled_from(["a", "b"]), st.integers(1, 4)), st.integers(0, 420)
    ),
)
def test_trained_capacity_is_a_count_of_who_was_trained_and_still_there(
    trainings, members, departures
):
    today = date(2026, 11, 29)
    start = today - timedelta(days=400)
    rows = [(s, p, kind, start + timedelta(days=d)) for s, p, kind, d in trainings]
    left_rows = [(s, p, start + timedelta(days=d)) for (s, p), d in departures.items()]
    months = figures.month_range(start, today)
    capacity = figures.trained_capacity(
        trainings=rows, members=members, departures=left_rows, months=months, today=today
    )

    def counted(site, practitioner, end) -> bool:
        trained = [
            on
            for s, p, k, on in rows
            if (s, p) == (site, practitioner) and k in ("initial", "certification")
        ]
        if not trained or min(trained) > end:
            return False
        gone = departures.get((site, practitioner))
        gone_on = start + timedelta(days=gone) if gone is not None else None
        if (site, practitioner) not in members:
            gone_on = gone_on or today  # membership ended: lost from today at the latest
        elif gone_on is not None and gone_on > today:
            gone_on = None  # a departure still to come
        return gone_on is None or gone_on > end

    for site in ("a", "b"):
        for month, value in zip(months, capacity.series.get(site, [0] * len(months)), strict=True):
            end = min(
                date(month.year + month.month // 12, month.month % 12 + 1, 1),
                today + timedelta(days=1),
            ) - timedelta(days=1)
            assert value == sum(counted(site, p, end) for p in range(1, 5))
        assert capacity.now.get(site, 0) == sum(
            counted(site, p, today) and (site, p) in members for p in range(1, 5)
        )
