"""The benchmark's mix keeps each request type's share of all requests even when only some
virtual users can send it (benchmarks/mix.py user_weights)."""

import random

from benchmarks.mix import RECEIVER_PATH, build, user_weights


def share(mix, users, kind):
    """Each user draws at the same rate: a type's share is the mean of its users' shares."""
    kinds = list(mix)
    rows = user_weights(mix, users)
    return sum(row[kinds.index(kind)] / sum(row) for row in rows) / len(rows)


def test_a_type_of_a_few_users_is_drawn_more_often_by_them():
    mix = {"caseload": 97, "programme_dashboard": 3}
    users = [{"dashboards": ["p"]}] * 5 + [{}] * 15
    rows = user_weights(mix, users)
    assert rows[0] == [97, 12.0]
    assert rows[5] == [97, 0.0]
    # Not exactly 3 %: a sender's other types shrink a little. Far closer than 5 in 20 of it.
    assert 0.025 < share(mix, users, "programme_dashboard") < 0.03


def test_a_type_nobody_can_send_is_left_out_and_the_rest_keep_their_weights():
    mix = {"caseload": 10, "transcript": 3, "family": 5}
    users = [{"families": ["f"]}, {"families": []}]
    assert user_weights(mix, users) == [[10, 0.0, 10.0], [10, 0.0, 0.0]]


def test_each_pooled_referral_is_walked_through_the_receivers_path_once():
    user = {"referrals": ["r1", "r2", "r3"]}
    rng = random.Random(1)
    sent = []
    for outcome in [True, True, True, True, False, True]:
        request = build("referral_step", user, rng)
        sent.append((request.path.split("/")[2], request.data["step"]))
        request.on_done(outcome)
    assert sent == [
        ("r1", "acknowledge"),
        ("r1", "hold"),
        ("r1", "reject"),
        ("r2", "acknowledge"),
        ("r2", "hold"),  # refused: r2 is not asked again
        ("r3", "acknowledge"),
    ]
    assert [step for step, _details in RECEIVER_PATH] == ["acknowledge", "hold", "reject"]
    assert user["referrals"] == ["r3"]
