"""Password authentication without Django's table of permission grants.

Who may do what is decided by the `rules` predicates in each app's permissions.py, from
relationships (team lead of, member of the circle of care of…), never from rows of
granted permissions; so this backend checks passwords and grants nothing, which also
spares every page the two permission-table queries.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ObjectDoesNotExist


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
            user = get_user_model()._default_manager.select_related("practitioner").get(pk=user_id)
        except ObjectDoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
