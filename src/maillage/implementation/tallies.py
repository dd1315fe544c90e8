"""The dashboard's running counts. On each enrolment, the sessions the family came to and the
first of them; per site, the enrolments by status, exit reason and eligibility
(EnrolmentTally), the enrolled families by sessions attended (DoseTally) and by days from
referral to first session (WaitTally); per site and practitioner (PractitionerTally) and per
site and quarter (QuarterTally), the sessions held, attended and rated with the sum of their
fidelity. And each sustainability respondent's score per domain (DomainScore), written with
their answers.

Kept as enrolments are made and moved (services), as sessions are recorded
(services.record_session) and deleted, and as enrolments are deleted (the signals in apps.py,
also for a family's cascade), so that the programme's dashboard reads a few hundred rows
whatever the number of families and sessions. `rebuild` recomputes them from the enrolments
and sessions: the generator's bulk load and the tests comparing both use it.
"""

from collections import Counter
from collections.abc import Mapping

from django.db import transaction
from django.db.models import Avg, Count, F, FloatField, Min

from .models import (
    DomainScore,
    DoseTally,
    Enrolment,
    EnrolmentTally,
    PractitionerTally,
    Programme,
    ProgrammeSession,
    QuarterTally,
    Site,
    SustainabilityAnswer,
    SustainabilityAssessment,
    WaitTally,
)


def quarter_of(held_on) -> tuple[int, int]:
    return held_on.year, (held_on.month + 2) // 3


# --- enrolments ----------------------------------------------------------------------------

# What the enrolment tallies read of an enrolment.
FIGURED = (
    "site_id",
    "status",
    "exit_reason",
    "eligible",
    "referred_on",
    "enrolled_on",
    "attended_sessions",
    "first_session_on",
)

# Each tally, with the names of its key's columns in the order `_keys` gives them.
_TALLIES = (
    (EnrolmentTally, ("site_id", "status", "exit_reason", "eligible", "enrolled")),
    (DoseTally, ("site_id", "sessions")),
    (WaitTally, ("site_id", "days")),
)


def figured(enrolment: Enrolment, **overrides) -> dict:
    """The enrolment's values that the tallies count (with `overrides` in their place)."""
    return {name: getattr(enrolment, name) for name in FIGURED} | overrides


def _keys(values: Mapping | None) -> tuple:
    """Where one enrolment counts: its group; its dose when enrolled; its days from referral
    to first session once it had one (None where it does not count)."""
    if values is None:
        return (None, None, None)
    site, enrolled = values["site_id"], values["enrolled_on"] is not None
    first = values["first_session_on"]
    return (
        (site, values["status"], values["exit_reason"], bool(values["eligible"]), enrolled),
        (site, values["attended_sessions"]) if enrolled else None,
        (site, (first - values["referred_on"]).days) if first is not None else None,
    )


def _hold_site(site_id) -> None:
    """Take the site's lock for its tallies until the transaction ends. One move takes a
    tally row from one count and gives it to another, and two moves at the same site could
    take the same two rows in opposite orders (one family's first session while another is
    enrolled): a deadlock. Moves at one site wait for each other instead; a NO KEY lock
    leaves rows that refer to the site free to be written meanwhile."""
    list(Site.objects.select_for_update(no_key=True).filter(pk=site_id).values_list("pk"))


def recount_enrolment(before: Mapping | None, after: Mapping | None) -> None:
    """Move one enrolment in the tallies from where its values `before` counted (None: a new
    enrolment) to where its values `after` count (None: deleted), in the caller's
    transaction. F() increments: two enrolments moved at once both count."""
    moves = [
        (model, columns, was, now)
        for (model, columns), was, now in zip(_TALLIES, _keys(before), _keys(after), strict=True)
        if was != now
    ]
    if not moves:
        return
    _hold_site((before or after or {}).get("site_id"))
    for model, columns, was, now in moves:
        if was is not None:
            _shift(model, dict(zip(columns, was, strict=True)), -1)
        if now is not None:
            _shift(model, dict(zip(columns, now, strict=True)), +1)


def _shift(model, key: dict, sign: int) -> None:
    # get_or_create retries a concurrent first insert; the F() update then adds to it.
    model.objects.get_or_create(**key)
    model.objects.filter(**key).update(families=F("families") + sign)


def change_enrolment(enrolment_id, **changes) -> None:
    """Write `changes` to an enrolment, locked, and move it in the tallies (nothing when it
    is gone). A change is a value, or a function of the values before (the lock makes
    read-then-write safe when two sessions are recorded at once)."""
    # NO KEY: a session being recorded for this enrolment already holds a KEY SHARE lock on
    # it (its foreign key), which a plain FOR UPDATE would wait for: a deadlock between two
    # sessions recorded at once.
    before = (
        Enrolment.objects.select_for_update(no_key=True)
        .filter(pk=enrolment_id)
        .values(*FIGURED)
        .first()
    )
    if before is None:
        return
    written = {
        name: change(before) if callable(change) else change for name, change in changes.items()
    }
    Enrolment.objects.filter(pk=enrolment_id).update(**written)
    after = before | {name: v for name, v in written.items() if name in FIGURED}
    recount_enrolment(before, after)


def hold_enrolment_for_deletion(enrolment: Enrolment) -> None:
    """Before an enrolment is deleted: lock its row and keep where it counts. The instance
    Django deletes may be older than the row (a cascade reads the enrolments unlocked, and a
    step may have moved one since); the lock keeps any step out until the deletion ends."""
    enrolment._counted_as = (  # type: ignore[attr-defined]
        Enrolment.objects.select_for_update().filter(pk=enrolment.pk).values(*FIGURED).first()
    )


def uncount_enrolment(enrolment: Enrolment) -> None:
    """Take a deleted enrolment out of the tallies, as its row stood when it was locked for
    the deletion. Its sessions were deleted after that and before it (a cascade deletes the
    sessions first, each one's deletion taking it out of its enrolment's counts), so it
    counts as an enrolment with no session."""
    counted = getattr(enrolment, "_counted_as", None) or figured(enrolment)
    recount_enrolment(dict(counted, attended_sessions=0, first_session_on=None), None)


# --- sessions ------------------------------------------------------------------------------


def count_session(session: ProgrammeSession) -> None:
    """Add a new session to its enrolment's and its quarter's counts (in the caller's
    transaction)."""
    if session.attended:
        held_on = session.held_on
        change_enrolment(
            session.enrolment_id,
            attended_sessions=lambda e: e["attended_sessions"] + 1,
            first_session_on=lambda e: min(filter(None, (e["first_session_on"], held_on))),
        )
    _add(session, +1)


def uncount_session(session: ProgrammeSession) -> None:
    """Take a deleted session out of the counts."""
    if session.attended:
        # The first of the others, read under the enrolment's lock: a session recorded
        # meanwhile counts.
        def first_of_the_others(_before):
            return (
                ProgrammeSession.objects.filter(enrolment_id=session.enrolment_id, attended=True)
                .exclude(pk=session.pk)
                .aggregate(first=Min("held_on"))["first"]
            )

        change_enrolment(
            session.enrolment_id,
            attended_sessions=lambda e: e["attended_sessions"] - 1,
            first_session_on=first_of_the_others,
        )
    _add(session, -1)


def _add(session: ProgrammeSession, sign: int) -> None:
    year, quarter = quarter_of(session.held_on)
    rated = session.fidelity is not None
    counts = {
        "sessions": F("sessions") + sign,
        "attended": F("attended") + (sign if session.attended else 0),
        "rated": F("rated") + (sign if rated else 0),
        "fidelity_sum": F("fidelity_sum") + (sign * session.fidelity if rated else 0.0),
    }
    _hold_site(session.site_id)
    for model, key in (
        (PractitionerTally, {"practitioner_id": session.practitioner_id}),
        (QuarterTally, {"year": year, "quarter": quarter}),
    ):
        # get_or_create retries a concurrent first insert; the F() update then adds to it.
        model.objects.get_or_create(site_id=session.site_id, **key)
        model.objects.filter(site_id=session.site_id, **key).update(**counts)


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
    counted: list[Counter] = [Counter() for _ in _TALLIES]
    for enrolment in enrolments:
        for counter, key in zip(counted, _keys(figured(enrolment)), strict=True):
            if key is not None:
                counter[key] += 1
    for (model, columns), counter in zip(_TALLIES, counted, strict=True):
        model.objects.filter(site__programme=programme).delete()
        model.objects.bulk_create(
            (
                model(**dict(zip(columns, key, strict=True)), families=n)
                for key, n in counter.items()
            ),
            batch_size=1000,
        )
    per_practitioner: dict[tuple, PractitionerTally] = {}
    per_quarter: dict[tuple, QuarterTally] = {}
    for site_id, practitioner_id, held_on, attended, fidelity in sessions.values_list(
        "site_id", "practitioner_id", "held_on", "attended", "fidelity"
    ).iterator(chunk_size=5000):
        year, quarter = quarter_of(held_on)
        by_practitioner = per_practitioner.get((site_id, practitioner_id))
        if by_practitioner is None:
            by_practitioner = per_practitioner[(site_id, practitioner_id)] = PractitionerTally(
                site_id=site_id, practitioner_id=practitioner_id
            )
        by_quarter = per_quarter.get((site_id, year, quarter))
        if by_quarter is None:
            by_quarter = per_quarter[(site_id, year, quarter)] = QuarterTally(
                site_id=site_id, year=year, quarter=quarter
            )
        for tally in (by_practitioner, by_quarter):
            tally.sessions += 1
            tally.attended += int(attended)
            if fidelity is not None:
                tally.rated += 1
                tally.fidelity_sum += fidelity
    for model, counted in ((PractitionerTally, per_practitioner), (QuarterTally, per_quarter)):
        model.objects.filter(site__programme=programme).delete()
        model.objects.bulk_create(counted.values(), batch_size=1000)


def tallied(programme: Programme) -> dict:
    """The programme's counts as stored, in a form a test compares with `rebuild`'s."""
    return {
        "enrolments": sorted(
            Enrolment.objects.filter(programme=programme).values_list(
                "id", "attended_sessions", "first_session_on"
            )
        ),
        "session_tallies": [
            sorted(
                (*key, n, attended, rated, round(total, 9))
                for *key, n, attended, rated, total in model.objects.filter(
                    site__programme=programme, sessions__gt=0
                ).values_list(*columns, "sessions", "attended", "rated", "fidelity_sum")
            )
            for model, columns in (
                (PractitionerTally, ("site_id", "practitioner_id")),
                (QuarterTally, ("site_id", "year", "quarter")),
            )
        ],
        "enrolment_tallies": [
            sorted(
                model.objects.filter(site__programme=programme, families__gt=0).values_list(
                    *columns, "families"
                )
            )
            for model, columns in _TALLIES
        ],
        "domain_scores": sorted(
            (a, d, round(m, 9))
            for a, d, m in DomainScore.objects.filter(
                assessment__site__programme=programme
            ).values_list("assessment_id", "domain", "mean")
        ),
    }
