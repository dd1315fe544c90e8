"""The access log's upkeep, run daily (task `prepare_audit_partitions`, or the command
`maillage archive_audit_log`): partitions made ahead, expired months archived."""

from pathlib import Path

from django.conf import settings

from . import partitions
from .models import Action
from .services import record_event


def archive_expired(*, years: int, directory: Path, today=None) -> list[partitions.Archive]:
    """Archives every month older than `years` (0: none), each in its own transaction
    with its own audit event, which names the file and its checksum."""
    if years <= 0 or not partitions.is_partitioned():
        return []
    done = []
    for month in partitions.expired(years=years, today=today):
        archive = partitions.archive_month(month, directory)
        record_event(
            action=Action.ARCHIVED,
            actor_label="maillage archive_audit_log",
            object_type="audit.auditevent",
            object_label=f"{month:%Y-%m}",
            purpose="retention",
            details={
                "month": f"{month:%Y-%m}",
                "rows": archive.rows,
                "file": archive.path.name,
                "sha256": archive.sha256,
                "retention_years": years,
            },
        )
        done.append(archive)
    return done


def run_daily(today=None) -> tuple[list[str], list[partitions.Archive]]:
    created = partitions.ensure_ahead(today=today)
    archived = archive_expired(
        years=settings.AUDIT_RETENTION_YEARS, directory=settings.AUDIT_ARCHIVE_DIR, today=today
    )
    return created, archived
