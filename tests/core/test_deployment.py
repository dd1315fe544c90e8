"""Production posture: `check --deploy` is clean, headers are strict on every page."""

import os
import subprocess
import sys

import pytest
from django.urls import reverse

PRODUCTION_ENV = {
    "MAILLAGE_DEPLOYMENT": "production",
    "SECRET_KEY": "a-production-secret-key-" + "x" * 40 + "-with-enough-entropy-1234567890",
    "ALLOWED_HOSTS": "maillage.example.org",
    "DATABASE_URL": "postgres://maillage@db.example.org:5432/maillage",
    "EMAIL_HOST": "smtp.example.org",
}


def run_django(*args: str, extra_env: dict) -> subprocess.CompletedProcess:
    inherited = ("SECRET_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    env = {k: v for k, v in os.environ.items() if k not in inherited}
    env.update(extra_env, DJANGO_SETTINGS_MODULE="maillage.settings")
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_under_production_settings():
    result = run_django("check", "--deploy", "--fail-level", "WARNING", extra_env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}
    result = run_django("check", extra_env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_every_page_carries_a_strict_csp_and_security_headers(client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert 'name="csrfmiddlewaretoken"' in response.content.decode()


@pytest.mark.django_db
def test_forms_refuse_posts_without_csrf_token(network):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(network["users"]["nurse"])
    assert strict.post(reverse("api_tokens"), {"name": "x"}).status_code == 403
