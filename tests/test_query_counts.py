"""Every request type of the benchmark's mix (benchmarks/config.py MIX) runs a number of
queries that does not grow with the data: pinned here on a small network and on one ten
times larger. Speed itself is measured by `make bench`, never here.

Some pages are also pinned next to their own behaviour (tests/families/test_pages_and_
queries.py, tests/referrals/test_lifecycle.py, tests/directory/test_search_and_pages.py);
this file holds the whole mix in one place, writes included, so that a change that adds a
query to any of them shows up against the figures of BENCHMARKS.md.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.core.services import create_api_token
from maillage.directory.models import Organization, Sector, ServiceOffer, ServiceType, Team
from maillage.directory.services import refresh_team_search_text
from maillage.families import services
from maillage.families.models import Category, EntryKind, TimelineEntry
from maillage.referrals import services as referral_services
from maillage.referrals.models import Referral, Status
from tests.families.conftest import care, practitioner  # noqa: F401 - shared fixtures

pytestmark = pytest.mark.django_db

SMALL, LARGE = 3, 30
ENTRIES_PER_FAMILY = 40

# The most queries each request may run, on both sizes: what it runs today, for a user
# whose session is past its first request. The test's transaction turns the writes'
# transactions into savepoints, so a write request's count differs by one or two from
# the count BENCHMARKS.md reports for the production server.
# Round three: the caseload, inbox and referral step ask the one disclosure rule
# (families.permissions) for what each row may show, in a fixed number of queries: the
# reader's circle rows, the consents of families recorded elsewhere, the caregivers named.
# Issue 13: every full page's header counts the reader's unread notifications (one COUNT).
LIMITS = {
    "caseload": 12,
    "family": 17,
    "timeline": 10,
    # Issue 19: the page's referrals with their family, teams and offer in one statement
    # (referrals.selectors.referral_page), ordered and counted from the rule's own rows.
    "inbox": 11,
    "directory_search": 7,
    "referral_step": 17,
    "plan_action_update": 17,
    # Issue 17: the JSON caseload knows its number from the access rule (no COUNT).
    "api_families": 6,
    # Issue 14: a programme's dashboard reads plain rows (enrolments, sessions, ratings,
    # answers, register) in fixed queries and computes in Python: 4 or 31 families alike.
    "programme_dashboard": 17,
    # Issue 17: the FHIR search for a team's open referrals (token, the one disclosure rule
    # through referrals.selectors.received, one page, one access event per family shown).
    # Its owner and status read by the database, paging over the ids matched, the last
    # note a subquery, no session user loaded: 13 -> 10. Then no session read at all: a
    # cookie sent along is not the FHIR endpoint's business (core/idle_session.py): 10 -> 9.
    "fhir_tasks": 9,
}


def grow(care, n: int) -> None:  # noqa: F811 - the imported fixture's value
    """n more families led by the owner (each with a plan, timeline entries and referrals
    waiting in the partner team's inbox), ten times n more entries on the family the pages show,
    and n organizations with their teams in the directory."""
    owner = care["users"]["owner"]
    perinatal, mother_child = care["teams"]["perinatal"], care["teams"]["mother_child"]
    now = timezone.now()
    entries, referrals = [], []
    for i in range(n):
        family = services.create_family(
            by=owner,
            team=perinatal,
            caregivers=[services.CaregiverData(first_name=f"Parent{i}", last_name="Grand")],
            children=[],
            reasons=["housing"],
        )
        goal = services.add_goal(by=owner, family=family, need="Logement", goal="Trouver")
        services.add_action(
            by=owner,
            goal=goal,
            description="Demande HLM",
            owner=family.circle.get(),
            due_date=timezone.localdate() + timedelta(days=i % 20 - 10),
        )
        entries += [
            TimelineEntry(
                family=family,
                kind=EntryKind.HOME_VISIT if k % 5 == 0 else EntryKind.CONTACT_NOTE,
                visit_outcome="missed" if k % 5 == 0 else "",
                category=Category.NOTES,
                text=f"Note {k}",
                author=owner,
                author_team=perinatal,
                occurred_at=now - timedelta(days=k),
            )
            for k in range(ENTRIES_PER_FAMILY)
        ]
        referrals += [
            Referral(
                family=family,
                referrer=owner,
                from_team=perinatal,
                to_team=mother_child,
                reason=f"Demande {i}-{k}",
                status=Status.REQUESTED,
                requested_at=now - timedelta(days=k),
            )
            for k in range(3)
        ]
    entries += [
        TimelineEntry(
            family=care["family"],
            kind=EntryKind.PHONE_CALL,
            category=Category.PLAN,
            text=f"Appel {k}",
            author=owner,
            author_team=perinatal,
            occurred_at=now - timedelta(hours=k),
        )
        for k in range(n * 10)
    ]
    TimelineEntry.objects.bulk_create(entries)
    Referral.objects.bulk_create(referrals)
    for i in range(n):
        org = Organization.objects.create(
            code=f"grow-{i}", name=f"Maison de la famille {i}", sector=Sector.COMMUNITY_ORGANIZATION
        )
        for j in range(3):
            team = Team.objects.create(
                organization=org, code=f"grow-{i}-{j}", name=f"Périnatalité sociale {i}-{j}"
            )
            ServiceOffer.objects.create(
                team=team, code=f"grow-{i}-{j}-s", name="Halte", service_type=ServiceType.CHILD_CARE
            )
    refresh_team_search_text(Team.objects.values_list("id", flat=True))
    for user in care["users"].values():
        user.__dict__.pop("_family_access", None)


@pytest.fixture
def sent_referral(care):  # noqa: F811 - the imported fixture, requested by name
    """A referral from the CLSC to the CRD's mother-child team, waiting for acknowledgement."""
    return referral_services.refer_family(
        by=care["users"]["owner"],
        family=care["family"],
        from_team=care["teams"]["perinatal"],
        to_team=care["teams"]["mother_child"],
        reason="Suivi en dépendance pendant la grossesse",
    )


def practise(care, n: int) -> None:  # noqa: F811 - the imported fixture's value
    """A programme delivered by the owner's team (n + 1 families enrolled, two sessions each,
    rated; trainings; a year of self-assessment) and by the partner's team, whose lead reads
    the dashboard."""
    from maillage.families.models import Family
    from maillage.implementation import services as practice
    from maillage.implementation.models import SustainabilityItem

    coordinator, owner = care["users"]["coordinator"], care["users"]["owner"]
    programme = practice.create_programme(
        by=coordinator,
        name_fr="Materner de l'intérieur",
        name_en="Mothering from the Inside Out",
        planned_dose=12,
        core_components=["Réflexion", "Régulation"],
    )
    site = practice.add_site(by=coordinator, programme=programme, team=care["teams"]["perinatal"])
    practice.add_site(by=coordinator, programme=programme, team=care["teams"]["mother_child"])
    today = timezone.localdate()
    practice.record_training(
        by=coordinator,
        site=site,
        practitioner=owner.practitioner,
        kind="initial",
        on=today - timedelta(days=300),
    )
    for family in Family.objects.all():
        enrolment = practice.enrol_family(
            by=owner,
            family=family,
            site=site,
            referred_on=today - timedelta(days=60),
            offered_on=today - timedelta(days=55),
            enrolled_on=today - timedelta(days=50),
        )
        for ago in (40, 30):
            practice.record_session(
                by=owner,
                enrolment=enrolment,
                held_on=today - timedelta(days=ago),
                fidelity={"Réflexion": 4, "Régulation": 3},
                rated_by="practitioner",
            )
    items = SustainabilityItem.objects.filter(is_active=True)
    practice.answer_sustainability(
        by=owner, site=site, year=today.year, scores={str(i.id): 5 for i in items}
    )
    care["practice"] = programme


# The others: the lead worker. FHIR's Task search: the receiving team's member, with a
# personal token (the endpoint takes no session).
OPEN_TASKS = "requested,accepted,in-progress,on-hold"  # benchmarks/mix.py's
READERS = {
    "inbox": "partner",
    "referral_step": "partner",
    "programme_dashboard": "partner_lead",
    "fhir_tasks": "partner",
}


def send(kind: str, care, client, sent_referral, headers=None):  # noqa: F811
    """The request of the mix, as the benchmark sends it; its expected status."""
    family = care["family"]
    if kind == "caseload":
        return client.get(reverse("families:caseload")), 200
    if kind == "family":
        return client.get(reverse("families:detail", args=[family.id])), 200
    if kind == "timeline":
        return client.get(reverse("families:timeline", args=[family.id])), 200
    if kind == "inbox":
        return client.get(reverse("referrals:inbox")), 200
    if kind == "directory_search":
        return client.get(reverse("directory:search"), {"q": "périnatalité"}), 200
    if kind == "referral_step":
        url = reverse("referrals:step", args=[sent_referral.id])
        return client.post(url, {"step": "acknowledge", "note": ""}), 302
    if kind == "plan_action_update":
        action = care["action"]
        url = reverse("families:plan_action", args=[family.id, action.id])
        data = {
            "description": action.description,
            "owner": str(action.owner_id),
            "due_date": action.due_date.isoformat(),
            "status": "in_progress",
            "version": action.version,
        }
        return client.post(url, data), 302
    if kind == "api_families":
        return client.get("/api/v1/families/"), 200
    if kind == "programme_dashboard":
        return client.get(reverse("implementation:dashboard", args=[care["practice"].id])), 200
    if kind == "fhir_tasks":
        team = care["teams"]["mother_child"]
        params = {"owner": f"Organization/{team.id}", "status": OPEN_TASKS}
        return client.get("/fhir/R4/Task", params, headers=headers), 200
    raise ValueError(kind)


@pytest.mark.parametrize("size", [SMALL, LARGE])
@pytest.mark.parametrize("kind", list(LIMITS))
def test_every_request_of_the_benchmark_mix_runs_a_bounded_number_of_queries(
    care,  # noqa: F811
    sent_referral,
    client,
    django_assert_max_num_queries,
    kind,
    size,
):
    grow(care, size)
    if kind == "programme_dashboard":
        practise(care, size)
    client.force_login(care["users"][READERS.get(kind, "owner")])
    # The first request after a login renews the session (core/idle_session.py); the
    # benchmark's users are past it.
    client.get(reverse("directory:search"))
    headers = None
    if kind == "fhir_tasks":
        _token, secret = create_api_token(user=care["users"][READERS[kind]], name="partner system")
        headers = {"Authorization": f"Bearer {secret}"}
    with django_assert_max_num_queries(LIMITS[kind]):
        response, expected = send(kind, care, client, sent_referral, headers)
    assert response.status_code == expected


@pytest.mark.parametrize("size", [SMALL, LARGE])
def test_the_referrers_fhir_task_search_pages_many_families_in_bounded_queries(
    care,  # noqa: F811
    client,
    django_assert_max_num_queries,
    size,
):
    """The referrer's side of the same search: a full page of Tasks, each of another
    family (the partner's inbox above shows the one family the consent opens)."""
    grow(care, size)
    _token, secret = create_api_token(user=care["users"]["owner"], name="partner system")
    team = care["teams"]["mother_child"]
    with django_assert_max_num_queries(16):
        response = client.get(
            "/fhir/R4/Task",
            {"owner": f"Organization/{team.id}", "status": OPEN_TASKS},
            headers={"Authorization": f"Bearer {secret}"},
        )
    assert response.status_code == 200
    bundle = response.json()
    assert bundle["total"] == 3 * size
    assert len(bundle["entry"]) == min(20, 3 * size)


def test_the_api_lists_the_caseload_in_the_pages_order(care, client):  # noqa: F811
    """The API's list has its own, lighter query (no attention figures): same families,
    same order as the page."""
    grow(care, SMALL)
    client.force_login(care["users"]["owner"])
    page = client.get(reverse("families:caseload"))
    listed = client.get("/api/v1/families/").json()["items"]
    assert [item["id"] for item in listed] == [str(f.id) for f in page.context["page"]]
    assert [item["next_action_due"] for item in listed] == [
        f.next_action_due.isoformat() if f.next_action_due else None for f in page.context["page"]
    ]


# --- evaluation: a focus-group transcript and its codings ---------------------------------

# The transcript page: session, user, the document (with its study), the reader's study
# roles, the audit row, the codings (with their codes and coders), the turns, the codebook,
# the header's unread notifications. Nine, whatever the length of the text or the codings;
# eight when the rendered transcript is kept (evaluation/document_page.py: no turns read).
TRANSCRIPT_QUERIES = 9


def _transcript(user, *, words: int, codings: int):
    """A transcript of `words` words in turns of 60 words, coded `codings` times by the
    user with 20 codes (written in bulk: this test is about reading it)."""
    from datetime import date

    from maillage.evaluation import services as evaluation
    from maillage.evaluation.models import Code, Coding, Document, SpeakerTurn

    study = evaluation.start_study(by=user, title="Étude", starts_on=date(2026, 1, 1))
    turn_words = ["collaboration"] * 60
    turns = [" ".join(turn_words)] * (words // 60)
    text = "\n\n".join(f"P01\u00a0: {t}" for t in turns)
    document = Document.objects.create(study=study, title="Groupe", kind="transcript", text=text)
    spans, position = [], 0
    for t in turns:
        length = len(f"P01\u00a0: {t}")
        spans.append(
            SpeakerTurn(document=document, speaker="P01", start=position, end=position + length)
        )
        position += length + 2
    SpeakerTurn.objects.bulk_create(spans)
    codes = Code.objects.bulk_create(Code(study=study, name=f"Code {n}") for n in range(20))
    step = max(1, (len(text) - 50) // codings)
    Coding.objects.bulk_create(
        Coding(document=document, code=codes[n % 20], coder=user, start=n * step, end=n * step + 40)
        for n in range(codings)
    )
    return document


@pytest.mark.parametrize(("words", "codings"), [(600, 10), (20_000, 1_000)], ids=["small", "20k"])
def test_opening_a_transcript_runs_a_bounded_number_of_queries(
    care,  # noqa: F811 - the imported fixture's value
    client,
    django_assert_max_num_queries,
    words,
    codings,
):
    user = care["users"]["owner"]
    document = _transcript(user, words=words, codings=codings)
    client.force_login(user)
    client.get(reverse("evaluation:studies"))  # the session's first request
    with django_assert_max_num_queries(TRANSCRIPT_QUERIES):
        response = client.get(reverse("evaluation:document", args=[document.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("<mark>") >= codings
    with django_assert_max_num_queries(TRANSCRIPT_QUERIES - 1):
        again = client.get(reverse("evaluation:document", args=[document.pk]))
    assert again.content.decode().count("<mark>") == response.content.decode().count("<mark>")
