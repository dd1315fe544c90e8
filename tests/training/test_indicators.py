"""The programme's effect indicators against figures worked out by hand: the paired change
and its t interval, and referrals and joint follow-ups per month for trained and untrained
pairs of teams, where pairs without data are left out rather than counted as zeros."""

from datetime import date, datetime, time

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.families.models import CircleMember, Family
from maillage.training import indicators, selectors
from maillage.training.indicators import add_months, t_critical_975

pytestmark = pytest.mark.django_db

# Four respondents, the four default statements, 1 to 5.
BEFORE = {
    "nurse": [2, 2, 3, 1],
    "worker": [3, 2, 2, 2],
    "protector": [1, 1, 2, 2],
    "dpj_lead": [2, 3, 3, 3],
}
AFTER = {
    "nurse": [4, 3, 3, 3],
    "worker": [4, 4, 3, 2],
    "protector": [2, 3, 2, 4],
    "dpj_lead": [3, 3, 4, 4],
}


def test_t_critical_values_match_the_tables():
    assert t_critical_975(1) == 12.706
    assert t_critical_975(3) == 3.182
    assert t_critical_975(30) == 2.042
    # Beyond the table, the expansion agrees with published values to the third decimal.
    for df, published in [(40, 2.021), (60, 2.000), (120, 1.980), (1000, 1.962)]:
        assert abs(t_critical_975(df) - published) < 0.0006, df
    # ... and follows on from the table without a jump.
    assert abs(t_critical_975(31) - 2.040) < 0.0006


def test_paired_change_and_its_interval_equal_a_computation_by_hand(
    training, session, run_immersion
):
    run_immersion(session, {k: (BEFORE[k], AFTER[k]) for k in BEFORE})
    rows = indicators.self_assessment_change(
        fetched_by=training["users"]["coordinator"], programme=training["programme"]
    )
    assert [r.respondents for r in rows] == [4, 4, 4, 4, 4]

    # Statement 1. Differences after - before: 2, 1, 1, 1. Mean 5 / 4 = 1.25.
    # Squared deviations 0.5625 + 3 x 0.0625 = 0.75; variance 0.75 / 3 = 0.25; s = 0.5;
    # standard error 0.5 / sqrt(4) = 0.25; t(0.975, 3) = 3.182 -> half-width 0.7955.
    first = rows[0]
    assert first.before == pytest.approx(2.0)  # (2 + 3 + 1 + 2) / 4
    assert first.after == pytest.approx(3.25)  # (4 + 4 + 2 + 3) / 4
    assert first.change == pytest.approx(1.25)
    assert first.low == pytest.approx(0.4545)
    assert first.high == pytest.approx(2.0455)

    # All statements. Each respondent's mean difference: nurse (2+1+0+2)/4 = 1.25,
    # worker (1+2+1+0)/4 = 1.0, protector (1+2+0+2)/4 = 1.25, dpj_lead (1+0+1+1)/4 = 0.75.
    # Mean 4.25 / 4 = 1.0625. Squared deviations 0.03515625 + 0.00390625 + 0.03515625
    # + 0.09765625 = 0.171875; variance 0.171875 / 3 = 0.0572917; s = 0.2393568;
    # standard error 0.1196784; half-width 3.182 x 0.1196784 = 0.3808167.
    overall = rows[-1]
    assert overall.item is None
    assert overall.change == pytest.approx(1.0625)
    assert overall.low == pytest.approx(0.6816833, abs=1e-6)
    assert overall.high == pytest.approx(1.4433167, abs=1e-6)


def test_a_respondent_pairs_their_first_before_with_their_last_after(
    training, make_session, run_immersion
):
    first = make_session(days=5)
    second = make_session(host=training["teams"]["protection"], days=9)
    run_immersion(first, {"worker": ([1] * 4, [2] * 4)}, days_ago=20)
    run_immersion(second, {"worker": ([3] * 4, [5] * 4)}, days_ago=2)
    overall = indicators.self_assessment_change(
        fetched_by=training["users"]["coordinator"], programme=training["programme"]
    )[-1]
    assert (overall.respondents, overall.before, overall.after) == (1, 1.0, 5.0)
    assert overall.change == 4.0 and overall.low is None  # one respondent: no interval


def test_aggregates_of_fewer_than_three_respondents_are_not_shown(
    training, session, run_immersion, client, english, verified_login
):
    run_immersion(session, {k: (BEFORE[k], AFTER[k]) for k in ("worker", "protector")})
    coordinator = training["users"]["coordinator"]
    rows = indicators.self_assessment_change(
        fetched_by=coordinator, programme=training["programme"]
    )
    assert rows[-1].respondents == 2 and not rows[-1].shown
    verified_login(coordinator)
    page = client.get(reverse("training:programme", args=[training["programme"].id]))
    body = page.content.decode()
    assert "Shown from 3 respondents" in body
    assert page.context["change_chart"] == ""
    csv_text = client.get(reverse("training:effects_csv", args=[training["programme"].id]))
    line = next(r for r in csv_text.content.decode().splitlines() if "All statements" in r)
    assert line.split(",")[3:9] == ["2", "", "", "", "", ""]
    api = client.get(f"/api/v1/training/programmes/{training['programme'].id}/effects").json()
    assert api["change"][-1]["change"] is None and api["change"][-1]["respondents"] == 2


def test_the_programme_page_shows_aggregates_never_a_persons_answers(
    training, session, run_immersion, client, english, verified_login
):
    run_immersion(session, {k: (BEFORE[k], AFTER[k]) for k in BEFORE})
    verified_login(training["users"]["coordinator"])
    response = client.get(reverse("training:programme", args=[training["programme"].id]))
    body = response.content.decode()
    assert "1.06" in body  # the overall mean change, 1.0625
    assert "<svg" in response.context["change_chart"]
    for name in ("Nurse Test", "Worker Test", "Protector Test", "Dpjlead Test"):
        assert name not in body


# --- trained and untrained pairs ---------------------------------------------------------


def mid_month(month: date) -> datetime:
    return datetime.combine(
        month.replace(day=15), time(12, 0), tzinfo=timezone.get_current_timezone()
    )


def follow_together(training, pair: tuple[str, str], months: list[date]) -> None:
    """One family per month, followed by both teams from that month on."""
    people = {
        "perinatal": training["users"]["lead"].practitioner,
        "mother_child": training["users"]["worker"].practitioner,
        "protection": training["users"]["protector"].practitioner,
    }
    for month in months:
        family = Family.objects.create(
            recording_organization=training["orgs"]["clsc"],
            created_by=training["users"]["lead"],
        )
        for key in pair:
            CircleMember.objects.create(
                family=family,
                practitioner=people[key],
                team=training["teams"][key],
                joined_at=mid_month(month),
            )


@pytest.fixture
def trained_eight_months_ago(training, session, run_immersion):
    """The CRD's worker spent an immersion at the perinatal team about eight months ago:
    that pair is trained; perinatal-DPJ and CRD-DPJ are not."""
    run_immersion(session, {"worker": ([2] * 4, [4] * 4)}, days_ago=245)
    session.refresh_from_db()
    return timezone.localtime(session.starts_at).date().replace(day=1)


def test_indicators_ignore_pairs_without_data_rather_than_counting_zeros(
    training, trained_eight_months_ago
):
    ref = trained_eight_months_ago
    before = [add_months(ref, -k) for k in range(1, 7)]
    after = [add_months(ref, k) for k in range(1, 7)]
    # Trained pair: 3 new joint follow-ups in the 6 months before, 6 in the 6 months after.
    follow_together(training, ("perinatal", "mother_child"), before[:3] + after)
    # Untrained pair perinatal-DPJ: 6 before, 3 after. CRD-DPJ: no family at all.
    follow_together(training, ("perinatal", "protection"), before + after[:3])

    rates = indicators.pair_rates(
        fetched_by=training["users"]["coordinator"], programme=training["programme"]
    )
    joint = {g.group: g for g in rates if g.measure == "joint_follow_ups"}
    trained, untrained = joint["trained"], joint["untrained"]
    assert (trained.pairs_with_data, trained.pairs_without_data) == (1, 0)
    assert (trained.before, trained.after) == (0.5, 1.0)  # 3 / 6, 6 / 6
    # Counting CRD-DPJ as zeros would give 0.5 and 0.25: it is left out instead.
    assert (untrained.pairs_with_data, untrained.pairs_without_data) == (1, 1)
    assert (untrained.before, untrained.after) == (1.0, 0.5)  # 6 / 6, 3 / 6


def test_a_pair_whose_after_window_has_not_begun_has_no_data_yet(training):
    series = {date(2026, 1, 1): 4}
    this_month = date(2026, 4, 1)
    assert indicators.pair_rate(series, date(2026, 3, 20), this_month=this_month) is None
    # One whole month after: the rate is per month of the window that exists.
    assert indicators.pair_rate(series, date(2026, 2, 20), this_month=this_month) == (
        4 / 6,
        0.0,
        1,
    )


def test_without_referral_data_the_referral_rows_say_so_instead_of_zeros(
    training, trained_eight_months_ago, monkeypatch, client, english, verified_login
):
    monkeypatch.setattr(selectors.apps, "is_installed", lambda name: False)
    assert selectors.referral_counts(team_ids=[]) is None
    rates = indicators.pair_rates(
        fetched_by=training["users"]["coordinator"], programme=training["programme"]
    )
    referrals = [g for g in rates if g.measure == "referrals"]
    assert [g.available for g in referrals] == [False, False]
    assert all(g.before is None and g.pairs_with_data == 0 for g in referrals)
    verified_login(training["users"]["coordinator"])
    body = client.get(reverse("training:programme", args=[training["programme"].id])).content
    assert b"No data: the network does not record referrals yet." in body


def test_referrals_per_month_count_both_directions_of_a_pair(
    training, trained_eight_months_ago, refer
):
    ref = trained_eight_months_ago
    perinatal, mother_child = training["teams"]["perinatal"], training["teams"]["mother_child"]
    for k in (1, 2, 3, 4, 5, 6):
        refer(perinatal, mother_child, add_months(ref, -k))
    for k in (1, 2, 3):
        refer(mother_child, perinatal, add_months(ref, k))
    rates = indicators.pair_rates(
        fetched_by=training["users"]["coordinator"], programme=training["programme"]
    )
    trained = next(g for g in rates if g.measure == "referrals" and g.group == "trained")
    assert trained.available
    assert (trained.pairs_with_data, trained.before, trained.after) == (1, 1.0, 0.5)
    untrained = next(g for g in rates if g.measure == "referrals" and g.group == "untrained")
    assert (untrained.pairs_with_data, untrained.pairs_without_data) == (0, 2)
    assert untrained.before is None


def test_effects_export_as_csv(training, session, run_immersion, client, english, verified_login):
    run_immersion(session, {k: (BEFORE[k], AFTER[k]) for k in BEFORE})
    verified_login(training["users"]["coordinator"])
    response = client.get(reverse("training:effects_csv", args=[training["programme"].id]))
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("indicator,measure,group,n,before,after,change,ci95_low")
    overall = next(line for line in lines if line.startswith("self_assessment_change,All"))
    # Respondents' mean answers before: 2.0, 2.25, 1.5, 2.75 (mean 2.125); after: 3.25, 3.25,
    # 2.75, 3.5 (mean 3.1875); change and interval as worked out above.
    assert overall.split(",")[3:9] == ["4", "2.125", "3.188", "1.062", "0.682", "1.443"]
    assert sum(1 for line in lines if line.startswith("pairs_per_month")) == 4


@pytest.fixture
def refer(training):
    """Referral rows as the referrals app stores them (sent, some declined)."""
    from maillage.referrals.models import Referral

    family = Family.objects.create(
        recording_organization=training["orgs"]["clsc"], created_by=training["users"]["lead"]
    )

    def refer(from_team, to_team, month: date, status: str = "requested") -> None:
        Referral.objects.create(
            family=family,
            referrer=training["users"]["lead"],
            from_team=from_team,
            to_team=to_team,
            reason="Suivi conjoint",
            status=status,
            requested_at=mid_month(month),
        )

    return refer


def test_last_month_arithmetic():
    assert add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert add_months(date(2026, 11, 1), 3) == date(2027, 2, 1)
