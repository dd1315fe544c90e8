"""Multi-valued choice fields stored as ",a,b," so that one portable `contains` filters them
on SQLite and PostgreSQL alike (no JSON or array operators needed)."""

from collections.abc import Iterable


def join_codes(codes: Iterable[str]) -> str:
    cleaned = sorted({c.strip() for c in codes if c and c.strip()})
    return f",{','.join(cleaned)}," if cleaned else ""


def split_codes(value: str) -> list[str]:
    return [c for c in (value or "").split(",") if c]


def code_lookup(code: str) -> str:
    """The substring that matches one code inside a joined value."""
    return f",{code},"
