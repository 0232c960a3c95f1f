"""In-process access to the simulator: an httpx2 transport that calls the ASGI app directly.

Routing uses the path only, so any host works; demo mode uses the fake loopback URLs below.
"""

from __future__ import annotations

import httpx2
from starlette.types import ASGIApp, Receive, Scope, Send

from .middleware import IN_PROCESS, TransportFault

DEMO_API_BASE_URL = "http://zoom-simulator.localhost/v2"
DEMO_TOKEN_URL = "http://zoom-simulator.localhost/oauth/token"


class SimulatorTransport(httpx2.AsyncBaseTransport):
    """``timeout`` and ``drop`` faults surface as ``httpx2.ReadTimeout`` / ``httpx2.RemoteProtocolError`` at once."""

    def __init__(self, app: ASGIApp) -> None:
        async def in_process(scope: Scope, receive: Receive, send: Send) -> None:
            await app({**scope, "extensions": {**scope.get("extensions", {}), IN_PROCESS: True}}, receive, send)

        self._asgi = httpx2.ASGITransport(app=in_process)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        try:
            return await self._asgi.handle_async_request(request)
        except TransportFault as fault:
            if fault.kind == "timeout":
                raise httpx2.ReadTimeout("simulated read timeout", request=request) from None
            raise httpx2.RemoteProtocolError(
                "simulated dropped connection: peer closed connection without sending complete message body",
                request=request,
            ) from None
