"""Attendance and the before/after self-assessments: when each opens and closes, what a bad
answer says, and that answers stay personal."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from maillage.audit.models import AuditEvent
from maillage.training import services
from maillage.training.models import (
    Answer,
    IllegalTransition,
    Moment,
    SelfAssessment,
    SessionStatus,
)
from tests.training.conftest import answers_for, move_to_past

pytestmark = pytest.mark.django_db


@pytest.fixture
def confirmed(training, session):
    sign_up = services.sign_up(by=training["users"]["worker"], session=session)
    return services.confirm_sign_up(by=training["users"]["lead"], sign_up=sign_up)


def test_attendance_waits_for_the_session_to_start(training, session, confirmed):
    with pytest.raises(IllegalTransition, match="once the session has started"):
        services.record_attendance(
            by=training["users"]["lead"], session=session, present=[confirmed.pk]
        )


def test_recording_attendance_holds_the_session_and_marks_who_came(training, session, confirmed):
    late = services.sign_up(by=training["users"]["protector"], session=session)
    services.confirm_sign_up(by=training["users"]["lead"], sign_up=late)
    move_to_past(session)
    count = services.record_attendance(
        by=training["users"]["lead"], session=session, present=[confirmed.pk]
    )
    assert count == 1
    session.refresh_from_db()
    assert session.status == SessionStatus.HELD
    confirmed.refresh_from_db()
    late.refresh_from_db()
    assert (confirmed.attended, late.attended) == (True, False)
    event = AuditEvent.objects.filter(details__event="immersion_attendance").get()
    assert (event.details["present"], event.details["absent"]) == (1, 1)


def test_only_confirmed_participants_can_be_marked_present(training, session, confirmed):
    pending = services.sign_up(by=training["users"]["protector"], session=session)
    move_to_past(session)
    with pytest.raises(ValidationError) as error:
        services.record_attendance(
            by=training["users"]["lead"], session=session, present=[confirmed.pk, pending.pk]
        )
    assert "present" in error.value.message_dict
    session.refresh_from_db()
    assert session.status == SessionStatus.SCHEDULED


def test_a_visitor_cannot_record_attendance(training, session, confirmed):
    move_to_past(session)
    with pytest.raises(PermissionDenied):
        services.record_attendance(
            by=training["users"]["worker"], session=session, present=[confirmed.pk]
        )


def test_the_before_questionnaire_needs_every_statement_on_the_scale(training, confirmed):
    programme = training["programme"]
    items = list(programme.questionnaire_items.all())
    answers = answers_for(programme, [3, 4, 6, 2])
    del answers[str(items[3].pk)]
    with pytest.raises(ValidationError) as error:
        services.answer_self_assessment(
            by=training["users"]["worker"], sign_up=confirmed, moment=Moment.BEFORE, answers=answers
        )
    errors = error.value.message_dict
    assert set(errors) == {f"item_{items[2].pk}", f"item_{items[3].pk}"}
    assert errors[f"item_{items[2].pk}"] == [
        "“I feel able to explain the effects of substance use on the foetus, the child and "
        "parenting.”: choose a number from 1 to 5."
    ]
    assert SelfAssessment.objects.count() == 0 and Answer.objects.count() == 0


def test_the_before_questionnaire_is_answered_once_and_closes_when_the_session_starts(
    training, session, confirmed
):
    worker, programme = training["users"]["worker"], training["programme"]
    services.answer_self_assessment(
        by=worker, sign_up=confirmed, moment=Moment.BEFORE, answers=answers_for(programme, [2] * 4)
    )
    with pytest.raises(IllegalTransition, match="already answered"):
        services.answer_self_assessment(
            by=worker,
            sign_up=confirmed,
            moment=Moment.BEFORE,
            answers=answers_for(programme, [3] * 4),
        )
    late = services.sign_up(by=training["users"]["protector"], session=session)
    move_to_past(session)
    with pytest.raises(IllegalTransition, match="closes when the session starts"):
        services.answer_self_assessment(
            by=training["users"]["protector"],
            sign_up=late,
            moment=Moment.BEFORE,
            answers=answers_for(programme, [2] * 4),
        )


def test_the_after_questionnaire_opens_once_attendance_is_recorded(training, session, confirmed):
    worker, programme = training["users"]["worker"], training["programme"]
    with pytest.raises(IllegalTransition, match="once your attendance is recorded"):
        services.answer_self_assessment(
            by=worker,
            sign_up=confirmed,
            moment=Moment.AFTER,
            answers=answers_for(programme, [4] * 4),
        )
    move_to_past(session)
    services.record_attendance(
        by=training["users"]["lead"], session=session, present=[confirmed.pk]
    )
    confirmed.refresh_from_db()
    services.answer_self_assessment(
        by=worker, sign_up=confirmed, moment=Moment.AFTER, answers=answers_for(programme, [4] * 4)
    )
    # Someone who answered the after questionnaire stays recorded as present.
    with pytest.raises(ValidationError, match="stay recorded as present"):
        services.record_attendance(by=training["users"]["lead"], session=session, present=[])


def test_nobody_answers_for_someone_else(training, confirmed):
    for key in ("protector", "lead", "coordinator"):
        with pytest.raises(PermissionDenied):
            services.answer_self_assessment(
                by=training["users"][key],
                sign_up=confirmed,
                moment=Moment.BEFORE,
                answers=answers_for(training["programme"], [3] * 4),
            )


def test_the_audit_log_says_a_questionnaire_was_answered_never_what(training, confirmed):
    assessment = services.answer_self_assessment(
        by=training["users"]["worker"],
        sign_up=confirmed,
        moment=Moment.BEFORE,
        answers=answers_for(training["programme"], [1, 2, 3, 4]),
    )
    event = AuditEvent.objects.get(object_id=str(assessment.pk))
    assert event.details == {"event": "self_assessment_answered", "moment": "before", "items": 4}


def test_a_practitioner_reads_their_own_answers_and_nobody_else_can(
    training, confirmed, client, english
):
    services.answer_self_assessment(
        by=training["users"]["worker"],
        sign_up=confirmed,
        moment=Moment.BEFORE,
        answers=answers_for(training["programme"], [1, 2, 3, 4]),
    )
    url = reverse("training:self_assessment", args=[confirmed.id, "before"])
    client.force_login(training["users"]["worker"])
    response = client.get(url)
    assert response.status_code == 200
    assert [a.value for a in response.context["answers"]] == [1, 2, 3, 4]
    for key in ("protector", "lead", "nurse"):
        client.force_login(training["users"][key])
        assert client.get(url).status_code == 404


def test_the_questionnaire_page_refuses_bad_input_naming_the_statement(
    training, confirmed, client, english
):
    client.force_login(training["users"]["worker"])
    url = reverse("training:self_assessment", args=[confirmed.id, "before"])
    items = list(training["programme"].questionnaire_items.all())
    data = {f"item_{items[0].pk}": "4", f"item_{items[1].pk}": "9", f"item_{items[2].pk}": "2"}
    response = client.post(url, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {f"item_{items[1].pk}", f"item_{items[3].pk}"}
    assert "Choose a number from 1 to 5 for this statement." in response.content.decode()
    assert SelfAssessment.objects.count() == 0
    data.update({f"item_{items[1].pk}": "3", f"item_{items[3].pk}": "5"})
    assert client.post(url, data).status_code == 302
    assert sorted(Answer.objects.values_list("value", flat=True)) == [2, 3, 4, 5]
