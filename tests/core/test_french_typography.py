"""French pages follow French typography: a non-breaking space (U+00A0 or U+202F) before
`:` `;` `?` `!`, and « guillemets » rather than ASCII double quotes around French text."""

import re

import pytest

from tests.core.rendered_pages import main_pages, parse, seed_demo

pytestmark = pytest.mark.django_db

# A high punctuation mark after a normal space or straight after a letter. Digits before a
# colon are times (10:30) and ratios; URLs and e-mail addresses are left out below.
BAD_SPACING = re.compile(r"(?:(?<= )|(?<=[^\W\d_]))[:;?!](?!//)")
ASCII_QUOTED = re.compile(r'"[^"\n]{1,80}"')
URL_OR_ADDRESS = re.compile(r"\S+://\S+|\S+@\S+|\b\d{1,2}:\d{2}\b")


def problems_in(text: str) -> list[str]:
    found = []
    for line in text.splitlines():
        line = URL_OR_ADDRESS.sub("", line)
        for match in BAD_SPACING.finditer(line):
            found.append(line[max(match.start() - 30, 0) : match.end() + 10].strip())
        for match in ASCII_QUOTED.finditer(line):
            found.append(match.group())
    return found


@pytest.mark.parametrize(
    ("text", "bad"),
    [
        ("Clé: ABC", True),
        ("Langues parlées : français", True),
        ("Pourquoi ?", True),
        ("Clé\u00a0: ABC", False),
        ("Pourquoi\u202f?", False),
        ("Rencontre à 10:30", False),
        ("Voir https://exemple.org/a?b=c", False),
        ('Un "mot" entre guillemets', True),
        ("Un «\u00a0mot\u00a0» entre guillemets", False),
    ],
)
def test_the_check_sees_what_it_should(text, bad):
    assert bool(problems_in(text)) is bad


def test_main_pages_in_french_follow_french_typography(client, verified_login):
    seed_demo()
    failures = {}
    for url, html in main_pages(client, verified_login, "fr"):
        found = problems_in(parse(html).text)
        if found:
            failures[url] = found[:6]
    assert failures == {}, "\n".join(f"{url}: {found}" for url, found in failures.items())
