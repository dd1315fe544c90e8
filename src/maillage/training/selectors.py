"""Reads of cross-training, already scoped to the user.

Single objects come through access_* helpers that answer 404 alike whether the object does
not exist or the user may not see it. Self-assessments are read here only by their author;
everything else about them leaves as aggregates (indicators.py).

Two reads reach outside the app, for the indicators and the pairing suggestions, and both
return counts per pair of teams, never a family: the overlap of circles of care (families
followed by two teams) and, when the network records referrals, referrals per month.
"""

from collections import Counter, defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import combinations
from typing import Any
from uuid import UUID

from django.apps import apps
from django.core.exceptions import FieldError, ValidationError
from django.db.models import Count, Min, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from maillage.core.models import User
from maillage.core.permissions import require
from maillage.directory.models import Membership, Team
from maillage.families.models import CircleMember

from .models import (
    HOLDS_A_PLACE,
    Answer,
    ImmersionSession,
    Moment,
    Phase,
    Programme,
    ProgrammeTeam,
    QuestionnaireItem,
    SessionStatus,
    SignUp,
    SignUpStatus,
    Topic,
)

Pair = tuple[Any, Any]

# Referral statuses that mean the receiving team said no (FHIR Task's "rejected").
DECLINED_REFERRAL_STATUSES = ("rejected", "declined")


def team_pair(a, b) -> Pair:
    """The unordered pair of two teams, in a stable order."""
    return (a, b) if str(a) <= str(b) else (b, a)


def month_of(moment: datetime | date) -> date:
    day = timezone.localtime(moment).date() if isinstance(moment, datetime) else moment
    return day.replace(day=1)


# --- programmes ---------------------------------------------------------------------------


def programme_list(*, fetched_by: User) -> QuerySet[Programme]:
    require(fetched_by, "training.view_programmes", hide=True)
    return Programme.objects.annotate(
        team_count=Count("programme_teams", distinct=True),
        session_count=Count(
            "sessions", filter=~Q(sessions__status=SessionStatus.CANCELLED), distinct=True
        ),
    ).order_by("-starts_on", "name", "id")


def access_programme(
    user: User, programme_id: Any, *, perm: str = "training.view_programmes"
) -> Programme:
    try:
        programme = Programme.objects.select_related("coordinator").get(id=programme_id)
    except (Programme.DoesNotExist, ValueError):
        raise Http404 from None
    require(user, perm, programme, hide=True)
    return programme


def phases_of(programme: Programme) -> list[Phase]:
    return list(programme.phases.all())


def topics_of(programme: Programme) -> list[Topic]:
    return list(programme.topics.all())


def questionnaire_items_of(
    programme: Programme, *, active_only: bool = False
) -> list[QuestionnaireItem]:
    """The programme's statements; active_only: those a new questionnaire asks."""
    items = programme.questionnaire_items.all()
    if active_only:
        items = items.filter(is_active=True)
    return list(items)


def programme_teams(programme: Programme) -> list[ProgrammeTeam]:
    return list(
        programme.programme_teams.select_related("team__organization").order_by(
            "team__organization__name", "team__name"
        )
    )


def sessions_of(programme: Programme) -> QuerySet[ImmersionSession]:
    """The programme's sessions in date order, with their host, phase, topics and the number
    of places taken: a bounded number of queries whatever their number."""
    return (
        programme.sessions.select_related("host_team__organization", "phase")
        .prefetch_related("topics")
        .annotate(places_taken=Count("sign_ups", filter=Q(sign_ups__status__in=HOLDS_A_PLACE)))
        .order_by("starts_at", "id")
    )


SESSION_PERIODS = ("upcoming", "past", "all")


def sessions_in_period(
    programme: Programme, *, period: str, now: datetime
) -> QuerySet[ImmersionSession]:
    """The programme's sessions still to come (in date order), those past or cancelled (the
    latest first), or all of them."""
    sessions = sessions_of(programme)
    if period == "upcoming":
        return sessions.filter(status=SessionStatus.SCHEDULED, starts_at__gte=now)
    if period == "past":
        return sessions.exclude(status=SessionStatus.SCHEDULED, starts_at__gte=now).order_by(
            "-starts_at", "-id"
        )
    return sessions


# --- sessions and sign-ups ----------------------------------------------------------------


def access_session(user: User, session_id: Any) -> ImmersionSession:
    try:
        session = (
            ImmersionSession.objects.select_related("programme", "host_team__organization", "phase")
            .prefetch_related("topics")
            .get(id=session_id)
        )
    except (ImmersionSession.DoesNotExist, ValueError):
        raise Http404 from None
    require(user, "training.view_programmes", session.programme, hide=True)
    return session


def session_topics(session: ImmersionSession) -> list[Topic]:
    return list(session.topics.all())


def places_taken(session: ImmersionSession) -> int:
    return session.sign_ups.filter(status__in=HOLDS_A_PLACE).count()


def sign_ups_of(
    *, fetched_by: User, session: ImmersionSession, status: str | None = None
) -> QuerySet[SignUp]:
    """Who signed up (with that status, if given), for the host's lead and the coordinator."""
    require(fetched_by, "training.manage_sign_ups", session, hide=True)
    sign_ups = session.sign_ups.select_related("practitioner", "team__organization")
    if status is not None:
        sign_ups = sign_ups.filter(status=status)
    return sign_ups.order_by("created_at", "id")


def confirmed_participants(session: ImmersionSession) -> list[SignUp]:
    """The confirmed sign-ups, with their practitioner: the attendees of the invitation."""
    return list(
        session.sign_ups.filter(status=SignUpStatus.CONFIRMED).select_related("practitioner")
    )


def access_sign_up(user: User, sign_up_id: Any, *, perm: str) -> SignUp:
    try:
        sign_up = SignUp.objects.select_related(
            "session__programme", "session__host_team__organization", "practitioner", "team"
        ).get(id=sign_up_id)
    except (SignUp.DoesNotExist, ValueError):
        raise Http404 from None
    require(
        user, perm, sign_up.session if perm == "training.manage_sign_ups" else sign_up, hide=True
    )
    return sign_up


def my_sign_up(*, fetched_by: User, session: ImmersionSession) -> SignUp | None:
    """The user's own sign-up to this session: the one holding a place, else the latest."""
    mine = session.sign_ups.filter(practitioner__user=fetched_by)
    return (
        mine.filter(status__in=HOLDS_A_PLACE).first() or mine.order_by("-created_at", "-id").first()
    )


def my_sign_ups(*, fetched_by: User) -> QuerySet[SignUp]:
    """The user's own immersions, newest first, with the moments they have answered."""
    return (
        SignUp.objects.filter(practitioner__user=fetched_by)
        .select_related("session__host_team__organization", "session__programme", "team")
        .annotate(
            answered_before=Count("assessments", filter=Q(assessments__moment=Moment.BEFORE)),
            answered_after=Count("assessments", filter=Q(assessments__moment=Moment.AFTER)),
        )
        .order_by("-session__starts_at", "-created_at")
    )


def places_held_by(
    *, fetched_by: User, sessions: Collection[ImmersionSession]
) -> dict[Any, SignUp]:
    """{session id: the user's sign-up holding a place} among these sessions."""
    return {
        s.session_id: s
        for s in my_sign_ups(fetched_by=fetched_by).filter(
            session__in=[session.pk for session in sessions], status__in=HOLDS_A_PLACE
        )
    }


def answered_moments(*, fetched_by: User, sign_up: SignUp | None) -> set[str]:
    """The moments (before, after) for which the user answered their own questionnaire."""
    if sign_up is None:
        return set()
    return set(
        sign_up.assessments.filter(sign_up__practitioner__user=fetched_by).values_list(
            "moment", flat=True
        )
    )


def team_by_id(team_id: Any) -> Team | None:
    """A team of the directory (professional information), or None for an unknown or
    malformed id."""
    try:
        return Team.objects.filter(pk=team_id).first()
    except (ValueError, ValidationError):
        return None


def visiting_teams(*, fetched_by: User, session: ImmersionSession) -> list[Team]:
    """The programme teams, other than the host, from which the user may visit."""
    return list(
        Team.objects.filter(
            memberships__practitioner__user=fetched_by,
            id__in=session.programme.programme_teams.values("team_id"),
        )
        .exclude(id=session.host_team_id)
        .select_related("organization")
        .order_by("name", "id")
    )


def own_answers(*, fetched_by: User, sign_up: SignUp) -> dict[str, list[Answer]]:
    """A practitioner's own answers to one immersion's questionnaires, by moment."""
    require(fetched_by, "training.answer_self_assessment", sign_up, hide=True)
    answers: dict[str, list[Answer]] = {Moment.BEFORE: [], Moment.AFTER: []}
    for answer in (
        Answer.objects.filter(assessment__sign_up=sign_up)
        .select_related("item", "assessment")
        .order_by("item__position", "item__created_at")
    ):
        answers[answer.assessment.moment].append(answer)
    return answers


def assessment_answers(*, fetched_by: User, programme: Programme) -> list[tuple]:
    """(respondent, moment, submitted_at, item, value) for every answer of the programme, the
    respondent being an opaque practitioner id: the raw material of the aggregates, never
    shown as such."""
    require(fetched_by, "training.view_effects", programme, hide=True)
    return list(
        Answer.objects.filter(assessment__sign_up__session__programme=programme)
        .order_by()
        .values_list(
            "assessment__sign_up__practitioner_id",
            "assessment__moment",
            "assessment__submitted_at",
            "item_id",
            "value",
        )
    )


# --- training links between teams -----------------------------------------------------------


def training_links(
    *, programme: Programme | None = None, until: date | None = None
) -> dict[Pair, list[date]]:
    """Pairs of teams whose people met in a held immersion (host team and visiting team of an
    attendee), with the day of each such session. Without a programme: across all of them.
    With `until`: only sessions held before that day."""
    rows = SignUp.objects.filter(session__status=SessionStatus.HELD, attended=True)
    if programme is not None:
        rows = rows.filter(session__programme=programme)
    links: dict[Pair, set[date]] = defaultdict(set)
    for host_id, team_id, starts_at in rows.order_by().values_list(
        "session__host_team_id", "team_id", "session__starts_at"
    ):
        day = timezone.localtime(starts_at).date()
        if until is None or day < until:
            links[team_pair(host_id, team_id)].add(day)
    return {pair: sorted(days) for pair, days in links.items()}


def planned_links() -> Counter:
    """Pairs of teams that will meet at a session already scheduled (a place is held)."""
    planned: Counter = Counter()
    for host_id, team_id in (
        SignUp.objects.filter(
            session__status=SessionStatus.SCHEDULED,
            session__starts_at__gte=timezone.now(),
            status__in=HOLDS_A_PLACE,
        )
        .order_by()
        .values_list("session__host_team_id", "team_id")
        .distinct()
    ):
        planned[team_pair(host_id, team_id)] += 1
    return planned


# --- what the teams do together (aggregates only) -------------------------------------------


@dataclass
class CircleOverlap:
    """How two teams follow families together, from the circles of care."""

    shared_families: Counter = field(default_factory=Counter)
    # Pair -> month -> joint follow-ups that started that month.
    joint_starts: dict[Pair, Counter] = field(default_factory=lambda: defaultdict(Counter))


def circle_overlap(
    *, fetched_by: User, programme: Programme, perm: str = "training.view_effects"
) -> CircleOverlap:
    """Between the programme's teams: families with members (active or past) of both teams
    in their circle of care, and the month each such joint follow-up began (when the second
    of the two teams joined).

    Counts only: no family leaves this function. One query, grouped by family and team."""
    require(fetched_by, perm, programme, hide=True)
    firsts: dict[Any, dict[Any, datetime]] = defaultdict(dict)
    for family_id, team_id, first in (
        CircleMember.objects.filter(team_id__in=programme.programme_teams.values("team_id"))
        .order_by()
        .values("family_id", "team_id")
        .annotate(first=Min("joined_at"))
        .values_list("family_id", "team_id", "first")
    ):
        firsts[family_id][team_id] = first
    overlap = CircleOverlap()
    for teams in firsts.values():
        for a, b in combinations(teams, 2):
            pair = team_pair(a, b)
            overlap.shared_families[pair] += 1
            overlap.joint_starts[pair][month_of(max(teams[a], teams[b]))] += 1
    return overlap


@dataclass(frozen=True)
class ReferralCount:
    total: int
    declined: int


def referral_counts(*, team_ids: Collection) -> dict[tuple[UUID, UUID, date], ReferralCount] | None:
    """Referrals sent from one team to another, per month they were sent, as
    {(from team, to team, month): counts}.

    None when the network keeps no referrals (the referrals app is not installed, or its
    model is not the one expected): callers then say "no data" instead of counting zeros."""
    if not apps.is_installed("maillage.referrals"):
        return None
    try:
        referral = apps.get_model("referrals", "Referral")
    except LookupError:
        return None
    ids = list(team_ids)
    try:
        rows = list(
            referral.objects.filter(
                from_team_id__in=ids, to_team_id__in=ids, requested_at__isnull=False
            )
            .order_by()
            .annotate(month=TruncMonth("requested_at"))
            .values("from_team_id", "to_team_id", "month")
            .annotate(
                total=Count("id"),
                declined=Count("id", filter=Q(status__in=DECLINED_REFERRAL_STATUSES)),
            )
            .values_list("from_team_id", "to_team_id", "month", "total", "declined")
        )
    except FieldError:
        # The referrals app is being built alongside: a model without the expected fields
        # is treated as no data, not as an error page.
        return None
    return {
        (from_id, to_id, month_of(month)): ReferralCount(total, declined)
        for from_id, to_id, month, total, declined in rows
    }


def memberships_between(team_ids: Collection) -> Counter:
    """Practitioners working in both teams of a pair (a liaison nurse): contact already."""
    teams_of: dict[Any, set] = defaultdict(set)
    for person_id, team_id in (
        Membership.objects.filter(team_id__in=list(team_ids))
        .order_by()
        .values_list("practitioner_id", "team_id")
    ):
        teams_of[person_id].add(team_id)
    shared: Counter = Counter()
    for teams in teams_of.values():
        for a, b in combinations(teams, 2):
            shared[team_pair(a, b)] += 1
    return shared
