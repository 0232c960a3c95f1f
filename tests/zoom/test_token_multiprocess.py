"""Several server processes sharing TOKEN_CACHE_DIR make exactly one token request between them."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.zoom.fakes import SECRET

ROOT = Path(__file__).resolve().parents[2]


class _TokenServer(ThreadingHTTPServer):
    requests = 0
    release = threading.Event()


class _Handler(BaseHTTPRequestHandler):
    server: _TokenServer

    def do_POST(self) -> None:
        self.server.requests += 1
        # Hold the first answer until every worker has been started, so they truly overlap.
        self.server.release.wait(timeout=20)
        body = json.dumps(
            {"access_token": f"proc-token-{self.server.requests}", "expires_in": 3600, "scope": "room:read:admin"}
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def token_server() -> Iterator[tuple[str, _TokenServer]]:
    server = _TokenServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/oauth/token", server
    finally:
        server.release.set()
        server.shutdown()
        thread.join(5)


@pytest.mark.parametrize("processes", [2, 8])
def test_processes_sharing_a_cache_dir_make_one_token_request(
    tmp_path: Path, token_server: tuple[str, _TokenServer], processes: int
) -> None:
    url, server = token_server
    workers = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.zoom.token_worker", url, str(tmp_path)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    try:
        for worker in workers:
            assert worker.stdout is not None
            assert worker.stdout.readline().strip() == "ready"
        for worker in workers:
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        server.release.set()
        outputs = [worker.communicate(timeout=60)[0].split() for worker in workers]
    finally:
        for worker in workers:
            worker.kill()
    assert server.requests == 1
    assert {token for _, token in outputs} == {"proc-token-1"}
    assert sorted(source for source, _ in outputs).count("endpoint") == 1
    cache_file = next(tmp_path.glob("zoom_token_*.json"))
    assert SECRET not in cache_file.read_text()
