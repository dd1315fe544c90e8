from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "maillage.directory"
    label = "directory"
    verbose_name = _("Partner network directory")

    def ready(self) -> None:
        from . import permissions  # noqa: F401 - registers the rules
