"""Streamable HTTP transport (DESIGN §8): ``/mcp`` behind a bearer token, ``/healthz``, Host/Origin checks.

How the app is assembled (``build_http_app``):

* the SDK's ``MCPServer.streamable_http_app`` provides ``/mcp`` in **stateless** mode, so any replica behind a
  load balancer can answer any request; its Starlette lifespan runs the session manager, which enters the
  server's own lifespan once per process (one Zoom HTTP client and token manager, closed on shutdown);
* DNS-rebinding protection uses the SDK's ``TransportSecuritySettings`` (Host and Origin allow-lists): loopback
  names for a loopback bind, plus the bind address and every ``--allowed-host`` otherwise. The SDK applies them
  to ``/mcp``; ``HostCheckMiddleware`` applies the same lists to every other route but ``/healthz``;
* ``/healthz`` (liveness) and ``/readyz`` (readiness: the fleet store answers) are unauthenticated routes with no
  Host check (load balancers probe by IP); ``/readyz`` says nothing about the store beyond up or down;
* ``extra_routes`` (e.g. signed webhooks) skip the bearer check but not the Host checks;
* pure ASGI middlewares, outermost first: ``AccessLogMiddleware`` (one line per request on stderr: method, path
  without the query string, status, duration; never a header), ``HostCheckMiddleware``,
  ``BearerAuthMiddleware`` (constant-time comparison against ``ZOOM_ROOMS_MCP_HTTP_TOKEN``, 401 +
  ``WWW-Authenticate``) and ``PostOnlyMiddleware`` (stateless mode has no event stream to GET: 405 at once).

``run_http`` binds the listening sockets itself, so that a busy port is one ``ListenError`` line rather than
uvicorn's log and exit status, refuses a non-loopback bind without a token (deciding loopback from the addresses
the name resolves to), and serves the app with uvicorn (which turns SIGINT/SIGTERM into a graceful shutdown).
"""

from __future__ import annotations

import errno
import hashlib
import hmac
import ipaddress
import logging
import os
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from types import FrameType

import anyio
import uvicorn
from mcp.server.mcpserver import MCPServer
from mcp.server.transport_security import TransportSecurityMiddleware, TransportSecuritySettings
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Match, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from zoom_rooms_mcp import __version__
from zoom_rooms_mcp.context import AppContext
from zoom_rooms_mcp.server import SERVER_NAME, create_server, webhook_routes
from zoom_rooms_mcp.settings import ConfigError, Settings
from zoom_rooms_mcp.store.errors import StoreError

log = logging.getLogger(__name__)
access_log = logging.getLogger("zoom_rooms_mcp.http.access")

MCP_PATH = "/mcp"
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
READY_REUSE_SECONDS = 1.0  # probes from several load balancers within this time share one ping
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
REALM = "zoom-rooms-mcp"
MIN_TOKEN_LENGTH = 16
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})  # noqa: S104 - names the wildcard bind, does not bind it


def token_required_error(host: str) -> ConfigError:
    return ConfigError(
        [
            f"ZOOM_ROOMS_MCP_HTTP_TOKEN: required to listen on {host!r}, a non-loopback address: without it anyone "
            "who can reach this address could query your Zoom account. Set it to a long random value (e.g. the "
            "output of `python -c 'import secrets; print(secrets.token_urlsafe(32))'`) and give the same value to "
            "your MCP clients as 'Authorization: Bearer <token>', or listen on 127.0.0.1."
        ]
    )


def configured_token(settings: Settings) -> str | None:
    """The bearer token, or None when unset or blank."""
    token = settings.zoom_rooms_mcp_http_token
    value = token.get_secret_value().strip() if token is not None else ""
    return value or None


class ListenError(Exception):
    """The server cannot listen where it was asked to (a busy port, a foreign address); one line for the user."""


def _addresses(host: str) -> set[str] | None:
    """The addresses ``host`` resolves to (a literal address is itself); None when it does not resolve."""
    name = host.strip().strip("[]")
    try:
        return {str(ipaddress.ip_address(name))}
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        return None
    return {str(info[4][0]).split("%")[0] for info in infos}


def resolves_to_loopback(host: str) -> bool:
    """Whether every address ``host`` resolves to is a loopback address.

    Decided from the resolved addresses, not from the name: a ``*.localhost`` name or an /etc/hosts entry may
    point anywhere. A name that does not resolve is not loopback.
    """
    if not host.strip().strip("[]"):
        return False
    addresses = _addresses(host)
    if not addresses:
        return False
    try:
        return all(ipaddress.ip_address(address).is_loopback for address in addresses)
    except ValueError:
        return False


def check_bind(settings: Settings, host: str) -> None:
    """Raise ``ConfigError`` when ``host`` is not loopback and no bearer token is configured."""
    if configured_token(settings) is None and not resolves_to_loopback(host):
        raise token_required_error(host)


def host_pattern(value: str) -> str:
    """A host name or address as it appears in a Host header (lower case, IPv6 in brackets), port kept."""
    name = value.strip().lower()
    if name.startswith("["):
        return name
    if name.count(":") > 1:  # a bare IPv6 literal
        return f"[{name}]"
    return name


def _has_port(pattern: str) -> bool:
    return "]:" in pattern if pattern.startswith("[") else ":" in pattern


def normalise_allowed_hosts(values: Iterable[str]) -> list[str]:
    """Split comma/space separated values (``--allowed-host a,b`` or the environment) and drop blanks."""
    result: list[str] = []
    for value in values:
        for part in value.replace(",", " ").split():
            if part not in result:
                result.append(part)
    return result


def security_settings(host: str, allowed_hosts: Sequence[str] = ()) -> TransportSecuritySettings:
    """Host/Origin allow-lists: loopback names always (local clients, container health checks), the bind
    address when it is a concrete one, and each extra name (the public name behind a reverse proxy).

    An entry may carry a port (``mcp.example.com:443``); without one any port is accepted.
    """
    names: list[str] = list(LOOPBACK_NAMES)
    if host.strip().strip("[]") not in WILDCARD_HOSTS:
        names.append(host_pattern(host))
    names.extend(host_pattern(extra) for extra in normalise_allowed_hosts(allowed_hosts))
    hosts: list[str] = []
    origins: list[str] = []
    for name in dict.fromkeys(names):
        patterns = [name] if _has_port(name) else [name, f"{name}:*"]
        hosts.extend(patterns)
        for scheme in ("http", "https"):
            origins.extend(f"{scheme}://{p}" for p in patterns)
    return TransportSecuritySettings(enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins)


def _digest(value: str) -> bytes:
    # Hashing first makes the comparison constant-time in the token's length as well as its content.
    return hashlib.sha256(value.encode("utf-8", "surrogateescape")).digest()


def _matches(routes: Sequence[BaseRoute], scope: Scope) -> bool:
    """Whether one of ``routes`` answers this request (a wrong method counts: the route gives its own 405)."""
    return any(route.matches(scope)[0] != Match.NONE for route in routes)


class HostCheckMiddleware:
    """The SDK's Host/Origin checks for every route except the exempt ones (``/mcp`` gets them twice)."""

    def __init__(self, app: ASGIApp, security: TransportSecuritySettings, exempt: Sequence[BaseRoute]) -> None:
        self.app = app
        self._validator = TransportSecurityMiddleware(security)
        self._exempt = tuple(exempt)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not _matches(self._exempt, scope):
            refusal = await self._validator.validate_request(Request(scope), is_post=False)
            if refusal is not None:
                await refusal(scope, receive, send)
                return
        await self.app(scope, receive, send)


class PostOnlyMiddleware:
    """Stateless mode has no session to stream to: a GET (or anything but POST) on ``/mcp`` gets 405 at once.

    Without this the SDK answers GET with an event stream that never sends anything, so a browser or ``curl``
    hangs.
    """

    def __init__(self, app: ASGIApp, path: str = MCP_PATH) -> None:
        self.app = app
        self._path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == self._path and scope["method"] != "POST":
            body = {
                "error": "method_not_allowed",
                "error_description": "This MCP endpoint is stateless: send JSON-RPC requests with POST. There is "
                "no event stream to GET.",
            }
            response = JSONResponse(body, status_code=405, headers={"Allow": "POST", "Cache-Control": "no-store"})
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


class BearerAuthMiddleware:
    """Require ``Authorization: Bearer <token>`` on every HTTP request except those the exempt routes answer."""

    def __init__(self, app: ASGIApp, token: str | None, exempt: Sequence[BaseRoute] = ()) -> None:
        self.app = app
        self._expected = _digest(token) if token else None  # None: no token configured (loopback only)
        self._exempt = tuple(exempt)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._expected is None or scope["type"] != "http" or _matches(self._exempt, scope):
            await self.app(scope, receive, send)
            return
        header = Headers(scope=scope).get("authorization")
        presented: str | None = None
        if header:
            scheme, _, value = header.partition(" ")
            if scheme.lower() == "bearer" and value.strip():
                presented = value.strip()
        if presented is not None and hmac.compare_digest(_digest(presented), self._expected):
            await self.app(scope, receive, send)
            return
        await _unauthorized(presented is not None)(scope, receive, send)


def _unauthorized(token_presented: bool) -> Response:
    if token_presented:
        # RFC 6750 §3.1: an error code only when credentials were presented.
        challenge = f'Bearer realm="{REALM}", error="invalid_token"'
        body = {"error": "invalid_token", "error_description": "The bearer token is not valid for this server."}
    else:
        challenge = f'Bearer realm="{REALM}"'
        body = {
            "error": "unauthorized",
            "error_description": "This server requires 'Authorization: Bearer <ZOOM_ROOMS_MCP_HTTP_TOKEN>'.",
        }
    return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": challenge, "Cache-Control": "no-store"})


class AccessLogMiddleware:
    """One log line per HTTP request. Only the path is logged: no query string, no headers, no body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            client = scope.get("client")
            peer = f"{client[0]}:{client[1]}" if client else "-"
            access_log.info(
                '%s "%s %s HTTP/%s" %s %.1fms',
                peer,
                scope.get("method", "-"),
                _printable(scope.get("path", "")),
                scope.get("http_version", "1.1"),
                status or "-",
                (time.perf_counter() - started) * 1000,
            )


def _printable(path: str) -> str:
    cleaned = "".join(c if c.isprintable() else "?" for c in path)
    return cleaned if len(cleaned) <= 200 else cleaned[:199] + "…"


async def healthz(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok", "name": SERVER_NAME, "version": __version__})


class Readiness:
    """``GET /readyz``: 200 while the running server's fleet store answers ``ping()``, 503 otherwise (or before
    the server has started). One ping at a time, its answer reused for ``READY_REUSE_SECONDS``, so probes cost
    at most one query a second; the ping itself is bounded by the store's connect and pool timeouts."""

    def __init__(self, live: list[AppContext], monotonic: Callable[[], float] = time.monotonic) -> None:
        self._live = live
        self._monotonic = monotonic
        self._lock = anyio.Lock()
        self._last: tuple[float, str | None] | None = None  # (when, why not ready)

    async def not_ready(self) -> str | None:
        """Why the server is not ready, or None when it is."""
        async with self._lock:
            if self._last is not None and self._monotonic() - self._last[0] < READY_REUSE_SECONDS:
                return self._last[1]
            reason = await self._probe()
            if reason != (self._last[1] if self._last else None):
                if reason:
                    log.warning("not ready: %s", reason)
                elif self._last is not None:
                    log.info("ready again: the fleet store answers")
            self._last = (self._monotonic(), reason)
            return reason

    async def _probe(self) -> str | None:
        if not self._live:
            return "the server is not running"
        try:
            await self._live[-1].store.ping()
        except StoreError as exc:
            return str(exc)  # the URL's password is masked; logged only, never sent to the prober
        return None

    async def endpoint(self, request: Request) -> JSONResponse:
        if await self.not_ready() is None:
            return JSONResponse({"status": "ready"})
        return JSONResponse({"status": "unavailable"}, status_code=503)


class _StatelessSessionNoise(logging.Filter):
    """Stateless mode builds and terminates a transport per request, and the SDK logs each termination at INFO
    ("Terminating session: None"); the access log already has one line per request."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Terminating session: None")


def _quiet_stateless_sessions() -> None:
    sdk_log = logging.getLogger("mcp.server.streamable_http")
    if not any(isinstance(f, _StatelessSessionNoise) for f in sdk_log.filters):
        sdk_log.addFilter(_StatelessSessionNoise())


def build_http_app(
    settings: Settings,
    *,
    host: str = DEFAULT_HOST,
    allowed_hosts: Sequence[str] = (),
    server: MCPServer | None = None,
    extra_routes: Sequence[BaseRoute] = (),
) -> Starlette:
    """The complete ASGI app for ``serve --transport http``; run it with uvicorn (its lifespan must run).

    ``server`` replaces ``create_server(settings)`` (tests). ``extra_routes`` are mounted beside ``/mcp``; they
    skip the bearer check (they authenticate their own requests, e.g. signed webhooks) but keep the Host/Origin
    checks. Raises ``ConfigError`` for a non-loopback ``host`` without a token.
    """
    check_bind(settings, host)
    _quiet_stateless_sessions()
    live: list[AppContext] = []
    mcp_server = server if server is not None else create_server(settings, live=live)
    extra_routes = [*extra_routes, *webhook_routes(settings, live)]
    security = security_settings(host, allowed_hosts)
    app = mcp_server.streamable_http_app(
        streamable_http_path=MCP_PATH, stateless_http=True, transport_security=security, host=host
    )
    health = Route(HEALTH_PATH, healthz, methods=["GET"], name="healthz")
    ready = Route(READY_PATH, Readiness(live).endpoint, methods=["GET"], name="readyz")
    app.router.routes[:0] = [health, ready, *extra_routes]
    # add_middleware puts each new one outermost: access log → Host checks → bearer → POST only → the routes.
    app.add_middleware(PostOnlyMiddleware)
    app.add_middleware(BearerAuthMiddleware, token=configured_token(settings), exempt=[health, ready, *extra_routes])
    app.add_middleware(HostCheckMiddleware, security=security, exempt=[health, ready])
    app.add_middleware(AccessLogMiddleware)
    return app


def endpoint_url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host.strip("[]") in WILDCARD_HOSTS else host.strip("[]")
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{port}{MCP_PATH}"


class _Server(uvicorn.Server):
    """uvicorn plus one start-up line naming the real MCP URL (useful with ``--port 0``)."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[str], None] | None) -> None:
        super().__init__(config)
        self._on_ready = on_ready

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if not self.started:
            return
        port = self.config.port
        for server in self.servers:
            for sock in server.sockets:
                port = sock.getsockname()[1]
                break
        url = endpoint_url(self.config.host, port)
        log.info(
            "zoom-rooms-mcp %s: MCP endpoint %s (health check %s)",
            __version__,
            url,
            url[: -len(MCP_PATH)] + HEALTH_PATH,
        )
        if self._on_ready is not None:
            self._on_ready(url)


def _where(host: str, port: int) -> str:
    name = host.strip().strip("[]")
    return f"[{name}]:{port}" if ":" in name else f"{name}:{port}"


def _listen_problem(exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (
            "the address is already in use. Stop the other server, or pick another port with --port "
            "(--port 0 picks a free one)."
        )
    if exc.errno == errno.EACCES:
        return "permission denied (ports below 1024 need privileges). Pick another port with --port."
    if exc.errno == errno.EADDRNOTAVAIL:
        return "the address does not belong to this machine. Check --host (127.0.0.1 for local clients)."
    return f"{(exc.strerror or str(exc)).rstrip('.')}. Check --host and --port."


def bind_sockets(host: str, port: int) -> list[socket.socket]:
    """Listening-ready sockets for every address ``host`` resolves to, or ``ListenError`` naming the address.

    With ``port`` 0 the first socket picks a free port and the others use the same one.
    """
    name = host.strip().strip("[]")
    try:
        infos = socket.getaddrinfo(name or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (OSError, UnicodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise ListenError(f"cannot listen on {_where(host, port)}: {reason}. Check --host.") from None
    sockets: list[socket.socket] = []
    chosen = port
    try:
        for family, kind, proto, _, address in dict.fromkeys(infos):
            sock = socket.socket(family, kind, proto)
            sockets.append(sock)
            if os.name != "nt":  # on Windows SO_REUSEADDR would let two servers share the port
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            if family == socket.AF_INET6:
                sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            sock.bind((address[0], chosen, *address[2:]))
            chosen = sock.getsockname()[1]
    except OSError as exc:
        for sock in sockets:
            sock.close()
        raise ListenError(f"cannot listen on {_where(host, chosen)}: {_listen_problem(exc)}") from None
    return sockets


def run_http(
    settings: Settings,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    *,
    allowed_hosts: Sequence[str] = (),
    log_level: str = "info",
    on_ready: Callable[[str], None] | None = None,
    extra_routes: Sequence[BaseRoute] = (),
) -> None:
    """Serve until SIGINT/SIGTERM. Raises ``ConfigError`` when the bind is not allowed and ``ListenError`` when
    it is not possible, both before the server starts."""
    check_bind(settings, host)
    token = configured_token(settings)
    if token is None:
        log.warning(
            "ZOOM_ROOMS_MCP_HTTP_TOKEN is not set: any local process can use this server. Set it to require a "
            "bearer token."
        )
    elif len(token) < MIN_TOKEN_LENGTH:
        log.warning(
            "ZOOM_ROOMS_MCP_HTTP_TOKEN is shorter than %d characters; use a long random value.", MIN_TOKEN_LENGTH
        )
    app = build_http_app(settings, host=host, allowed_hosts=allowed_hosts, extra_routes=extra_routes)
    sockets = bind_sockets(host, port)
    config = uvicorn.Config(
        app,
        host=host.strip("[]"),
        port=port,
        log_config=None,  # keep the CLI's logging set-up (stderr)
        log_level=log_level.lower(),
        access_log=False,  # AccessLogMiddleware logs requests without query strings
        server_header=False,
        lifespan="on",
        timeout_graceful_shutdown=10,
    )
    exit_zero_on_sigterm()
    _Server(config, on_ready).run(sockets=sockets)


def exit_zero_on_sigterm() -> None:
    """After uvicorn's graceful shutdown it re-raises the signal it caught; make SIGTERM (docker stop,
    Kubernetes) end the process with status 0 rather than death by signal."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _sigterm)


def _sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)
