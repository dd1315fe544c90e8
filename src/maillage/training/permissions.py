"""Who may see and do what in cross-training. The one place these decisions are made.

Programmes and sessions are professional information shared across the network: every
active account reads them. Coordinators run programmes and schedule sessions; the lead of
the host team decides on sign-ups and records attendance (a coordinator may stand in); a
practitioner signs up for themselves and answers only their own self-assessments.

A self-assessment is personal: nobody but its author reads it one by one. Coordinators and
the leads of participating teams see the programme's effects as aggregates only.
"""

import rules

from maillage.core.permissions import is_active_user, is_administrator, is_coordinator


def _session_of(obj):
    from .models import SignUp

    return obj.session if isinstance(obj, SignUp) else obj


@rules.predicate
def leads_host_team(user, obj) -> bool:
    """The user leads the host team of this session (or of this sign-up's session)."""
    from maillage.directory.models import MembershipRole

    session = _session_of(obj)
    if session is None or not is_active_user(user):
        return False
    return session.host_team.memberships.filter(
        practitioner__user=user, role=MembershipRole.LEAD
    ).exists()


@rules.predicate
def leads_a_programme_team(user, programme) -> bool:
    from maillage.directory.models import Membership, MembershipRole

    if programme is None or not is_active_user(user):
        return False
    return Membership.objects.filter(
        practitioner__user=user,
        role=MembershipRole.LEAD,
        team__in=programme.programme_teams.values("team_id"),
    ).exists()


@rules.predicate
def may_visit(user, session) -> bool:
    """A practitioner of one of the programme's teams, other than the host team."""
    from maillage.directory.models import Membership

    if session is None or not is_active_user(user):
        return False
    return (
        Membership.objects.filter(
            practitioner__user=user,
            team__in=session.programme.programme_teams.values("team_id"),
        )
        .exclude(team_id=session.host_team_id)
        .exists()
    )


@rules.predicate
def owns_sign_up(user, sign_up) -> bool:
    return bool(
        sign_up is not None
        and is_active_user(user)
        and sign_up.practitioner.user_id is not None
        and sign_up.practitioner.user_id == user.pk
    )


rules.add_perm("training.view_programmes", is_active_user)
rules.add_perm("training.create_programme", is_coordinator | is_administrator)
rules.add_perm("training.manage_programme", is_coordinator | is_administrator)
rules.add_perm("training.schedule_session", is_coordinator | is_administrator)
# Effects are aggregates; the leads of participating teams follow them with the coordinator.
rules.add_perm("training.view_effects", is_coordinator | is_administrator | leads_a_programme_team)
# Pairing suggestions are counted from families followed together: coordinators only.
rules.add_perm("training.view_pairings", is_coordinator | is_administrator)
rules.add_perm("training.sign_up", may_visit)
# Deciding on sign-ups, seeing who comes and recording attendance (object: the session).
rules.add_perm("training.manage_sign_ups", leads_host_team | is_coordinator)
rules.add_perm("training.cancel_sign_up", owns_sign_up)
rules.add_perm("training.answer_self_assessment", owns_sign_up)
