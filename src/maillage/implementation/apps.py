from django.apps import AppConfig
from django.db.models.signals import post_delete, pre_delete
from django.utils.translation import gettext_lazy as _


class ImplementationConfig(AppConfig):
    name = "maillage.implementation"
    label = "implementation"
    verbose_name = _("Programmes in practice")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import permissions  # noqa: F401 - registers the rules
        from .models import Enrolment, ProgrammeSession
        from .tallies import hold_enrolment_for_deletion, uncount_enrolment, uncount_session

        # Any deletion of a session, a family's cascade included, leaves the dashboard's
        # counts right (services.record_session adds; nothing else writes sessions).
        post_delete.connect(
            lambda sender, instance, **kwargs: uncount_session(instance),
            sender=ProgrammeSession,
            weak=False,
            dispatch_uid="implementation.uncount_session",
        )
        # Likewise for an enrolment (only a family's deletion removes one: its programme and
        # site protect theirs), as its row stood when locked before the deletion.
        pre_delete.connect(
            lambda sender, instance, **kwargs: hold_enrolment_for_deletion(instance),
            sender=Enrolment,
            weak=False,
            dispatch_uid="implementation.hold_enrolment_for_deletion",
        )
        post_delete.connect(
            lambda sender, instance, **kwargs: uncount_enrolment(instance),
            sender=Enrolment,
            weak=False,
            dispatch_uid="implementation.uncount_enrolment",
        )
