"""Writing to the audit log. Called inside the transaction of the change it records."""

import json
import uuid
from collections.abc import Iterable
from typing import Any

from django.db.models import Model

from maillage.core.models import User

from .models import AuditEvent


def client_ip(request) -> str | None:
    # REMOTE_ADDR only: a forwarded header is set by the reverse proxy's configuration,
    # which docs/deployment.md covers; trusting it blindly would let anyone forge it.
    return request.META.get("REMOTE_ADDR") if request is not None else None


def record_event(
    *,
    action: str,
    actor: User | None = None,
    actor_label: str = "",
    obj: Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    request=None,
    purpose: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. Never updates, never deletes."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_label = object_label or str(obj)[:300]
    return AuditEvent.objects.create(
        action=action,
        actor=actor,
        actor_label=actor_label or (actor.email if actor else ""),
        object_type=object_type,
        object_id=object_id,
        object_label=object_label[:300],
        ip_address=client_ip(request),
        purpose=purpose[:300],
        details=details or {},
    )


def listing_event(
    *,
    action: str,
    actor: User | None,
    object_type: str,
    shown: Iterable[tuple[Any, dict[str, Any]]],
    request=None,
    purpose: str = "",
) -> AuditEvent | None:
    """The one event of one reading of a list, unsaved (None when it showed nothing):
    every record it showed, `shown` being (id, what it showed of that record) in the
    list's order. A record listed twice (an inbox with two referrals of one family) is
    named once. Records showing the same things are stored as one run, so that the
    event's size grows by 16 bytes a record, not by its details."""
    runs: dict[str, tuple[dict, list[uuid.UUID]]] = {}
    named: set[uuid.UUID] = set()
    for pk, detail in shown:
        pk = pk if isinstance(pk, uuid.UUID) else uuid.UUID(str(pk))
        if pk in named:
            continue
        named.add(pk)
        runs.setdefault(json.dumps(detail, sort_keys=True), (detail, []))[1].append(pk)
    if not named:
        return None
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    return AuditEvent(
        action=action,
        actor=actor,
        actor_label=actor.email if actor else "",
        object_type=object_type,
        object_ids=[pk for _detail, ids in runs.values() for pk in ids],
        ip_address=client_ip(request),
        purpose=purpose[:300],
        details={"each": [{**detail, "count": len(ids)} for detail, ids in runs.values()]},
    )
