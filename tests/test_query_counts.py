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
    "inbox": 17,
    "directory_search": 7,
    "referral_step": 17,
    "plan_action_update": 17,
    "api_families": 7,
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


READERS = {"inbox": "partner", "referral_step": "partner"}  # the others: the lead worker


def send(kind: str, care, client, sent_referral):  # noqa: F811
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
    client.force_login(care["users"][READERS.get(kind, "owner")])
    # The first request after a login renews the session (core/idle_session.py); the
    # benchmark's users are past it.
    client.get(reverse("directory:search"))
    with django_assert_max_num_queries(LIMITS[kind]):
        response, expected = send(kind, care, client, sent_referral)
    assert response.status_code == expected


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
# the header's unread notifications. Nine, whatever the length of the text or the codings.
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
