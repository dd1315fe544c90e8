"""Django's database sessions, with the session's row read by a query compiled once per
process (core/compiled.py): every page loads its session, and compiling that query cost
three times what PostgreSQL takes to answer it (BENCHMARKS.md, eighth round)."""

from django.contrib.sessions.backends.base import VALID_KEY_CHARS
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.models import Session
from django.db import router
from django.db.models import CharField, DateTimeField
from django.utils import timezone

from .compiled import CompiledQuery

_SESSION = CompiledQuery(
    lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now).values_list(
        "session_key", "session_data", "expire_date"
    ),
    [CharField(), DateTimeField()],
)


_KEY_CHARS = frozenset(VALID_KEY_CHARS)
_KEY_LENGTH = Session._meta.get_field("session_key").max_length


class SessionStore(DatabaseSessionStore):
    def _get_session_from_db(self):
        """The session's row while it has not expired, or None (as Django's own, which
        also forgets the key of a missing or expired one). A key Django could not have made
        (a forged cookie: a NUL, which PostgreSQL refuses, another character, or longer
        than the column) finds nothing without a query."""
        key = self.session_key
        if len(key) > _KEY_LENGTH or not set(key) <= _KEY_CHARS:
            self._session_key = None
            return None
        using = router.db_for_read(Session)
        rows = _SESSION.rows(self.session_key, timezone.now(), using=using)
        if not rows:
            self._session_key = None
            return None
        return Session.from_db(using, ["session_key", "session_data", "expire_date"], rows[0])
