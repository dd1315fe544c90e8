# The statistics are named by their Greek letters (κ, α) and tables by ×, as in the literature.
# ruff: noqa: RUF002
"""The plain data the qualitative analysis works on, and what it returns.

No Django model here: the app reads its tables and hands these frozen values to
`agreement.py` and `matrix.py`, so the arithmetic can be checked by hand in tests and
reused by the pages, the API and the reports alike.

Positions are Unicode code points counted from 0, the end exclusive (REFI-QDA's
convention): `Coding(..., start=4, end=9)` covers characters 4 to 8. Identifiers
(coder, code, document, participant) are any hashable value the caller uses — a UUID,
a primary key, a name.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.functional import Promise


def _check_span(kind: str, start: int, end: int) -> None:
    if isinstance(start, bool) or isinstance(end, bool):
        raise TypeError(f"{kind}: start and end must be integers")
    if not (isinstance(start, int) and isinstance(end, int)):
        raise TypeError(f"{kind}: start and end must be integers")
    if start < 0 or end <= start:
        raise ValueError(f"{kind}: need 0 <= start < end, got start={start}, end={end}")


# ---------------------------------------------------------------------------------------
# Input
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Coding:
    """One coder applied one code to the characters [start, end) of one document."""

    coder: Hashable
    code: Hashable
    document: Hashable
    start: int
    end: int

    def __post_init__(self) -> None:
        _check_span("Coding", self.start, self.end)

    def overlaps(self, start: int, end: int) -> bool:
        """At least one character in common with [start, end) of the same document."""
        return self.start < end and start < self.end


@dataclass(frozen=True, slots=True)
class Segment:
    """A speaker turn: the characters [start, end) of a document said by one participant.

    `participant` is the participant's pseudonym, or None for a turn of nobody studied
    (the moderator, an unidentified voice): such turns are units of agreement but count
    for no group in the matrix.
    """

    document: Hashable
    start: int
    end: int
    participant: str | None

    def __post_init__(self) -> None:
        _check_span("Segment", self.start, self.end)


@dataclass(frozen=True, slots=True)
class Document:
    """A text of `length` characters (code points)."""

    id: Hashable
    length: int

    def __post_init__(self) -> None:
        if isinstance(self.length, bool) or not isinstance(self.length, int) or self.length < 0:
            raise ValueError(f"Document {self.id!r}: length must be an integer >= 0")


@dataclass(frozen=True, slots=True)
class Participant:
    """A study participant, known by pseudonym only, with attributes such as
    {"setting": "perinatal", "sector": "health", "role": "nurse"}."""

    pseudonym: str
    # Attributes do not take part in equality or hashing: the pseudonym identifies.
    attributes: Mapping[str, str] = field(default_factory=dict, compare=False, hash=False)


# ---------------------------------------------------------------------------------------
# Agreement results
# ---------------------------------------------------------------------------------------


class Unit(StrEnum):
    """What one judgement is about."""

    CHARACTER = "character"
    SEGMENT = "segment"


class Uncoded(StrEnum):
    """What to do with text that no compared coder coded with any compared code."""

    COUNTED = "counted"
    EXCLUDED = "excluded"


@dataclass(frozen=True, slots=True)
class Estimate:
    """A statistic and its bootstrap 95 % interval.

    `value` is None when the statistic is undefined on these data (no two judgements of
    one unit; κ or α when every judgement falls in one category, so chance agreement is
    already total). `low`/`high` are None when no interval could be drawn (no resampling
    asked, or too few resamples where the statistic is defined).
    """

    value: float | None
    low: float | None = None
    high: float | None = None


@dataclass(frozen=True, slots=True)
class Agreement:
    """Agreement on one code (`code`), or on all codes pooled (`code` is None).

    `units` is the number of units with at least two judgements (pairable): characters or
    segments for one code; unit × code pairs when pooled. `kappa` is None unless exactly
    two coders are compared.
    """

    code: Hashable | None
    units: int
    percent: Estimate
    kappa: Estimate | None
    alpha: Estimate


@dataclass(frozen=True)
class AgreementReport:
    """What `agreement.agreement()` computed, and how (shown next to the figures)."""

    unit: Unit
    uncoded: Uncoded
    coders: tuple[Hashable, ...]
    codes: tuple[Hashable, ...]
    documents: tuple[Hashable, ...]
    overall: Agreement
    per_code: Mapping[Hashable, Agreement]
    resamples: int
    seed: int
    confidence: float = 0.95


# ---------------------------------------------------------------------------------------
# Matrix results
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MatrixCell:
    """One code in one group (a value of the chosen participant attribute).

    `passages`: codings of the code that overlap a turn of a participant of the group;
    `participants`: their pseudonyms; `share`: len(participants) / group_size;
    `codings`: the codings behind the cell, in document order (for the quotes), and
    `speakers[i]`: the group's pseudonyms whose turns `codings[i]` overlaps.
    """

    code: Hashable
    group: str
    passages: int
    participants: frozenset[str]
    group_size: int
    share: float
    codings: tuple[Coding, ...]
    speakers: tuple[frozenset[str], ...] = ()


@dataclass(frozen=True)
class ThemeRow:
    """One code across the groups, and how the groups compare on it."""

    code: Hashable
    cells: Mapping[str, MatrixCell]
    convergent: bool
    divergent: bool
    # The groups that stand apart (see matrix.divergence_rule()).
    divergent_groups: tuple[str, ...]


@dataclass(frozen=True)
class Matrix:
    """Codes × groups of participants, with the rule used to call a theme divergent."""

    attribute: str
    groups: tuple[str, ...]
    group_sizes: Mapping[str, int]
    rows: tuple[ThemeRow, ...]
    threshold: float
    convergence_rule: str | Promise
    divergence_rule: str | Promise


@dataclass(frozen=True)
class CoOccurrence:
    """Code × code: the overlapping pairs of codings behind each pair of codes.

    `counts[(a, b)]` == `counts[(b, a)]` == len(`pairs[(a, b)]`); the diagonal
    `counts[(a, a)]` is the number of codings of `a`.
    """

    codes: tuple[Hashable, ...]
    counts: Mapping[tuple[Hashable, Hashable], int]
    pairs: Mapping[tuple[Hashable, Hashable], tuple[tuple[Coding, Coding], ...]]
