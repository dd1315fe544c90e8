"""The teams a user belongs to, and in which role: what every rule that depends on a
user's teams asks (the disclosure rule of families.permissions, the referral rules, the
programme rules), read once a request and shared by all of them."""

from django.db.models import UUIDField

from maillage.core.compiled import CompiledQuery

from .models import Membership

_MEMBERSHIPS = CompiledQuery(
    lambda user_id: (
        Membership.objects.filter(practitioner__user_id=user_id)
        .order_by()  # a set: the memberships' order would join the teams for nothing
        .values_list("team_id", "role")
    ),
    [UUIDField()],
)


def memberships_of(user) -> list[tuple]:
    """(team id, role) of each of the user's memberships; none for an anonymous user.
    Kept on the user object (request.user lives one request): getattr/setattr reach the
    User behind request.user's lazy proxy."""
    cached = getattr(user, "_memberships", None)
    if cached is None:
        user_id = getattr(user, "pk", None)
        cached = _MEMBERSHIPS.rows(user_id) if user_id is not None else []
        user._memberships = cached
    return cached


def forget_memberships(user) -> None:
    """After a change of the user's teams within the same request (an import, a test)."""
    if user is not None:
        user._memberships = None
