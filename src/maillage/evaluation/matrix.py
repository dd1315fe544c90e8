# Tables are named by ×, as in the literature.
# ruff: noqa: RUF002
"""What the groups of participants say: the codes × groups matrix and code co-occurrence.

Who said a passage
    A coding is attributed to every participant whose speaker turn (`Segment`) it shares at
    least one character with, in the same document. Turns of nobody studied (participant
    None, e.g. the moderator) and participants not passed in are left out.

Groups
    The values of one participant attribute (setting, sector, organization, role…); a
    participant without that attribute belongs to no group. A group's size is its number
    of participants passed in (the caller passes those of the sessions studied).

A cell (code, group)
    passages: the codings of the code attributed to at least one participant of the group
    (all coders' codings: the caller passes one coder's, or the reconciled set, to count
    each passage once); participants: those of the group they are attributed to; share:
    participants / group size.

Convergent and divergent (the sentences are `CONVERGENCE_RULE` and `divergence_rule()`)
    Convergent: there are at least two groups and in every group at least one participant
    raises the theme (share > 0). Divergent, for a threshold t in percentage points
    (0 ≤ t < 100; given as a fraction 0 ≤ t < 1): a group g stands apart when its share is
    higher than every other group's share by more than t (share_g − max(others) > t) or
    lower than every other group's by more than t (min(others) − share_g > t); the theme is
    divergent when some group stands apart. A theme can be both convergent and divergent.

Co-occurrence
    Two codings overlap when they are in the same document and share at least one
    character (a.start < b.end and b.start < a.end). By default only codings of the same
    coder are paired (two coders' choices on one passage are agreement, not co-occurrence).
    The count for codes (a, b), a ≠ b, is the number of overlapping pairs (coding of a,
    coding of b): each is one passage coded with both; the diagonal is the number of
    codings of the code.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence

import numpy as np
from django.utils.formats import number_format
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .analysis import Coding, CoOccurrence, Matrix, MatrixCell, Participant, Segment, ThemeRow

DEFAULT_THRESHOLD = 0.25

CONVERGENCE_RULE = _(
    "A theme is convergent when at least one participant of every group raises it."
)
CO_OCCURRENCE_RULE = _(
    "Two codes co-occur when the same coder applied them to passages of the same document "
    "that share at least one character; each such pair of passages counts once."
)


def _points(threshold: float) -> str:
    points = round(threshold * 100, 1)
    return number_format(points, decimal_pos=0 if points == int(points) else 1)


def divergence_rule(threshold: float):
    """The sentence of the divergence rule for this threshold, in the reader's language."""
    return format_lazy(
        _(
            "A theme is divergent when the share of one group's participants who raise it "
            "is higher than that of every other group by more than {points} percentage "
            "points, or lower than that of every other group by more than {points} points."
        ),
        points=lazy(_points, str)(threshold),
    )


def _check_threshold(threshold: float) -> None:
    if not (isinstance(threshold, int | float) and 0 <= threshold < 1):
        raise ValueError(f"threshold must be a fraction between 0 and 1, got {threshold!r}")


def _document_order(codings: Sequence[Coding]) -> list[Coding]:
    first_seen: dict[Hashable, int] = {}
    for c in codings:
        first_seen.setdefault(c.document, len(first_seen))
    return sorted(codings, key=lambda c: (first_seen[c.document], c.start, c.end, repr(c.coder)))


def speakers_of(codings: Sequence[Coding], segments: Iterable[Segment]) -> list[frozenset[str]]:
    """For each coding, in order: the pseudonyms of the turns it shares a character with."""
    by_document: dict[Hashable, list[Segment]] = defaultdict(list)
    for s in segments:
        if s.participant is not None:
            by_document[s.document].append(s)
    spans = {
        d: (
            np.array([s.start for s in turns]),
            np.array([s.end for s in turns]),
            np.array([s.participant for s in turns], dtype=object),
        )
        for d, turns in by_document.items()
    }
    speakers: list[frozenset[str]] = []
    for c in codings:
        if c.document not in spans:
            speakers.append(frozenset())
            continue
        starts, ends, who = spans[c.document]
        speakers.append(frozenset(who[(starts < c.end) & (ends > c.start)]))
    return speakers


def theme_matrix(
    codings: Iterable[Coding],
    segments: Iterable[Segment],
    participants: Iterable[Participant],
    *,
    attribute: str,
    threshold: float = DEFAULT_THRESHOLD,
    codes: Sequence[Hashable] | None = None,
) -> Matrix:
    """Codes × groups (values of `attribute`), with convergent and divergent themes.

    `threshold` is a fraction (0.25 = 25 percentage points); see the module docstring for
    every definition. `codes`: the rows, in this order (default: every code in `codings`).
    """
    _check_threshold(threshold)
    group_of = {
        p.pseudonym: p.attributes[attribute] for p in participants if attribute in p.attributes
    }
    group_sizes: dict[str, int] = defaultdict(int)
    for group in group_of.values():
        group_sizes[group] += 1
    groups = tuple(sorted(group_sizes))
    all_codings = list(codings)
    if codes is None:
        codes = _sorted_codes(c.code for c in all_codings)
    wanted = set(codes)
    coded = _document_order([c for c in all_codings if c.code in wanted])

    # (code, group) → the codings, in document order, and the group's pseudonyms behind each
    behind: dict[tuple[Hashable, str], list[tuple[Coding, frozenset[str]]]] = defaultdict(list)
    for coding, said_by in zip(coded, speakers_of(coded, segments), strict=True):
        per_group: dict[str, set[str]] = defaultdict(set)
        for pseudonym in said_by:
            if pseudonym in group_of:
                per_group[group_of[pseudonym]].add(pseudonym)
        for group, who in per_group.items():
            behind[(coding.code, group)].append((coding, frozenset(who)))

    rows = []
    for code in codes:
        cells = {}
        for group in groups:
            found = behind.get((code, group), [])
            said = frozenset().union(*(who for _c, who in found))
            cells[group] = MatrixCell(
                code=code,
                group=group,
                passages=len(found),
                participants=said,
                group_size=group_sizes[group],
                share=len(said) / group_sizes[group],
                codings=tuple(c for c, _who in found),
                speakers=tuple(who for _c, who in found),
            )
        apart = _standing_apart({g: cells[g].share for g in groups}, threshold)
        rows.append(
            ThemeRow(
                code=code,
                cells=cells,
                convergent=len(groups) >= 2 and all(cells[g].share > 0 for g in groups),
                divergent=bool(apart),
                divergent_groups=apart,
            )
        )
    return Matrix(
        attribute=attribute,
        groups=groups,
        group_sizes=dict(group_sizes),
        rows=tuple(rows),
        threshold=threshold,
        convergence_rule=CONVERGENCE_RULE,
        divergence_rule=divergence_rule(threshold),
    )


def _standing_apart(shares: dict[str, float], threshold: float) -> tuple[str, ...]:
    """The groups whose share is above, or below, every other group's by more than t."""
    if len(shares) < 2:
        return ()
    apart = []
    for group, share in shares.items():
        others = [s for g, s in shares.items() if g != group]
        if share - max(others) > threshold or min(others) - share > threshold:
            apart.append(group)
    return tuple(apart)


def _sorted_codes(codes: Iterable[Hashable]) -> list[Hashable]:
    unique = set(codes)
    try:
        return sorted(unique)  # type: ignore[type-var]
    except TypeError:
        return sorted(unique, key=repr)


def co_occurrence(
    codings: Iterable[Coding],
    *,
    codes: Sequence[Hashable] | None = None,
    same_coder: bool = True,
) -> CoOccurrence:
    """Code × code: overlapping pairs of codings (module docstring for the definition)."""
    all_codings = list(codings)
    if codes is None:
        codes = _sorted_codes(c.code for c in all_codings)
    wanted = set(codes)
    groups: dict[tuple[Hashable, Hashable], list[Coding]] = defaultdict(list)
    for c in all_codings:
        if c.code in wanted:
            groups[(c.document, c.coder if same_coder else None)].append(c)

    pairs: dict[tuple[Hashable, Hashable], list[tuple[Coding, Coding]]] = defaultdict(list)
    for group in groups.values():
        group.sort(key=lambda c: (c.start, c.end))
        # Sweep: only the codings starting before this one ends can overlap it.
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if b.start >= a.end:
                    break
                if a.code != b.code:
                    pairs[(a.code, b.code)].append((a, b))
                    pairs[(b.code, a.code)].append((b, a))

    per_code: dict[Hashable, int] = defaultdict(int)
    for c in all_codings:
        if c.code in wanted:
            per_code[c.code] += 1
    counts: dict[tuple[Hashable, Hashable], int] = {}
    for first in codes:
        for second in codes:
            counts[(first, second)] = (
                per_code[first] if first == second else len(pairs.get((first, second), ()))
            )
    return CoOccurrence(
        codes=tuple(codes),
        counts=counts,
        pairs={key: tuple(found) for key, found in pairs.items()},
    )
