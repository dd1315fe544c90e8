"""The WSGI application gunicorn serves (`maillage.wsgi:application`)."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings")
application = get_wsgi_application()


def _load_then_freeze() -> None:
    """Load what every request needs (the URL map with every view and API schema, both
    languages' catalogs), then move it all out of the garbage collector's sight.

    Each full collection walks every long-lived object: a worker holding 150,000 of them
    paused 70 to 130 ms every fifty requests or so on the benchmark machine, the tail of
    every page's latency (BENCHMARKS.md). Frozen objects are never walked; nothing is
    freed that would have been, since these live as long as the worker."""
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation

    get_resolver().url_patterns  # noqa: B018 - imports every view module
    for code, _name in settings.LANGUAGES:
        with translation.override(code):  # activating a language loads its catalogs
            pass
    gc.freeze()


_load_then_freeze()
