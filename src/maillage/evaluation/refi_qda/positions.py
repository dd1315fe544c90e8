"""Positions in a text as other tools count them, mapped to Unicode code points.

The standard counts code points from 0. Files met in practice also count UTF-16 units
(a character outside the Basic Multilingual Plane, such as an emoji, counts two) or count a
Windows line end "\\r\\n" as one character. Each way of counting is a width per code point;
a position in that count maps back to the code point where the count reaches it.
"""

from __future__ import annotations

import enum
from bisect import bisect_right
from itertools import accumulate


class Scheme(enum.StrEnum):
    CODE_POINTS = "code points"
    UTF16 = "UTF-16 units"
    CRLF_AS_ONE = "code points, with a line end \\r\\n counted as one"
    UTF16_CRLF_AS_ONE = "UTF-16 units, with a line end \\r\\n counted as one"


def _widths(text: str, scheme: Scheme) -> list[int]:
    utf16 = scheme in (Scheme.UTF16, Scheme.UTF16_CRLF_AS_ONE)
    crlf_as_one = scheme in (Scheme.CRLF_AS_ONE, Scheme.UTF16_CRLF_AS_ONE)
    widths = [2 if utf16 and ord(ch) > 0xFFFF else 1 for ch in text]
    if crlf_as_one:
        # The "\n" of a "\r\n" takes no room: the pair counts once.
        index = text.find("\r\n")
        while index != -1:
            widths[index + 1] = 0
            index = text.find("\r\n", index + 2)
    return widths


class PositionMap:
    """Maps positions counted in `scheme` over `text` to code point indexes."""

    def __init__(self, text: str, scheme: Scheme):
        self.scheme = scheme
        self.code_points = len(text)
        # offsets[i] = units before code point i; offsets[len(text)] = the length in units.
        self.offsets = [0, *accumulate(_widths(text, scheme))]
        self.length = self.offsets[-1]

    def to_code_point(self, position: int) -> int:
        """The last code point boundary not past `position` (so a "\\r\\n" is never cut)."""
        if self.scheme is Scheme.CODE_POINTS:
            return position
        return bisect_right(self.offsets, position) - 1


def could_count(text: str, scheme: Scheme) -> bool:
    """Whether counting in `scheme` differs from code points on this text at all."""
    if scheme in (Scheme.UTF16, Scheme.UTF16_CRLF_AS_ONE) and any(ord(c) > 0xFFFF for c in text):
        return True
    return scheme in (Scheme.CRLF_AS_ONE, Scheme.UTF16_CRLF_AS_ONE) and "\r\n" in text
