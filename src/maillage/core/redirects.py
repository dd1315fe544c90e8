"""Where to go after a form: a target taken from the request (`?next=`) is followed only if
it stays on this site. Django's login view and language switch check it the same way."""

from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request: HttpRequest, target: str | None, default: str = "home") -> str:
    """`target` if it is a page of this site (same host, and HTTPS when the request is),
    else `default` (a URL name or path). Django's check refuses other hosts and schemes,
    `//host`, backslashes (`/\\host`) and leading control characters; tabs and newlines,
    which browsers drop, are dropped before it looks, and a target that still holds a
    control character is refused outright (it could not be put in a Location header)."""
    if target:
        cleaned = target.replace("\t", "").replace("\r", "").replace("\n", "")
        if not any(ord(c) < 32 or ord(c) == 127 for c in cleaned) and (
            url_has_allowed_host_and_scheme(
                cleaned, allowed_hosts={request.get_host()}, require_https=request.is_secure()
            )
        ):
            return cleaned
    return resolve_url(default)
