"""Who may read and change the directory. The one place these decisions are made."""

import rules

from maillage.core.permissions import is_active_user, is_administrator, is_coordinator


@rules.predicate
def leads_team(user, team) -> bool:
    from .models import MembershipRole

    if team is None or not is_active_user(user):
        return False
    return team.memberships.filter(practitioner__user=user, role=MembershipRole.LEAD).exists()


# The directory is professional information shared across the network: every active
# account reads it. Changes are for coordinators, administrators and a team's own lead.
rules.add_perm("directory.view_directory", is_active_user)
rules.add_perm("directory.manage_directory", is_coordinator | is_administrator)
rules.add_perm("directory.change_team", is_coordinator | is_administrator | leads_team)
