"""Participants and focus groups through the API: the rules of their pages (the study's
evaluators read, the lead writes, real names for the lead only), and bad input refused with
the field named and nothing written."""

import json

import pytest

from maillage.audit.models import Action, AuditEvent
from maillage.evaluation.models import Participant, Session

pytestmark = pytest.mark.django_db


def send(client, method: str, path: str, body=None):
    return getattr(client, method)(
        f"/api/v1/evaluation{path}",
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
    )


def fields_of(response) -> set[str]:
    """The fields an error names, and where they lie (an attribute's name within attributes)."""
    assert response.status_code == 422, response.content
    named = set()
    for error in response.json()["errors"]:
        named.add(error["field"])
        named.update(str(part) for part in error.get("loc") or [])
    return named


def test_the_lead_reads_real_names_and_the_coder_pseudonyms_only(study_world, client):
    w = study_world
    path = f"/studies/{w['study'].pk}/participants"
    client.force_login(w["lead"])
    before = AuditEvent.objects.filter(action=Action.VIEWED, object_id=str(w["study"].pk)).count()
    for_lead = send(client, "get", path).json()
    assert [(p["pseudonym"], p["real_name"]) for p in for_lead] == [
        ("P01", "Sylvie Gagnon"),
        ("P02", "Worker Test"),
    ]
    assert for_lead[0]["attributes"] == {"setting": "CLSC"}
    assert for_lead[1]["practitioner_id"] == str(w["participant_user"].practitioner.pk)
    # The lead's read of real names is logged, as on the page.
    after = AuditEvent.objects.filter(action=Action.VIEWED, object_id=str(w["study"].pk)).count()
    assert after == before + 1
    client.force_login(w["coder"])
    for_coder = send(client, "get", path).json()
    assert [p["pseudonym"] for p in for_coder] == ["P01", "P02"]
    assert all(
        p["real_name"] is None and p["practitioner_id"] is None and p["consent_note"] is None
        for p in for_coder
    )
    assert "Sylvie" not in json.dumps(for_coder) and "Worker" not in json.dumps(for_coder)


def test_the_lead_adds_and_corrects_a_participant(study_world, client):
    w = study_world
    client.force_login(w["lead"])
    response = send(
        client,
        "post",
        f"/studies/{w['study'].pk}/participants",
        {
            "real_name": "Jean Dupuis",
            "consent_given_on": "2026-01-20",
            "attributes": {"setting": "CRD"},
        },
    )
    assert response.status_code == 201, response.content
    added = response.json()
    assert added["pseudonym"] == "P03" and added["attributes"] == {"setting": "CRD"}
    response = send(
        client,
        "patch",
        f"/participants/{added['id']}",
        {"consent_note": "Signé", "attributes": {"setting": "", "years": "12"}},
    )
    assert response.status_code == 200, response.content
    changed = response.json()
    assert changed["consent_note"] == "Signé" and changed["real_name"] == "Jean Dupuis"
    assert changed["attributes"] == {"years": "12"} and changed["pseudonym"] == "P03"
    event = AuditEvent.objects.filter(action=Action.UPDATED, object_id=added["id"]).get()
    assert "Jean" not in json.dumps(event.details)


def test_the_coder_reads_focus_groups_and_only_the_lead_records_or_corrects_them(
    study_world, client
):
    w = study_world
    base = f"/studies/{w['study'].pk}/focus-groups"
    client.force_login(w["coder"])
    (listed,) = send(client, "get", base).json()
    assert listed["setting"] == "CLSC" and listed["held_on"] == "2026-02-01"
    assert set(listed["present"]) == {str(w["outside"].pk), str(w["worker"].pk)}
    assert listed["document_count"] == 1
    body = {"setting": "CRD", "held_on": "2026-03-01"}
    assert send(client, "post", base, body).status_code == 403
    assert (
        send(client, "patch", f"/focus-groups/{listed['id']}", {"moderator": "X"}).status_code
        == 403
    )
    assert Session.objects.count() == 1
    client.force_login(w["lead"])
    response = send(client, "post", base, {**body, "present": [str(w["worker"].pk)]})
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["present"] == [str(w["worker"].pk)] and created["document_count"] == 0
    response = send(
        client,
        "patch",
        f"/focus-groups/{created['id']}",
        {"moderator": "Animatrice", "present": []},
    )
    assert response.status_code == 200, response.content
    assert response.json()["moderator"] == "Animatrice" and response.json()["present"] == []
    assert response.json()["setting"] == "CRD"


@pytest.mark.parametrize(
    ("path", "method", "body", "field"),
    [
        (
            "participants",
            "post",
            {"real_name": "A", "consent_given_on": "0001-01-01"},
            "consent_given_on",
        ),
        (
            "participants",
            "post",
            {"real_name": "A", "consent_given_on": "9999-12-31"},
            "consent_given_on",
        ),
        ("participants", "post", {"real_name": "A" * 3_000_000}, "real_name"),
        (
            "participants",
            "post",
            {"real_name": "A", "attributes": {"setting": "x" * 1_000_000}},
            "attributes",
        ),
        (
            "participants",
            "post",
            {"practitioner_email": "nobody@example.org"},
            "practitioner_email",
        ),
        ("participants", "post", {}, "real_name"),
        ("focus-groups", "post", {"setting": "CRD", "held_on": "1789-07-14"}, "held_on"),
        ("focus-groups", "post", {"setting": "CRD", "held_on": "99999-01-01"}, "held_on"),
        ("focus-groups", "post", {"setting": "CRD", "held_on": 0}, "held_on"),
        ("focus-groups", "post", {"setting": "x" * 2_000_000, "held_on": "2026-03-01"}, "setting"),
        ("focus-groups", "post", {"setting": "", "held_on": "2026-03-01"}, "setting"),
        (
            "focus-groups",
            "post",
            {
                "setting": "CRD",
                "held_on": "2026-03-01",
                "present": ["00000000-0000-0000-0000-000000000000"],
            },
            "present",
        ),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(
    study_world, client, path, method, body, field
):
    w = study_world
    client.force_login(w["lead"])
    participants, sessions = Participant.objects.count(), Session.objects.count()
    response = send(client, method, f"/studies/{w['study'].pk}/{path}", body)
    assert any(field in name for name in fields_of(response)), response.json()
    assert (Participant.objects.count(), Session.objects.count()) == (participants, sessions)


def test_corrections_with_bad_input_change_nothing(study_world, client):
    w = study_world
    client.force_login(w["lead"])
    person, session = w["outside"], w["session"]
    for body, field in [
        ({"consent_given_on": "0001-01-01"}, "consent_given_on"),
        ({"consent_note": "x" * 1_000_000}, "consent_note"),
        ({"real_name": ""}, "real_name"),  # no name and no practitioner: who is it?
        ({"attributes": {"": "x"}}, "attributes"),
    ]:
        assert field in " ".join(
            fields_of(send(client, "patch", f"/participants/{person.pk}", body))
        )
    for body, field in [
        ({"held_on": "3000-01-01"}, "held_on"),
        ({"held_on": None}, "held_on"),
        ({"setting": "x" * 1_000_000}, "setting"),
        ({"present": [str(w["other"].pk)]}, "present"),
    ]:
        assert field in " ".join(
            fields_of(send(client, "patch", f"/focus-groups/{session.pk}", body))
        )
    person.refresh_from_db()
    session.refresh_from_db()
    assert (person.real_name, person.consent_given_on, person.consent_note) == (
        "Sylvie Gagnon",
        w["outside"].consent_given_on,
        "",
    )
    assert session.setting == "CLSC" and session.present.count() == 2


def test_unknown_or_hidden_studies_participants_and_focus_groups_are_not_found(study_world, client):
    w = study_world
    unknown = "00000000-0000-0000-0000-000000000000"
    client.force_login(w["stranger"])  # leads another study
    for method, path, body in [
        ("get", f"/studies/{unknown}/participants", None),
        ("post", f"/studies/{unknown}/participants", {"real_name": "A"}),
        ("get", f"/studies/{unknown}/focus-groups", None),
        ("post", f"/studies/{unknown}/focus-groups", {"setting": "A", "held_on": "2026-01-01"}),
        ("patch", f"/participants/{unknown}", {"consent_note": "x"}),
        ("patch", f"/focus-groups/{unknown}", {"moderator": "x"}),
        ("get", f"/studies/{w['study'].pk}/participants", None),
        ("post", f"/studies/{w['study'].pk}/participants", {"real_name": "A"}),
        ("patch", f"/participants/{w['outside'].pk}", {"consent_note": "x"}),
        ("patch", f"/focus-groups/{w['session'].pk}", {"moderator": "x"}),
    ]:
        assert send(client, method, path, body).status_code == 404, (method, path)
    assert Participant.objects.filter(study=w["study"]).count() == 2
    assert not Participant.objects.filter(consent_note="x").exists()
