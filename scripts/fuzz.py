"""`make fuzz`: the JSON API against schemathesis, on PostgreSQL with the demo network.

1. Builds its own database (FUZZ_DB, default `maillage_fuzz`, on the PostgreSQL server of
   FUZZ_DATABASE_SERVER, default postgres://postgres@127.0.0.1:5432): dropped, migrated,
   seeded with `maillage seed --scale demo`.
2. Creates an API token for the demo practitioner.
3. Serves the app with gunicorn on 127.0.0.1:FUZZ_PORT (default 8765).
4. Runs `st run` on /api/v1/openapi.json: every check (`--checks all`), every phase
   (examples, coverage, fuzzing, stateful), within FUZZ_MAX_TIME seconds (default 600) and
   FUZZ_MAX_EXAMPLES examples per operation (default 100).
5. Stops the server. The exit code is schemathesis's: 0 when it found nothing.

Only the loopback address is ever contacted.
"""

import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SERVER = os.environ.get("FUZZ_DATABASE_SERVER", "postgres://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("FUZZ_DB", "maillage_fuzz")
PORT = os.environ.get("FUZZ_PORT", "8765")
MAX_TIME = os.environ.get("FUZZ_MAX_TIME", "600")
MAX_EXAMPLES = os.environ.get("FUZZ_MAX_EXAMPLES", "100")
SEED = os.environ.get("FUZZ_SEED", "")
PRACTITIONER = "practitioner@demo.maillage.test"
# Rules of the domain that no schema states (a date on hold must be in the future, the text
# of a situation must not identify anyone, a consent must cover the receiving organization)
# refuse some well-formed requests with 422: schemathesis.toml lists 422 among the answers
# a well-formed request may get.
CONFIG = ROOT / "schemathesis.toml"


def env() -> dict[str, str]:
    return {
        **os.environ,
        "MAILLAGE_DEPLOYMENT": "local",
        "DATABASE_URL": f"{SERVER}/{DATABASE}",
        "TASKS_BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }


def run(*args: str) -> str:
    return subprocess.run(  # noqa: S603 - our own commands
        args, check=True, env=env(), cwd=ROOT, capture_output=True, text=True
    ).stdout


def fresh_database() -> None:
    psql = shutil.which("psql")
    if psql is None:
        sys.exit("make fuzz needs PostgreSQL's psql client and a server (FUZZ_DATABASE_SERVER).")
    admin = f"{SERVER}/postgres"
    subprocess.run([psql, admin, "-qc", f'DROP DATABASE IF EXISTS "{DATABASE}"'], check=True)  # noqa: S603
    subprocess.run([psql, admin, "-qc", f'CREATE DATABASE "{DATABASE}"'], check=True)  # noqa: S603
    run(str(BIN / "maillage"), "migrate", "--no-input", "-v0")
    run(str(BIN / "maillage"), "seed", "--scale", "demo")


def practitioner_token() -> str:
    code = (
        "from maillage.core.models import User\n"
        "from maillage.core.services import create_api_token\n"
        f"user = User.objects.get(email={PRACTITIONER!r})\n"
        "print(create_api_token(user=user, name='fuzz')[1])\n"
    )
    return run(str(BIN / "maillage"), "shell", "-c", code).strip().splitlines()[-1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=10):  # noqa: S310 - loopback only
                return
        except OSError:  # not listening yet, or still warming up (URLError is one)
            time.sleep(0.5)
    sys.exit(f"The app did not answer at {url}.")


def main() -> int:
    print(f"Database {DATABASE}: migrating and seeding the demo network…", flush=True)
    fresh_database()
    token = practitioner_token()
    base = f"http://127.0.0.1:{PORT}"
    server = subprocess.Popen(  # noqa: S603
        [
            str(BIN / "gunicorn"),
            "maillage.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        env=env(),
        cwd=ROOT,
    )
    try:
        wait_for(f"{base}/api/v1/openapi.json")
        command = [
            str(BIN / "st"),
            "--config-file",
            str(CONFIG),
            "run",
            f"{base}/api/v1/openapi.json",
            "--checks",
            "all",
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--header",
            f"Authorization: Bearer {token}",
            "--max-time",
            MAX_TIME,
            "--max-examples",
            MAX_EXAMPLES,
            "--seed",
            SEED or str(secrets.randbelow(2**31)),
            # One worker: hypothesis' description of a strategy is not thread-safe (a
            # concurrent run ended on an internal "AST recursion depth" error, not a finding).
            "--workers",
            "1",
            "--request-timeout",
            "30",
        ]
        print("Running:", " ".join(c if token not in c else "Authorization: …" for c in command))
        return subprocess.run(command, cwd=ROOT, check=False).returncode  # noqa: S603
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
