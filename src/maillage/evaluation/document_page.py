"""The document page's two long parts, the coded transcript and the list of codings, rendered
once and kept in the cache "transcripts" (one per worker process).

A rendition is kept under what decides its every byte: the document, the digest of the codings
the reader may see (selectors.TranscriptReading: their ids, spans, memos, code and coder names),
whether the reader sees coders' names, the language, and for the list the reader (the forms
on their own codings). Nothing is invalidated by hand: a new, changed or removed coding, a
renamed code or coder changes the digest, so the next read renders again; a coder in blind
mode sees only their own codings, whose digest differs from a reader's who sees more, and an
old rendition simply ages out of the cache. The access check and the access log are
selectors.read_document_codings's, before any of this.
"""

from django.core.cache import caches
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from . import selectors
from .coded_text import turn_views
from .coding_list import codings_html
from .models import Document

# Stands for the reader's CSRF token in a kept list: the token is masked anew at each request.
# A NUL cannot be stored in a text column, so no memo or name holds it.
_CSRF = "\x00csrf\x00"


def _cache():
    return caches["transcripts"]


def transcript_html(
    reading: selectors.TranscriptReading, document: Document, *, can_code: bool
) -> SafeString:
    """The turns of the transcript section, each cut by the codings the reader sees."""
    key = ":".join(
        (
            "transcript",
            str(document.pk),
            document.updated_at.isoformat(),
            reading.digest,
            "coders" if reading.with_coders else "-",
            "code" if can_code else "-",
            get_language() or "",
        )
    )
    html = _cache().get(key)
    if html is None:
        turns = turn_views(
            document.text,
            selectors.transcript_turns(document),
            reading.codings(),  # shaped like Codings: selectors.ShownCoding
            with_coders=reading.with_coders,
        )
        html = render_to_string(
            "evaluation/_transcript_turns.html", {"turns": turns, "can_code": can_code}
        )
        _cache().set(key, str(html))
    return mark_safe(html)  # noqa: S308 - rendered by our template, kept as rendered


def codings_list_html(
    reading: selectors.TranscriptReading, document: Document, *, reader_id, csrf_token: str
) -> SafeString:
    """The items of the list of codings, with the forms on the reader's own."""
    key = ":".join(
        (
            "codings",
            str(document.pk),
            reading.digest,
            str(reader_id),
            "coders" if reading.with_coders else "-",
            get_language() or "",
        )
    )
    html = _cache().get(key)
    if html is None:
        html = str(
            codings_html(
                reading.codings(),  # shaped like Codings: selectors.ShownCoding
                reader_id=str(reader_id),
                with_coders=reading.with_coders,
                csrf_token=_CSRF,
            )
        )
        _cache().set(key, html)
    # The token is made of letters and digits; escaped all the same.
    return mark_safe(html.replace(_CSRF, escape(csrf_token)))  # noqa: S308
