from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FamiliesConfig(AppConfig):
    name = "maillage.families"
    label = "families"
    verbose_name = _("Families and joint follow-up")

    def ready(self) -> None:
        from . import permissions  # noqa: F401 - registers the rules
