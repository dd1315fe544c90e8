"""Account roles as `rules` predicates, and require(): how a service or view asks.

The apps' own permissions.py combine these predicates with their relationship rules
(`rules.add_perm(...)`); nothing else decides who may do what. A service or view that needs
a permission calls require(), which raises instead of returning a flag that could be
forgotten.
"""

from typing import Any

import rules
from django.core.exceptions import PermissionDenied
from django.http import Http404

from .models import Role


@rules.predicate
def is_active_user(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


@rules.predicate
def is_practitioner(user) -> bool:
    return is_active_user(user) and user.role == Role.PRACTITIONER


@rules.predicate
def is_coordinator(user) -> bool:
    return is_active_user(user) and user.role == Role.COORDINATOR


@rules.predicate
def is_administrator(user) -> bool:
    return is_active_user(user) and user.role == Role.ADMINISTRATOR


def require(user, perm: str, obj: Any = None, *, hide: bool = False) -> None:
    """Raises unless the user holds `perm` (on `obj`).

    PermissionDenied (403) for an action refused on something the user sees; with
    hide=True, Http404, the same answer as for a missing object, so that nobody learns
    what exists (for reads of objects the user may not see at all)."""
    if user is not None and user.is_authenticated and user.has_perm(perm, obj):
        return
    raise Http404 if hide else PermissionDenied


# An administrator resets someone's lost second factor (recovery path, audited).
rules.add_perm("core.reset_second_factor", is_administrator)
