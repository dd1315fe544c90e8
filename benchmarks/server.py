"""The production server, as `make demo` runs it (gunicorn, maillage.wsgi), with the
production settings, on loopback; and what its workers used at most."""

import os
import secrets
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

from .config import BIN, ROOT, VAR, Scale


def production_env(scale: Scale) -> dict[str, str]:
    """The production posture (secure cookies, HSTS...), told only what a deployment must
    be told: a key, the host name, the database, and that there is no TLS in front."""
    env = dict(os.environ)
    env.update(
        MAILLAGE_DEPLOYMENT="production",
        SECRET_KEY=_secret_key(),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        DATABASE_URL=scale.url,
        MAILLAGE_VAR_DIR=str(VAR),
        # Nothing leaves the machine: e-mails go to the task queue, which no worker reads.
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
    )
    return env


def _secret_key() -> str:
    path = VAR / "secret_key_production"
    if not path.exists():
        VAR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def collectstatic(scale: Scale) -> None:
    subprocess.run(  # noqa: S603 - our own venv's command
        [str(BIN / "maillage"), "collectstatic", "--no-input", "-v0"],
        env=production_env(scale),
        cwd=ROOT,
        check=True,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    def __init__(self, scale: Scale, workers: int, log_file: Path):
        self.scale = scale
        self.workers = workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_file = log_file
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        log = self.log_file.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own venv's gunicorn
            [
                str(BIN / "gunicorn"),
                "maillage.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(self.workers),
                "--log-level",
                "warning",
                "--timeout",
                "60",
            ],
            # The server says where each request's time went (Server-Timing): a few
            # microseconds a request, off in a deployment unless asked for (settings.py).
            env={**production_env(self.scale), "SERVER_TIMING": "true"},
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn stopped: see {self.log_file}")
            try:
                with urllib.request.urlopen(f"{self.base}/login/", timeout=5) as r:  # noqa: S310
                    if r.status == 200 and len(self.worker_pids()) == self.workers:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError("gunicorn did not answer within 60 s")

    def worker_pids(self) -> list[int]:
        """gunicorn's workers: the processes whose parent is the master."""
        if self.process is None:
            return []
        pids = []
        for status in Path("/proc").glob("[0-9]*/status"):
            try:
                text = status.read_text()
            except OSError:
                continue
            for line in text.splitlines():
                if line.startswith("PPid:"):
                    if int(line.split()[1]) == self.process.pid:
                        pids.append(int(status.parent.name))
                    break
        return pids

    def peak_memory(self) -> dict[str, float]:
        """VmHWM (peak resident memory) of each worker and of the master, in MiB."""

        def hwm(pid: int) -> float:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
            return 0.0

        workers = [hwm(pid) for pid in self.worker_pids()]
        return {
            "worker_max_mib": max(workers) if workers else 0.0,
            "workers_mib": workers,
            "master_mib": hwm(self.process.pid) if self.process else 0.0,
        }

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
