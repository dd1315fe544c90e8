from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "maillage.training"
    label = "training"
    verbose_name = _("Cross-training by immersion")

    def ready(self) -> None:
        from . import permissions  # noqa: F401 - registers the rules
