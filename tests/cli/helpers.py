"""Running the real command in a subprocess, with a controlled environment (shared by tests/cli and tests/http)."""

from __future__ import annotations

import queue
import re
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from tests.harness import COMMAND

TIMEOUT = 60


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


ENDPOINT = re.compile(r"MCP endpoint (http://127\.0\.0\.1:\d+/mcp)")


@contextmanager
def http_server(
    env: dict[str, str], cwd: Path, port: int = 0
) -> Iterator[tuple[str, subprocess.Popen[str], LineReader]]:
    """Start ``serve --transport http`` (a free port by default); yields its MCP URL once it listens. Stops it
    with SIGTERM."""
    args = [*COMMAND, "serve", "--transport", "http", "--port", str(port)]
    with subprocess.Popen(args, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stderr is not None
            reader = LineReader(proc.stderr)
            line = reader.wait_for(lambda text: ENDPOINT.search(text) is not None)
            match = ENDPOINT.search(line)
            assert match is not None
            yield match.group(1), proc, reader
            proc.terminate()
            proc.wait(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
