"""A short run of the API fuzzer (the long one is `make fuzz`): every operation of the
OpenAPI document, on the demo network, with schemathesis' generated requests (valid and
invalid) and all its checks: no server error, every status and body as documented, bad
input refused, good input accepted (422 allowed for the domain's rules: schemathesis.toml).

Runs in-process through the WSGI application, on the test database; a few examples per
operation keep it to a minute or two on two cores.
"""

from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings

from maillage.core.models import User
from maillage.core.services import create_api_token
from maillage.seeding.generator import SCALES, NetworkGenerator

pytestmark = pytest.mark.django_db(transaction=False)

CONFIG = Path(__file__).resolve().parents[2] / "schemathesis.toml"
EXAMPLES_PER_OPERATION = 12


@pytest.fixture
def connection_kept():
    """The WSGI application closes the database connection at the end of each request; the
    test's transaction lives on it, so keep it open, as Django's test client does."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def schema(connection_kept):
    config = schemathesis.config.SchemathesisConfig.from_path(CONFIG)
    return schemathesis.openapi.from_wsgi(
        "/api/v1/openapi.json", get_wsgi_application(), config=config
    )


def test_fuzzing_every_operation_finds_no_server_error_and_no_schema_violation(schema, db):
    # Given the demo network and a practitioner's API token
    NetworkGenerator(SCALES["demo"], seed=11).run()
    practitioner = User.objects.get(email="practitioner@demo.maillage.test")
    _token, secret = create_api_token(user=practitioner, name="fuzz")
    headers = {"Authorization": f"Bearer {secret}"}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    failures = []
    # When schemathesis sends generated requests to every operation
    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def fuzz(case):
            case.call_and_validate(headers=headers)

        try:
            fuzz()
        except Exception as error:  # a check failed: gather them all, then report
            failures.append(f"{operation.label}: {error}")
    # Then every answer is documented, well-formed and never a server error
    assert not failures, "\n\n".join(failures)
