"""compose.yaml holds together (there is no Docker engine here to run it): its services, the replicas' settings as
the server reads them, the commands as the CLI parses them, and the network wiring between them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from zoom_rooms_mcp.cli import cli
from zoom_rooms_mcp.settings import Settings
from zoom_rooms_mcp.simulator import SimCredentials

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\$\{(\w+):\?[^}]*\}")
SECRETS = {"POSTGRES_PASSWORD", "ZOOM_ROOMS_MCP_HTTP_TOKEN", "ZOOM_WEBHOOK_SECRET_TOKEN"}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def fill(match: re.Match[str]) -> str:
    return f"test-{match.group(1).lower()}"


def parses(args: list[str]) -> click.Context:
    """The sub-command's context, as the real CLI parses ``args`` (nothing runs)."""
    parent = click.Context(cli, info_name="zoom-rooms-mcp")
    command = cli.get_command(parent, args[0])
    assert command is not None, args[0]
    return command.make_context(args[0], list(args[1:]), parent=parent)


def test_services_and_secrets(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) == {"postgres", "simulator", "replica-1", "replica-2"}
    # Secrets come from the operator's environment and are required (never a default baked in the file).
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    assert set(PLACEHOLDER.findall(text)) == SECRETS
    assert services["postgres"]["healthcheck"]["test"][1].startswith("pg_isready")


@pytest.mark.parametrize("name", ["replica-1", "replica-2"])
def test_replicas_share_postgres_and_serve_http(
    compose: dict[str, Any], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = compose["services"]
    replica = services[name]
    assert replica["build"]["args"]["EXTRAS"] == "[postgres]"
    assert replica["depends_on"]["postgres"]["condition"] == "service_healthy"
    # The settings the server reads, with the operator's secrets filled in.
    env = {key: PLACEHOLDER.sub(fill, str(value)) for key, value in replica["environment"].items()}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = Settings(_env_file=None)
    assert settings.store_config().kind == "postgresql"
    assert settings.zoom_rooms_sync is True
    assert settings.zoom_webhook_secret_token is not None
    assert settings.zoom_rooms_mcp_http_token is not None  # required to listen on 0.0.0.0
    postgres = services["postgres"]["environment"]
    assert f"postgresql://{postgres['POSTGRES_USER']}:" in env["ZOOM_ROOMS_STORE"]
    assert env["ZOOM_ROOMS_STORE"].endswith(f"@postgres:5432/{postgres['POSTGRES_DB']}")
    # The command the image's entry point runs, as the CLI parses it; its port is published by the simulator,
    # whose network namespace it shares, and probed for readiness.
    ctx = parses(replica["command"])
    assert (ctx.params["transport"], ctx.params["host"]) == ("http", "0.0.0.0")
    port = ctx.params["port"]
    assert replica["network_mode"] == "service:simulator"
    assert f"{port}:{port}" in services["simulator"]["ports"]
    assert f"http://127.0.0.1:{port}/readyz" in " ".join(replica["healthcheck"]["test"])
    # The simulator the replica talks to: on loopback in the shared namespace, with the credentials it accepts.
    sim = parses(services["simulator"]["command"])
    assert env["ZOOM_OAUTH_TOKEN_URL"] == f"http://{sim.params['host']}:{sim.params['port']}/oauth/token"
    assert env["ZOOM_API_BASE_URL"] == f"http://{sim.params['host']}:{sim.params['port']}/v2"
    defaults = SimCredentials()
    assert (env["ZOOM_ACCOUNT_ID"], env["ZOOM_CLIENT_ID"], env["ZOOM_CLIENT_SECRET"]) == (
        defaults.account_id,
        defaults.client_id,
        defaults.client_secret,
    )


def test_the_simulator_sends_signed_webhooks_to_a_replica(compose: dict[str, Any]) -> None:
    services = compose["services"]
    sim = parses(services["simulator"]["command"])
    replica_ports = {parses(services[name]["command"]).params["port"] for name in ("replica-1", "replica-2")}
    match = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/zoom/webhook", sim.params["webhook_url"])
    assert match is not None
    assert int(match.group(1)) in replica_ports
    # The same secret signs (simulator) and verifies (replicas).
    assert (
        services["simulator"]["environment"]["ZOOM_WEBHOOK_SECRET_TOKEN"]
        == (services["replica-1"]["environment"]["ZOOM_WEBHOOK_SECRET_TOKEN"])
    )


def test_the_image_takes_the_postgres_extra() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert 'ARG EXTRAS=""' in dockerfile
    assert '."${EXTRAS}"' in dockerfile
