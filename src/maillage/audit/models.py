"""The append-only log of who did or saw what.

Rows are only ever inserted. The model and its queryset refuse updates and deletes, and
on PostgreSQL and SQLite triggers refuse them too (UPDATE, DELETE, TRUNCATE, and on SQLite
the INSERT OR REPLACE that would swap a row for another), so even raw SQL cannot rewrite
history: migrations 0003 and 0006.

A reading of a list (a caseload, an API page, an inbox) is one event naming every record
it showed (`object_ids`) and what it showed of each (`details["each"]`); `about()` reads it
as one record's report does. On PostgreSQL the table is partitioned by month (migration
0008, `partitions.py`).
"""

import copy
import uuid

from django.conf import settings
from django.db import models, router
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.core.compiled import CompiledInsert

from .fields import IdList


class AuditLogIsAppendOnly(Exception):  # noqa: N818 (the name says what happened)
    pass


class Action(models.TextChoices):
    LOGIN = "login", _("Logged in")
    LOGOUT = "logout", _("Logged out")
    LOGIN_FAILED = "login_failed", _("Failed login")
    LOCKED_OUT = "locked_out", _("Locked out")
    SECOND_FACTOR_ENROLLED = "otp_enrolled", _("Second factor enrolled")
    SECOND_FACTOR_FAILED = "otp_failed", _("Second factor failed")
    SECOND_FACTOR_RESET = "otp_reset", _("Second factor reset by an administrator")
    PASSWORD_RESET_REQUESTED = "password_reset", _("Password reset requested")
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    DELETED = "deleted", _("Deleted")
    IMPORTED = "imported", _("Imported")
    EXPORTED = "exported", _("Exported")
    VIEWED = "viewed", _("Viewed")
    EMERGENCY_ACCESS = "emergency_access", _("Emergency access (break glass)")
    ARCHIVED = "archived", _("Archived (retention period over)")


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogIsAppendOnly("Audit events cannot be updated.")

    def delete(self):
        raise AuditLogIsAppendOnly("Audit events cannot be deleted.")

    def bulk_update(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("Audit events cannot be updated.")


class AuditEvent(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    # What the actor typed or was: kept even when no account matches (failed logins).
    actor_label = models.CharField(_("actor"), max_length=254, blank=True)
    action = models.CharField(_("action"), max_length=30, choices=Action, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_label = models.CharField(_("object"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    purpose = models.CharField(_("purpose"), max_length=300, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)
    # A list's reading: the ids of every record it showed (NULL for any other event).
    object_ids = IdList(_("records shown"), null=True, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["object_type", "object_id", "-at"])]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action}"

    def save(self, *args, **kwargs):
        # Append-only: a second save of the same row would be an update.
        if not self._state.adding:
            raise AuditLogIsAppendOnly("Audit events cannot be updated.")
        # Every read of a family writes one: its INSERT is built once (core.compiled).
        _INSERT.insert(self, using=kwargs.get("using") or router.db_for_write(AuditEvent))

    def delete(self, *args, **kwargs):
        raise AuditLogIsAppendOnly("Audit events cannot be deleted.")

    @property
    def is_listing(self) -> bool:
        return self.object_ids is not None

    def about(self, object_id) -> "AuditEvent":
        """This event as one record's access report reads it: a list's event narrowed to
        that record (its id, and what the list showed of it, as the per-record row of
        before issue 18 said); any other event as it is. Never saved."""
        if self.object_ids is None:
            return self
        wanted = uuid.UUID(str(object_id))
        index = self.object_ids.index(wanted)
        detail: dict = {}
        seen = 0
        for run in self.details.get("each", []):
            seen += run["count"]
            if index < seen:
                detail = {k: v for k, v in run.items() if k != "count"}
                break
        narrowed = copy.copy(self)
        narrowed.object_id = str(wanted)
        narrowed.details = detail
        narrowed.listing_index = index  # type: ignore[attr-defined]
        return narrowed


_INSERT = CompiledInsert(AuditEvent)
