"""docs/security.md says who may see and change what: its tables must list every rule the
code registers (in English and in French), so the page cannot silently fall behind."""

import re
from pathlib import Path

from rules.permissions import permissions

DOC = Path(__file__).resolve().parents[2] / "docs" / "security.md"


def test_every_registered_rule_is_in_both_tables_of_the_security_page():
    english, french = DOC.read_text(encoding="utf-8").split("\n---\n", 1)
    for text, language in ((english, "English"), (french, "French")):
        listed = set(re.findall(r"`([a-z_]+\.[a-z_]+)`", text))
        missing = sorted(set(permissions) - listed)
        assert not missing, f"rules missing from the {language} table: {missing}"
