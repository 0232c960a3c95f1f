"""Zoom simulator: a faithful offline stand-in for zoom.us/oauth/token and the Rooms + Dashboard read API.

In-process: ``httpx2.AsyncClient(transport=Simulator().transport())``. On loopback: ``running_simulator(sim)``
(tests, benchmarks) or ``serve_simulator(sim)`` (the CLI). See DESIGN §7.
"""

from .app import DEFAULT_SCOPES, Simulator
from .changes import FleetControl
from .faults import Fault, FaultController, FaultKind
from .fleet import Fleet, SimDevice, SimIssue, SimLocation, SimRoom, generate_fleet
from .oauth import SimCredentials
from .server import running_simulator, serve_simulator
from .stats import Stats
from .transport import DEMO_API_BASE_URL, DEMO_TOKEN_URL
from .variants import DEFAULT_VARIANTS, VARIANT_MATRIX, Variants
from .webhooks import WebhookSender, signature

__all__ = [
    "DEFAULT_SCOPES",
    "DEFAULT_VARIANTS",
    "DEMO_API_BASE_URL",
    "DEMO_TOKEN_URL",
    "VARIANT_MATRIX",
    "Fault",
    "FaultController",
    "FaultKind",
    "Fleet",
    "FleetControl",
    "SimCredentials",
    "SimDevice",
    "SimIssue",
    "SimLocation",
    "SimRoom",
    "Simulator",
    "Stats",
    "Variants",
    "WebhookSender",
    "generate_fleet",
    "running_simulator",
    "serve_simulator",
    "signature",
]
