"""Running the real command in a subprocess, with a controlled environment (shared by tests/cli and tests/http)."""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from zoom_rooms_mcp.simulator import SimCredentials

COMMAND = [sys.executable, "-m", "zoom_rooms_mcp"]
TIMEOUT = 60


def clean_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """os.environ without any ZOOM_* setting, a private token cache, no colours, wide output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZOOM_") and k not in ("TOKEN_CACHE_DIR",)}
    env.pop("FORCE_COLOR", None)
    env.update(
        TOKEN_CACHE_DIR=str(tmp_path / "token-cache"),
        NO_COLOR="1",
        COLUMNS="200",
        PYTHONUNBUFFERED="1",
        PYTHONIOENCODING="utf-8",
    )
    env.update(extra)
    return env


def sim_env(tmp_path: Path, base_url: str, credentials: SimCredentials | None = None, **extra: str) -> dict[str, str]:
    """Environment that points the server at a simulator running on loopback."""
    creds = credentials or SimCredentials()
    return clean_env(
        tmp_path,
        ZOOM_API_BASE_URL=f"{base_url}/v2",
        ZOOM_OAUTH_TOKEN_URL=f"{base_url}/oauth/token",
        ZOOM_ACCOUNT_ID=creds.account_id,
        ZOOM_CLIENT_ID=creds.client_id,
        ZOOM_CLIENT_SECRET=creds.client_secret,
        ZOOM_API_PLAN="business",
        **extra,
    )


def run_cli(*args: str, env: dict[str, str], cwd: Path, timeout: float = TIMEOUT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*COMMAND, *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        check=False,
    )


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released: connections are refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


class LineReader:
    """Reads a subprocess pipe on a thread so that a test can wait for a line with a timeout."""

    def __init__(self, stream: IO[str]) -> None:
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def wait_for(self, predicate: Callable[[str], bool], timeout: float = TIMEOUT) -> str:
        """The first new line matching ``predicate``; raises TimeoutError or EOFError."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no matching line within {timeout}s; got: {self.lines[-20:]}")
            try:
                line = self._queue.get(timeout=remaining)
            except queue.Empty:
                continue
            if line is None:
                raise EOFError(f"the stream ended; got: {self.lines[-20:]}")
            self.lines.append(line)
            if predicate(line):
                return line

    def rest(self, timeout: float = TIMEOUT) -> list[str]:
        """Every remaining line until the stream closes."""
        self._thread.join(timeout)
        while not self._queue.empty():
            line = self._queue.get_nowait()
            if line is not None:
                self.lines.append(line)
        return self.lines
