from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "maillage.audit"
    label = "audit"
    verbose_name = _("Audit log")

    def ready(self) -> None:
        # Authentication events come from Django and django-axes as signals;
        # this is the one place they are turned into audit rows.
        from . import permissions, receivers  # noqa: F401
