"""Random sequences of steps, tried by the people who could try them: the invariants hold
whatever the order — one terminal state that never changes, timestamps in order, the
referrer always able to see where the referral stands."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from maillage.referrals import services
from maillage.referrals.models import TERMINAL, TRANSITIONS, Referral, ReferralEvent, Step

pytestmark = pytest.mark.django_db

DETAILS = {
    Step.ACCEPT: {"follow_up": "hand_over"},
    Step.REJECT: {"reject_reason": "no_capacity"},
    Step.HOLD: {"on_hold_until": timezone.localdate() + timedelta(days=30)},
    Step.COMPLETE: {"outcome": "Suivi en cours"},
}
ACTORS = ["owner", "partner_lead", "partner", "outsider"]


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(moves=st.lists(st.tuples(st.sampled_from(list(Step)), st.sampled_from(ACTORS)), max_size=12))
def test_random_step_sequences_keep_the_invariants(care, moves):
    referral = services.refer_family(
        by=care["users"]["owner"],
        family=care["family"],
        from_team=care["teams"]["perinatal"],
        to_team=care["teams"]["mother_child"],
        reason="Suivi",
    )
    status = referral.status
    for step, actor in moves:
        before = Referral.objects.get(pk=referral.pk).status
        try:
            services.take_step(
                by=care["users"][actor], referral=referral, step=step, **DETAILS.get(step, {})
            )
        except (services.IllegalTransition, PermissionDenied, ValidationError):
            # Refused: nothing moved.
            assert Referral.objects.get(pk=referral.pk).status == before
            continue
        status = Referral.objects.get(pk=referral.pk).status
        assert status == TRANSITIONS[before][step]
        assert before not in TERMINAL  # nothing ever leaves a terminal state
    referral = Referral.objects.get(pk=referral.pk)
    assert referral.status == status
    events = list(ReferralEvent.objects.filter(referral=referral).order_by("at"))
    # The history chains: each step starts where the previous one ended.
    assert [e.from_status for e in events[1:]] == [e.to_status for e in events[:-1]]
    stamps = [
        t
        for t in (
            referral.requested_at,
            referral.received_at,
            referral.decided_at,
            referral.first_contact_at,
            referral.closed_at,
        )
        if t
    ]
    assert stamps == sorted(stamps)
    assert (referral.closed_at is not None) == (referral.status in TERMINAL)
    # Whatever happened, the referrer sees where it stands.
    assert care["users"]["owner"].has_perm("referrals.view_referral", referral)
