"""Every command documents itself; usage and configuration errors exit 2 with a message, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.helpers import run_cli
from tests.harness import clean_env
from zoom_rooms_mcp import __version__

COMMANDS = ["serve", "check", "call", "demo", "simulator", "token", "config"]


def test_top_level_help_lists_every_command_and_variable(tmp_path: Path) -> None:
    result = run_cli("--help", env=clean_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("Usage: zoom-rooms-mcp")
    for command in COMMANDS:
        assert f"\n  {command} " in out
    for variable in ("ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_SECRET", "TOKEN_CACHE_DIR", "ZOOM_ROOMS_MCP_HTTP_TOKEN"):
        assert variable in out
    assert "--demo" in out
    assert "--version" in out


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_has_help_with_examples(tmp_path: Path, command: str) -> None:
    result = run_cli(command, "--help", env=clean_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"Usage: zoom-rooms-mcp {command}")
    assert "Examples:" in result.stdout
    assert f"zoom-rooms-mcp {command}" in result.stdout.split("Examples:")[1]


def test_serve_help_documents_the_transport_options(tmp_path: Path) -> None:
    out = run_cli("serve", "-h", env=clean_env(tmp_path), cwd=tmp_path).stdout
    for option in ("--transport [stdio|http]", "--host", "--port", "--allowed-host", "--log-level", "/healthz"):
        assert option in out


def test_version(tmp_path: Path) -> None:
    result = run_cli("--version", env=clean_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith(f"zoom-rooms-mcp {__version__} (MCP SDK 2.")


def test_serve_without_credentials_exits_2_naming_the_variables(tmp_path: Path) -> None:
    result = run_cli("serve", env=clean_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    for variable in ("ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET"):
        assert variable in result.stderr
    assert "Traceback" not in result.stderr
    assert "zoom-rooms-mcp check" in result.stderr


def test_malformed_setting_is_named_without_its_value(tmp_path: Path) -> None:
    env = clean_env(tmp_path, ZOOM_ROOMS_DEMO="1", ZOOM_API_BASE_URL="http://api.example.com/v2?secret=hunter2")
    result = run_cli("serve", env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert "ZOOM_API_BASE_URL" in result.stderr
    assert "https://" in result.stderr
    assert "hunter2" not in result.stderr
    assert "Traceback" not in result.stderr


def test_dotenv_in_the_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("ZOOM_API_PLAN=enterprise\nZOOM_ROOMS_DEMO=1\n")
    result = run_cli("serve", env=clean_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert "ZOOM_API_PLAN" in result.stderr


def test_stdio_options_are_rejected_for_http_only_flags(tmp_path: Path) -> None:
    result = run_cli("serve", "--port", "9000", "--demo", env=clean_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert "--port applies to --transport http only" in result.stderr


def test_unknown_command_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("frobnicate", env=clean_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert "No such command 'frobnicate'" in result.stderr
