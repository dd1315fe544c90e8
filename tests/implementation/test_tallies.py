"""The dashboard's running counts (tallies.py) kept by making and moving enrolments, and by
recording and deleting sessions and families, equal the counts recomputed from the
enrolments and sessions themselves."""

import statistics
import threading
from collections import Counter

import pytest
from django.db import connection, connections
from django.db.models import Min

from maillage.core.errors import IllegalTransition
from maillage.families import services as family_services
from maillage.families.models import Family, TimelineEntry
from maillage.implementation import figures, selectors, services, tallies
from maillage.implementation.models import (
    Enrolment,
    PractitionerTally,
    ProgrammeSession,
    QuarterTally,
    SustainabilityAnswer,
)

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
    for model in (PractitionerTally, QuarterTally):  # the owner's, in two quarters or one
        totals = model.objects.filter(site=s["site"]).values_list(
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


# --- the enrolments' tallies ---------------------------------------------------------------


def _exit(s) -> None:
    """A colleague records the family's exit from the programme (moved away) yesterday."""
    services.move_enrolment(
        by=s["users"]["owner"],
        enrolment=s["enrolment"],
        to="exited",
        on=days_ago(1),
        exit_reason="moved",
    )


def _second_family(s):
    return family_services.create_family(
        by=s["users"]["owner"],
        team=s["teams"]["perinatal"],
        role="Infirmière de liaison",
        caregivers=[family_services.CaregiverData(first_name="Julie", last_name="Roy")],
        children=[],
        reasons=["substance_use"],
    )


def _figures_from_rows(programme) -> tuple:
    """The dashboard's enrolment figures counted from the enrolments' rows themselves."""
    groups: Counter = Counter()
    enrolled: Counter = Counter()
    dose: Counter = Counter()
    days: Counter = Counter()
    for e in Enrolment.objects.filter(programme=programme):
        key = (e.status, e.exit_reason, e.eligible)
        groups[key] += 1
        if e.enrolled_on is not None:
            enrolled[key] += 1
            dose[e.attended_sessions] += 1
        if e.first_session_on is not None:
            days[(e.first_session_on - e.referred_on).days] += 1
    return (
        sorted((*key, n, enrolled[key]) for key, n in groups.items()),
        dict(dose),
        dict(days),
    )


def _dashboard_figures(s) -> tuple:
    board = selectors.dashboard(fetched_by=s["coordinator"], programme=s["programme"])
    groups, dose, days = selectors._enrolment_figures(s["programme"], None)
    assert board.statuses == figures.status_counts(groups)
    return (
        sorted((g.status, g.exit_reason, g.eligible, g.count, g.enrolled) for g in groups),
        dose,
        days,
    )


def _check_tallies(s) -> None:
    """The tallies as kept equal those a rebuild gives, and the dashboard's figures equal
    those counted from the enrolments' rows."""
    assert _dashboard_figures(s) == _figures_from_rows(s["programme"])
    kept = tallies.tallied(s["programme"])
    tallies.rebuild(s["programme"])
    assert tallies.tallied(s["programme"]) == kept


def test_enrolments_made_moved_counted_and_deleted_keep_their_tallies(enrolled):
    s = enrolled
    owner = s["users"]["owner"]
    _check_tallies(s)
    assert _dashboard_figures(s)[0] == [("enrolled", "", True, 1, 1)]
    _record(s, 20, scores=[4, 5])
    _record(s, 25, attended=False)
    _record(s, 10)
    _check_tallies(s)
    assert _dashboard_figures(s)[1:] == ({2: 1}, {20: 1})  # referred 40 days ago

    other = _second_family(s)
    second = services.enrol_family(
        by=owner, family=other, site=s["site"], referred_on=days_ago(12), eligible=False
    )
    _check_tallies(s)
    second = services.move_enrolment(by=owner, enrolment=second, to="offered", on=days_ago(8))
    second = services.move_enrolment(by=owner, enrolment=second, to="enrolled", on=days_ago(6))
    _check_tallies(s)
    assert _dashboard_figures(s)[1] == {2: 1, 0: 1}
    services.move_enrolment(
        by=owner, enrolment=s["enrolment"], to="exited", on=days_ago(1), exit_reason="moved"
    )
    _check_tallies(s)
    assert ("exited", "moved", True, 1, 1) in _dashboard_figures(s)[0]

    # A deletion takes an enrolment, and its sessions before it, out of the counts: the
    # family's (cascade), or the enrolment's own.
    services.record_session(by=owner, enrolment=second, held_on=days_ago(3))
    _check_tallies(s)
    assert _dashboard_figures(s)[1:] == ({2: 1, 1: 1}, {20: 1, 9: 1})
    Family.objects.filter(id=other.id).delete()
    _check_tallies(s)
    assert _dashboard_figures(s) == ([("exited", "moved", True, 1, 1)], {2: 1}, {20: 1})
    Enrolment.objects.filter(id=s["enrolment"].id).delete()
    _check_tallies(s)
    assert _dashboard_figures(s) == ([], {}, {})


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two connections: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_sessions_recorded_at_once_for_one_family_both_count(enrolled):
    s = enrolled
    barrier = threading.Barrier(2)
    failures: list = []

    def record(held):
        try:
            barrier.wait(timeout=10)
            _record(s, held)
        except Exception as error:
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=record, args=(held,)) for held in (12, 9)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    enrolment = Enrolment.objects.get(id=s["enrolment"].id)
    assert (enrolment.attended_sessions, enrolment.first_session_on) == (2, days_ago(12))
    assert enrolment.status == "in_sessions"
    _check_tallies(s)
    assert _dashboard_figures(s)[1:] == ({2: 1}, {28: 1})


def test_an_enrolment_deleted_from_an_older_copy_leaves_the_counts_right(enrolled):
    """The copy Django deletes may be older than the row (a cascade reads the enrolments
    without a lock): the counts follow the row as it stands when the deletion locks it."""
    s = enrolled
    _record(s, 20)
    older = Enrolment.objects.get(id=s["enrolment"].id)
    _exit(s)
    older.delete()
    _check_tallies(s)
    assert _dashboard_figures(s) == ([], {}, {})


def test_a_session_recorded_from_an_older_copy_of_an_exited_enrolment_is_refused(enrolled):
    """The session's form read the enrolment before a colleague recorded the family's exit:
    the session is refused, and the exit stands."""
    s = enrolled
    older = Enrolment.objects.get(id=s["enrolment"].id)
    _exit(s)
    with pytest.raises(IllegalTransition):
        services.record_session(by=s["users"]["owner"], enrolment=older, held_on=days_ago(2))
    assert Enrolment.objects.get(id=older.id).status == "exited"
    assert not ProgrammeSession.objects.exists()
    _check_tallies(s)
