"""The WSGI application gunicorn serves (`maillage.wsgi:application`)."""

import gc
import os

from django.core.signals import request_finished
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "maillage.settings")
application = get_wsgi_application()

# Python's own rule: a full collection after ten collections of the middle generation.
FULL_COLLECTION_AFTER = 10
NEVER = 1 << 30


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


def _collect_after_the_response(**_kwargs) -> None:
    """The full collection Python would have made during a request, made once the
    response is sent (`request_finished` comes with the response's close(), which the
    server calls after writing it). Still 10 to 40 ms with the loaded code frozen: one
    request in a hundred or so paid it, the slowest 1 % of every type (BENCHMARKS.md,
    issue 19). Young collections stay automatic: short, and they bound a big request's
    memory."""
    if gc.get_count()[2] >= FULL_COLLECTION_AFTER:
        gc.collect()


_load_then_freeze()
young, middle, _full = gc.get_threshold()
gc.set_threshold(young, middle, NEVER)  # full collections: only after a response
request_finished.connect(_collect_after_the_response, dispatch_uid="maillage.wsgi.gc")
