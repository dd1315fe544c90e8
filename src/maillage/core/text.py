"""Text folding for search: "Périnatalité" and "perinatalite" are the same query."""

import unicodedata


def fold(text: str) -> str:
    """Lower-case, strip accents, squeeze spaces: the form every search column stores."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(stripped.casefold().split())
