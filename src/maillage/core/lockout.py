"""Login lockout (django-axes), counted per account-and-address and per address.

django-axes compares one number with one limit: the largest failure count among its
lockout parameters. Here the two counts have two limits (AXES_FAILURE_LIMIT for an account
from an address, the higher MAILLAGE_IP_FAILURE_LIMIT for an address across accounts), so
the handler reports the address's count as reaching the account limit once it reaches its
own. And a successful login clears only its account-and-address count: a sprayer who owns
one account must not wipe the address's count by logging in to it."""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import Sum


class AccountAndAddressLockout(AxesDatabaseHandler):
    """Expects AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]."""

    def get_failures(self, request, credentials=None) -> int:
        per_account, per_address = (
            attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        if per_address >= settings.MAILLAGE_IP_FAILURE_LIMIT:
            return max(per_account, get_failure_limit(request, credentials))
        return per_account

    def reset_user_attempts(self, request, credentials=None) -> int:
        per_account = self.filter_user_attempts(request, credentials)[0]
        count, _by_model = per_account.delete()
        return count
