"""Counts use plural forms: every French catalogue entry whose message has a count
placeholder (count, counter, n, or a name ending in _count) is a plural entry, translated in
both forms; "all 1 places are taken" never reaches a person."""

import re
from pathlib import Path

import polib
import pytest

CATALOGUE = Path(__file__).resolve().parents[2] / "src/maillage/locale/fr/LC_MESSAGES/django.po"
COUNT = re.compile(r"%\((?:count|counter|n|[a-z_]+_count)\)[sd]|\{(?:count|counter)\}")


def entries():
    return [e for e in polib.pofile(str(CATALOGUE)) if not e.obsolete and e.msgid]


def test_every_message_with_a_count_has_plural_forms():
    singular_only = [e.msgid for e in entries() if COUNT.search(e.msgid) and not e.msgid_plural]
    assert singular_only == []


def test_every_plural_entry_is_translated_in_both_forms():
    missing = [
        e.msgid
        for e in entries()
        if e.msgid_plural and not all(e.msgstr_plural.get(k, "").strip() for k in (0, 1))
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("message", "has_count"),
    [
        ("%(count)s pairs with data", True),
        ("(%(counter)s unread)", True),
        ("too long (%(n)d characters)", True),
        ("%(seat_count)s seats", True),
        ("Page %(number)s of %(total)s", False),
        ("duplicate of row %(row)d", False),
    ],
)
def test_the_check_recognizes_count_placeholders(message, has_count):
    assert bool(COUNT.search(message)) is has_count
