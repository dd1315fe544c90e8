"""French and English are both first-class: every UI string is extracted and translated."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

SOURCE = Path(__file__).resolve().parents[2] / "src" / "maillage"


def test_french_catalog_covers_every_string_of_the_code(tmp_path):
    """Extract the strings afresh from a copy of the code: none may lack a French
    translation, and none may be left fuzzy."""
    copy = tmp_path / "maillage"
    shutil.copytree(SOURCE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    django_admin = Path(sys.executable).parent / "django-admin"
    subprocess.run(
        [str(django_admin), "makemessages", "-l", "fr", "--no-location", "-v0"],
        cwd=copy,
        check=True,
    )
    catalog = copy / "locale" / "fr" / "LC_MESSAGES" / "django.po"
    untranslated = subprocess.run(
        ["msgattrib", "--untranslated", "--no-obsolete", str(catalog)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    fuzzy = subprocess.run(
        ["msgattrib", "--only-fuzzy", "--no-obsolete", str(catalog)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    missing = [line for line in untranslated.splitlines() if line.startswith("msgid ")]
    # The header entry (msgid "") is not a UI string.
    missing = [line for line in missing if line != 'msgid ""']
    assert missing == [], f"Untranslated: {missing[:20]}"
    assert "msgid" not in fuzzy, f"Fuzzy entries: {fuzzy[:500]}"


@pytest.mark.django_db
def test_french_is_the_default_and_english_is_one_click_away():
    client = Client()
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="fr">' in page and "Se connecter" in page
    client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in page and "Log in to Maillage" in page


def test_dates_and_numbers_follow_the_language():
    from datetime import date

    from django.utils.formats import date_format, number_format

    with translation.override("fr"):
        assert date_format(date(2026, 11, 24)) == "24 novembre 2026"
        assert number_format(1234.5, decimal_pos=1, force_grouping=True) == "1\xa0234,5"
    with translation.override("en"):
        assert date_format(date(2026, 11, 24)) == "Nov. 24, 2026"
