"""The seeded demo tells a coherent story: teams deliver the services of their kind,
notes fit the kind of entry, referral reasons fit the child's age and the service asked
for, immersion agendas fit the session's hours and the host's work, and team names are
unique within their organization."""

import re
from collections import Counter
from datetime import datetime, time

import pytest
from django.utils import timezone

from maillage.directory.models import ServiceOffer, Team
from maillage.families.models import Child, EntryKind, TimelineEntry, VisitOutcome
from maillage.referrals.models import Referral
from maillage.seeding.generator import SCALES, NetworkGenerator
from maillage.training.models import ImmersionSession

pytestmark = pytest.mark.django_db

# What each kind of organization does, written here independently of the generator.
SERVICES_OF_SECTOR = {
    "substance_use": {"assessment", "addiction_treatment", "parenting_support", "harm_reduction"},
    "child_protection": {"child_protection", "parenting_support"},
    "perinatal": {"prenatal_care", "postnatal_care", "medical_care", "home_visits"},
    "early_childhood": {"child_care", "parenting_support"},
    "infant_mental_health": {"parent_infant_therapy", "assessment", "training"},
    "home_visiting": {"home_visits", "parenting_support"},
    "community_outreach": {"outreach", "harm_reduction", "basic_needs"},
    "community_organization": {"parenting_support", "basic_needs", "child_care"},
    "primary_care": {"postnatal_care", "assessment", "medical_care", "mental_health"},
    "hospital": {"prenatal_care", "medical_care", "parent_infant_therapy"},
    "private_practice": {"mental_health", "parent_infant_therapy"},
    "municipality": {"basic_needs"},
    "school": {"child_care", "parenting_support"},
}
# Words a note can only use when it was written at the office or at a meeting.
AWAY_FROM_HOME = re.compile(r"\bbureau\b|\boffice\b|came to the meeting|^Rencontre ", re.I)
BORN_CHILD = re.compile(r"nourrisson|bébé de|post-partum|\bCPE\b|\(18 mois\)|\bmonths?\b", re.I)
EXPECTED_CHILD = re.compile(r"Grossesse|before the baby arrives", re.I)
HOME = re.compile(r"domicile|home visit", re.I)
AGENDA_TIME = re.compile(r"^(\d{1,2})(?: h ?|:)(\d{2})?", re.M)


@pytest.fixture
def demo(db):
    NetworkGenerator(SCALES["demo"], seed=1).run()


def test_teams_deliver_the_services_of_their_kind(demo):
    wrong = [
        (o.team.organization.get_sector_display(), o.team.name, o.service_type)
        for o in ServiceOffer.objects.select_related("team__organization")
        if o.service_type not in SERVICES_OF_SECTOR[o.team.organization.sector]
    ]
    assert wrong == []


def test_team_names_are_unique_within_their_organization(demo):
    names = Counter(Team.objects.values_list("organization_id", "name"))
    assert [name for name, count in names.items() if count > 1] == []


def test_notes_fit_the_kind_of_entry(demo):
    entries = TimelineEntry.objects.filter(
        kind__in=[EntryKind.HOME_VISIT, EntryKind.PHONE_CALL]
    ).values_list("kind", "text", "visit_outcome")
    assert entries
    away = [text for _kind, text, _outcome in entries if AWAY_FROM_HOME.search(text)]
    assert away == []
    missed = [
        text
        for kind, text, outcome in entries
        if kind == EntryKind.HOME_VISIT
        and outcome != VisitOutcome.DONE
        and not text.startswith("Visite non réalisée")
    ]
    assert missed == []


def test_referral_reasons_fit_the_child_and_the_service(demo):
    expected = set(Child.objects.filter(date_of_birth__isnull=True).values_list("family_id"))
    expected = {f for (f,) in expected}
    referrals = list(
        Referral.objects.select_related("service_offer").values_list(
            "family_id", "reason", "service_offer__service_type"
        )
    )
    assert referrals
    for family_id, reason, _service in referrals:
        if family_id in expected:
            assert not BORN_CHILD.search(reason), reason
        else:
            assert not EXPECTED_CHILD.search(reason), reason
    home_reasons = [r for _f, r, s in referrals if "domicile" in r]
    assert all(
        s in {"home_visits", "parenting_support", "postnatal_care", None}
        for _f, r, s in referrals
        if r in home_reasons
    )
    depression = {s for _f, r, s in referrals if "dépression post-partum" in r}
    assert depression <= {"mental_health", "assessment", "parent_infant_therapy", "postnatal_care"}


def test_immersion_agendas_fit_the_session_hours_and_the_host(demo):
    sessions = list(ImmersionSession.objects.select_related("host_team"))
    assert sessions
    offers = ServiceOffer.objects.values_list("team_id", "service_type", "name")
    home_teams = {
        team
        for team, service, name in offers
        if service in ("home_visits", "child_protection") or "domicile" in name
    }
    for session in sessions:
        start = timezone.localtime(session.starts_at)
        end = timezone.localtime(session.ends_at)
        for hour, minute in AGENDA_TIME.findall(session.agenda):
            at = datetime.combine(start.date(), time(int(hour), int(minute or 0)), start.tzinfo)
            assert start <= at < end, (session.agenda, start, end)
        if session.host_team_id not in home_teams:
            assert not HOME.search(session.agenda), (session.host_team.name, session.agenda)
            assert "home_visit" not in session.host_activities
