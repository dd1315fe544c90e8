"""Whatever people read, in whatever order, each family's access report lists exactly the
reads that showed it: its own page, its export, and every list (caseload page, API list)
that showed it, no more (a list that no longer shows it after a withdrawal writes nothing
for it), no less (issue 18: a list's reading is one event naming every family shown)."""

import re
from collections import Counter
from datetime import timedelta

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maillage.audit.models import Action
from maillage.directory.models import Organization, Sector, Team
from maillage.families import selectors, services
from maillage.families.models import Category, ConsentMethod
from tests.families.conftest import practitioner

pytestmark = pytest.mark.django_db
FAMILIES = 3
READERS = ("owner", "partner")
LINK = re.compile(r'href="/families/([0-9a-f-]{36})/"')


@pytest.fixture
def world(db):
    clsc = Organization.objects.create(code="clsc", name="CLSC Nord", sector=Sector.PRIMARY_CARE)
    crd = Organization.objects.create(code="crd", name="CRD Nord", sector=Sector.SUBSTANCE_USE)
    perinatal = Team.objects.create(organization=clsc, code="p", name="Périnatalité")
    addiction = Team.objects.create(organization=crd, code="a", name="Dépendance")
    owner = practitioner("owner@clsc.example.org", perinatal)
    partner = practitioner("partner@crd.example.org", addiction)
    families, consents = [], []
    for n in range(FAMILIES):
        family = services.create_family(
            by=owner,
            team=perinatal,
            caregivers=[
                services.CaregiverData(
                    first_name=f"Parent{n}",
                    last_name="Nord",
                    date_of_birth=timezone.localdate() - timedelta(days=9000),
                )
            ],
            children=[],
            reasons=["pregnancy"],
        )
        consents.append(
            services.record_consent(
                by=owner,
                family=family,
                given_by=family.caregivers.get(),
                organizations=[crd],
                categories=[Category.IDENTITY, Category.PLAN],
                purpose="Suivi conjoint",
                method=ConsentMethod.VERBAL,
                witness="Infirmière Nord",
            )
        )
        services.add_circle_member(
            by=owner, family=family, practitioner=partner.practitioner, team=addiction
        )
        families.append(family)
    return {
        "users": {"owner": owner, "partner": partner},
        "families": families,
        "consents": consents,
    }


def _clients(users) -> dict:
    clients = {}
    for name, user in users.items():
        clients[name] = Client()
        clients[name].force_login(user)
    return clients


steps = st.lists(
    st.one_of(
        st.tuples(
            st.sampled_from(["page", "export"]),
            st.sampled_from(READERS),
            st.integers(0, FAMILIES - 1),
        ),
        st.tuples(st.sampled_from(["caseload", "api list"]), st.sampled_from(READERS), st.just(0)),
        st.tuples(st.just("withdraw"), st.just("owner"), st.integers(0, FAMILIES - 1)),
    ),
    max_size=12,
)


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=steps)
def test_each_familys_access_report_lists_the_reads_that_showed_it(world, steps):
    users, families = world["users"], world["families"]
    by_id = {str(f.id): f for f in families}
    with transaction.atomic():
        clients = _clients(users)
        baseline = {f.id: _reads(f) for f in families}
        expected: dict = {f.id: Counter() for f in families}
        withdrawn: set = set()
        for step, reader, n in steps:
            family, user, client = families[n], users[reader], clients[reader]
            if step == "withdraw":
                if n not in withdrawn:
                    services.withdraw_consent(by=user, consent=world["consents"][n])
                    withdrawn.add(n)
                continue
            if step == "page":
                shown = [family] if client.get(f"/families/{family.id}/").status_code == 200 else []
                purpose = ""
            elif step == "export":
                answer = client.get(f"/families/{family.id}/export.json")
                shown = [family] if answer.status_code == 200 else []
                purpose = "export of the record"
            elif step == "caseload":
                page = client.get("/families/").content.decode()
                shown = [by_id[pk] for pk in dict.fromkeys(LINK.findall(page)) if pk in by_id]
                purpose = "caseload"
            else:
                rows = client.get("/api/v1/families/").json()["items"]
                shown = [by_id[row["id"]] for row in rows]
                purpose = "api caseload"
            for seen in shown:
                expected[seen.id][(user.pk, purpose)] += 1
        for family in families:
            assert _reads(family) - baseline[family.id] == expected[family.id], family.reference
        transaction.set_rollback(True)


def _reads(family) -> Counter:
    """The reads the family's access report lists: who, why."""
    report = selectors.as_reported(selectors.access_report(family), family)
    return Counter((e.actor_id, e.purpose) for e in report if e.action == Action.VIEWED)
