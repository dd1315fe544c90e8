from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferralsConfig(AppConfig):
    name = "maillage.referrals"
    label = "referrals"
    verbose_name = _("Referrals and case consultations")

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from maillage.audit import labels
        from maillage.directory.network_map import register_edge_source

        from . import permissions  # noqa: F401 - registers the rules
        from .audit_words import CHANGES, PARTS, PURPOSES, RECORDS
        from .map_edges import referral_links

        labels.register(parts=PARTS, purposes=PURPOSES, changes=CHANGES, records=RECORDS)

        register_edge_source(
            "referrals",
            label=gettext_lazy("Referrals"),
            colour="#0072B2",
            dash="8 3",
            source=referral_links,
        )
