"""Who sees and moves a referral or a consultation. The one place these decisions are made.

- The referrer sees their referral at every step, whatever happens to the consent later:
  they wrote it.
- The receiving team's members see it and move it, while the family's consent still
  covers their organization for what the referral carries (or they belong to the family's
  recording organization). A withdrawn consent hides it from them at once.
- Consultations: the asker and the consulted team; a consultation linked to a family needs
  that same consent coverage for the consulted team.
- What each of them sees OF THE FAMILY (its names above all) is not decided here but by
  families.permissions, the one disclosure rule, asked through referrals.selectors.
- Indicators (aggregates) are readable by every active account, page and API alike.
"""

import rules

from maillage.core.models import Role
from maillage.directory.memberships import memberships_of
from maillage.families.permissions import consent_covers

from .models import Consultation, Referral


def team_ids_of(user) -> set:
    """The user's teams (directory.memberships: one query per request, whoever asks)."""
    return {team_id for team_id, _role in memberships_of(user)}


@rules.predicate
def is_practitioner(user) -> bool:
    return bool(
        user and user.is_authenticated and user.is_active and user.role == Role.PRACTITIONER
    )


@rules.predicate
def is_referrer(user, referral: Referral) -> bool:
    return is_practitioner(user) and referral.referrer_id == user.id


@rules.predicate
def is_receiving_member(user, referral: Referral) -> bool:
    if not is_practitioner(user) or referral.to_team_id not in team_ids_of(user):
        return False
    return consent_covers(
        referral.family, referral.to_team.organization_id, referral.category_codes
    )


@rules.predicate
def takes_part_in_consultation(user, consultation: Consultation) -> bool:
    if not is_practitioner(user):
        return False
    if consultation.asked_by_id == user.id:
        return True
    if consultation.to_team_id not in team_ids_of(user):
        return False
    if consultation.family_id is None:
        return True
    return consent_covers(consultation.family, consultation.to_team.organization_id, [])


rules.add_perm("referrals.view_referral", is_referrer | is_receiving_member)
rules.add_perm("referrals.act_as_referrer", is_referrer)
rules.add_perm("referrals.act_as_receiver", is_receiving_member)
rules.add_perm("referrals.view_consultation", takes_part_in_consultation)
rules.add_perm("referrals.ask_consultation", is_practitioner)


@rules.predicate
def reads_network_figures(user) -> bool:
    """Referral indicators are counts per team, organization or sector pair, never a
    family: every active account may read them, on the page and in the API alike."""
    return bool(user and user.is_authenticated and user.is_active)


rules.add_perm("referrals.view_indicators", reads_network_figures)
