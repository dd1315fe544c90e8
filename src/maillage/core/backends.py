"""Password authentication without Django's table of permission grants.

Who may do what is decided by the `rules` predicates in each app's permissions.py, from
relationships (team lead of, member of the circle of care of…), never from rows of
granted permissions; so this backend checks passwords and grants nothing, which also
spares every page the two permission-table queries.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db.models import UUIDField

from .compiled import CompiledQuery


def _user_fields(model) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]


def _user_with_practitioner(user_id):
    user_model = get_user_model()
    practitioner_model = user_model._meta.get_field("practitioner").related_model
    return user_model._default_manager.filter(pk=user_id).values_list(
        *_user_fields(user_model),
        *(f"practitioner__{name}" for name in _user_fields(practitioner_model)),
    )


# The session's user and their practitioner, in one query compiled once (core/compiled.py):
# every request but the FHIR endpoint's reads it.
_USER = CompiledQuery(_user_with_practitioner, [UUIDField()])


class PasswordBackend(ModelBackend):
    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()

    def get_user(self, user_id):
        # Every page asks for the user's practitioner (the menu, the access rules): read it
        # with the user, in the session's user query, rather than in a query of its own.
        # A user without one gets None cached, and `user.practitioner` raises as usual.
        try:
            rows = _USER.rows(user_id)
        except (ValidationError, ValueError, TypeError):
            return None  # not a user's id (a session from elsewhere)
        if not rows:
            return None
        user = _user_from_row(rows[0])
        return user if self.user_can_authenticate(user) else None


def _user_from_row(row: tuple):
    """The user and their practitioner (or None) as select_related("practitioner") builds
    them: each caches the other, so `user.practitioner` sends no query."""
    user_model = get_user_model()
    relation = user_model._meta.get_field("practitioner")
    practitioner_model = relation.related_model
    user_names = _user_fields(user_model)
    practitioner_names = _user_fields(practitioner_model)
    user = user_model.from_db("default", user_names, row[: len(user_names)])
    values = row[len(user_names) :]
    practitioner = None
    if values[practitioner_names.index("id")] is not None:
        practitioner = practitioner_model.from_db("default", practitioner_names, values)
        relation.field.set_cached_value(practitioner, user)
    relation.set_cached_value(user, practitioner)
    return user
