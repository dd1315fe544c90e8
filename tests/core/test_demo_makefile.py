"""`make demo` serves on HOST:PORT, and the server and the task worker both build links (in
the e-mails they print) on that address, whatever PORT is."""

import shutil
import subprocess
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_demo_passes_its_address_to_the_server_and_the_worker():
    dry_run = subprocess.run(
        ["make", "-n", "demo", "PORT=8123", "HOST=127.0.0.2"],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    worker = next(line for line in dry_run.splitlines() if "db_worker" in line)
    server = next(line for line in dry_run.splitlines() if "gunicorn" in line)
    assert "MAILLAGE_BASE_URL=http://127.0.0.2:8123" in worker
    assert "MAILLAGE_BASE_URL=http://127.0.0.2:8123" in server
    assert "--bind 127.0.0.2:8123" in dry_run
