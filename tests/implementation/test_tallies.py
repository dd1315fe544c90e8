"""The dashboard's running counts (tallies.py) kept by recording and deleting sessions equal
the counts recomputed from the sessions themselves."""

import statistics

import pytest
from django.db.models import Min

from maillage.families.models import TimelineEntry
from maillage.implementation import selectors, services, tallies
from maillage.implementation.models import ProgrammeSession, SessionTally, SustainabilityAnswer

from .conftest import COMPONENTS, days_ago


def _record(s, held, *, attended=True, scores=None):
    return services.record_session(
        by=s["users"]["owner"],
        enrolment=s["enrolment"],
        held_on=days_ago(held),
        attended=attended,
        components=COMPONENTS[: len(scores or [])],
        fidelity=dict(zip(COMPONENTS, scores or [], strict=False)),
        rated_by="supervisor" if scores else "",
    )


def test_recorded_and_deleted_sessions_keep_the_counts_a_rebuild_gives(enrolled):
    s = enrolled
    programme = s["programme"]
    _record(s, 20, scores=[4, 5])
    _record(s, 15, attended=False)
    second = _record(s, 25, scores=[2])
    _record(s, 10)
    _record(s, 5, scores=[3, 3, 4])

    kept = tallies.tallied(programme)
    (enrolment_id, attended, first), *_others = kept["enrolments"]
    assert enrolment_id == s["enrolment"].id
    assert attended == 4
    assert first == days_ago(25)
    totals = SessionTally.objects.filter(site=s["site"]).values_list(
        "sessions", "attended", "rated", "fidelity_sum"
    )
    sessions, came, rated, fidelity = (sum(column) for column in zip(*totals, strict=True))
    assert (sessions, came, rated) == (5, 4, 3)
    assert fidelity == pytest.approx(4.5 + 2 + 10 / 3)
    tallies.rebuild(programme)
    assert tallies.tallied(programme) == kept

    # A deleted session (here through its timeline entry's cascade) leaves the counts.
    TimelineEntry.objects.filter(id=second.entry_id).delete()
    assert not ProgrammeSession.objects.filter(id=second.id).exists()
    kept = tallies.tallied(programme)
    assert kept["enrolments"][0][1:] == (
        3,
        ProgrammeSession.objects.filter(attended=True).aggregate(m=Min("held_on"))["m"],
    )
    assert kept["enrolments"][0][2] == days_ago(20)
    tallies.rebuild(programme)
    assert tallies.tallied(programme) == kept


def _domain_means_from_answers(site) -> dict:
    """Per (year, domain), the mean of the respondents' means, from the answers' rows."""
    per_person: dict = {}
    for answer in SustainabilityAnswer.objects.filter(assessment__site=site).select_related(
        "assessment", "item"
    ):
        key = (answer.assessment.year, answer.item.domain, answer.assessment_id)
        per_person.setdefault(key, []).append(answer.score)
    per_domain: dict = {}
    for (year, domain, _who), scores in per_person.items():
        per_domain.setdefault((year, domain), []).append(statistics.fmean(scores))
    return {key: statistics.fmean(means) for key, means in per_domain.items()}


def test_domain_scores_follow_new_answers_and_a_statement_moved_to_another_domain(
    programme_setup,
):
    s = programme_setup
    items = selectors.sustainability_items()
    owner, lead = s["users"]["owner"], s["lead"]
    for k, user in enumerate([owner, lead, owner]):  # the owner answers twice: replaced
        scores = {str(item.id): 1 + (n + k) % 7 for n, item in enumerate(items)}
        services.answer_sustainability(by=user, site=s["site"], year=2026, scores=scores)
    moved = next(i for i in items if i.domain == "funding_stability")
    services.save_sustainability_item(
        by=s["coordinator"],
        item=moved,
        domain="communications",
        text_fr=moved.text_fr,
        text_en=moved.text_en,
    )
    expected = _domain_means_from_answers(s["site"])
    board = selectors.dashboard(fetched_by=s["coordinator"], programme=s["programme"])
    assert {k: m.mean for k, m in board.sustainability.items()} == pytest.approx(expected)
    assert board.sustainability[(2026, "communications")].n == 2
    kept = tallies.tallied(s["programme"])["domain_scores"]
    tallies.rebuild(s["programme"])
    assert tallies.tallied(s["programme"])["domain_scores"] == kept
