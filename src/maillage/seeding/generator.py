"""The synthetic network generator: a realistic, deterministic, bilingual care network for a
fictional territory.

The same seed gives the same network, row for row. The work is a list of stages run in
order; later features (families, referrals, review meetings, trainings) append their own
stage, reading what earlier stages built from `self`.
"""

import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction

from maillage.audit.models import Action
from maillage.audit.services import record_event
from maillage.core.models import Role, User
from maillage.core.tokens import join_codes
from maillage.directory import indexing
from maillage.directory.models import (
    ContactPreference,
    Membership,
    MembershipRole,
    Organization,
    Practitioner,
    ServiceOffer,
    Team,
)

from . import names
from .families import FamiliesStage
from .profiles import ENGLISH_TEAM_NAMES, PROFILES, SectorProfile, TeamProfile
from .referrals import ReferralsStage

DEMO_PASSWORD = "maillage-demo-2026"  # noqa: S105 - printed for the demo on purpose
DEMO_DOMAIN = "demo.maillage.test"
BATCH = 2000


@dataclass(frozen=True)
class Scale:
    name: str
    organizations: int
    teams: int
    practitioners: int
    territories: int
    # Share of practitioners who also work in a team of another organization
    # (liaison nurses, shared outreach workers): they make the map's links.
    shared_share: float = 0.1
    families: int = 0
    entries_per_family: int = 0
    referrals: int = 0


SCALES = {
    "demo": Scale(
        "demo",
        organizations=20,
        teams=60,
        practitioners=300,
        territories=3,
        families=500,
        entries_per_family=30,
        referrals=1000,
    ),
    "region": Scale(
        "region",
        organizations=300,
        teams=1000,
        practitioners=5000,
        territories=25,
        families=30_000,
        entries_per_family=50,
        referrals=150_000,
    ),
}


@dataclass
class DemoLogin:
    role: str
    email: str
    note: str = ""


@dataclass
class SeedResult:
    counts: dict[str, int] = field(default_factory=dict)
    logins: list[DemoLogin] = field(default_factory=list)


Progress = Callable[[str, int, int], None]


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "-".join("".join(c if c.isalnum() else " " for c in ascii_text.lower()).split())


class NetworkGenerator:
    def __init__(self, scale: Scale, seed: int = 1, progress: Progress | None = None):
        self.scale = scale
        self.rng = random.Random(seed)  # One generator, drawn in a fixed order: determinism.
        self.seed = seed
        self.progress = progress or (lambda stage, done, total: None)
        self.result = SeedResult()
        self.organizations: list[Organization] = []
        self.teams: list[Team] = []
        self.team_profiles: dict = {}
        self.offers: list[ServiceOffer] = []
        self.practitioners: list[Practitioner] = []
        self.memberships: list[Membership] = []
        self.users: list[User] = []
        self.followed: list[tuple] = []  # filled by the families stage, read by referrals

    @property
    def stages(self) -> list[tuple[str, Callable[[], None]]]:
        return [
            ("organizations", self.build_organizations),
            ("teams", self.build_teams),
            ("practitioners", self.build_practitioners),
            ("accounts", self.build_accounts),
            ("families", self.build_families),
            ("training", self.build_training),
            ("referrals", self.build_referrals),
            ("reviews", self.build_reviews),
            ("programmes in practice", self.build_implementation),
            ("focus-group study", self.build_evaluation),
        ]

    @transaction.atomic
    def run(self) -> SeedResult:
        for number, (name, stage) in enumerate(self.stages, start=1):
            self.progress(name, number - 1, len(self.stages))
            stage()
            self.progress(name, number, len(self.stages))
        record_event(
            action=Action.IMPORTED,
            object_type="seed",
            object_label=f"{self.scale.name} network",
            details=self.result.counts,
        )
        return self.result

    # --- directory --------------------------------------------------------------------

    def _sector_sequence(self) -> list[SectorProfile]:
        """Every sector at least once, the rest in proportion to how common it is."""
        sequence = list(PROFILES)
        weights = [p.weight for p in PROFILES]
        while len(sequence) < self.scale.organizations:
            sequence.append(self.rng.choices(PROFILES, weights=weights)[0])
        return sequence[: self.scale.organizations]

    def build_organizations(self) -> None:
        territories = names.TERRITORIES[: self.scale.territories]
        used_names: set[str] = set()
        for number, profile in enumerate(self._sector_sequence(), start=1):
            territory = self.rng.choice(territories)
            english = self.rng.random() < profile.english_share
            templates = [t for t in profile.org_names if english == _is_english(t)] or (
                profile.org_names
            )
            name = self.rng.choice(templates).format(
                t=territory, n=self.rng.choice(names.LAST_NAMES), f=self.rng.choice(names.FLOWERS)
            )
            if name in used_names:
                name = f"{name} ({number})"
            used_names.add(name)
            org = Organization(
                code=f"{_slug(name)[:48]}-{number}",
                name=name,
                sector=profile.sector,
                address=f"{self.rng.randint(10, 2999)}, {self.rng.choice(names.STREETS)}, "
                f"{territory} (Québec)",
                territory=territory,
                phone=f"(819) 555-{self.rng.randint(100, 199):03d}{self.rng.randint(0, 9)}",
                description=profile.teams[0].mandate,
            )
            org.search_text = indexing.organization_text(org)
            self.organizations.append(org)
            self.team_profiles[org.code] = (profile, english)
        Organization.objects.bulk_create(self.organizations, batch_size=BATCH)
        self.result.counts["organizations"] = len(self.organizations)

    def build_teams(self) -> None:
        # Each organization gets its sector's first team; the rest go where profiles allow.
        plan: list[tuple[Organization, TeamProfile]] = [
            (org, self.team_profiles[org.code][0].teams[0]) for org in self.organizations
        ]
        while len(plan) < self.scale.teams:
            org = self.rng.choice(self.organizations)
            plan.append((org, self.rng.choice(self.team_profiles[org.code][0].teams)))
        seen: dict[tuple, int] = {}
        sites_of: dict[tuple, set] = {}
        territories = names.TERRITORIES[: self.scale.territories]
        for number, (org, profile) in enumerate(plan, start=1):
            english = self.team_profiles[org.code][1]
            flower = self.rng.choice(names.FLOWERS)
            base = ENGLISH_TEAM_NAMES.get(profile.name, profile.name) if english else profile.name
            base = base.format(f=flower)
            repeat = seen.get((org.code, base), 0)
            seen[(org.code, base)] = repeat + 1
            # A second team of the same kind in one organization is another point of service,
            # in a territory where the organization has none of that kind yet (names stay
            # unique within the organization; no extra draw, so the rest of the network
            # stays as it was).
            territory = org.territory if not repeat else self.rng.choice(territories)
            if repeat:
                taken = sites_of.setdefault((org.code, base), {org.territory})
                start = territories.index(territory) if territory in territories else 0
                free = [
                    territories[(start + k) % len(territories)]
                    for k in range(len(territories))
                    if territories[(start + k) % len(territories)] not in taken
                ]
                territory = free[0] if free else f"{territory} {repeat + 1}"
                taken.add(territory)
            site = (
                "" if not repeat else (f"Site {territory}" if not english else f"{territory} site")
            )
            team = Team(
                organization=org,
                code=f"{org.code}-t{number}",
                name=base if not repeat else f"{base} — {territory}",
                site=site,
                mandate=profile.mandate.format(f=flower),
                territory=territory,
                phone=f"(819) 555-{self.rng.randint(200, 999):03d}{self.rng.randint(0, 9)}",
                email=f"equipe{number}@{org.code[:30].strip('-')}.{DEMO_DOMAIN}",
                languages=join_codes(
                    ["en", "fr"] if english or self.rng.random() < 0.4 else ["fr"]
                ),
            )
            offers = [
                ServiceOffer(
                    team=team,
                    code=f"{team.code}-s{k}",
                    name=offer_name,
                    service_type=service_type,
                    populations=join_codes(profile.populations),
                    eligibility=profile.eligibility,
                    how_to_refer=profile.how_to_refer or "",
                    languages=team.languages,
                    territory=territory,
                    expected_wait_days=self.rng.choice([None, 2, 5, 10, 14, 30, 60]),
                    is_active=self.rng.random() > 0.05,
                )
                for k, (service_type, offer_name) in enumerate(profile.services, start=1)
            ]
            team.search_text = indexing.team_text(team, org, offers)
            self.teams.append(team)
            self.offers.extend(offers)
            self.team_profiles[team.code] = profile
            if number % 200 == 0:
                self.progress("teams", number, len(plan))
        Team.objects.bulk_create(self.teams, batch_size=BATCH)
        ServiceOffer.objects.bulk_create(self.offers, batch_size=BATCH)
        self.result.counts["teams"] = len(self.teams)
        self.result.counts["service_offers"] = len(self.offers)

    def build_practitioners(self) -> None:
        # Two people per team at least (a lead and a member), the rest spread at random.
        assignments = [team for team in self.teams for _ in range(2)]
        while len(assignments) < self.scale.practitioners:
            assignments.append(self.rng.choice(self.teams))
        assignments = assignments[: self.scale.practitioners]
        has_lead: set = set()
        teams_by_territory: dict[str, list[Team]] = {}
        for team in self.teams:
            teams_by_territory.setdefault(team.territory, []).append(team)
        used_emails: set[str] = set()
        for number, team in enumerate(assignments, start=1):
            profile = self.team_profiles[team.code]
            first = self.rng.choice(names.FIRST_NAMES)
            last = self.rng.choice(names.LAST_NAMES)
            domain = f"{team.organization.code[:30].strip('-')}.{DEMO_DOMAIN}"
            email = f"{_slug(first)}.{_slug(last)}@{domain}"
            if email in used_emails:
                email = email.replace("@", f".{number}@")
            used_emails.add(email)
            person = Practitioner(
                first_name=first,
                last_name=last,
                email=email,
                phone=f"(819) 555-{self.rng.randint(1000, 9999)}",
                profession=self.rng.choice(profile.professions),
                languages=join_codes(["fr", "en"] if self.rng.random() < 0.45 else ["fr"])
                if "en" not in team.languages
                else join_codes(["en", "fr"]),
                contact_preference=self.rng.choice(ContactPreference.values),
            )
            is_lead = team.id not in has_lead
            has_lead.add(team.id)
            self.memberships.append(
                Membership(
                    practitioner=person,
                    team=team,
                    role=MembershipRole.LEAD if is_lead else MembershipRole.MEMBER,
                    title="Chef d'équipe" if is_lead else "",
                )
            )
            team_names = [team.name]
            if self.rng.random() < self.scale.shared_share:
                others = [
                    t
                    for t in teams_by_territory[team.territory]
                    if t.organization_id != team.organization_id
                ]
                if others:
                    second = self.rng.choice(others)
                    self.memberships.append(
                        Membership(practitioner=person, team=second, title="Agent·e de liaison")
                    )
                    team_names.append(second.name)
            person.search_text = indexing.practitioner_text(person, team_names)
            self.practitioners.append(person)
        Practitioner.objects.bulk_create(self.practitioners, batch_size=BATCH)
        Membership.objects.bulk_create(self.memberships, batch_size=BATCH)
        self.result.counts["practitioners"] = len(self.practitioners)
        self.result.counts["memberships"] = len(self.memberships)

    # --- accounts ---------------------------------------------------------------------

    def build_accounts(self) -> None:
        """Every practitioner can log in (the benchmark logs in as many of them); four
        well-known accounts, one per role, for people trying the demo."""
        # One Argon2 hash for all: hashing thousands of passwords would take minutes.
        password = make_password(DEMO_PASSWORD)
        practitioner = self._pick_practitioner(lead=False)
        lead = self._pick_practitioner(lead=True)
        practitioner.email = f"practitioner@{DEMO_DOMAIN}"
        lead.email = f"lead@{DEMO_DOMAIN}"
        for person in (practitioner, lead):
            person.search_text = indexing.practitioner_text(
                person, [m.team.name for m in self.memberships if m.practitioner is person]
            )
        Practitioner.objects.bulk_update([practitioner, lead], ["email", "search_text"])
        for person in self.practitioners:
            user = User(
                email=person.email, full_name=str(person), role=Role.PRACTITIONER, password=password
            )
            person.user = user
            self.users.append(user)
        for role, email, full_name in [
            (Role.COORDINATOR, f"coordinator@{DEMO_DOMAIN}", "Hélène Coordonnatrice"),
            (Role.ADMINISTRATOR, f"admin@{DEMO_DOMAIN}", "Alex Administrateur"),
        ]:
            self.users.append(User(email=email, full_name=full_name, role=role, password=password))
        User.objects.bulk_create(self.users, batch_size=BATCH)
        Practitioner.objects.bulk_update(self.practitioners, ["user"], batch_size=BATCH)
        self.result.counts["accounts"] = len(self.users)
        self.result.logins = [
            DemoLogin("Practitioner", practitioner.email),
            DemoLogin("Team lead", lead.email),
            DemoLogin(
                "Network coordinator",
                f"coordinator@{DEMO_DOMAIN}",
                "second factor: scan the QR code at first login",
            ),
            DemoLogin(
                "Administrator",
                f"admin@{DEMO_DOMAIN}",
                "second factor: scan the QR code at first login",
            ),
        ]

    # --- families ---------------------------------------------------------------------

    def build_families(self) -> None:
        if not self.scale.families:
            return
        stage = FamiliesStage(
            self.rng,
            self.scale.families,
            self.scale.entries_per_family,
            self.memberships,
            self.organizations,
            self.progress,
        )
        self.followed = stage.followed
        self.child_age_days = stage.child_age_days
        self.result.counts.update(stage.run())

    def build_referrals(self) -> None:
        if not self.scale.referrals or not self.followed:
            return
        stage = ReferralsStage(
            self.rng,
            self.scale.referrals,
            self.followed,
            self.teams,
            self.offers,
            self.memberships,
            self.progress,
            child_age_days=getattr(self, "child_age_days", {}),
        )
        self.result.counts.update(stage.run())

    # --- cross-training -------------------------------------------------------------------

    def build_training(self) -> None:
        from .training import build_training_programme

        build_training_programme(self)

    # --- cooperation reviews ------------------------------------------------------------

    def build_reviews(self) -> None:
        from .reviews import build_review_year

        build_review_year(self)

    # --- programmes in practice -------------------------------------------------------------

    def build_implementation(self) -> None:
        from .implementation import build_programme_in_practice

        build_programme_in_practice(self)

    # --- evaluation -------------------------------------------------------------------------

    def build_evaluation(self) -> None:
        from .evaluation import build_focus_group_study

        build_focus_group_study(self)

    def _pick_practitioner(self, *, lead: bool) -> Practitioner:
        """A member (or lead) of a perinatal or addiction mother-child team: the heart of
        the demo's story."""
        wanted = {"Équipe mère-enfant en dépendance", "Périnatalité sociale", "Enfance-famille"}
        for membership in self.memberships:
            profile = self.team_profiles[membership.team.code]
            if (
                profile.name in wanted
                and (membership.role == MembershipRole.LEAD) == lead
                and not membership.practitioner.email.startswith(("practitioner@", "lead@"))
            ):
                return membership.practitioner
        return next(
            m.practitioner for m in self.memberships if (m.role == MembershipRole.LEAD) == lead
        )


def _is_english(template: str) -> bool:
    return any(
        word in template
        for word in ("Centre", "Services", "Program", "Hospital", "Clinic", "School", "Outreach")
    ) and not any(word in template for word in ("Centre de", "Centre hospitalier"))
