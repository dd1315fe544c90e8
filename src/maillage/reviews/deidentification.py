"""The de-identification guard: what, in a free text about a situation, could identify a person.

Two kinds of findings:
- names of people known to the database (practitioners, accounts and, once the families app
  exists, family members), matched as full names, in either order, accent- and case-
  insensitively, and a known last name after a title ("Mme Côté");
- patterns: phone numbers, e-mail addresses, Quebec health-card numbers, dates (possible dates
  of birth), street addresses and postal codes.

A first name alone is not flagged: the directory holds hundreds of them, many of them
ordinary words, and a guard that cries wolf at every sentence gets confirmed blindly.

The guard only finds; services.py decides (a finding must be removed, or confirmed as not
identifying with a reason that is logged).
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from itertools import pairwise

from django.apps import apps
from django.utils.translation import gettext_lazy as _

from maillage.core.text import fold

KIND_LABELS = {
    "name": _("name of a person"),
    "phone": _("phone number"),
    "email": _("e-mail address"),
    "health_card": _("health card number"),
    "date": _("date (possibly a date of birth)"),
    "address": _("street address or postal code"),
}


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    text: str

    @property
    def key(self) -> str:
        """Stable across re-submissions of the same text: what a confirmation refers to."""
        return f"{self.kind}:{fold(self.text)}"

    @property
    def label(self) -> str:
        return str(KIND_LABELS[self.kind])


# A word of a name: letters, with inner hyphens or apostrophes (Marie-Ève, O'Neil, D’Amours).
WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# What may stand between the words of one name: spaces, or a comma ("Côté, Mélanie").
NAME_GAP = re.compile(r"\s*,?\s+|\s*,\s*")
TITLES = {
    "m",
    "mme",
    "mlle",
    "madame",
    "monsieur",
    "mademoiselle",
    "dr",
    "dre",
    "docteur",
    "docteure",
    "mr",
    "mrs",
    "ms",
    "miss",
    "doctor",
}
TITLE_GAP = re.compile(r"\.?\s+")


def name_tokens(text: str) -> tuple[str, ...]:
    return tuple(fold(m.group()) for m in WORD.finditer(text or ""))


@dataclass
class NameIndex:
    """Known people, folded: full names as word tuples (both orders) and last names."""

    full_names: set[tuple[str, ...]] = field(default_factory=set)
    last_names: set[tuple[str, ...]] = field(default_factory=set)

    def add(self, first: str, last: str) -> None:
        given, family = name_tokens(first), name_tokens(last)
        # A one-word "name" would match ordinary words: only full names are kept.
        if not given or not family:
            return
        self.full_names.add(given + family)
        self.full_names.add(family + given)
        self.last_names.add(family)

    def add_full_name(self, full_name: str) -> None:
        words = full_name.split()
        if len(words) >= 2:
            self.add(" ".join(words[:-1]), words[-1])

    @property
    def lengths(self) -> list[int]:
        return sorted({len(name) for name in self.full_names}, reverse=True)


def family_person_names() -> Iterable[str]:
    """Full names of family members, from the families app when it is installed."""
    if not apps.is_installed("maillage.families"):
        return ()
    try:
        selectors = import_module("maillage.families.selectors")
    except ImportError:
        return ()
    hook = getattr(selectors, "known_person_names", None)
    return hook() if hook is not None else ()


def known_names() -> NameIndex:
    from maillage.core.models import User
    from maillage.directory.models import Practitioner

    index = NameIndex()
    for first, last in Practitioner.objects.values_list("first_name", "last_name").iterator():
        index.add(first, last)
    for full_name in User.objects.values_list("full_name", flat=True).iterator():
        index.add_full_name(full_name)
    for full_name in family_person_names():
        index.add_full_name(full_name)
    return index


MONTHS_FR = (
    r"janv(?:ier|\.)?|f[ée]vr(?:ier|\.)?|mars|avr(?:il|\.)?|mai|juin|juil(?:let|\.)?|"
    r"ao[uû]t|sept(?:embre|\.)?|oct(?:obre|\.)?|nov(?:embre|\.)?|d[ée]c(?:embre|\.)?"
)
MONTHS_EN = (
    r"jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|june?|july?|"
    r"aug(?:ust|\.)?|sep(?:t(?:ember)?)?\.?|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?"
)
MONTHS = f"(?:{MONTHS_FR}|{MONTHS_EN})"
STREET_TYPES_FR = (
    r"rue|avenue|av\.|boulevard|boul\.|bd|chemin|ch\.|rang|route|place|mont[ée]e|impasse|"
    r"all[ée]e|croissant|terrasse|promenade|ruelle|carr[ée]|c[ôo]te"
)
STREET_TYPES_EN = (
    r"street|st\.?|avenue|ave\.?|road|rd\.?|boulevard|blvd\.?|drive|dr\.?|lane|ln\.?|way|"
    r"court|ct\.?|crescent|cres\.?|place|pl\.?|terrace"
)
PATTERNS: list[tuple[str, re.Pattern]] = [
    ("email", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")),
    # North American numbers, with or without +1, parentheses, spaces, dots or dashes.
    (
        "phone",
        re.compile(
            r"(?<![\w+])(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\d{3}[\s.-]?)\d{3}[\s.-]?\d{4}(?!\d)"
        ),
    ),
    # Other countries' numbers, written with their + prefix.
    ("phone", re.compile(r"(?<![\w+])\+\d{1,3}(?:[\s.-]?\d{1,4}){3,6}(?!\d)")),
    # RAMQ: three letters of the last name, one of the first name, eight digits.
    ("health_card", re.compile(r"\b[A-Za-z]{4}[\s-]?\d{4}[\s-]?\d{4}\b")),
    ("date", re.compile(r"\b\d{4}[-/.]\d{1,2}[-/.]\d{1,2}\b")),
    ("date", re.compile(r"\b\d{1,2}[-/.]\d{1,2}[-/.](?:\d{4}|\d{2})\b")),
    (
        "date",
        re.compile(rf"(?i:\b\d{{1,2}}(?:er|st|nd|rd|th)?\s+{MONTHS}\s+\d{{4}}\b)"),
    ),
    (
        "date",
        re.compile(rf"(?i:\b(?:{MONTHS_EN})\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b)"),
    ),
    # Without a year, a day and month are flagged only next to a word about birth.
    (
        "date",
        re.compile(
            r"(?i:\b(?:née?|born|ddn|dob|date de naissance|date of birth)\b\W{0,3}"
            rf"(?:le\s+|on\s+)?(?:\d{{1,2}}(?:er)?\s+{MONTHS}|(?:{MONTHS_EN})\s+\d{{1,2}}"
            r"|\d{1,2}[-/.]\d{1,2}))"
        ),
    ),
    (
        "address",
        re.compile(
            rf"\b\d{{1,6}}[A-Za-z]?,?\s+(?i:{STREET_TYPES_FR})(?!\w)"
            r"(?:\s+(?:(?:de la|du|des|de|d['’]|l['’])\s*)?[A-ZÀ-Ý][\w'’-]*){0,3}"
        ),
    ),
    (
        "address",
        re.compile(
            rf"\b\d{{1,6}}\s+(?:[A-ZÀ-Ý][\w'’-]*\s+){{1,3}}(?i:{STREET_TYPES_EN})(?!\w)",
        ),
    ),
    (
        "address",
        re.compile(r"(?i:\b[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][ -]?\d[ABCEGHJ-NPRSTV-Z]\d\b)"),
    ),
]


def _name_findings(text: str, names: NameIndex) -> list[Finding]:
    words = [(fold(m.group()), m.start(), m.end()) for m in WORD.finditer(text)]
    lengths = names.lengths
    found = []
    for i in range(len(words)):
        for n in lengths:
            candidate = words[i : i + n]
            if len(candidate) < n:
                continue
            if not all(NAME_GAP.fullmatch(text[a[2] : b[1]]) for a, b in pairwise(candidate)):
                continue
            if tuple(w[0] for w in candidate) in names.full_names:
                start, end = candidate[0][1], candidate[-1][2]
                found.append(Finding("name", start, end, text[start:end]))
                break
        # "Mme Côté", "Dr. Roy": a title makes a last name alone a reference to a person.
        if words[i][0] in TITLES:
            for family in names.last_names:
                candidate = words[i + 1 : i + 1 + len(family)]
                if (
                    tuple(w[0] for w in candidate) == family
                    and TITLE_GAP.fullmatch(text[words[i][2] : candidate[0][1]])
                    and all(NAME_GAP.fullmatch(text[a[2] : b[1]]) for a, b in pairwise(candidate))
                ):
                    start, end = words[i][1], candidate[-1][2]
                    found.append(Finding("name", start, end, text[start:end]))
    return found


def scan(text: str, *, names: NameIndex | None = None) -> list[Finding]:
    """Everything in the text that may identify someone, in reading order. Overlapping
    findings are merged into one ("né le 15/03/2024" is one date), named after the longest."""
    if not text:
        return []
    names = known_names() if names is None else names
    found = _name_findings(text, names)
    for kind, pattern in PATTERNS:
        found.extend(Finding(kind, m.start(), m.end(), m.group()) for m in pattern.finditer(text))
    found.sort(key=lambda f: (f.start, -(f.end - f.start)))
    kept: list[Finding] = []
    for finding in found:
        if kept and finding.start < kept[-1].end:
            last = kept[-1]
            longest = max(last, finding, key=lambda f: f.end - f.start)
            end = max(last.end, finding.end)
            kept[-1] = Finding(longest.kind, last.start, end, text[last.start : end])
        else:
            kept.append(finding)
    return kept


def scan_fields(
    fields: Mapping[str, str], *, names: NameIndex | None = None
) -> dict[str, list[Finding]]:
    """Findings per field, only for the fields that have some."""
    if not any(fields.values()):
        return {}
    names = known_names() if names is None else names
    result = {name: scan(text, names=names) for name, text in fields.items()}
    return {name: findings for name, findings in result.items() if findings}


def unconfirmed(
    findings: dict[str, list[Finding]], confirmations: Mapping[str, str]
) -> dict[str, list[Finding]]:
    """The findings that no confirmation (with a non-blank reason) covers."""
    remaining = {
        name: [f for f in items if not (confirmations.get(f.key) or "").strip()]
        for name, items in findings.items()
    }
    return {name: items for name, items in remaining.items() if items}
