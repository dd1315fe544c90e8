"""Every write to the directory: one transaction, permission checked, audit row written."""

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from maillage.audit.models import Action
from maillage.audit.services import record_event
from maillage.core.models import User
from maillage.core.permissions import require

from . import indexing
from .models import Organization, Practitioner, ServiceOffer, Team


def refresh_team_search_text(team_ids: Iterable) -> None:
    """Recompute the folded search text of these teams (after their org or offers changed)."""
    teams = list(
        Team.objects.filter(id__in=list(team_ids))
        .select_related("organization")
        .prefetch_related("service_offers")
    )
    for team in teams:
        team.search_text = indexing.team_text(team, team.organization, team.service_offers.all())
    Team.objects.bulk_update(teams, ["search_text"], batch_size=500)


def _changed_fields(instance, fields: dict[str, Any]) -> dict[str, list]:
    changes = {}
    for name, value in fields.items():
        old = getattr(instance, name)
        if old != value:
            changes[name] = [str(old), str(value)]
            setattr(instance, name, value)
    return changes


@transaction.atomic
def update_organization(
    *, by: User, organization: Organization, request=None, **fields
) -> Organization:
    """Coordinators and administrators keep organizations up to date."""
    require(by, "directory.manage_directory")
    changes = _changed_fields(organization, fields)
    if not changes:
        return organization
    organization.search_text = indexing.organization_text(organization)
    organization.full_clean()
    organization.save()
    refresh_team_search_text(organization.teams.values_list("id", flat=True))
    record_event(
        action=Action.UPDATED,
        actor=by,
        obj=organization,
        request=request,
        details={"changes": changes},
    )
    return organization


@transaction.atomic
def update_team(*, by: User, team: Team, request=None, **fields) -> Team:
    """A team's own lead, a coordinator or an administrator describes the team."""
    require(by, "directory.change_team", team)
    # Lock the row: two leads editing at once must not overwrite each other silently.
    team = Team.objects.select_for_update().get(pk=team.pk)
    changes = _changed_fields(team, fields)
    if not changes:
        return team
    team.full_clean()
    team.save()
    refresh_team_search_text([team.id])
    record_event(
        action=Action.UPDATED, actor=by, obj=team, request=request, details={"changes": changes}
    )
    return team


@transaction.atomic
def save_service_offer(
    *, by: User, team: Team, offer: ServiceOffer | None = None, request=None, **fields
) -> ServiceOffer:
    """Create or change a service offer of a team; same rule as changing the team."""
    require(by, "directory.change_team", team)
    details: dict[str, Any]
    if offer is None:
        offer = ServiceOffer(team=team, **fields)
        action, details = Action.CREATED, {"team": str(team.id)}
    else:
        offer = ServiceOffer.objects.select_for_update().get(pk=offer.pk, team=team)
        action, details = Action.UPDATED, {"changes": _changed_fields(offer, fields)}
    offer.full_clean()
    offer.save()
    refresh_team_search_text([team.id])
    record_event(action=action, actor=by, obj=offer, request=request, details=details)
    return offer


def refresh_practitioner_search_text(practitioners: Iterable[Practitioner]) -> None:
    people = list(practitioners)
    for person in people:
        person.search_text = indexing.practitioner_text(person)
    Practitioner.objects.bulk_update(people, ["search_text"], batch_size=500)
