from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "maillage.referrals"
    label = "referrals"
    verbose_name = _("Referrals and case consultations")

    def ready(self) -> None:
        from . import permissions  # noqa: F401 - registers the rules
