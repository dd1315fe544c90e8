"""De-identifying a transcript before it is stored: the guard's findings in each turn,
and the text once each finding is replaced (by a pseudonym or a neutral word) or kept
(confirmed as not identifying, with a reason).

Decisions are keyed by the finding's key (its kind and folded text): one decision covers
every occurrence of the same name in the transcript. The stored text is the turns joined
by a blank line, each "Speaker: what was said"; a turn's span covers its whole paragraph.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from maillage.core.deidentification import Finding, NameIndex, scan

from .transcripts import Turn

TURN_SEPARATOR = "\n\n"
CONTEXT = 40


@dataclass(frozen=True)
class FoundItem:
    """One distinct finding: its key, what it is, how often, and where first."""

    key: str
    kind: str
    kind_label: str
    text: str
    count: int
    context: str


@dataclass(frozen=True)
class CleanTurn:
    speaker: str
    start: int
    end: int


def _merge(*lists: list[Finding]) -> list[Finding]:
    """Findings of several scans of one string, overlapping ones kept once (the longest)."""
    kept: list[Finding] = []
    for finding in sorted((f for found in lists for f in found), key=lambda f: f.start):
        if kept and finding.start < kept[-1].end:
            if finding.end - finding.start > kept[-1].end - kept[-1].start:
                kept[-1] = finding
        else:
            kept.append(finding)
    return kept


def _scan(text: str, indexes: Iterable[NameIndex]) -> list[Finding]:
    return _merge(*(scan(text, names=index) for index in indexes))


def _pieces(turn: Turn, speakers: Mapping[str, str]) -> tuple[str, str]:
    """The turn's label (the participant's pseudonym when mapped) and text."""
    return speakers.get(turn.speaker, turn.speaker), turn.text


def findings(
    turns: list[Turn], *, speakers: Mapping[str, str], indexes: list[NameIndex]
) -> list[FoundItem]:
    """The distinct findings of the transcript, in order of first appearance."""
    seen: dict[str, list] = {}
    for turn in turns:
        for piece in _pieces(turn, speakers):
            for finding in _scan(piece, indexes):
                entry = seen.get(finding.key)
                if entry is None:
                    left = max(0, finding.start - CONTEXT)
                    context = piece[left : finding.end + CONTEXT].replace("\n", " ")
                    seen[finding.key] = [finding, 1, context]
                else:
                    entry[1] += 1
    return [
        FoundItem(key, finding.kind, finding.label, finding.text, count, context)
        for key, (finding, count, context) in seen.items()
    ]


def _replace(text: str, indexes: list[NameIndex], replacements: Mapping[str, str]) -> str:
    found = [f for f in _scan(text, indexes) if f.key in replacements]
    for finding in reversed(found):
        text = text[: finding.start] + replacements[finding.key] + text[finding.end :]
    return text


def clean(
    turns: list[Turn],
    *,
    speakers: Mapping[str, str],
    indexes: list[NameIndex],
    replacements: Mapping[str, str],
) -> tuple[str, list[CleanTurn]]:
    """The stored text and its turns, every finding in `replacements` replaced."""
    paragraphs: list[str] = []
    spans: list[CleanTurn] = []
    position = 0
    for turn in turns:
        label, said = _pieces(turn, speakers)
        label = _replace(label, indexes, replacements)
        said = _replace(said, indexes, replacements)
        paragraph = f"{label}\u00a0: {said}" if label else said
        if paragraphs:
            position += len(TURN_SEPARATOR)
        spans.append(CleanTurn(label, position, position + len(paragraph)))
        paragraphs.append(paragraph)
        position += len(paragraph)
    return TURN_SEPARATOR.join(paragraphs), spans
