"""Sign-ups: who may take a place, the host's decision, and capacity, including two people
signing up at the same moment."""

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection, connections
from django.urls import reverse

from maillage.audit.models import AuditEvent
from maillage.training import services
from maillage.training.models import IllegalTransition, SessionFull, SignUp, SignUpStatus
from tests.training.conftest import add_practitioner, move_to_past

pytestmark = pytest.mark.django_db


def test_a_practitioner_signs_up_and_the_host_lead_confirms(training, session):
    worker, lead = training["users"]["worker"], training["users"]["lead"]
    sign_up = services.sign_up(by=worker, session=session)
    assert sign_up.status == SignUpStatus.PENDING
    assert sign_up.team == training["teams"]["mother_child"]
    confirmed = services.confirm_sign_up(by=lead, sign_up=sign_up)
    assert (confirmed.status, confirmed.decided_by) == (SignUpStatus.CONFIRMED, lead)
    events = AuditEvent.objects.filter(object_id=str(sign_up.pk)).values_list(
        "details__event", flat=True
    )
    assert sorted(events) == ["immersion_sign_up", "immersion_sign_up_confirmed"]


def test_a_member_of_the_host_team_or_of_no_programme_team_cannot_sign_up(training, session):
    # The lead works in the host team only; the family team is not in the programme.
    outsider = add_practitioner(training["teams"]["family"], "outsider")
    for user in (training["users"]["lead"], outsider, training["users"]["coordinator"]):
        with pytest.raises(PermissionDenied):
            services.sign_up(by=user, session=session)
    assert SignUp.objects.count() == 0


def test_a_practitioner_in_the_host_team_and_a_visiting_team_visits_from_the_other(
    training, session
):
    sign_up = services.sign_up(by=training["users"]["nurse"], session=session)
    assert sign_up.team == training["teams"]["mother_child"]


def test_a_full_session_refuses_more_sign_ups_with_a_clear_message(training, make_session):
    session = make_session(capacity=2)
    services.sign_up(by=training["users"]["worker"], session=session)
    services.sign_up(by=training["users"]["protector"], session=session)
    with pytest.raises(SessionFull) as error:
        services.sign_up(by=training["users"]["nurse"], session=session)
    assert str(error.value) == (
        "This session is full: all 2 places are taken. Ask Périnatalité sociale about their "
        "next session, or choose another one."
    )
    assert session.sign_ups.count() == 2


def test_the_page_and_the_api_say_the_session_is_full(training, make_session, client, english):
    session = make_session(capacity=1)
    services.sign_up(by=training["users"]["worker"], session=session)
    client.force_login(training["users"]["protector"])
    response = client.post(reverse("training:sign_up", args=[session.id]))
    assert response.status_code == 409
    assert "This session is full: its only place is taken." in response.content.decode()
    api = client.post(
        f"/api/v1/training/sessions/{session.id}/sign-ups", {}, content_type="application/json"
    )
    assert api.status_code == 409
    assert api.json()["detail"].startswith("This session is full")
    # The session page shows it too, without a sign-up button.
    page = client.get(reverse("training:session", args=[session.id])).content.decode()
    assert "This session is full." in page
    assert session.sign_ups.count() == 1


def test_a_declined_or_cancelled_sign_up_gives_its_place_back(training, make_session):
    session = make_session(capacity=1)
    first = services.sign_up(by=training["users"]["worker"], session=session)
    services.decline_sign_up(by=training["users"]["lead"], sign_up=first, reason="Trop tôt")
    second = services.sign_up(by=training["users"]["protector"], session=session)
    services.cancel_sign_up(by=training["users"]["protector"], sign_up=second)
    assert services.sign_up(by=training["users"]["nurse"], session=session)


def test_signing_up_twice_is_refused(training, session):
    services.sign_up(by=training["users"]["worker"], session=session)
    with pytest.raises(IllegalTransition, match="already signed up"):
        services.sign_up(by=training["users"]["worker"], session=session)


def test_deciding_twice_is_an_illegal_transition_answered_409(training, session, client, english):
    sign_up = services.sign_up(by=training["users"]["worker"], session=session)
    services.decline_sign_up(by=training["users"]["lead"], sign_up=sign_up)
    with pytest.raises(IllegalTransition, match="Cannot go from “Declined by the host”"):
        services.confirm_sign_up(by=training["users"]["lead"], sign_up=sign_up)
    client.force_login(training["users"]["lead"])
    response = client.post(reverse("training:confirm", args=[sign_up.id]))
    assert response.status_code == 409
    assert "Cannot go from" in response.content.decode()


def test_only_the_host_lead_or_a_coordinator_decides(training, session, make_session):
    sign_up = services.sign_up(by=training["users"]["worker"], session=session)
    for key in ("nurse", "worker", "dpj_lead", "admin"):
        with pytest.raises(PermissionDenied):
            services.confirm_sign_up(by=training["users"][key], sign_up=sign_up)
    services.confirm_sign_up(by=training["users"]["coordinator"], sign_up=sign_up)
    # At the DPJ, its own lead decides.
    elsewhere = make_session(host=training["teams"]["protection"])
    other = services.sign_up(by=training["users"]["worker"], session=elsewhere)
    services.confirm_sign_up(by=training["users"]["dpj_lead"], sign_up=other)


def test_sign_ups_close_when_the_session_starts(training, session):
    move_to_past(session)
    with pytest.raises(IllegalTransition, match="already started"):
        services.sign_up(by=training["users"]["worker"], session=session)


def test_a_cancelled_session_takes_no_sign_up(training, session):
    services.cancel_session(by=training["users"]["coordinator"], session=session)
    with pytest.raises(IllegalTransition, match="cancelled"):
        services.sign_up(by=training["users"]["worker"], session=session)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real concurrency: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_people_signing_up_at_once_for_the_last_place_one_gets_it(training, make_session):
    session = make_session(capacity=1)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def take_place(key: str) -> None:
        try:
            barrier.wait(timeout=10)
            services.sign_up(by=training["users"][key], session=session)
            outcomes[key] = "signed up"
        except SessionFull:
            outcomes[key] = "full"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=take_place, args=(k,)) for k in ("worker", "protector")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == ["full", "signed up"]
    assert SignUp.objects.filter(session=session).count() == 1
