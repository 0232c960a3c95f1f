"""Serving the simulator over HTTP on loopback (uvicorn): for the CLI, other tools and benchmarks."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import anyio
import uvicorn

from .app import Simulator

Ready = Callable[[str, str], None]
_INCOMPLETE = "ASGI callable returned without completing response."


class _DropFilter(logging.Filter):
    """Hide uvicorn's complaint about the half-sent responses that ``drop`` faults produce on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != _INCOMPLETE


def _bind(host: str, port: int) -> socket.socket:
    address = "127.0.0.1" if host == "localhost" else host
    try:
        loopback = ipaddress.ip_address(address).is_loopback
    except ValueError:
        loopback = False
    if not loopback:
        raise ValueError(f"the Zoom simulator only listens on a loopback address, not {host!r}")
    # Name the protocol: asyncio turns on TCP_NODELAY for accepted connections only when the listening
    # socket says IPPROTO_TCP, and without it every response on a kept-alive connection waits ~40 ms
    # for the client's delayed ACK (headers and body are written separately).
    sock = socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((address, port))
    except OSError:
        sock.close()
        raise
    return sock


def _base_url(sock: socket.socket) -> str:
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


class _Server(uvicorn.Server):
    def __init__(self, sim: Simulator, sock: socket.socket, ready: Ready | None) -> None:
        # log_config=None: leave the host process's logging configuration alone.
        config = uvicorn.Config(
            sim.app, log_config=None, access_log=False, lifespan="off", http="h11", timeout_graceful_shutdown=2
        )
        super().__init__(config)
        self._sim = sim
        self._sock = sock
        self._ready = ready
        error_log = logging.getLogger("uvicorn.error")
        if not any(isinstance(f, _DropFilter) for f in error_log.filters):
            error_log.addFilter(_DropFilter())

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started and self._ready is not None:
            base = _base_url(self._sock)
            self._ready(f"{base}/oauth/token", f"{base}/v2")

    async def run_until_stopped(self) -> None:
        """Serve, with the simulator's webhook deliveries and chaos running alongside."""
        async with anyio.create_task_group() as group:
            group.start_soon(self._sim.run_background)
            try:
                await self.serve(sockets=[self._sock])
            except anyio.get_cancelled_exc_class():
                with anyio.CancelScope(shield=True):
                    await self.shutdown(sockets=[self._sock])
                raise
            finally:
                self._sock.close()
                group.cancel_scope.cancel()


async def serve_simulator(
    sim: Simulator,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    ready: Ready | None = None,
    webhook_url: str | None = None,
    webhook_secret: str | None = None,
    chaos_interval: float | None = None,
) -> None:
    """Serve until cancelled; ``port=0`` picks a free port. ``ready(token_url, api_base_url)`` is called once
    the socket accepts connections. Non-loopback hosts are refused (the simulator has no real security).

    ``webhook_url``/``webhook_secret``/``chaos_interval``, when given, set the simulator's (``Simulator.configure``)
    before it serves; deliveries and chaos run while it serves."""
    sim.configure(webhook_url=webhook_url, webhook_secret=webhook_secret, chaos_interval=chaos_interval)
    await _Server(sim, _bind(host, port), ready).run_until_stopped()


@contextmanager
def running_simulator(
    sim: Simulator,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    webhook_url: str | None = None,
    webhook_secret: str | None = None,
    chaos_interval: float | None = None,
) -> Iterator[str]:
    """Run the simulator on a background thread for the duration of a ``with`` block.

    Yields the base URL (``http://127.0.0.1:PORT``): the token URL is ``{base}/oauth/token``, the API ``{base}/v2``.
    Webhook deliveries and chaos run on that thread too (keywords as for ``serve_simulator``).
    """
    sim.configure(webhook_url=webhook_url, webhook_secret=webhook_secret, chaos_interval=chaos_interval)
    sock = _bind(host, port)
    started = threading.Event()
    server = _Server(sim, sock, lambda token_url, api_url: started.set())
    failures: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(server.run_until_stopped())
        except BaseException as exc:  # reported to the caller below
            failures.append(exc)
        finally:
            started.set()

    thread = threading.Thread(target=run, name="zoom-simulator", daemon=True)
    thread.start()
    try:
        if not started.wait(timeout=30) or failures:
            raise RuntimeError("the Zoom simulator did not start") from (failures[0] if failures else None)
        yield _base_url(sock)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
