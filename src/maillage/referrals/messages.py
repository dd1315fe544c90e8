"""The words of notifications and e-mails, kept as English msgids and rendered in the
reader's language when shown or sent."""

from django.utils import translation
from django.utils.translation import gettext_noop

from .models import Status

MESSAGES = {
    "incoming": (
        gettext_noop("New referral for %(team)s"),
        gettext_noop(
            "%(who)s referred a family to %(team)s (%(urgency)s). It waits for your "
            "team's acknowledgement."
        ),
    ),
    "step": (
        gettext_noop("Referral %(ref)s: %(status)s"),
        gettext_noop("Your referral %(ref)s to %(team)s is now: %(status)s."),
    ),
    "overdue": (
        gettext_noop("A referral is waiting for %(team)s"),
        gettext_noop(
            "Referral %(ref)s to %(team)s has waited %(days)s working days; the "
            "target is %(target)s."
        ),
    ),
    "consent_request": (
        gettext_noop("Consent to renew: family %(ref)s"),
        gettext_noop(
            "%(who)s (%(organization)s), in the circle of care of family %(ref)s, asks you "
            "to renew or widen the family's consent for their organization. The consent "
            "they had no longer lets them follow the family."
        ),
    ),
    "consultation": (
        gettext_noop("Consultation: %(subject)s"),
        gettext_noop("%(who)s wrote in the consultation “%(subject)s”."),
    ),
}


def render(kind: str, params: dict, language: str | None = None) -> tuple[str, str]:
    """Subject and body of a message, in `language` (or the active one)."""
    subject, body = MESSAGES[kind]
    values = dict(params)
    with translation.override(language or translation.get_language()):
        if "status" in values:
            values["status"] = str(Status(values["status"]).label)
        if "urgency" in values:
            from .models import Urgency

            values["urgency"] = str(Urgency(values["urgency"]).label).lower()
        return translation.gettext(subject) % values, translation.gettext(body) % values
