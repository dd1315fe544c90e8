"""Reads of the directory. Professional data, readable by every active account; each
function still takes the user so that later rules have one place to go."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from maillage.core.permissions import require
from maillage.core.text import fold
from maillage.core.tokens import code_lookup

from .models import Membership, Organization, Practitioner, ServiceOffer, Team


@dataclass
class DirectoryFilters:
    q: str = ""
    sector: str = ""
    service: str = ""
    population: str = ""
    language: str = ""
    territory: str = ""
    include_inactive: bool = False


def _active_offers() -> Prefetch:
    return Prefetch(
        "service_offers",
        queryset=ServiceOffer.objects.filter(is_active=True).order_by("name"),
        to_attr="active_offers",
    )


def team_search(*, fetched_by, filters: DirectoryFilters) -> QuerySet[Team]:
    """Teams matching every filter given; free text is accent- and case-insensitive and
    every word must match."""
    require(fetched_by, "directory.view_directory", hide=True)
    teams = Team.objects.select_related("organization")
    for word in fold(filters.q).split():
        teams = teams.filter(search_text__contains=word)
    if filters.sector:
        teams = teams.filter(organization__sector=filters.sector)
    if filters.territory:
        teams = teams.filter(
            Q(territory=filters.territory)
            | Q(territory="", organization__territory=filters.territory)
        )
    # Service, population and language are properties of one offer: all must hold on the
    # same active offer, hence one subquery rather than three joins.
    offer_filters = {}
    if filters.service:
        offer_filters["service_type"] = filters.service
    if filters.population:
        offer_filters["populations__contains"] = code_lookup(filters.population)
    if filters.language:
        offer_filters["languages__contains"] = code_lookup(filters.language)
    if offer_filters:
        offers = ServiceOffer.objects.filter(is_active=True, **offer_filters)
        teams = teams.filter(id__in=offers.values("team_id"))
    return teams.prefetch_related(_active_offers()).order_by("name", "id")


def territories(*, fetched_by) -> list[str]:
    require(fetched_by, "directory.view_directory", hide=True)
    return list(
        Organization.objects.exclude(territory="")
        .order_by("territory")
        .values_list("territory", flat=True)
        .distinct()
    )


def practitioner_search(*, fetched_by, q: str) -> QuerySet[Practitioner]:
    require(fetched_by, "directory.view_directory", hide=True)
    people = Practitioner.objects.all()
    for word in fold(q).split():
        people = people.filter(search_text__contains=word)
    return people.prefetch_related(
        Prefetch(
            "memberships",
            queryset=Membership.objects.select_related("team__organization"),
        )
    ).order_by("last_name", "first_name", "id")


def organization_list(*, fetched_by, sector: str = "", q: str = "") -> QuerySet[Organization]:
    require(fetched_by, "directory.view_directory", hide=True)
    orgs = Organization.objects.annotate(team_count=Count("teams"))
    if sector:
        orgs = orgs.filter(sector=sector)
    for word in fold(q).split():
        orgs = orgs.filter(search_text__contains=word)
    return orgs.order_by("name", "id")


def organization_detail(*, fetched_by, organization_id) -> Organization:
    require(fetched_by, "directory.view_directory", hide=True)
    try:
        return Organization.objects.prefetch_related(
            Prefetch(
                "teams",
                queryset=Team.objects.annotate(member_count=Count("memberships"))
                .prefetch_related(_active_offers())
                .order_by("name"),
            )
        ).get(id=organization_id)
    except Organization.DoesNotExist:
        raise Http404 from None


def team_detail(*, fetched_by, team_id) -> Team:
    require(fetched_by, "directory.view_directory", hide=True)
    try:
        return (
            Team.objects.select_related("organization")
            .prefetch_related(
                Prefetch(
                    "service_offers", queryset=ServiceOffer.objects.order_by("-is_active", "name")
                ),
                Prefetch(
                    "memberships",
                    queryset=Membership.objects.select_related("practitioner").order_by(
                        "-role", "practitioner__last_name", "practitioner__first_name"
                    ),
                ),
            )
            .get(id=team_id)
        )
    except Team.DoesNotExist:
        raise Http404 from None


def practitioner_detail(*, fetched_by, practitioner_id) -> Practitioner:
    require(fetched_by, "directory.view_directory", hide=True)
    try:
        return Practitioner.objects.prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("team__organization").order_by(
                    "team__name"
                ),
            )
        ).get(id=practitioner_id)
    except Practitioner.DoesNotExist:
        raise Http404 from None


def my_teams(*, fetched_by) -> list[Team]:
    """The teams of the logged-in practitioner, with their members and offers."""
    require(fetched_by, "directory.view_directory", hide=True)
    return list(
        Team.objects.filter(memberships__practitioner__user=fetched_by)
        .select_related("organization")
        .prefetch_related(
            _active_offers(),
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("practitioner").order_by(
                    "-role", "practitioner__last_name"
                ),
            ),
        )
        .order_by("name")
    )


def partner_teams(*, fetched_by, limit: int = 30) -> list[Team]:
    """Teams of other organizations that share a practitioner or a territory with mine:
    the first partners a newcomer should know."""
    require(fetched_by, "directory.view_directory", hide=True)
    mine = Team.objects.filter(memberships__practitioner__user=fetched_by)
    my_org_ids = mine.values("organization_id")
    my_territories = mine.exclude(territory="").values("territory")
    shared_people = Membership.objects.filter(practitioner__memberships__team__in=mine).values(
        "team_id"
    )
    return list(
        Team.objects.exclude(organization_id__in=my_org_ids)
        .filter(Q(id__in=shared_people) | Q(territory__in=my_territories))
        .select_related("organization")
        .prefetch_related(_active_offers())
        .distinct()
        .order_by("organization__sector", "name")[:limit]
    )


def practitioner_by_email(*, fetched_by, email: str) -> Practitioner | None:
    """The practitioner of the directory with this e-mail (to bring into a circle)."""
    require(fetched_by, "directory.view_directory", hide=True)
    return Practitioner.objects.filter(email=email.strip().lower()).first()


def teams_of(*, fetched_by, practitioner: Practitioner) -> list[Team]:
    """The teams a practitioner belongs to, with their organization."""
    require(fetched_by, "directory.view_directory", hide=True)
    return list(
        Team.objects.filter(memberships__practitioner=practitioner)
        .select_related("organization")
        .order_by("name")
    )


def teams_of_user(*, fetched_by) -> list[Team]:
    """The logged-in practitioner's teams with their organization: a form's choices."""
    require(fetched_by, "directory.view_directory", hide=True)
    return list(
        Team.objects.filter(memberships__practitioner__user=fetched_by)
        .select_related("organization")
        .order_by("name")
    )
