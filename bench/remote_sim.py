"""The simulator on loopback in its own process, driven over its ``/_simulator`` control routes.

Why a process of its own: the simulator's CPU work (routing, JSON, rate-limit bookkeeping) would otherwise
share the benchmark process's GIL and slow down whichever side sends it more requests, an artificial
penalty that real Zoom servers do not impose. In the child it is still ``running_simulator``.

Child: ``python -m bench.remote_sim --rooms N [--seed S] [--plan P] [--rate-scale X]`` prints its base URL,
then serves until its stdin closes (or ``MAX_LIFETIME`` passes, so that an orphan never outlives a crashed
benchmark).
"""

from __future__ import annotations

import argparse
import select
import subprocess
import sys
import time
from types import TracebackType
from typing import Any, cast

import httpx2

from bench.measure import BenchError
from zoom_rooms_mcp.simulator import SimCredentials, Simulator, running_simulator
from zoom_rooms_mcp.zoom.catalog import Plan

MAX_LIFETIME = 1800.0
START_TIMEOUT = 60.0


class RemoteSimulator:
    """``with RemoteSimulator(rooms=150) as sim: sim.base_url ...``; the child is stopped on exit."""

    credentials = SimCredentials()

    def __init__(self, *, rooms: int, seed: int = 7, plan: Plan = "business", rate_scale: float = 1.0) -> None:
        self.rooms, self.seed, self.plan, self.rate_scale = rooms, seed, plan, rate_scale
        self.base_url = ""
        self._process: subprocess.Popen[str] | None = None
        self._http = httpx2.Client(timeout=10.0)

    def __enter__(self) -> RemoteSimulator:
        args = ["--rooms", str(self.rooms), "--seed", str(self.seed), "--plan", self.plan]
        args += ["--rate-scale", str(self.rate_scale)]
        self._process = subprocess.Popen(
            [sys.executable, "-m", "bench.remote_sim", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self._process.stdout is not None
        ready, _, _ = select.select([self._process.stdout], [], [], START_TIMEOUT)
        line = self._process.stdout.readline().strip() if ready else ""
        if not line.startswith("http://"):
            self._stop()
            raise BenchError("the simulator process did not start")
        self.base_url = line
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stop()

    def _stop(self) -> None:
        process, self._process = self._process, None
        self._http.close()
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()  # the child's signal to shut down
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def _control(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self._http.request(method, f"{self.base_url}/_simulator/{path}", json=body)
        response.raise_for_status()
        return cast(dict[str, Any], response.json())

    def reset(self, latency: float = 0.0) -> None:
        """Zero the counters and rate-limit windows, clear faults, then set the global latency."""
        self._control("POST", "reset")
        if latency:
            self._control("POST", "faults", {"latency": latency})

    def stats(self) -> dict[str, Any]:
        return self._control("GET", "stats")

    def revoke_tokens(self) -> None:
        self._control("POST", "revoke")


def _serve(rooms: int, seed: int, plan: Plan, rate_scale: float) -> None:
    sim = Simulator(rooms=rooms, seed=seed, plan=plan, credentials=RemoteSimulator.credentials, rate_scale=rate_scale)
    with running_simulator(sim) as base:
        print(base, flush=True)
        deadline = time.monotonic() + MAX_LIFETIME
        while time.monotonic() < deadline:
            ready, _, _ = select.select([sys.stdin], [], [], 1.0)
            if ready and not sys.stdin.readline():  # EOF: the parent is done (or gone)
                return


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rooms", type=int, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--plan", choices=("free", "pro", "business"), default="business")
    parser.add_argument("--rate-scale", type=float, default=1.0)
    options = parser.parse_args()
    _serve(options.rooms, options.seed, cast(Plan, options.plan), options.rate_scale)
