"""The dashboard's running counts of sessions: on each enrolment, the sessions the family came
to and the first of them; per site, practitioner and quarter, the sessions held, attended and
rated with the sum of their fidelity (SessionTally). And each sustainability respondent's
score per domain (DomainScore), written with their answers.

Kept as sessions are recorded (services.record_session) and deleted (the signal in apps.py,
also for a cascade), so that the programme's dashboard reads a few hundred rows whatever the
number of sessions. `rebuild` recomputes them from the sessions: the generator's bulk load
and a test comparing both use it.
"""

from django.db import transaction
from django.db.models import Avg, Case, Count, F, FloatField, Min, Q, Value, When

from .models import (
    DomainScore,
    Enrolment,
    Programme,
    ProgrammeSession,
    SessionTally,
    SustainabilityAnswer,
    SustainabilityAssessment,
)


def quarter_of(held_on) -> tuple[int, int]:
    return held_on.year, (held_on.month + 2) // 3


def count_session(session: ProgrammeSession) -> None:
    """Add a new session to its enrolment's and its quarter's counts (in the caller's
    transaction). F() increments: two sessions recorded at once both count."""
    if session.attended:
        held_on = Value(session.held_on)
        Enrolment.objects.filter(pk=session.enrolment_id).update(
            attended_sessions=F("attended_sessions") + 1,
            first_session_on=Case(
                When(
                    Q(first_session_on__isnull=True) | Q(first_session_on__gt=session.held_on),
                    then=held_on,
                ),
                default=F("first_session_on"),
            ),
        )
    _add(session, +1)


def uncount_session(session: ProgrammeSession) -> None:
    """Take a deleted session out of the counts."""
    if session.attended:
        first = (
            ProgrammeSession.objects.filter(enrolment_id=session.enrolment_id, attended=True)
            .exclude(pk=session.pk)
            .aggregate(first=Min("held_on"))["first"]
        )
        Enrolment.objects.filter(pk=session.enrolment_id).update(
            attended_sessions=F("attended_sessions") - 1, first_session_on=first
        )
    _add(session, -1)


def _add(session: ProgrammeSession, sign: int) -> None:
    year, quarter = quarter_of(session.held_on)
    key = {
        "site_id": session.site_id,
        "practitioner_id": session.practitioner_id,
        "year": year,
        "quarter": quarter,
    }
    rated = session.fidelity is not None
    # get_or_create retries a concurrent first insert; the F() update then adds to it.
    SessionTally.objects.get_or_create(**key)
    SessionTally.objects.filter(**key).update(
        sessions=F("sessions") + sign,
        attended=F("attended") + (sign if session.attended else 0),
        rated=F("rated") + (sign if rated else 0),
        fidelity_sum=F("fidelity_sum") + (sign * session.fidelity if rated else 0.0),
    )


def score_assessments(assessments) -> None:
    """The domain scores of these assessments (ids or a queryset of them), recomputed from
    their answers: after a respondent answers, or a statement moves to another domain."""
    DomainScore.objects.filter(assessment_id__in=assessments).delete()
    DomainScore.objects.bulk_create(
        DomainScore(assessment_id=row["assessment_id"], domain=row["item__domain"], mean=row["m"])
        for row in SustainabilityAnswer.objects.filter(assessment_id__in=assessments)
        .order_by()
        .values("assessment_id", "item__domain")
        .annotate(m=Avg("score", output_field=FloatField()))
    )


@transaction.atomic
def rebuild(programme: Programme) -> None:
    """The counts of the programme's enrolments and sites, recomputed from their sessions and
    answers."""
    score_assessments(
        SustainabilityAssessment.objects.filter(site__programme=programme).values("id")
    )
    sessions = ProgrammeSession.objects.filter(enrolment__programme=programme).order_by()
    per_enrolment = {
        row["enrolment_id"]: row
        for row in sessions.filter(attended=True)
        .values("enrolment_id")
        .annotate(n=Count("id"), first=Min("held_on"))
    }
    enrolments = list(Enrolment.objects.filter(programme=programme))
    for enrolment in enrolments:
        row = per_enrolment.get(enrolment.id)
        enrolment.attended_sessions = row["n"] if row else 0
        enrolment.first_session_on = row["first"] if row else None
    Enrolment.objects.bulk_update(
        enrolments, ["attended_sessions", "first_session_on"], batch_size=1000
    )
    SessionTally.objects.filter(site__programme=programme).delete()
    tallies: dict[tuple, SessionTally] = {}
    for site_id, practitioner_id, held_on, attended, fidelity in sessions.values_list(
        "site_id", "practitioner_id", "held_on", "attended", "fidelity"
    ).iterator(chunk_size=5000):
        key = (site_id, practitioner_id, *quarter_of(held_on))
        tally = tallies.get(key)
        if tally is None:
            tally = tallies[key] = SessionTally(
                site_id=site_id, practitioner_id=practitioner_id, year=key[2], quarter=key[3]
            )
        tally.sessions += 1
        tally.attended += int(attended)
        if fidelity is not None:
            tally.rated += 1
            tally.fidelity_sum += fidelity
    SessionTally.objects.bulk_create(tallies.values(), batch_size=1000)


def tallied(programme: Programme) -> dict:
    """The programme's counts as stored, in a form a test compares with `rebuild`'s."""
    return {
        "enrolments": sorted(
            Enrolment.objects.filter(programme=programme).values_list(
                "id", "attended_sessions", "first_session_on"
            )
        ),
        "tallies": sorted(
            (site, who, year, quarter, n, attended, rated, round(total, 9))
            for site, who, year, quarter, n, attended, rated, total in SessionTally.objects.filter(
                site__programme=programme, sessions__gt=0
            ).values_list(
                "site_id",
                "practitioner_id",
                "year",
                "quarter",
                "sessions",
                "attended",
                "rated",
                "fidelity_sum",
            )
        ),
        "domain_scores": sorted(
            (a, d, round(m, 9))
            for a, d, m in DomainScore.objects.filter(
                assessment__site__programme=programme
            ).values_list("assessment_id", "domain", "mean")
        ),
    }
