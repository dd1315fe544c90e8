"""The writes of programmes in practice through the JSON API: each answers what the pages
answer (the family's rule for its enrolment, the roles for a site's records), bad input is a
422 naming the field with nothing written, and a family's writes are in its access log."""

import json

import pytest

from maillage.audit.models import Action, AuditEvent
from maillage.implementation import selectors, services
from maillage.implementation.models import (
    Departure,
    Enrolment,
    ProgrammeSession,
    SiteStage,
    SustainabilityAnswer,
    SustainabilityItem,
    TrainingKind,
    TrainingRecord,
)

from .conftest import COMPONENTS, days_ago

pytestmark = pytest.mark.django_db
API = "/api/v1/implementation"


def post(client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


def fields(response) -> set[str]:
    assert response.status_code == 422, response.content
    return {item["field"] for item in response.json()["errors"]}


def family_writes(s, action) -> int:
    return AuditEvent.objects.filter(
        action=action, object_type="families.family", object_id=str(s["family"].id)
    ).count()


def test_enrolling_through_the_api_is_logged_on_the_family_and_a_duplicate_names_the_site(
    programme_setup, client, verified_login
):
    s = programme_setup
    c = verified_login(s["users"]["owner"])
    url = f"{API}/families/{s['family'].id}/enrolments"
    body = {
        "site": str(s["site"].id),
        "referred_on": days_ago(10).isoformat(),
        "offered_on": days_ago(8).isoformat(),
        "enrolled_on": days_ago(7).isoformat(),
    }
    response = post(c, url, body)
    assert response.status_code == 201, response.content
    assert response.json()["status"] == "enrolled"
    assert family_writes(s, Action.CREATED) >= 1
    again = post(c, url, body)
    assert fields(again) == {"site"}
    assert Enrolment.objects.filter(family=s["family"]).count() == 1


def test_enrolling_at_a_site_one_does_not_work_at_names_the_site(
    programme_setup, client, verified_login
):
    s = programme_setup
    c = verified_login(s["users"]["owner"])
    body = {"site": str(s["other_site"].id), "referred_on": days_ago(3).isoformat()}
    assert fields(post(c, f"{API}/families/{s['family'].id}/enrolments", body)) == {"site"}
    unknown = {"site": str(s["family"].id), "referred_on": days_ago(3).isoformat()}
    assert fields(post(c, f"{API}/families/{s['family'].id}/enrolments", unknown)) == {"site"}
    assert not Enrolment.objects.exists()


def test_steps_follow_the_transition_table_and_the_version(enrolled, client, verified_login):
    s = enrolled
    c = verified_login(s["users"]["owner"])
    url = f"{API}/enrolments/{s['enrolment'].id}/steps"
    # Completed straight from "enrolled" is not in the table: 409 with the reason.
    illegal = post(c, url, {"to": "completed", "on": days_ago(1).isoformat()})
    assert illegal.status_code == 409
    assert fields(post(c, url, {"to": "exited", "on": days_ago(1).isoformat()})) == {"exit_reason"}
    assert fields(post(c, url, {"to": "exited", "on": days_ago(60).isoformat()})) == {
        "on",
        "exit_reason",
    }
    stale = post(
        c,
        url,
        {"to": "exited", "on": days_ago(1).isoformat(), "exit_reason": "moved", "version": 9},
    )
    assert stale.status_code == 409
    before = family_writes(s, Action.UPDATED)
    done = post(
        c,
        url,
        {"to": "exited", "on": days_ago(1).isoformat(), "exit_reason": "moved", "version": 1},
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "exited" and done.json()["version"] == 2
    assert family_writes(s, Action.UPDATED) == before + 1


def test_a_session_rated_nine_through_the_api_names_the_field_and_writes_nothing(
    enrolled, client, verified_login
):
    s = enrolled
    c = verified_login(s["users"]["owner"])
    response = post(
        c,
        f"{API}/enrolments/{s['enrolment'].id}/sessions",
        {
            "held_on": days_ago(2).isoformat(),
            "fidelity": {COMPONENTS[0]: 9},
            "rated_by": "practitioner",
        },
    )
    assert fields(response) == {"fidelity_0"}
    assert not ProgrammeSession.objects.exists()


def test_a_stage_through_the_api_is_for_coordinators_and_names_a_bad_date(
    programme_setup, client, verified_login
):
    s = programme_setup
    url = f"{API}/sites/{s['site'].id}/stages"
    body = {
        "stage": "engagement",
        "started_on": days_ago(10).isoformat(),
        "finished_on": days_ago(20).isoformat(),
    }
    lead = verified_login(s["lead"])
    assert post(lead, url, body).status_code == 403
    c = verified_login(s["coordinator"])
    assert fields(post(c, url, body)) == {"finished_on"}
    assert fields(post(c, url, {**body, "stage": "eleventh"})) == {"stage"}
    assert not SiteStage.objects.exists()
    body["finished_on"] = days_ago(5).isoformat()
    response = post(c, url, body)
    assert response.status_code == 200, response.content
    assert SiteStage.objects.get().finished_on == days_ago(5)


def test_training_and_supervision_through_the_api_are_the_site_leads(
    programme_setup, client, verified_login
):
    s = programme_setup
    owner = s["users"]["owner"].practitioner
    outsider = s["users"]["outsider"].practitioner
    c = verified_login(s["lead"])
    url = f"{API}/sites/{s['site'].id}/trainings"
    body = {"practitioner": str(owner.id), "kind": "initial", "on": days_ago(30).isoformat()}
    assert fields(post(c, url, {**body, "practitioner": str(outsider.id)})) == {"practitioner"}
    assert fields(post(c, url, {**body, "hours": 900})) == {"hours"}
    assert fields(post(c, url, {**body, "topic": "x" * 201})) == {"topic"}
    assert not TrainingRecord.objects.exists()
    response = post(c, url, {**body, "hours": 14, "topic": "Formation initiale"})
    assert response.status_code == 201, response.content
    assert TrainingRecord.objects.get().practitioner == owner
    supervision = post(
        c,
        f"{API}/sites/{s['site'].id}/supervisions",
        {"practitioner": str(owner.id), "on": days_ago(3).isoformat(), "minutes": 60},
    )
    assert supervision.status_code == 201
    # The owner works at the site but does not lead its team.
    member = verified_login(s["users"]["owner"])
    assert post(member, url, body).status_code == 403


def test_sustainability_answers_through_the_api(programme_setup, client, verified_login):
    s = programme_setup
    items = list(SustainabilityItem.objects.filter(is_active=True))
    url = f"{API}/sites/{s['site'].id}/sustainability"
    c = verified_login(s["users"]["owner"])
    scores = {str(item.id): 5 for item in items}
    missing = dict(list(scores.items())[1:])
    assert fields(post(c, url, {"scores": missing})) == {f"item_{items[0].id}"}
    assert fields(post(c, url, {"scores": {**scores, "nope": 3}})) == {"scores"}
    assert fields(post(c, url, {"scores": {**scores, str(items[1].id): 8}})) == {
        f"item_{items[1].id}"
    }
    assert not SustainabilityAnswer.objects.exists()
    response = post(c, url, {"scores": scores})
    assert response.status_code == 201, response.content
    assert response.json()["answers"] == len(items)
    outsider = verified_login(s["users"]["outsider"])
    assert post(outsider, url, {"scores": scores}).status_code == 403


def test_a_departure_lowers_trained_capacity_from_its_day(programme_setup, client, verified_login):
    s = programme_setup
    owner = s["users"]["owner"].practitioner
    lead = s["lead"].practitioner
    for person, ago in ((owner, 200), (lead, 100)):
        services.record_training(
            by=s["coordinator"],
            site=s["site"],
            practitioner=person,
            kind=TrainingKind.INITIAL,
            on=days_ago(ago),
            hours=14,
        )
    assert selectors.site_capacity(s["site"]).now[s["site"].id] == 2
    c = verified_login(s["lead"])
    url = f"{API}/sites/{s['site'].id}/departures"
    before_training = {"practitioner": str(owner.id), "left_on": days_ago(300).isoformat()}
    assert fields(post(c, url, before_training)) == {"left_on"}
    never_trained = str(s["users"]["colleague"].practitioner.id)
    assert fields(post(c, url, {"practitioner": never_trained, "left_on": days_ago(1).isoformat()}))
    assert not Departure.objects.exists()
    response = post(c, url, {"practitioner": str(owner.id), "left_on": days_ago(40).isoformat()})
    assert response.status_code == 201, response.content
    # Still a member of the team in the directory, but gone for the programme: counted in
    # the months before the departure, not after.
    capacity = selectors.site_capacity(s["site"])
    assert capacity.now[s["site"].id] == 1
    assert capacity.lost[s["site"].id] == [owner.id]
    listed = c.get(url).json()
    assert [(row["practitioner_id"], row["left_on"]) for row in listed] == [
        (str(owner.id), days_ago(40).isoformat())
    ]
    board = c.get(f"{API}/sites/{s['site'].id}/dashboard").json()
    assert board["trained_now_by_site"] == {str(s["site"].id): 1}
    assert board["trained_lost_by_site"] == {str(s["site"].id): 1}
    # The training log's names are for its readers: a member of the team is refused.
    assert verified_login(s["users"]["owner"]).get(url).status_code == 403


def test_the_site_dashboard_api_counts_its_site_only(enrolled, client, verified_login):
    s = enrolled
    services.record_session(
        by=s["users"]["owner"],
        enrolment=s["enrolment"],
        held_on=days_ago(20),
        fidelity={COMPONENTS[0]: 4},
        rated_by="practitioner",
    )
    c = verified_login(s["coordinator"])
    mine = c.get(f"{API}/sites/{s['site'].id}/dashboard").json()
    other = c.get(f"{API}/sites/{s['other_site'].id}/dashboard").json()
    assert mine["reach"] == {"numerator": 1, "denominator": 1, "value": 1.0}
    assert mine["sessions_rated"]["denominator"] == 1
    assert other["reach"]["denominator"] == 0
    assert other["sessions_rated"]["denominator"] == 0
    assert (
        verified_login(s["users"]["owner"]).get(f"{API}/sites/{s['site'].id}/dashboard").status_code
        == 404
    )
