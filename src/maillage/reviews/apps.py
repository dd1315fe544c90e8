from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewsConfig(AppConfig):
    name = "maillage.reviews"
    label = "reviews"
    verbose_name = _("Cooperation malfunction reviews")

    def ready(self) -> None:
        from . import permissions  # noqa: F401 - registers the rules
