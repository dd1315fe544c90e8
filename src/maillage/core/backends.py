"""Password authentication without Django's table of permission grants.

Who may do what is decided by the `rules` predicates in each app's permissions.py, from
relationships (team lead of, member of the circle of care of…), never from rows of
granted permissions; so this backend checks passwords and grants nothing, which also
spares every page the two permission-table queries.
"""

from django.contrib.auth.backends import ModelBackend


class PasswordBackend(ModelBackend):
    def get_user_permissions(self, user_obj, obj=None):
        return set()

    def get_group_permissions(self, user_obj, obj=None):
        return set()

    def get_all_permissions(self, user_obj, obj=None):
        return set()
