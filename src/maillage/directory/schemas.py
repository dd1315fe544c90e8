"""API schemas of the directory."""

from uuid import UUID

from ninja import Field, FilterSchema, Schema

from maillage.core.tokens import split_codes


class OrganizationOut(Schema):
    id: UUID
    code: str
    name: str
    sector: str
    sector_label: str = Field(alias="get_sector_display")
    address: str
    territory: str
    phone: str
    website: str
    description: str


class ServiceOfferOut(Schema):
    id: UUID
    code: str
    name: str
    service_type: str
    populations: list[str]
    eligibility: str
    how_to_refer: str
    languages: list[str]
    territory: str
    expected_wait_days: int | None
    is_active: bool

    @staticmethod
    def resolve_populations(obj) -> list[str]:
        return split_codes(obj.populations)

    @staticmethod
    def resolve_languages(obj) -> list[str]:
        return split_codes(obj.languages)


class TeamOut(Schema):
    id: UUID
    code: str
    name: str
    organization: OrganizationOut
    site: str
    territory: str
    phone: str
    email: str
    languages: list[str]
    mandate: str
    service_offers: list[ServiceOfferOut]

    @staticmethod
    def resolve_languages(obj) -> list[str]:
        return split_codes(obj.languages)

    @staticmethod
    def resolve_service_offers(obj) -> list:
        offers = getattr(obj, "active_offers", None)
        return list(offers) if offers is not None else list(obj.service_offers.all())


class MemberOut(Schema):
    practitioner_id: UUID
    name: str
    profession: str
    role: str
    title: str

    @staticmethod
    def resolve_name(obj) -> str:
        return str(obj.practitioner)

    @staticmethod
    def resolve_profession(obj) -> str:
        return obj.practitioner.profession


class TeamDetailOut(TeamOut):
    members: list[MemberOut]

    @staticmethod
    def resolve_members(obj) -> list:
        return list(obj.memberships.all())


class TeamMembershipOut(Schema):
    team_id: UUID
    team_name: str
    organization_name: str
    role: str
    title: str

    @staticmethod
    def resolve_team_name(obj) -> str:
        return obj.team.name

    @staticmethod
    def resolve_organization_name(obj) -> str:
        return obj.team.organization.name


class PractitionerOut(Schema):
    id: UUID
    first_name: str
    last_name: str
    email: str
    phone: str
    profession: str
    languages: list[str]
    contact_preference: str
    teams: list[TeamMembershipOut]

    @staticmethod
    def resolve_languages(obj) -> list[str]:
        return split_codes(obj.languages)

    @staticmethod
    def resolve_teams(obj) -> list:
        return list(obj.memberships.all())


class TeamFilters(FilterSchema):
    q: str = ""
    sector: str = ""
    service: str = ""
    population: str = ""
    language: str = ""
    territory: str = ""
