from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "maillage.evaluation"
    label = "evaluation"
    verbose_name = _("Evaluation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from maillage.audit.labels import register

        from . import permissions  # noqa: F401 - registers the rules

        register(
            records={
                "evaluation.study": _("study"),
                "evaluation.document": _("transcript or document"),
                "evaluation.code": _("code"),
                "evaluation.coding": _("coding"),
                "evaluation.participant": _("study participant"),
            },
            parts={
                "transcript": _("transcript"),
                "real_names": _("participants' real names"),
            },
        )
