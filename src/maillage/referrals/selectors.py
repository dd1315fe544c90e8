"""Reads of referrals and consultations, scoped to the user; reading one logs the read
against the family."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from maillage.core.models import User
from maillage.directory.models import Membership, Team
from maillage.families.permissions import FamilyAccess
from maillage.families.selectors import log_access

from .models import OPEN_FOR_RECEIVER, Consultation, Referral, Status
from .working_days import working_days_between

DEFAULT_ACK_TARGET = 2


def _related(qs: QuerySet[Referral]) -> QuerySet[Referral]:
    return qs.select_related(
        "family",
        "referrer",
        "from_team__organization",
        "to_team__organization",
        "service_offer",
        "handled_by",
    )


def _listed(qs: QuerySet[Referral]) -> QuerySet[Referral]:
    """A page of referrals with what their rows show, each relation in one small query by
    primary key: joined in one query, the eight tables cost PostgreSQL about 10 ms of
    planning alone, and hashing whole tables (users, teams, offers) to keep 25 rows made
    the inbox 2.3 times slower at region scale than on the demo (BENCHMARKS.md)."""
    return qs.prefetch_related(
        "family", "service_offer", "from_team__organization", "to_team__organization"
    )


def access_referral(user: User, referral_id, *, request=None) -> Referral:
    """The referral, its read logged against the family; 404 whether missing or hidden."""
    referral = _related(Referral.objects.filter(id=referral_id)).first()
    if referral is None or not user.has_perm("referrals.view_referral", referral):
        raise Http404
    via = "referrer" if referral.referrer_id == user.id else "receiving_team"
    log_access(
        user,
        referral.family,
        ["referral", *referral.category_codes],
        FamilyAccess(via=via),
        request,
        purpose="referral",
    )
    return referral


@dataclass
class InboxRow:
    referral: Referral
    age_days: int
    target_days: int

    @property
    def overdue(self) -> bool:
        return self.referral.status == Status.REQUESTED and self.age_days > self.target_days


def my_team_ids(user: User) -> list:
    return list(
        Membership.objects.filter(practitioner__user=user).values_list("team_id", flat=True)
    )


def inbox(*, fetched_by: User, team_id=None) -> QuerySet[Referral]:
    """Incoming referrals of my teams that still need something from us, oldest first."""
    teams = my_team_ids(fetched_by)
    if team_id is not None:
        teams = [t for t in teams if str(t) == str(team_id)]
    return _listed(
        Referral.objects.filter(to_team_id__in=teams, status__in=OPEN_FOR_RECEIVER)
    ).order_by("requested_at", "id")


def inbox_rows(referrals, now: datetime | None = None) -> list[InboxRow]:
    """Each referral's age in working days against its service's acknowledgement target."""
    now = now or timezone.now()
    return [
        InboxRow(
            referral=r,
            age_days=working_days_between(r.requested_at or r.created_at, now),
            target_days=r.service_offer.acknowledge_within_days
            if r.service_offer
            else DEFAULT_ACK_TARGET,
        )
        for r in referrals
    ]


def log_inbox(user: User, referrals, request=None) -> None:
    """An inbox page shows families' names: one access event per referral listed."""
    from maillage.audit.models import AuditEvent
    from maillage.families.selectors import _access_event

    AuditEvent.objects.bulk_create(
        [
            _access_event(
                user,
                r.family,
                ["referral"],
                FamilyAccess(via="receiving_team"),
                request,
                "referral inbox",
            )
            for r in referrals
        ]
    )


def outgoing(*, fetched_by: User) -> QuerySet[Referral]:
    return _listed(Referral.objects.filter(referrer=fetched_by)).order_by("-created_at", "id")


def overdue_referrals(now: datetime | None = None):
    """(referral, working days waited, target) for every sent referral past its target."""
    now = now or timezone.now()
    waiting = _related(Referral.objects.filter(status=Status.REQUESTED))
    for row in inbox_rows(waiting.iterator(chunk_size=500), now):
        if row.overdue:
            yield row.referral, row.age_days, row.target_days


def referrable_teams(*, fetched_by: User, q: str = "") -> QuerySet[Team]:
    teams = Team.objects.select_related("organization").order_by("organization__name", "name")
    if q:
        from maillage.core.text import fold

        for word in fold(q).split():
            teams = teams.filter(search_text__contains=word)
    return teams


def consultations(*, fetched_by: User) -> QuerySet[Consultation]:
    teams = my_team_ids(fetched_by)
    return (
        Consultation.objects.filter(Q(asked_by=fetched_by) | Q(to_team_id__in=teams))
        .select_related("asked_by", "from_team", "to_team__organization", "family")
        .order_by("-created_at", "id")
    )


def access_consultation(user: User, consultation_id, request=None) -> Consultation:
    consultation = (
        Consultation.objects.filter(id=consultation_id)
        .select_related("asked_by", "from_team", "to_team__organization", "family")
        .first()
    )
    if consultation is None or not user.has_perm("referrals.view_consultation", consultation):
        raise Http404
    if consultation.family is not None:
        log_access(
            user,
            consultation.family,
            ["consultation"],
            FamilyAccess(via="consulted"),
            request,
            purpose="case consultation",
        )
    return consultation


def unread_notifications(user: User):
    return user.notifications.filter(read_at__isnull=True).order_by("-created_at")
