"""Writing to the audit log. Called inside the transaction of the change it records."""

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
