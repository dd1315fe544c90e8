"""Who may see and do what with programmes in practice. The one place these decisions are made.

- Programmes, sites and their stages are professional information shared across the network:
  every active account reads them. Coordinators (and administrators) create programmes and
  sites, move sites through stages, edit the sustainability statements and run the register.
- The lead of a site's team (or a coordinator) records its practitioners' training,
  supervision and departures, and sees that log by name.
- The dashboard is aggregates only: for coordinators, administrators and the leads of a site's
  team. No family's name ever appears in it.
- A family's enrolment and sessions are family data: what a reader sees of them is decided by
  the families app (maillage.families.permissions), nothing else. Enrolling a family and
  recording its sessions is for a member of its circle of care who sees its plan (the
  category programme data belongs to) and works in one of the programme's sites.
- A site's yearly sustainability self-assessment is answered by the members of its team.
- Any practitioner may add to the register of barriers and facilitators; coordinators follow
  its entries and actions. The moderator of a review group files a malfunction into it.
"""

import rules

from maillage.core.permissions import (
    is_active_user,
    is_administrator,
    is_coordinator,
    is_practitioner,
)
from maillage.directory.memberships import memberships_of
from maillage.directory.models import MembershipRole
from maillage.families.permissions import is_circle_member, sees_plan


def _site_of(obj):
    from .models import Site

    if obj is None or isinstance(obj, Site):
        return obj
    return getattr(obj, "site", None)


def _team_ids(user, *, lead: bool = False) -> frozenset:
    """The teams the user belongs to (or leads): directory.memberships, once a request."""
    return frozenset(
        team_id for team_id, role in memberships_of(user) if not lead or role == MembershipRole.LEAD
    )


@rules.predicate
def leads_site_team(user, obj) -> bool:
    site = _site_of(obj)
    if site is None or not is_active_user(user):
        return False
    return site.team_id in _team_ids(user, lead=True)


@rules.predicate
def works_at_site(user, obj) -> bool:
    site = _site_of(obj)
    if site is None or not is_active_user(user):
        return False
    return site.team_id in _team_ids(user)


@rules.predicate
def leads_a_programme_site(user, programme) -> bool:
    if programme is None or not is_active_user(user):
        return False
    led = _team_ids(user, lead=True)
    return bool(led) and programme.sites.filter(team_id__in=led).exists()


is_staff_of_network = is_coordinator | is_administrator

rules.add_perm("implementation.view_programmes", is_active_user)
rules.add_perm("implementation.manage_programme", is_staff_of_network)
rules.add_perm("implementation.manage_site", is_staff_of_network)
# Training, supervision and departures of a site's practitioners (object: the site).
rules.add_perm("implementation.record_training", is_coordinator | leads_site_team)
rules.add_perm("implementation.view_training_log", is_staff_of_network | leads_site_team)
rules.add_perm("implementation.view_dashboard", is_staff_of_network | leads_a_programme_site)
# On the family: the families app's rule; the site is checked by the service.
rules.add_perm("implementation.record_programme_work", is_circle_member & sees_plan)
rules.add_perm("implementation.work_at_site", works_at_site)
rules.add_perm("implementation.record_adaptation", is_coordinator | leads_site_team)
rules.add_perm("implementation.answer_sustainability", works_at_site)
rules.add_perm("implementation.edit_sustainability_items", is_coordinator)
rules.add_perm("implementation.view_register", is_active_user)
rules.add_perm("implementation.add_to_register", is_practitioner | is_coordinator)
rules.add_perm("implementation.manage_register", is_coordinator)
