"""Reads of referrals and consultations, scoped to the user; reading one logs the read
against the family."""

import functools
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, UUIDField
from django.http import Http404
from django.utils import timezone

from maillage.core.compiled import CompiledQuery, Many, instance
from maillage.core.models import User
from maillage.core.tokens import split_codes
from maillage.directory.models import Organization, Practitioner, ServiceOffer, Team
from maillage.families import selectors as families
from maillage.families.models import Category, Consent, Family
from maillage.families.permissions import (
    FamilyAccess,
    FamilyKey,
    accesses,
    organization_access,
    organization_accesses,
    reader_access,
)
from maillage.families.selectors import family_label, log_access, log_listing, shown_as

from .models import (
    OPEN_FOR_RECEIVER,
    ConsentRequest,
    Consultation,
    EmailPreferences,
    Notification,
    Referral,
    Status,
)
from .permissions import team_ids_of
from .working_days import working_days_between

DEFAULT_ACK_TARGET = 2
_EARLIEST = datetime.min.replace(tzinfo=UTC)


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


def _reader_of(user: User, referral: Referral) -> FamilyAccess:
    """What this reader sees of the referral's family, by the families app's one rule: their
    own access, or what the consent shares with the receiving team's organization."""
    if referral.to_team_id in my_team_ids(user):
        # A member of the receiving team acts for it: what the consent shares with its
        # organization (already read by the rule that let them in).
        return organization_access(
            referral.family, referral.to_team.organization_id, via="receiving_team"
        )
    return reader_access(user, referral.family, via="referrer")


def access_referral(user: User, referral_id, *, request=None) -> Referral:
    """The referral, its read logged against the family; 404 whether missing or hidden.
    `referral.family_access` says what the page may show of the family (its names only
    with identity), `referral.family_label` how it names it."""
    referral = (
        _related(Referral.objects.filter(id=referral_id))
        .prefetch_related("family__caregivers")
        .first()
    )
    if referral is None or not user.has_perm("referrals.view_referral", referral):
        raise Http404
    access = _reader_of(user, referral)
    # Named only where a page shows it (reads the caregivers): functools.partial keeps
    # a read that shows no name from reading them.
    shown_as(
        referral,
        family_access=access,
        family_label=functools.partial(family_label, referral.family, access),
    )
    log_access(
        user,
        referral.family,
        ["referral", *(c for c in referral.category_codes if access.sees(c))],
        access,
        request,
        purpose="referral",
    )
    return referral


def referral_for_write(user: User, referral_id) -> Referral:
    """The referral a step or a hand-off is about: 404 whether missing or hidden. Nothing is
    logged here: a step taken writes its own event, a step refused shows nothing."""
    referral = _related(Referral.objects.filter(id=referral_id)).first()
    if referral is None or not user.has_perm("referrals.view_referral", referral):
        raise Http404
    return referral


def referral_events(referral: Referral):
    return referral.events.select_related("by")


def referral_attachment(referral: Referral, attachment_id):
    item = referral.attachments.filter(id=attachment_id).first()
    if item is None:
        raise Http404
    return item


@dataclass
class InboxRow:
    referral: Referral
    age_days: int
    target_days: int

    @property
    def overdue(self) -> bool:
        return self.referral.status == Status.REQUESTED and self.age_days > self.target_days


def my_team_ids(user: User) -> list:
    # Read once per request, shared with the rules (permissions.team_ids_of).
    return list(team_ids_of(user))


@dataclass
class Inbox:
    """Referrals waiting for my teams (their ids, oldest first, to paginate) and, per
    referral, what its receiving team's organization may see of the family (two of my
    teams in two organizations may see one family differently); `present(ids)` reads a
    page's rows and labels them."""

    referrals: list
    access: dict

    def present(self, ids) -> list[Referral]:
        rows = referral_page(list(ids))
        for referral in rows:
            access = self.access[referral.pk]
            shown_as(referral.family, access=access)
            shown_as(referral, family_label=family_label(referral.family, access))
        return rows


# A page of referrals with what lists show of their relations (the inbox, FHIR's Task
# search): the columns they read, as values compiled once per page length
# (core.compiled). Building the page's models through the ORM, a query per relation, cost
# a third of the inbox and of the search (BENCHMARKS.md, ninth and tenth rounds).
_PAGE_FIELDS = (
    "id",
    "family_id",
    "from_team_id",
    "to_team_id",
    "service_offer_id",
    "reason",
    "family_wishes",
    "urgency",
    "status",
    "created_at",
    "updated_at",
    "requested_at",
    "received_at",
    "decided_at",
    "first_contact_at",
    "closed_at",
    "on_hold_until",
    "follow_up",
    "reject_reason",
    "reject_text",
    "outcome",
)
_PAGE = CompiledQuery(
    lambda ids: (
        Referral.objects.filter(id__in=ids)
        .order_by()
        .values_list(
            *_PAGE_FIELDS,
            "family__recording_organization_id",
            "from_team__name",
            "from_team__organization_id",
            "from_team__organization__name",
            "to_team__name",
            "to_team__organization_id",
            "service_offer__name",
            "service_offer__service_type",
            "service_offer__acknowledge_within_days",
        )
    ),
    [Many(UUIDField())],
)


def _team(pk, name: str, organization_id, organization_name=None) -> Team:
    team = instance(Team, {"id": pk, "name": name, "organization_id": organization_id})
    if organization_name is not None:
        team.organization = instance(
            Organization, {"id": organization_id, "name": organization_name}
        )
    return team


def referral_page(ids: list) -> list[Referral]:
    """The referrals of these ids, in this order, each with its family (its own instance:
    each row carries the access it was found with), teams, offer and caregivers. Whoever
    asks has found the ids through the rule (`received`, `outgoing_ids`)."""
    width = len(_PAGE_FIELDS)
    by_id = {}
    for row in _PAGE.rows(ids):
        referral = instance(Referral, dict(zip(_PAGE_FIELDS, row[:width], strict=True)))
        (
            recording_organization_id,
            from_name,
            from_organization_id,
            from_organization_name,
            to_name,
            to_organization_id,
            offer_name,
            offer_type,
            offer_days,
        ) = row[width:]
        referral.family = instance(
            Family,
            {"id": referral.family_id, "recording_organization_id": recording_organization_id},
        )
        referral.from_team = _team(
            referral.from_team_id, from_name, from_organization_id, from_organization_name
        )
        referral.to_team = _team(referral.to_team_id, to_name, to_organization_id)
        referral.service_offer = (
            instance(
                ServiceOffer,
                {
                    "id": referral.service_offer_id,
                    "team_id": referral.to_team_id,
                    "name": offer_name,
                    "service_type": offer_type,
                    "acknowledge_within_days": offer_days,
                },
            )
            if referral.service_offer_id
            else None
        )
        by_id[referral.pk] = referral
    rows = [by_id[pk] for pk in ids if pk in by_id]
    families.list_caregivers(r.family for r in rows)
    return rows


def received(
    *, fetched_by: User, team_id=None, open_only: bool = True, among: Q | None = None
) -> dict:
    """{referral id: (family id, access)} of the referrals sent to my teams that the
    family's consent still opens to my team's organization for what each carries: the rule
    of the referral page, for a whole inbox in two queries. `open_only`: those still
    waiting for something from us (the inbox); otherwise every status (FHIR's Task search:
    a partner also reads what it closed). `among`: only the referrals meeting these
    conditions (a FHIR search's owner, status...), read by the database rather than every
    referral the teams ever received filtered afterwards."""
    return {
        pk: (family, access)
        for pk, family, access, _when in _received(fetched_by, team_id, open_only, among)
    }


def _received(fetched_by: User, team_id, open_only: bool, among: Q | None) -> list[tuple]:
    """`received`'s referrals as (id, family id, access, requested at), in no order."""
    teams = my_team_ids(fetched_by)
    if team_id is not None:
        teams = [t for t in teams if str(t) == str(team_id)]
    rows = Referral.objects.filter(to_team_id__in=teams)
    if open_only:
        rows = rows.filter(status__in=OPEN_FOR_RECEIVER)
    if among is not None:
        rows = rows.filter(among)
    # Values, not models: an inbox or a FHIR search reads many rows for a few fields.
    waiting = [
        (pk, FamilyKey(family_id, recorded_by), organization_id, split_codes(codes), when)
        for pk, family_id, recorded_by, organization_id, codes, when in rows.values_list(
            "id",
            "family_id",
            "family__recording_organization_id",
            "to_team__organization_id",
            "shared_categories",
            "requested_at",
        )
    ]
    found = organization_accesses(
        ((family, organization_id) for _pk, family, organization_id, _c, _w in waiting),
        via="receiving_team",
    )
    kept = []
    for pk, family, organization_id, categories, when in waiting:
        family_access = found[(family.pk, organization_id)]
        if _covers(family_access, categories):
            kept.append((pk, family.pk, family_access, when))
    return kept


def inbox(*, fetched_by: User, team_id=None) -> Inbox:
    """Incoming referrals of my teams that still need something from us, oldest first:
    only those the family's consent still opens to my team's organization (the rule of
    the referral page), so that a withdrawn consent empties the inbox at once. Ordered
    here, from the rows the rule read: as PostgreSQL orders them, a referral never
    requested (none is open) last."""
    shown = _received(fetched_by, team_id, True, None)
    shown.sort(key=lambda row: (row[3] is None, row[3] or _EARLIEST, row[0]))
    return Inbox(
        [pk for pk, _family, _access, _when in shown],
        {pk: access for pk, _family, access, _when in shown},
    )


def _covers(access: FamilyAccess, categories) -> bool:
    # consent_covers, on an access already read for the whole inbox.
    return access.granted and set(categories) <= access.categories


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


def log_inbox(user: User, referrals, request=None, purpose: str = "referral inbox") -> None:
    """An inbox page shows families: one access event per referral listed (presented by
    Inbox.present first), naming what the row showed."""
    log_listing(
        user,
        [r.family for r in referrals],
        request=request,
        purpose=purpose,
        part="referral",
        shown=(Category.IDENTITY,),
    )


def outgoing(*, fetched_by: User) -> QuerySet[Referral]:
    return _listed(Referral.objects.filter(referrer=fetched_by)).order_by("-created_at", "id")


def outgoing_ids(*, fetched_by: User, among: Q) -> list:
    """The ids of the referrals I sent that meet these conditions (a FHIR search's)."""
    return list(
        Referral.objects.filter(referrer=fetched_by)
        .filter(among)
        .order_by()
        .values_list("id", flat=True)
    )


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


# Every page's header counts them: compiled once (core/compiled.py), grouped by the user so
# that the count is a row of a values_list (none when there is nothing unread).
_UNREAD_COUNT = CompiledQuery(
    lambda user_id: (
        Notification.objects.filter(user_id=user_id, read_at__isnull=True)
        .order_by()
        .values("user_id")
        .annotate(n=Count("id"))
        .values_list("n")
    ),
    [UUIDField()],
)


def unread_notification_count(user: User) -> int:
    """How many of the user's notifications are unread, for the header of every page."""
    rows = _UNREAD_COUNT.rows(user.id)
    return rows[0][0] if rows else 0


def active_offers(team_id) -> QuerySet[ServiceOffer]:
    """The services a team offers now (the referral form's choices); none for a missing or
    malformed team id."""
    try:
        return ServiceOffer.objects.filter(team_id=team_id, is_active=True)
    except (ValueError, ValidationError):
        return ServiceOffer.objects.none()


def all_teams() -> QuerySet[Team]:
    return Team.objects.select_related("organization").order_by("organization__name", "name")


def email_preferences(user: User):
    return EmailPreferences.objects.filter(user=user).first()


def recent_notifications(user: User, limit: int = 50) -> list:
    return list(user.notifications.all()[:limit])


def receiving_workers(referral: Referral) -> list[Practitioner]:
    """The active practitioners of the receiving team: whom an acceptance may assign."""
    return list(
        Practitioner.objects.filter(memberships__team_id=referral.to_team_id, user__is_active=True)
        .distinct()
        .order_by("last_name", "first_name")
    )


def attachments_of(referral: Referral) -> list:
    return list(referral.attachments.all())


def consultation_messages(consultation: Consultation):
    return consultation.messages.select_related("author")


def open_consent_request(family, organization_id):
    """The request of this organization about this family that no consent answered yet."""
    latest = (
        ConsentRequest.objects.filter(family=family, organization_id=organization_id)
        .order_by("-created_at")
        .first()
    )
    if latest is None:
        return None
    answered = Consent.objects.filter(
        family=family, organizations=organization_id, created_at__gte=latest.created_at
    ).exists()
    return None if answered else latest


def consent_requests_for(*, fetched_by: User) -> list:
    """Requests to renew a consent addressed to me as lead worker, not yet answered by a
    consent naming the asking organization, each family named as I may name it."""

    from maillage.families.models import Consent

    answered = Consent.objects.filter(
        family=OuterRef("family"),
        organizations=OuterRef("organization"),
        created_at__gte=OuterRef("created_at"),
    )
    found = list(
        ConsentRequest.objects.filter(lead=fetched_by)
        .exclude(Exists(answered))
        .select_related("family", "organization", "asked_by")
        .prefetch_related("family__caregivers")[:50]
    )
    access = accesses(fetched_by, {r.family_id: r.family for r in found}.values())
    for item in found:
        shown_as(item, family_label=family_label(item.family, access[item.family_id]))
    return found
