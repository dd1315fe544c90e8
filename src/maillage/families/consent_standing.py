"""Where a family's consent stands, said in words: valid until a date, expiring in a few
days, expired, withdrawn, or none — for the organization of the person reading.

For the recording organization it is the family's consent to share at all (the latest one
in effect, or the last one that ended); for a partner, the consent that names its own
organization. Shown in the caseload and on the family's overview so that nobody keeps
writing notes for partners under a consent that lapsed months ago.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Consent

EXPIRING_WITHIN = timedelta(days=30)


@dataclass(frozen=True)
class ConsentStanding:
    state: str  # "valid", "expiring", "expired", "withdrawn", "none"
    until: date | None = None
    days_left: int | None = None

    @property
    def words(self) -> str:
        if self.state == "valid":
            return _("Consent valid until %(date)s") % {"date": _day(self.until)}
        if self.state == "expiring":
            return ngettext(
                "Consent expires in %(days)d day (%(date)s)",
                "Consent expires in %(days)d days (%(date)s)",
                self.days_left,
            ) % {"days": self.days_left, "date": _day(self.until)}
        if self.state == "expired":
            return _("Consent expired on %(date)s") % {"date": _day(self.until)}
        if self.state == "withdrawn":
            return _("Consent withdrawn on %(date)s") % {"date": _day(self.until)}
        return _("No consent recorded")

    @property
    def needs_attention(self) -> bool:
        return self.state != "valid"


def _day(value) -> str:
    from django.utils.formats import date_format

    return date_format(value, "DATE_FORMAT") if value else ""


@dataclass(frozen=True)
class _Period:
    valid_from: date
    valid_until: date
    withdrawn_on: date | None

    def state(self, today: date) -> str:
        if self.withdrawn_on:
            return "withdrawn"
        if today < self.valid_from:
            return "not_yet"
        return "expired" if today > self.valid_until else "active"


def _standing(consents: list[_Period], today: date) -> ConsentStanding:
    in_effect = [c for c in consents if c.state(today) == "active"]
    if in_effect:
        until = max(c.valid_until for c in in_effect)
        days = (until - today).days
        if days <= EXPIRING_WITHIN.days:
            return ConsentStanding("expiring", until, days)
        return ConsentStanding("valid", until, days)
    ended = [c for c in consents if c.state(today) in ("expired", "withdrawn")]
    if not ended:
        return ConsentStanding("none")
    last = max(ended, key=lambda c: c.withdrawn_on or c.valid_until)
    if last.withdrawn_on:
        return ConsentStanding("withdrawn", last.withdrawn_on)
    return ConsentStanding("expired", last.valid_until)


def standings(readers_organization: dict) -> dict:
    """{family id: ConsentStanding} for {family id: (reader's organization id, whether
    it is the recording organization)}, in one query (a row per consent and organization
    it names)."""
    today = timezone.localdate()
    periods: dict = {pk: {} for pk in readers_organization}
    rows = (
        Consent.objects.filter(family_id__in=list(readers_organization))
        .values_list(
            "id", "family_id", "organizations", "valid_from", "valid_until", "withdrawn_at"
        )
        .order_by()
    )
    for consent_id, family_id, organization_id, start, end, withdrawn_at in rows:
        reader_organization, records = readers_organization[family_id]
        if records or organization_id == reader_organization:
            withdrawn_on = timezone.localdate(withdrawn_at) if withdrawn_at else None
            periods[family_id][consent_id] = _Period(start, end, withdrawn_on)
    return {pk: _standing(list(found.values()), today) for pk, found in periods.items()}
