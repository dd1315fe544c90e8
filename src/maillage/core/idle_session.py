"""Sessions end after SESSION_COOKIE_AGE of inactivity.

Django's way, SESSION_SAVE_EVERY_REQUEST, writes the session row (and commits) on every
request to push its expiry forward: at region scale that write was a fifth of a JSON
list's time (BENCHMARKS.md). Here a logged-in session is renewed when its last renewal is
SESSION_RENEW_SECONDS old or more. Between renewals the stored expiry lags by less than
that, so an idle session ends up to a minute *early*, never late.
"""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY

RENEWED_AT = "_renewed_at"
# Paths whose requests never use the session: the FHIR endpoint authenticates each request
# with a personal token alone (interop.views.endpoint). A partner system polling it with a
# browser's cookie neither loads the session (a query and a signature a request) nor keeps
# it alive: only the person's own activity does.
SESSIONLESS = ("/fhir/",)


class IdleSessionMiddleware:
    """After SessionMiddleware (it sets request.session) and before the views (a login or
    logout replaces the session; the new one is renewed by the next request)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(SESSIONLESS):
            return self.get_response(request)
        session = request.session
        if session.get(SESSION_KEY) is not None:
            now = int(time.time())
            if now - session.get(RENEWED_AT, 0) >= settings.SESSION_RENEW_SECONDS:
                # Modifying the session makes SessionMiddleware save it, with a new expiry.
                session[RENEWED_AT] = now
        return self.get_response(request)
