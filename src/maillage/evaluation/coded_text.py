"""A transcript's turns marked up with the codings a reader sees, as the document page's HTML.

A 20,000-word transcript with 1,000 codings is cut into thousands of pieces; rendering each
through template tags cost most of the page's time. Here the text is cut in one pass over
its sorted boundaries (coding starts and ends, turn limits) and each turn's pieces become
one string with format_html, which escapes as the template did: the page's HTML is the
same, byte for byte.
"""

from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from .models import Coding, SpeakerTurn


@dataclass
class TurnView:
    """A turn and its text as HTML: a <span data-start> per piece between two coding
    boundaries, a coded piece in a <mark> with the codes (and coders) in its title."""

    turn: SpeakerTurn
    html: SafeString


def _label(coding: Coding, with_coder: bool) -> str:
    if with_coder:
        return f"{escape(coding.code.name)} ({escape(coding.coder.full_name)})"
    return escape(coding.code.name)


def _piece(start: int, text: str, title: str) -> str:
    if not title:
        return format_html('<span data-start="{}">{}</span>', start, text)
    # The title is escaped already (each code's and coder's name, in _label).
    return format_html(
        '<span data-start="{}" class="coded" title="{}"><mark>{}</mark></span>',
        start,
        mark_safe(title),  # noqa: S308 - built from escaped names only
        text,
    )


def turn_views(
    text: str, turns: list[SpeakerTurn], codings: list[Coding], *, with_coders: bool
) -> list[TurnView]:
    """The turns (in the order of the text) cut at every boundary of the codings, each piece
    with the codings that cover it, in the codings' order (by start, then end)."""
    opening: dict[int, list[int]] = defaultdict(list)
    closing: dict[int, list[int]] = defaultdict(list)
    labels = []
    for index, coding in enumerate(codings):
        opening[coding.start].append(index)
        closing[coding.end].append(index)
        labels.append(_label(coding, with_coders))
    cuts = set(opening) | set(closing)
    for turn in turns:
        cuts.update((turn.start, turn.end))
    # The codings covering the current position, in the list's order: they are opened in
    # that order, and a dict keeps the order of insertion.
    covering: dict[int, str] = {}
    parts: list[list[str]] = [[] for _turn in turns]
    current = 0
    for left, right in pairwise(sorted(cuts)):
        for index in closing.get(left, ()):
            covering.pop(index, None)
        for index in opening.get(left, ()):
            covering[index] = labels[index]
        while current < len(turns) and turns[current].end <= left:
            current += 1
        if current < len(turns) and turns[current].start <= left:
            title = " · ".join(covering.values())
            parts[current].append(_piece(left, text[left:right], title))
    return [
        TurnView(turn, mark_safe("".join(html)))  # noqa: S308 - pieces from format_html
        for turn, html in zip(turns, parts, strict=True)
    ]
