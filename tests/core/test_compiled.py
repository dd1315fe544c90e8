"""Queries compiled once per process (core/compiled.py) answer exactly what the ORM answers,
for the session, the user and the access rule's reader queries that use them."""

from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import connection
from django.db.models import CharField, DateTimeField, UUIDField
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from maillage.core.backends import PasswordBackend
from maillage.core.compiled import CompiledQuery, Many
from maillage.core.session_store import SessionStore
from maillage.directory.models import Practitioner
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def by_email():
    return CompiledQuery(
        lambda email: (
            get_user_model()
            .objects.filter(email=email)
            .values_list("id", "email", "is_active", "created_at")
        ),
        [CharField()],
    )


def test_rows_equal_the_orm_and_the_sql_is_compiled_once():
    first, second = make_user("un@example.org"), make_user("deux@example.org", is_active=False)
    query = by_email()
    original = SQLCompiler.as_sql
    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=original) as as_sql:
        for user in (first, second, first):
            expected = list(
                get_user_model()
                .objects.filter(email=user.email)
                .values_list("id", "email", "is_active", "created_at")
            )
            assert query.rows(user.email) == expected
            assert query.rows("personne@example.org") == []
        # The ORM compiled its three querysets; the compiled query only once, the first time.
        assert as_sql.call_count == 3 + 1


def test_a_value_the_query_does_not_use_is_refused():
    unused = CompiledQuery(lambda email: get_user_model().objects.values_list("id"), [CharField()])
    with pytest.raises(ValueError, match="every value"):
        unused.rows("un@example.org")


def test_placeholders_of_an_unknown_type_are_refused():
    with pytest.raises(TypeError):
        CompiledQuery(lambda flag: get_user_model().objects.values_list("id"), [mock.Mock()]).rows(
            True
        )


def test_get_user_reads_the_user_and_practitioner_in_one_query(network):
    practitioner = Practitioner.objects.select_related("user").exclude(user=None).first()
    backend = PasswordBackend()
    with CaptureQueriesContext(connection) as queries:
        user = backend.get_user(practitioner.user_id)
        assert user == practitioner.user
        assert user.email == practitioner.user.email and user.password == practitioner.user.password
        assert user.practitioner == practitioner
        assert user.practitioner.first_name == practitioner.first_name
        assert user.practitioner.user is user
    assert len(queries) == 1
    # Saved later, the instance writes what it read (it is a real model instance).
    user.full_name = "Nom changé"
    user.save(update_fields=["full_name"])
    assert get_user_model().objects.get(pk=user.pk).full_name == "Nom changé"


def test_get_user_without_practitioner_inactive_or_unknown(network):
    coordinator = make_user("coord@example.org", role="coordinator")
    backend = PasswordBackend()
    user = backend.get_user(coordinator.pk)
    with CaptureQueriesContext(connection) as queries:
        assert not hasattr(user, "practitioner")  # raises RelatedObjectDoesNotExist: None cached
    assert len(queries) == 0
    inactive = make_user("parti@example.org", is_active=False)
    assert backend.get_user(inactive.pk) is None
    assert backend.get_user("00000000-0000-0000-0000-000000000001") is None
    assert backend.get_user("not a uuid") is None


def test_the_session_store_loads_live_sessions_only(db):
    store = SessionStore()
    store["answer"] = 42
    store.create()
    key = store.session_key
    assert SessionStore(key).load() == {"answer": 42}
    Session.objects.filter(session_key=key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    expired = SessionStore(key)
    assert expired.load() == {}
    assert expired.session_key is None
    assert SessionStore("x" * 32).load() == {}


def test_a_forged_session_cookie_is_no_session(client):
    """A cookie carrying a NUL (PostgreSQL refuses it in text) or a megabyte of anything:
    no session, no error, no query for it."""
    for forged in ("abcdefgh\x00ijklmnop", "É" * 40, "x" * 1_000_000):
        store = SessionStore(forged)
        with CaptureQueriesContext(connection) as queries:
            assert store.load() == {}
        assert store.session_key is None and len(queries) == 0
        client.cookies["sessionid"] = forged
        response = client.get("/")
        assert response.status_code in (200, 302)


def test_a_token_gives_its_active_user_until_revoked(db):
    from maillage.core.models import ApiToken
    from maillage.core.services import create_api_token, revoke_api_token, user_for_api_token

    owner = make_user("jeton@example.org")
    token, secret = create_api_token(user=owner, name="Partenaire")
    with CaptureQueriesContext(connection) as queries:
        found = user_for_api_token(secret)
    assert found == owner and found.email == owner.email and found.password == owner.password
    assert len(queries) == 2  # the token with its user, then the time it was used
    first_use = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first_use is not None
    with CaptureQueriesContext(connection) as queries:
        assert user_for_api_token(secret) == owner
    assert len(queries) == 1  # used a moment ago: not written again
    assert user_for_api_token(secret + "x") is None
    assert user_for_api_token("not-ours") is None
    get_user_model().objects.filter(pk=owner.pk).update(is_active=False)
    assert user_for_api_token(secret) is None
    get_user_model().objects.filter(pk=owner.pk).update(is_active=True)
    revoke_api_token(user=owner, token_id=token.pk)
    assert user_for_api_token(secret) is None


def test_a_list_is_compiled_once_per_length_and_an_empty_one_left_to_the_orm():
    users = [make_user(f"u{i}@example.org") for i in range(4)]
    since = min(u.created_at for u in users)

    def orm(ids, after):
        return (
            get_user_model()
            .objects.filter(id__in=ids, created_at__gte=after)
            .order_by("email")
            .values_list("id", "email")
        )

    query = CompiledQuery(orm, [Many(UUIDField()), DateTimeField()])
    lists = [
        [users[0].pk],
        [users[1].pk, users[2].pk],
        {users[3].pk, users[0].pk},  # any collection, a set too
        [users[2].pk, users[3].pk],  # a length seen: not compiled again
        [users[0].pk],
    ]
    original = SQLCompiler.as_sql
    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=original) as as_sql:
        for ids in lists:
            assert query.rows(ids, since) == list(orm(list(ids), since))
            # Values are bound, not baked into the SQL: a later day finds none of them.
            assert query.rows(ids, since + timedelta(days=1)) == []
        assert as_sql.call_count == len(lists) + 2  # the ORM's, then lengths 1 and 2
        with CaptureQueriesContext(connection) as queries:
            assert query.rows([], since) == []
        assert len(queries) == 0  # the ORM knows `id IN ()` matches nothing


def test_an_instance_from_values_puts_each_value_in_its_field(network):
    # Model.from_db takes values in the model's order of fields: `instance` orders them,
    # whatever the order they are given in (a team's name is not its organization's id).
    from maillage.core.compiled import instance
    from maillage.directory.models import Team

    stored = Team.objects.select_related("organization").first()
    made = instance(
        Team, {"name": stored.name, "organization_id": stored.organization_id, "id": stored.id}
    )
    assert (made.id, made.name, made.organization_id) == (
        stored.id,
        stored.name,
        stored.organization_id,
    )
    assert made.get_deferred_fields() >= {"code", "site", "email"}
    assert made.organization.name == stored.organization.name  # read on demand, as the ORM does


def test_an_instance_is_stored_and_saved_as_the_orms(network):
    # Built without Model.__init__: it must still be an existing row of the default
    # database (a save updates it), and a name that is no column is refused rather than
    # hiding a relation's descriptor.
    from maillage.core.compiled import instance
    from maillage.directory.models import Team

    stored = Team.objects.first()
    made = instance(
        Team, {"id": stored.id, "name": "Renamed", "organization_id": stored.organization_id}
    )
    assert (made._state.adding, made._state.db) == (False, "default")
    made.save(update_fields=["name"])
    assert Team.objects.get(pk=stored.pk).name == "Renamed"
    with pytest.raises(ValueError, match="organization"):
        instance(Team, {"id": stored.id, "organization": stored.organization})


def test_an_instance_of_a_model_with_init_listeners_goes_through_init(network):
    from django.db.models.signals import post_init

    from maillage.core.compiled import instance
    from maillage.directory.models import Team

    stored = Team.objects.first()
    seen = []

    def listener(sender, instance, **kwargs):
        seen.append(instance.name)

    post_init.connect(listener, sender=Team)
    try:
        made = instance(Team, {"id": stored.id, "name": stored.name})
    finally:
        post_init.disconnect(listener, sender=Team)
    assert seen == [stored.name] and made.name == stored.name
