"""Reading the audit log, with its filters."""

import contextlib
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import Case, F, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from .models import Action, AuditEvent


@dataclass
class LogFilters:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    since: date | None = None
    until: date | None = None


def audit_events(*, fetched_by, filters: LogFilters) -> QuerySet[AuditEvent]:
    """The log, newest first. Each event carries `shown_purpose` (what this reader may
    read of its purpose) and `reason_withheld` (a break-glass reason is kept from them)."""
    if not fetched_by.has_perm("audit.view_log"):
        raise Http404
    events = AuditEvent.objects.select_related("actor")
    if fetched_by.has_perm("audit.view_break_glass_reason"):
        events = events.annotate(reason_withheld=Value(False), shown_purpose=F("purpose"))
    else:
        # The reason is not even read from the database for this reader.
        withheld = Q(action=Action.EMERGENCY_ACCESS)
        events = events.defer("purpose").annotate(
            reason_withheld=Case(When(withheld, then=Value(True)), default=Value(False)),
            shown_purpose=Case(When(withheld, then=Value("")), default=F("purpose")),
        )
    if filters.actor:
        events = events.filter(
            Q(actor_label__icontains=filters.actor) | Q(actor__full_name__icontains=filters.actor)
        )
    if filters.action:
        events = events.filter(action=filters.action)
    if filters.object_type:
        events = events.filter(object_type=filters.object_type)
    if filters.object_id:
        # A record's own events and the lists that showed it (one event per list reading).
        named = Q(object_id=filters.object_id)
        with contextlib.suppress(ValueError):
            named |= Q(object_ids__names=uuid.UUID(filters.object_id))
        events = events.filter(named)
    tz = timezone.get_current_timezone()
    if filters.since:
        events = events.filter(at__gte=datetime.combine(filters.since, time.min, tzinfo=tz))
    if filters.until:
        events = events.filter(at__lte=datetime.combine(filters.until, time.max, tzinfo=tz))
    return events.order_by("-at", "-id")


def object_types(*, fetched_by) -> list[str]:
    if not fetched_by.has_perm("audit.view_log"):
        raise Http404
    return list(
        AuditEvent.objects.exclude(object_type="")
        .order_by("object_type")
        .values_list("object_type", flat=True)
        .distinct()
    )
