"""The words of the access report and the audit log for what this app writes (see
audit.labels): the parts a referral shows, why it was read, each step taken."""

from django.utils.translation import gettext_lazy as _

from .models import Step

PARTS = {
    "referral": _("a referral"),
    "consultation": _("a case consultation"),
}
PURPOSES = {
    "referral": _("to handle a referral"),
    "referral inbox": _("from a team's referral inbox"),
    "api referral inbox": _("from a team's referral inbox, through the API"),
    "case consultation": _("for a case consultation"),
}
# A referral's step, as the event of its change stores it ("step:accept").
CHANGES = {f"step:{value}": label for value, label in Step.choices}
RECORDS = {
    "referral": _("referral"),
    "consultation": _("case consultation"),
    "consentrequest": _("request to renew a consent"),
    "referrals.referral": _("referral"),
    "referrals.consultation": _("case consultation"),
}
