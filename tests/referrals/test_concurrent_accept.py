"""Two members of the receiving team accept at the same moment: exactly one wins."""

import threading

import pytest
from django.db import connection, connections

from maillage.directory.models import Membership
from maillage.referrals import services
from maillage.referrals.models import Referral, ReferralEvent, Status, Step


@pytest.mark.skipif(connection.vendor != "postgresql", reason="two real connections: PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_members_accepting_at_once_exactly_one_wins(care, referral):
    lead, partner = care["users"]["partner_lead"], care["users"]["partner"]
    assert Membership.objects.filter(
        practitioner__user=partner, team=care["teams"]["mother_child"]
    ).exists()
    services.take_step(by=lead, referral=referral, step=Step.ACKNOWLEDGE)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def accept(who: str) -> None:
        try:
            barrier.wait(timeout=10)
            services.take_step(
                by=care["users"][who], referral=referral, step=Step.ACCEPT, follow_up="hand_over"
            )
            outcomes[who] = "accepted"
        except services.IllegalTransition as error:
            outcomes[who] = str(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept, args=(w,)) for w in ("partner_lead", "partner")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes.values()).count("accepted") == 1
    loser_message = next(v for v in outcomes.values() if v != "accepted")
    assert "not possible" in loser_message or "plus possible" in loser_message
    assert Referral.objects.get(pk=referral.pk).status == Status.ACCEPTED
    assert ReferralEvent.objects.filter(referral=referral, step=Step.ACCEPT).count() == 1
