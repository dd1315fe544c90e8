"""The dashboard's running counts (tallies.py) kept by recording and deleting sessions equal
the counts recomputed from the sessions themselves."""

import pytest
from django.db.models import Min

from maillage.families.models import TimelineEntry
from maillage.implementation import services, tallies
from maillage.implementation.models import ProgrammeSession, SessionTally

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
