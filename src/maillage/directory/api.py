"""Directory endpoints of the JSON API: read-only, paginated, same selectors as the pages."""

from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from maillage.core.pagination import ApiPagination

from . import selectors
from .schemas import OrganizationOut, PractitionerOut, TeamDetailOut, TeamFilters, TeamOut

router = Router(tags=["directory"])


class DirectoryPagination(ApiPagination):
    default_size, max_size = 50, 200


@router.get("/organizations", response=list[OrganizationOut])
@paginate(DirectoryPagination)
def list_organizations(request: HttpRequest, sector: str = "", q: str = ""):
    return selectors.organization_list(fetched_by=request.user, sector=sector, q=q)


@router.get("/organizations/{organization_id}", response=OrganizationOut)
def get_organization(request: HttpRequest, organization_id: UUID):
    return selectors.organization_detail(fetched_by=request.user, organization_id=organization_id)


@router.get("/teams", response=list[TeamOut])
@paginate(DirectoryPagination)
def list_teams(request: HttpRequest, filters: Query[TeamFilters]):
    return selectors.team_search(
        fetched_by=request.user, filters=selectors.DirectoryFilters(**filters.dict())
    )


@router.get("/teams/{team_id}", response=TeamDetailOut)
def get_team(request: HttpRequest, team_id: UUID):
    return selectors.team_detail(fetched_by=request.user, team_id=team_id)


@router.get("/practitioners", response=list[PractitionerOut])
@paginate(DirectoryPagination)
def list_practitioners(request: HttpRequest, q: str = ""):
    return selectors.practitioner_search(fetched_by=request.user, q=q)


@router.get("/practitioners/{practitioner_id}", response=PractitionerOut)
def get_practitioner(request: HttpRequest, practitioner_id: UUID):
    return selectors.practitioner_detail(fetched_by=request.user, practitioner_id=practitioner_id)
