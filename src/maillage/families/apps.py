from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FamiliesConfig(AppConfig):
    name = "maillage.families"
    label = "families"
    verbose_name = _("Families and joint follow-up")

    def ready(self) -> None:
        from django.utils.translation import gettext_lazy

        from maillage.audit import labels
        from maillage.directory.network_map import register_edge_source

        from . import permissions  # noqa: F401 - registers the rules
        from .audit_words import CHANGES, PARTS, PURPOSES, RECORDS
        from .map_edges import joint_follow_up_links

        labels.register(parts=PARTS, purposes=PURPOSES, changes=CHANGES, records=RECORDS)

        register_edge_source(
            "joint_follow_up",
            label=gettext_lazy("Joint follow-up"),
            colour="#D55E00",
            dash="2 4",
            source=joint_follow_up_links,
        )
