"""Values of a query string or form, parsed without trusting them: a malformed value is
no value (the page then shows its default), never a server error."""

from uuid import UUID


def parse_uuid(raw) -> UUID | None:
    if not raw:
        return None
    try:
        return UUID(str(raw).strip())
    except ValueError:
        return None
