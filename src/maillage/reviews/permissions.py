"""Who may see and do what in the cooperation reviews. The one place these decisions are made.

The content of a group (meetings, situations, analyses, actions, statistics) is for its
participants and its moderator only: not for coordinators or administrators who are not
members, since situations are told in confidence between carers.
"""

import rules

from maillage.core.permissions import is_active_user, is_administrator, is_coordinator


def group_of(obj):
    """The review group an object belongs to (a group, meeting, situation or action)."""
    from .models import ImprovementAction, ReviewGroup

    if obj is None or isinstance(obj, ReviewGroup):
        return obj
    if isinstance(obj, ImprovementAction):
        return obj.situation.group
    return obj.group


def _role_in(user, obj) -> str | None:
    group = group_of(obj)
    if group is None or not is_active_user(user):
        return None
    # One query per check, never cached: a role can change within a request (appointment).
    # Pages that list many objects scope them with selectors instead.
    return group.memberships.filter(user=user).values_list("role", flat=True).first()


@rules.predicate
def is_group_member(user, obj) -> bool:
    return _role_in(user, obj) is not None


@rules.predicate
def is_group_moderator(user, obj) -> bool:
    from .models import GroupRole

    return _role_in(user, obj) == GroupRole.MODERATOR


@rules.predicate
def is_situation_author(user, situation) -> bool:
    return bool(
        situation is not None and is_active_user(user) and situation.submitted_by_id == user.pk
    )


@rules.predicate
def is_action_owner(user, action) -> bool:
    from .models import GroupMembership

    if action is None or not is_active_user(user):
        return False
    if action.owner_participant_id == user.pk:
        return True
    # A participant answers for the organization they speak for in the group.
    return (
        action.owner_organization_id is not None
        and GroupMembership.objects.filter(
            group_id=action.situation.group_id,
            user=user,
            organization_id=action.owner_organization_id,
        ).exists()
    )


rules.add_perm("reviews.create_group", is_coordinator | is_administrator)
rules.add_perm("reviews.manage_group", is_coordinator | is_administrator | is_group_moderator)
rules.add_perm("reviews.view_group_content", is_group_member)
rules.add_perm("reviews.moderate", is_group_moderator)
rules.add_perm("reviews.submit_situation", is_group_member)
rules.add_perm("reviews.change_situation", is_situation_author)
rules.add_perm("reviews.update_action", is_group_moderator | (is_group_member & is_action_owner))
