"""The shared kernel: one IllegalTransition for every app, one transition check that says
why in the reader's language, and require() answering 403 or, for hidden objects, 404."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import translation

from maillage.core import errors
from maillage.core.models import Role, User
from maillage.core.permissions import is_coordinator, require
from maillage.core.transitions import check_transition
from maillage.families import services as families_services
from maillage.reviews.models import MEETING_TRANSITIONS, MeetingStatus
from maillage.training import models as training_models


def test_every_app_raises_the_kernels_illegal_transition():
    # Given the errors the apps raise
    # Then one `except IllegalTransition` (the API's 409) catches every one of them
    assert families_services.IllegalTransition is errors.IllegalTransition
    assert families_services.Conflict is errors.Conflict
    assert training_models.IllegalTransition is errors.IllegalTransition
    assert issubclass(training_models.SessionFull, errors.IllegalTransition)


def test_an_allowed_transition_passes():
    check_transition(MEETING_TRANSITIONS, MeetingStatus.SCHEDULED, MeetingStatus.HELD)
    # A status read back from the database is a plain string.
    check_transition(MEETING_TRANSITIONS, "scheduled", "cancelled")


@pytest.mark.parametrize(
    ("language", "reason"),
    [
        ("en", "Cannot go from “Held” to “Cancelled”."),
        # French guillemets hold their words with non-breaking spaces.
        ("fr", "Impossible de passer de «\u00a0Tenue\u00a0» à «\u00a0Annulée\u00a0»."),
    ],
)
def test_a_refused_transition_names_both_statuses_in_the_readers_language(language, reason):
    # Given a meeting already held
    # When it is cancelled
    with translation.override(language), pytest.raises(errors.IllegalTransition) as refused:
        check_transition(MEETING_TRANSITIONS, "held", MeetingStatus.CANCELLED)
    # Then the reason names the statuses by their labels, never by their codes
    assert str(refused.value) == reason


@pytest.mark.django_db
def test_require_refuses_with_403_or_with_404_for_what_is_hidden():
    # Given a practitioner and a coordinator
    practitioner = User.objects.create_user("p@example.org", "x" * 20, full_name="P")
    coordinator = User.objects.create_user(
        "c@example.org", "x" * 20, full_name="C", role=Role.COORDINATOR
    )
    assert is_coordinator(coordinator)
    assert not is_coordinator(practitioner)
    # Then the coordinator passes, the practitioner is refused: 403, or 404 when hidden
    require(coordinator, "reviews.create_group")
    with pytest.raises(PermissionDenied):
        require(practitioner, "reviews.create_group")
    with pytest.raises(Http404):
        require(practitioner, "reviews.create_group", hide=True)
    with pytest.raises(PermissionDenied):
        require(None, "reviews.create_group")
