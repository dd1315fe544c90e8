from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "maillage.training"
    label = "training"
    verbose_name = _("Cross-training by immersion")

    def ready(self) -> None:
        from maillage.directory.network_map import EDGE_DASHES, EDGE_KINDS, register_edge_source

        from . import permissions  # noqa: F401 - registers the rules
        from .map_edges import trained_together_links

        register_edge_source(
            "trained_together",
            label=_("Trained together"),
            colour=EDGE_KINDS["trained_together"],
            dash=EDGE_DASHES["trained_together"],
            source=trained_together_links,
        )
