"""The de-identification guard: what, in a free text about to be shared, could identify a person.

Two kinds of findings:
- names of people on record, which the caller gives as a NameIndex (core knows no domain
  app): full names in either order, and a known last name after a title ("Mme Côté") or
  after the initials of one of its bearers ("J.-F. Lévesque"). Names are compared word by
  word after folding: case, accents (composed or decomposed), ligatures, and the way the
  words are joined ("Marie-Ève", "Marie Ève", "Marie\\nÈve", "St-Pierre", "D'Amours" or
  "Damours") make no difference;
- patterns: phone numbers, e-mail addresses, social insurance numbers (Luhn-checked),
  Quebec health-card numbers, dates (possible dates of birth), street addresses and postal
  codes.

A first name alone is not flagged: the directory holds hundreds of them, many of them
ordinary words, and a guard that cries wolf at every sentence gets confirmed blindly.

The scan is linear in the length of the text: the text is cut into words once, each word is
folded once, and a name is looked up from the word it starts with (a dictionary of name
prefixes, so the number of known names does not matter); the patterns are compiled once
and written so that no match attempt re-reads the text behind it.

The guard only finds; the services decide (a finding must be removed, or confirmed as not
identifying with a reason that is logged).
"""

import heapq
import re
import sys
import threading
import unicodedata
from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from itertools import product

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from maillage.core.text import fold

# The longest free text that goes through the guard (a situation narrative, a consultation
# question...): far above what anyone writes for a meeting, and it bounds the work a request
# can ask of the server.
MAX_TEXT_LENGTH = 20_000

KIND_LABELS = {
    "name": _("name of a person"),
    "phone": _("phone number"),
    "email": _("e-mail address"),
    "sin": _("social insurance number"),
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


def text_length(text: str) -> int:
    """The length of a text as its author sees it: a line break counts as one character
    (browsers send "\\r\\n" for what their own `maxlength` counts as one)."""
    return len(text or "") - (text or "").count("\r\n")


def check_lengths(fields: Mapping[str, str]) -> None:
    """Raises a ValidationError naming each text over MAX_TEXT_LENGTH, before anything reads
    it: the limit is what bounds the work of one request."""
    too_long = {
        field: gettext("This text is too long: at most %(max)s characters (it has %(length)s).")
        % {
            "max": number_format(MAX_TEXT_LENGTH, force_grouping=True),
            "length": number_format(text_length(text), force_grouping=True),
        }
        for field, text in fields.items()
        if text_length(text) > MAX_TEXT_LENGTH
    }
    if too_long:
        raise ValidationError(too_long)


# --- words ---------------------------------------------------------------------------------

# Combining marks (text pasted in decomposed form, NFD) and the invisible characters some
# editors put inside words (soft hyphen, joiners, byte-order mark) belong to the word.
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_INVISIBLE = "\u00ad\u200c\u200d\u2060\ufeff"
_INVISIBLE_SET = frozenset(_INVISIBLE)
# A run of word characters, accents and invisibles; a run holding a digit or "_" is not a
# word of a name ("14h", "2024"). (One character class: an alternation is 5x slower.)
TOKEN = re.compile(rf"[\w{_MARKS}{_INVISIBLE}]+")
_NOT_A_NAME = re.compile(r"[\d_]")
DASHES = "\\-\u2010\u2011\u2012\u2013\u2014\u2212"
APOSTROPHES = "'\u2019\u02bc\u2018`\u00b4"
# What may stand between two words of one name: spaces of any kind (line breaks, no-break
# spaces, zero-width space), hyphens and dashes, apostrophes, and one comma ("Côté, Mélanie").
NAME_GAP = re.compile(rf"[\s\u200b{DASHES}{APOSTROPHES}]*(?:,[\s\u200b]*)?")
# "St. Pierre": after these abbreviations only, a period is part of the name.
ABBREVIATIONS = {"st", "ste"}
TITLES = {
    "m",
    "mme",
    "mmes",
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
TITLE_GAP = re.compile(r"\.?[\s\u200b]+")
# After initials: "J. Roy", "J.Roy", "J-F Roy".
INITIALS_GAP = re.compile(r"\.[\s\u200b]*|[\s\u200b]+")
SPACES = re.compile(r"[\s\u200b]+")
MAX_INITIALS = 3
# Between two initials: "J.-F.", "J.F.", "J-F", "J. F."
BETWEEN_INITIALS = re.compile(rf"\.?[\s\u200b]*[{DASHES}]?[\s\u200b]*")
SAINTS = {"saint": "st", "st": "saint", "sainte": "ste", "ste": "sainte"}
_LIGATURES = str.maketrans(
    {"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i"}
)


def fold_word(word: str) -> str:
    """One word as the guard compares it: lower case, without accents, ligatures spelt out."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word)
    kept = "".join(
        ch for ch in decomposed if not unicodedata.combining(ch) and ch not in _INVISIBLE_SET
    )
    return kept.casefold().translate(_LIGATURES)


def _fold_token(token: str) -> str:
    """The folded word, or "" for a token that cannot be part of a name."""
    if not token.isalpha() and _NOT_A_NAME.search(token):
        return ""
    return sys.intern(fold_word(token))


def _tokens(text: str) -> tuple[list[str], list[str], list[int], list[int]]:
    """The words of a text: raw, folded, start and end offsets. Each distinct word is folded
    once; the per-word work is in C (regex, set and dict lookups in comprehensions)."""
    spans = [m.span() for m in TOKEN.finditer(text)]
    raws = TOKEN.findall(text)
    folds = {raw: _fold_token(raw) for raw in set(raws)}
    if all(folds.values()):
        kept = range(len(raws))
    else:
        kept = [k for k, raw in enumerate(raws) if folds[raw]]
    raw_words = [raws[k] for k in kept]
    return (
        raw_words,
        [folds[raw] for raw in raw_words],
        [spans[k][0] for k in kept],
        [spans[k][1] for k in kept],
    )


def _name_words(text: str) -> tuple[list[str], list[str]]:
    """The folded words of a name and what separates them."""
    _raws, words, starts, ends = _tokens(text or "")
    gaps = [text[ends[k] : starts[k + 1]] for k in range(len(words) - 1)]
    return words, gaps


def _spellings(text: str) -> set[tuple[str, ...]]:
    """The ways one name (given or family) is written: as is, with an elided particle glued
    to the rest ("D'Amours", "Damours"), with Saint/Sainte abbreviated or spelt out."""
    words, gaps = _name_words(text)
    if not words:
        return set()
    spellings = {tuple(words)}
    if any(ch in gap for gap in gaps for ch in APOSTROPHES):
        glued = [words[0]]
        for gap, word in zip(gaps, words[1:], strict=True):
            if any(ch in gap for ch in APOSTROPHES):
                glued[-1] = sys.intern(glued[-1] + word)
            else:
                glued.append(word)
        spellings.add(tuple(glued))
    for spelling in list(spellings):
        if any(word in SAINTS for word in spelling):
            options = [(w, SAINTS[w]) if w in SAINTS else (w,) for w in spelling]
            spellings.update(tuple(sys.intern(w) for w in choice) for choice in product(*options))
    return spellings


def _initials(given: tuple[str, ...]) -> set[str]:
    return {given[0][0], "".join(word[0] for word in given)}


class NameIndex:
    """Known people, folded, for a scan in time proportional to the text, not to the index.

    `_full` maps every full name (both orders) and every beginning of one, as word tuples,
    to whether it is a whole name; `_firsts` holds the words a full name starts with, so
    that most words of a text cost one set lookup. `_last` does the same for last names,
    whose value is the set of initials of the people who bear them ("jf", "j")."""

    def __init__(self) -> None:
        self._firsts: set[str] = set()
        self._full: dict[tuple[str, ...], bool] = {}
        self._last: dict[tuple[str, ...], set[str] | None] = {}
        self.people = 0

    @classmethod
    def from_names(
        cls,
        *,
        pairs: Iterable[tuple[str, str]] = (),
        full_names: Iterable[str] = (),
    ) -> "NameIndex":
        """An index of (first name, last name) pairs and of full names written in one field."""
        index = cls()
        for first, last in pairs:
            index.add(first, last)
        for full_name in full_names:
            index.add_full_name(full_name)
        return index

    def __len__(self) -> int:
        return sum(1 for whole in self._full.values() if whole)

    def _add_full(self, name: tuple[str, ...]) -> None:
        self._firsts.add(name[0])
        for k in range(2, len(name)):
            self._full.setdefault(name[:k], False)
        self._full[name] = True

    def _add_last(self, family: tuple[str, ...], given: tuple[str, ...]) -> None:
        for k in range(1, len(family)):
            self._last.setdefault(family[:k], None)
        initials = self._last.get(family)
        if initials is None:
            initials = self._last[family] = set()
        initials |= _initials(given)

    def _add_split(self, given: tuple[str, ...], family: tuple[str, ...]) -> None:
        self._add_full(given + family)
        self._add_full(family + given)
        self._add_last(family, given)

    def add(self, first: str, last: str) -> None:
        given_spellings, family_spellings = _spellings(first), _spellings(last)
        # A one-word "name" would match ordinary words: only full names are kept.
        if not given_spellings or not family_spellings:
            return
        self.people += 1
        for given, family in product(given_spellings, family_spellings):
            self._add_split(given, family)

    def add_full_name(self, full_name: str) -> None:
        """A name written in one field ("Marie Ève Saint Pierre"): where the given name ends
        is unknown, so every split is indexed (a two-word name has only one)."""
        spellings = [s for s in _spellings(full_name) if len(s) >= 2]
        if not spellings:
            return
        self.people += 1
        for words in spellings:
            for k in range(1, len(words)):
                self._add_split(words[:k], words[k:])


class CachedNameIndex:
    """One NameIndex per process, rebuilt only when the names on record changed.

    `fingerprint` must be cheap (a few aggregate queries) and change whenever a name is
    added, changed or removed; `build` reads every name (slow: seconds at region scale). The
    fingerprint is read on every call, so the index is never staler than the database, and
    a build happens once per change per process, not per request."""

    def __init__(self, *, fingerprint: Callable[[], Hashable], build: Callable[[], NameIndex]):
        self._fingerprint = fingerprint
        self._build = build
        self._lock = threading.Lock()
        # (fingerprint, index), replaced as a whole so that a reader never pairs the
        # fingerprint of one build with the index of another.
        self._entry: tuple[Hashable, NameIndex] | None = None
        self.builds = 0

    def get(self) -> NameIndex:
        key = self._fingerprint()
        entry = self._entry
        if entry is not None and entry[0] == key:
            return entry[1]
        with self._lock:
            entry = self._entry
            if entry is None or entry[0] != key:
                entry = self._entry = (key, self._build())
                self.builds += 1
            return entry[1]

    def clear(self) -> None:
        with self._lock:
            self._entry = None


def _initials_at(text, words, starts, ends, i) -> tuple[str, int] | None:
    """Initials starting at word i ("J.", "J.-F.", "JF", "M.-È."): their folded letters and
    the index of the word after them, or None. Only capitals count, and a single letter
    needs its period: "a Roy" is English, "J. Roy" a person."""
    n = len(words)
    if len(words[i]) > 1:
        # "JF Roy": two or three capitals, then a space.
        if SPACES.fullmatch(text[ends[i] : starts[i + 1]]):
            return words[i], i + 1
        return None
    letters, j, joined = [words[i]], i, False
    while j + 1 < n:
        gap = text[ends[j] : starts[j + 1]]
        following = text[starts[j + 1] : ends[j + 1]]
        if not (len(words[j + 1]) == 1 and following.isupper()):
            break
        if not BETWEEN_INITIALS.fullmatch(gap):
            break
        if len(letters) == MAX_INITIALS:
            # "A. B. C. D. ...": a list, not someone's initials (and the walk stays short).
            return None
        letters.append(words[j + 1])
        joined = joined or gap.strip() != ""
        j += 1
    if j + 1 >= n:
        return None
    gap = text[ends[j] : starts[j + 1]]
    if not INITIALS_GAP.fullmatch(gap):
        return None
    if not gap.startswith(".") and not (len(letters) > 1 and joined):
        return None
    return "".join(letters), j + 1


def _name_findings(text: str, names: NameIndex) -> list[Finding]:
    raws, words, starts, ends = _tokens(text)
    n = len(words)
    firsts, full, last = names._firsts, names._full, names._last
    # Only the words that may start a finding are visited: the first word of a known name,
    # a title, or two or three capitals (initials).
    distinct = set(raws)
    starters = {
        raw
        for raw in distinct
        if (folded := _fold_token(raw)) in firsts
        or folded in TITLES
        or (len(folded) <= 3 and raw.isupper())
    }
    found = []

    def gap_ok(j: int) -> bool:
        gap = text[ends[j] : starts[j + 1]]
        if gap.startswith(".") and words[j] in ABBREVIATIONS:
            gap = gap[1:]
        return NAME_GAP.fullmatch(gap) is not None

    def last_name_from(j: int) -> tuple[int, set[str]] | None:
        """The longest known last name starting at word j: its last word and initials."""
        best = None
        key: tuple[str, ...] = ()
        while j < n:
            if key and not gap_ok(j - 1):
                break
            key = (*key, words[j])
            if key not in last:
                break
            initials = last[key]
            if initials is not None:
                best = (j, initials)
            j += 1
        return best

    for i in [k for k, raw in enumerate(raws) if raw in starters]:
        word = words[i]
        if word in firsts:
            key = (word,)
            j, best = i, -1
            while j + 1 < n and gap_ok(j):
                key = (*key, words[j + 1])
                whole = full.get(key)
                if whole is None:
                    break
                j += 1
                if whole:
                    best = j
            if best >= 0:
                found.append(Finding("name", starts[i], ends[best], text[starts[i] : ends[best]]))
        if i + 1 >= n:
            continue
        # "Mme Côté", "Dr. Roy": a title makes a last name alone a reference to a person.
        if word in TITLES and TITLE_GAP.fullmatch(text[ends[i] : starts[i + 1]]):
            match = last_name_from(i + 1)
            if match is not None:
                end = ends[match[0]]
                found.append(Finding("name", starts[i], end, text[starts[i] : end]))
        # "J.-F. Lévesque": initials of one of the people who bear the last name.
        if len(word) <= 3 and raws[i].isupper():
            initials = _initials_at(text, words, starts, ends, i)
            if initials is not None:
                match = last_name_from(initials[1])
                if match is not None and initials[0] in match[1]:
                    end = ends[match[0]]
                    found.append(Finding("name", starts[i], end, text[starts[i] : end]))
    return found


# --- patterns --------------------------------------------------------------------------------

_SEP = rf"[\s.{DASHES}]"
MONTHS_FR = (
    r"janv(?:ier|\.)?|f[ée]vr(?:ier|\.)?|mars|avr(?:il|\.)?|mai|juin|juil(?:let|\.)?|"
    r"ao[uû]t|sept(?:embre|\.)?|oct(?:obre|\.)?|nov(?:embre|\.)?|d[ée]c(?:embre|\.)?"
)
MONTHS_EN = (
    r"jan(?:uary|\.)?|feb(?:ruary|\.)?|mar(?:ch|\.)?|apr(?:il|\.)?|may|june?|july?|"
    r"aug(?:ust|\.)?|sep(?:t(?:ember)?)?\.?|oct(?:ober|\.)?|nov(?:ember|\.)?|dec(?:ember|\.)?"
)
MONTHS = f"(?:{MONTHS_FR}|{MONTHS_EN})"
# The English months again, by first letter: a pattern that starts with a character class
# lets the regex engine skip quickly to the next candidate, where an alternation of words
# is tried at every position (6x slower).
_MONTHS_EN_BY_LETTER = {
    "j": r"an(?:uary|\.)?|une?|uly?",
    "f": r"eb(?:ruary|\.)?",
    "m": r"ar(?:ch|\.)?|ay",
    "a": r"pr(?:il|\.)?|ug(?:ust|\.)?",
    "s": r"ep(?:t(?:ember)?)?\.?",
    "o": r"ct(?:ober|\.)?",
    "n": r"ov(?:ember|\.)?",
    "d": r"ec(?:ember|\.)?",
}
_MONTH_LETTERS = "".join(_MONTHS_EN_BY_LETTER)
MONTH_EN_FIRST = (
    f"[{_MONTH_LETTERS}{_MONTH_LETTERS.upper()}](?<!\\w[{_MONTH_LETTERS}{_MONTH_LETTERS.upper()}])"
    "(?i:"
    + "|".join(f"(?<={letter})(?:{rest})" for letter, rest in _MONTHS_EN_BY_LETTER.items())
    + ")"
)
STREET_TYPES_FR = (
    r"rue|avenue|av\.|boulevard|boul\.|bd|chemin|ch\.|rang|route|place|mont[ée]e|impasse|"
    r"all[ée]e|croissant|terrasse|promenade|ruelle|carr[ée]|c[ôo]te"
)
STREET_TYPES_EN = (
    r"street|st\.?|avenue|ave\.?|road|rd\.?|boulevard|blvd\.?|drive|dr\.?|lane|ln\.?|way|"
    r"court|ct\.?|crescent|cres\.?|place|pl\.?|terrace"
)
# Every pattern starts with a look-behind that fails inside a run of the characters it
# repeats, so that each run is read from its start only: the scan stays linear even on a
# megabyte without a space.
EMAIL_PATTERNS: list[tuple[str, re.Pattern]] = [
    ("email", re.compile(r"(?<![\w.+-])[\w.+-]+[ \t]?@[ \t]?[\w-]+(?:\.[\w-]+)+")),
    # Written so that robots do not read it: "m.cote (at) exemple (dot) qc (dot) ca".
    (
        "email",
        re.compile(
            r"(?i:(?<![\w.+-])[\w.+-]+\s?[\[(]\s?(?:at|arobase|@)\s?[\])]\s?[\w-]+"
            r"(?:(?:\.|\s?[\[(]\s?(?:dot|point)\s?[\])]\s?)[\w-]+)+)"
        ),
    ),
]
# What every e-mail address has: most texts have none, and skip the patterns above.
EMAIL_SIGN = re.compile(r"@|[\[(]\s?(?i:at|arobase)\s?[\])]")
# Every other pattern holds a digit, at most DIGIT_REACH_BEFORE characters after the start
# of its match and (but for the words of a street name) DIGIT_REACH_AFTER before its end.
DIGIT_REACH_BEFORE, DIGIT_REACH_AFTER = 40, 120
DIGITS = re.compile(r"\d+")
DIGIT_PATTERNS: list[tuple[str, re.Pattern]] = [
    # North American numbers, with or without +1, parentheses, spaces, dots or dashes
    # (word processors turn "-" into "–"), and an extension.
    (
        "phone",
        re.compile(
            rf"(?<![\w+])(?:\+?1{_SEP}?)?(?:\(\s?\d{{3}}\s?\)\s?{_SEP}?|\d{{3}}{_SEP}?)"
            rf"\d{{3}}{_SEP}?\d{{4}}(?!\d)(?:,?\s?(?i:poste|ext\.?|x)\s?\d{{1,5}}\b)?"
        ),
    ),
    # Seven digits, only after a word that says it is a number to call.
    (
        "phone",
        re.compile(
            r"(?i:(?<!\w)(?:t[ée]l(?:[ée]phone)?|cell(?:ulaire)?|phone|num[ée]ro)\.?\s?:?\s?)"
            rf"\d{{3}}{_SEP}\d{{4}}(?![\d{DASHES}])"
        ),
    ),
    # Other countries' numbers, written with their + prefix.
    ("phone", re.compile(rf"(?<![\w+])\+\d{{1,3}}(?:{_SEP}?\d{{1,4}}){{3,6}}(?!\d)")),
    ("date", re.compile(rf"(?<!\w)\d{{4}}[/.{DASHES}]\d{{1,2}}[/.{DASHES}]\d{{1,2}}(?!\w)")),
    (
        "date",
        re.compile(rf"(?<!\w)\d{{1,2}}[/.{DASHES}]\d{{1,2}}[/.{DASHES}](?:\d{{4}}|\d{{2}})\b"),
    ),
    (
        "date",
        re.compile(rf"(?i:\b\d{{1,2}}(?:er|st|nd|rd|th)?\s+(?:of\s+)?{MONTHS}\s+\d{{4}}\b)"),
    ),
    (
        "date",
        re.compile(rf"{MONTH_EN_FIRST}(?i:\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b)"),
    ),
    # Without a year, a day and month are flagged only next to a word about birth.
    (
        "date",
        re.compile(
            r"(?i:(?:\b(?:née?|born|ddn|dob|date de naissance|date of birth)\b|\bné\(e\))\W{0,3}"
            rf"(?:le\s+|on\s+)?(?:\d{{1,2}}(?:er)?\s+{MONTHS}|(?:{MONTHS_EN})\s+\d{{1,2}}"
            rf"|\d{{1,2}}[/.{DASHES}]\d{{1,2}}))"
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
        re.compile(
            rf"(?i:(?<!\w)[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z][\s{DASHES}]?"
            r"\d[ABCEGHJ-NPRSTV-Z]\d(?!\w))"
        ),
    ),
]
# Checked candidates: the pattern finds the shape, the check keeps only the real ones.
# Social insurance number: nine digits in groups of three, the same separator (space, dash,
# dot or none) between the groups, and a valid Luhn check digit.
# (The look-behinds follow the first digit, which the regex engine then finds quickly.)
SIN = re.compile(
    rf"(\d(?<![\w+]\d)(?<!\d{_SEP}\d)\d\d)([\s.{DASHES}]?)(\d{{3}})\2(\d{{3}})(?!\d|{_SEP}\d)"
)
# Quebec health-card number (RAMQ): three letters of the last name, one of the first name,
# then year, month (+50 for women), day of birth and two digits, in any grouping.
HEALTH_CARD = re.compile(
    rf"(?<!\w)([A-Za-z]{{4}})[\s{DASHES}]?(\d{{2}})[\s{DASHES}]?(\d{{2}})[\s{DASHES}]?"
    rf"(\d{{2}})[\s{DASHES}]?(\d{{2}})(?!\d)"
)


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, digit in enumerate(int(d) for d in reversed(digits)):
        if position % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def _digit_windows(text: str) -> list[tuple[int, int]]:
    """The stretches of text around its digits, where all but the e-mail patterns can match:
    ordinary text has few digits, and the patterns read only these stretches."""
    windows: list[list[int]] = []
    for run in DIGITS.finditer(text):
        start, end = run.start() - DIGIT_REACH_BEFORE, run.end() + DIGIT_REACH_AFTER
        if windows and start <= windows[-1][1]:
            windows[-1][1] = end
        else:
            windows.append([max(0, start), end])
    return [(start, min(end, len(text))) for start, end in windows]


def _matches(pattern: re.Pattern, text: str, windows: list[tuple[int, int]]):
    """The pattern's matches that start in the windows. A match near a window's end may
    have been cut short (or let through by a look-ahead that saw the cut): it is matched
    again against the whole text. Look-behinds see before a window's start by themselves."""
    for start, end in windows:
        for match in pattern.finditer(text, start, end):
            if end < len(text) and match.end() > end - 24:
                match = pattern.match(text, match.start())
                if match is None:
                    continue
            yield match


def _pattern_findings(text: str) -> list[list[Finding]]:
    """The findings of each pattern, each list in reading order."""
    found = []
    if EMAIL_SIGN.search(text):
        for kind, pattern in EMAIL_PATTERNS:
            found.append(
                [Finding(kind, m.start(), m.end(), m.group()) for m in pattern.finditer(text)]
            )
    windows = _digit_windows(text)
    if not windows:
        return found
    for kind, pattern in DIGIT_PATTERNS:
        found.append(
            [Finding(kind, m.start(), m.end(), m.group()) for m in _matches(pattern, text, windows)]
        )
    found.append(
        [
            Finding("sin", m.start(), m.end(), m.group())
            for m in _matches(SIN, text, windows)
            if luhn_valid(m.group(1) + m.group(3) + m.group(4))
        ]
    )
    # A health card's letters in capitals, as printed on the card, are enough; in lower case
    # (typed quickly) its digits must also read as a date of birth, so that "pour 2024 2025"
    # goes through.
    found.append(
        [
            Finding("health_card", m.start(), m.end(), m.group())
            for m in _matches(HEALTH_CARD, text, windows)
            if m.group(1).isupper() or _birth_month_and_day(int(m.group(3)), int(m.group(4)))
        ]
    )
    return found


def _birth_month_and_day(month: int, day: int) -> bool:
    return (1 <= month <= 12 or 51 <= month <= 62) and 1 <= day <= 31


def scan(text: str, *, names: NameIndex) -> list[Finding]:
    """Everything in the text that may identify someone, in reading order. Overlapping
    findings are merged into one ("né le 15/03/2024" is one date), named after the longest."""
    if not text:
        return []
    # Each source is already in reading order: merging them keeps the whole scan linear
    # (sorting would not, on a text made of nothing but findings).
    found = heapq.merge(
        _name_findings(text, names), *_pattern_findings(text), key=lambda f: f.start
    )
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


def scan_fields(fields: Mapping[str, str], *, names: NameIndex) -> dict[str, list[Finding]]:
    """Findings per field, only for the fields that have some."""
    result = {name: scan(text, names=names) for name, text in fields.items() if text}
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
