"""Every CSV the product writes goes through here: formula cells neutralized, UTF-8 said.

A spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` (and some with a tab or a
carriage return) as a formula: an organization named `=HYPERLINK("http://evil…")` would
become a link in a coordinator's spreadsheet. Such a text cell is written with a leading
apostrophe, which spreadsheets show as plain text. Numbers (`-3`, `+1.5`) stay numbers.

The directory export must still read back through the directory import: `restore` takes
the apostrophe off again. To make that exact, a text that already starts with apostrophes
before a formula character gets one more (`'=x` is written `''=x`, read back `'=x`).
"""

import csv
import io
import re
from collections.abc import Iterable
from typing import Any

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
CONTENT_TYPE = "text/csv; charset=utf-8"
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")


def _runs_as_formula(text: str) -> bool:
    # A plain number is safe as it is (and a quote would turn it into text).
    return text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text)


def _needs_quote(text: str) -> bool:
    return _runs_as_formula(text.lstrip("'"))


def neutralize(value: Any) -> Any:
    """The cell as written: a text that a spreadsheet would run gets a leading apostrophe."""
    if isinstance(value, str) and _needs_quote(value):
        return "'" + value
    return value


def restore(text: str) -> str:
    """The text of a cell as `neutralize` got it: the inverse, for reading our own CSVs."""
    if text.startswith("'") and _needs_quote(text[1:]):
        return text[1:]
    return text


class SafeWriter:
    """csv.writer whose rows are neutralized."""

    def __init__(self, out, **kwargs) -> None:
        self._writer = csv.writer(out, **kwargs)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([neutralize(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter(csv.DictWriter):
    """csv.DictWriter whose values (and header) are neutralized."""

    def _dict_to_list(self, rowdict):  # type: ignore[override]
        return [neutralize(cell) for cell in super()._dict_to_list(rowdict)]


def writer(out, **kwargs) -> SafeWriter:
    return SafeWriter(out, **kwargs)


def to_text(rows: Iterable[Iterable[Any]], *, bom: bool = True, **kwargs) -> str:
    """A whole CSV as text, neutralized, starting with a BOM so that spreadsheet programs
    read it as UTF-8."""
    out = io.StringIO()
    SafeWriter(out, **kwargs).writerows(rows)
    return (BOM if bom else "") + out.getvalue()


def response(text: str, filename: str) -> HttpResponse:
    """A CSV download: UTF-8 said in the header and, by a BOM, in the file itself."""
    if not text.startswith(BOM):
        text = BOM + text
    answer = HttpResponse(text, content_type=CONTENT_TYPE)
    answer["Content-Disposition"] = f'attachment; filename="{filename}"'
    return answer
