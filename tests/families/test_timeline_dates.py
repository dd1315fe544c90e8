"""A timeline survives bad dates, and a wrong entry can be corrected without being deleted.

Found by the API fuzzer: an entry dated 0001-01-01 was accepted, after which the family's
timeline answered 500 on every page (converting year 1 to local time overflows), and the
entry could not be removed.
"""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from maillage.audit.models import Action, AuditEvent
from maillage.core.services import create_api_token
from maillage.families import services
from maillage.families.models import Category, EntryKind, TimelineEntry

pytestmark = pytest.mark.django_db

FAR_PAST = datetime(1, 1, 1, tzinfo=UTC)
FAR_FUTURE = datetime(9999, 12, 31, 23, 59, tzinfo=UTC)


def api_client(client, user):
    _token, secret = create_api_token(user=user, name="test")
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    return client


def post_json(client, url, body):
    return client.post(url, data=json.dumps(body), content_type="application/json")


def stored_entry(care, occurred_at, text="Note importée par un autre logiciel"):
    """A row written straight to the database, as an old import or another program might."""
    return TimelineEntry.objects.create(
        family=care["family"],
        kind=EntryKind.CONTACT_NOTE,
        category=Category.PLAN,
        text=text,
        author=care["users"]["owner"],
        author_team=care["teams"]["perinatal"],
        occurred_at=occurred_at,
    )


# --- dates are refused at the door ---------------------------------------------------------


@pytest.mark.parametrize("occurred_at", ["0001-01-01T00:00:00Z", "1899-12-31T23:00:00Z"])
def test_api_refuses_a_timeline_entry_dated_before_1900_naming_the_field(care, client, occurred_at):
    # Given the lead worker's API token
    api = api_client(client, care["users"]["owner"])
    url = f"/api/v1/families/{care['family'].id}/timeline"
    # When they post an entry dated in year 1 (or just before 1900)
    response = post_json(
        api,
        url,
        {"kind": "contact_note", "category": "plan", "text": "x", "occurred_at": occurred_at},
    )
    # Then it is refused as bad input, on that field, and nothing is written
    assert response.status_code == 422, response.content
    body = response.json()
    assert [e["field"] for e in body["errors"]] == ["occurred_at"]
    assert "1900-01-01" in body["errors"][0]["message"]
    assert not TimelineEntry.objects.filter(text="x").exists()


def test_timeline_form_refuses_a_date_outside_1900_2100_with_a_translated_message(
    care, client, verified_login
):
    # Given the lead worker on the timeline page, in French
    c = verified_login(care["users"]["owner"])
    url = reverse("families:timeline", args=[care["family"].id])
    # When they add an entry dated in 1850
    response = c.post(
        url,
        {
            "kind": "contact_note",
            "category": "plan",
            "visibility": "circle",
            "text": "Ancienne note",
            "occurred_at": "1850-01-01T10:00",
        },
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    # Then the form says which field and which range, in French, and writes nothing
    assert response.status_code == 400
    errors = response.context["form"].errors["occurred_at"]
    assert "entre 1900-01-01 et 2100-12-31" in errors[0]
    assert "Date et heure" in errors[0]
    assert not TimelineEntry.objects.filter(text="Ancienne note").exists()


def test_service_refuses_a_timeline_entry_before_1900(care):
    with pytest.raises(services.ValidationError) as error:
        services.add_entry(
            by=care["users"]["owner"],
            family=care["family"],
            kind=EntryKind.CONTACT_NOTE,
            category=Category.PLAN,
            text="x",
            occurred_at=datetime(1800, 1, 1, tzinfo=UTC),
        )
    assert "occurred_at" in error.value.message_dict


def test_api_refuses_a_plan_action_due_in_year_9999(care, client):
    api = api_client(client, care["users"]["owner"])
    url = f"/api/v1/families/{care['family'].id}/plan/actions/{care['action'].id}"
    response = api.patch(
        url,
        data=json.dumps({"version": 1, "due_date": "9999-12-31"}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "due_date"


@pytest.mark.parametrize(
    ("field", "value"),
    [("parent1_date_of_birth", "0001-01-01"), ("child_due_date", "9999-12-31")],
)
def test_family_form_refuses_births_and_due_dates_out_of_range(
    care, client, verified_login, field, value
):
    c = verified_login(care["users"]["owner"])
    data = {
        "team": care["teams"]["perinatal"].id,
        "parent1_first_name": "Zoé",
        "parent1_last_name": "Hors-Limite",
        "reasons": ["housing"],
        field: value,
    }
    response = c.post(reverse("families:create"), data)
    assert response.status_code in (200, 400)
    assert field in response.context["form"].errors
    assert "1900-01-01" in str(response.context["form"].errors[field])


# --- a page never dies on one bad row already stored ---------------------------------------


@pytest.mark.parametrize("occurred_at", [FAR_PAST, FAR_FUTURE])
def test_timeline_and_record_pages_still_open_with_an_extreme_date_stored(
    care, client, verified_login, occurred_at
):
    # Given an entry stored with a date whose local time overflows
    stored_entry(care, occurred_at)
    c = verified_login(care["users"]["owner"])
    family_id = care["family"].id
    # When the lead worker opens the timeline, the overview, the export and the API list
    for url in [
        reverse("families:timeline", args=[family_id]),
        reverse("families:timeline", args=[family_id]) + "?page=2",
        reverse("families:detail", args=[family_id]),
        reverse("families:export_html", args=[family_id]),
        reverse("families:export_json", args=[family_id]),
    ]:
        response = c.get(url)
        # Then every one answers, the other entries included
        assert response.status_code == 200, url
        assert "Note importée par un autre logiciel" in response.content.decode(), url
    api = api_client(client, care["users"]["owner"])
    listed = api.get(f"/api/v1/families/{family_id}/timeline")
    assert listed.status_code == 200
    assert "Note importée par un autre logiciel" in [e["text"] for e in listed.json()["items"]]


# --- correcting an entry: "entered in error" -----------------------------------------------


def test_author_marks_an_entry_entered_in_error_it_leaves_the_timeline_and_stays_in_history(
    care, client, verified_login
):
    # Given an entry stored with a year-1 date, which the author wants gone
    entry = stored_entry(care, FAR_PAST)
    owner = care["users"]["owner"]
    c = verified_login(owner)
    url = reverse("families:entry_in_error", args=[care["family"].id, entry.id])
    # When the author marks it as entered in error, with a reason
    assert c.get(url).status_code == 200
    response = c.post(url, {"reason": "Date impossible, saisie par un ancien logiciel"})
    # Then it is gone from the everyday timeline...
    assert response.status_code == 302
    timeline = reverse("families:timeline", args=[care["family"].id])
    assert "Note importée par un autre logiciel" not in c.get(timeline).content.decode()
    # ...shown with the toggle, marked, with the reason...
    shown = c.get(timeline + "?show_in_error=1").content.decode()
    assert "Note importée par un autre logiciel" in shown
    assert "Date impossible, saisie par un ancien logiciel" in shown
    # ...kept in the database and the export, and recorded in the audit log
    entry.refresh_from_db()
    assert entry.is_entered_in_error and entry.entered_in_error_by == owner
    exported = c.get(reverse("families:export_json", args=[care["family"].id])).json()
    assert any(e["entered_in_error"] for e in exported["timeline"])
    assert AuditEvent.objects.filter(
        action=Action.UPDATED, actor=owner, details__id=str(entry.id)
    ).exists()


def test_lead_worker_marks_a_partners_entry_entered_in_error_through_the_api(care, client):
    # Given an entry written by the partner, in a category both see
    entry = services.add_entry(
        by=care["users"]["partner"],
        family=care["family"],
        kind=EntryKind.PHONE_CALL,
        category=Category.PLAN,
        text="Appel au mauvais dossier",
        occurred_at=timezone.now() - timedelta(hours=1),
    )
    api = api_client(client, care["users"]["owner"])
    base = f"/api/v1/families/{care['family'].id}/timeline"
    # When the lead worker marks it through the API
    response = post_json(api, f"{base}/{entry.id}/entered-in-error", {"reason": "Mauvais dossier"})
    # Then it is marked, hidden from the list, and listed again when asked for
    assert response.status_code == 200, response.content
    assert response.json()["entered_in_error_reason"] == "Mauvais dossier"
    assert entry.id not in [e["id"] for e in api.get(base).json()["items"]]
    with_errors = api.get(base + "?include_entered_in_error=true").json()["items"]
    assert str(entry.id) in [e["id"] for e in with_errors]
    # And marking it again is a conflict, not a second correction
    again = post_json(api, f"{base}/{entry.id}/entered-in-error", {"reason": "Encore"})
    assert again.status_code == 409
    assert again.json()["detail"]


def test_a_member_who_is_neither_author_nor_lead_cannot_mark_an_entry(care, client, verified_login):
    # Given the owner's plan entry, which the partner sees
    entry = care["entries"]["plan"]
    partner = care["users"]["partner"]
    # When the partner tries through the API: forbidden (they see the entry)
    api = api_client(client, partner)
    url = f"/api/v1/families/{care['family'].id}/timeline/{entry.id}/entered-in-error"
    assert post_json(api, url, {"reason": "Pas d'accord"}).status_code == 403
    # And on the page: not found, like every refusal of a page
    page = verified_login(partner)
    page.defaults.pop("HTTP_AUTHORIZATION", None)
    page_url = reverse("families:entry_in_error", args=[care["family"].id, entry.id])
    assert page.post(page_url, {"reason": "Pas d'accord"}).status_code == 404
    entry.refresh_from_db()
    assert not entry.is_entered_in_error


def test_an_entry_one_cannot_see_is_not_found_when_marking(care, client):
    # The owner's notes are not shared with the partner's organization
    api = api_client(client, care["users"]["partner"])
    entry = care["entries"]["note"]
    url = f"/api/v1/families/{care['family'].id}/timeline/{entry.id}/entered-in-error"
    assert post_json(api, url, {"reason": "x"}).status_code == 404


def test_marking_needs_a_reason(care, client, verified_login):
    entry = care["entries"]["plan"]
    c = verified_login(care["users"]["owner"])
    url = reverse("families:entry_in_error", args=[care["family"].id, entry.id])
    response = c.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "reason" in response.context["form"].errors
    entry.refresh_from_db()
    assert not entry.is_entered_in_error


def test_a_megabyte_reason_for_an_entry_in_error_is_refused_and_writes_nothing(care, client):
    entry = care["entries"]["note"]
    client.force_login(care["users"]["owner"])
    response = client.post(
        f"/api/v1/families/{care['family'].id}/timeline/{entry.id}/entered-in-error",
        data=json.dumps({"reason": "x" * 1_000_000}),
        content_type="application/json",
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["reason"]
    entry.refresh_from_db()
    assert not entry.is_entered_in_error
