"""``zoom-rooms-mcp config``: printed configurations name this installation by absolute path, never a secret;
``--install`` merges into the client's file after a backup; the demo configuration starts a working server."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import sysconfig
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client

from tests.cli.helpers import run_cli
from tests.harness import TOOLS, clean_env

SECRET = "s3cret-that-must-never-be-printed"
SCRIPT = Path(sysconfig.get_path("scripts")) / "zoom-rooms-mcp"


def config_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """A home of its own (the client files live there) and credentials set, the secret included."""
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    return clean_env(
        tmp_path,
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        ZOOM_ACCOUNT_ID="acct-123",
        ZOOM_CLIENT_ID="client-456",
        ZOOM_CLIENT_SECRET=SECRET,
        **extra,
    )


def desktop_file(env: dict[str, str]) -> Path:
    return Path(env["XDG_CONFIG_HOME"]) / "Claude" / "claude_desktop_config.json"


@pytest.mark.parametrize("client", ["claude-desktop", "cursor", "vscode", "claude-code"])
def test_printed_configuration_names_the_executable_and_no_secret(tmp_path: Path, client: str) -> None:
    result = run_cli("config", client, env=config_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert SECRET not in out + result.stderr
    assert "acct-123" not in out  # placeholders, not the environment's values
    if client == "claude-code":
        assert out.startswith("claude mcp add zoom-rooms ")
        assert "-e ZOOM_CLIENT_SECRET=your-client-secret" in out
        command = shlex.split(out.replace("\\\n", " "))
        launcher = command[command.index("--") + 1 :]
    else:
        data = json.loads(out)
        servers = data["servers"] if client == "vscode" else data["mcpServers"]
        server = servers["zoom-rooms"]
        launcher = [server["command"], *server["args"]]
        expected_secret = "${input:zoom-client-secret}" if client == "vscode" else "your-client-secret"
        assert server["env"]["ZOOM_CLIENT_SECRET"] == expected_secret
    assert Path(launcher[0]).is_absolute()
    # Run as `python -m zoom_rooms_mcp`: the console script beside this interpreter, else the interpreter itself.
    assert launcher in ([str(SCRIPT)], [sys.executable, "-m", "zoom_rooms_mcp"])


def test_the_console_script_names_itself(tmp_path: Path) -> None:
    if not SCRIPT.is_file():
        pytest.skip("no console script installed beside this interpreter")
    result = run_cli("config", "cursor", "--demo", env=config_env(tmp_path), cwd=tmp_path)
    assert json.loads(result.stdout)["mcpServers"]["zoom-rooms-demo"] == {"command": str(SCRIPT), "args": ["--demo"]}


@pytest.mark.anyio
async def test_pasted_demo_configuration_starts_a_server_that_lists_its_tools(tmp_path: Path) -> None:
    """What a new user does: paste `config claude-desktop --demo` into Claude Desktop, which starts the server
    with that command, args and env, from another directory and without our environment."""
    result = run_cli("config", "claude-desktop", "--demo", env=clean_env(tmp_path), cwd=tmp_path)
    server = json.loads(result.stdout)["mcpServers"]["zoom-rooms-demo"]
    elsewhere = tmp_path / "client-cwd"
    elsewhere.mkdir()
    minimal = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}  # a desktop app's environment: not our venv
    params = StdioServerParameters(
        command=server["command"], args=server["args"], env={**minimal, **server.get("env", {})}, cwd=elsewhere
    )
    with (tmp_path / "stderr.log").open("w", encoding="utf-8") as errors, anyio.fail_after(60):
        async with Client(stdio_client(params, errlog=errors)) as client:
            names = {tool.name for tool in (await client.list_tools()).tools}
    assert names >= TOOLS


def test_install_creates_the_file_with_placeholders(tmp_path: Path) -> None:
    env = config_env(tmp_path)
    result = run_cli("config", "claude-desktop", "--install", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    path = desktop_file(env)
    assert f"Added 'zoom-rooms' in {path}." in result.stdout
    assert "your-account-id" in result.stdout  # the next step names what to fill in
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["mcpServers"]["zoom-rooms"]["env"]["ZOOM_CLIENT_SECRET"] == "your-client-secret"
    assert path.stat().st_mode & 0o777 == 0o600
    assert SECRET not in path.read_text(encoding="utf-8") + result.stdout + result.stderr


def test_install_merges_keeps_credentials_and_backs_up(tmp_path: Path) -> None:
    env = config_env(tmp_path)
    path = desktop_file(env)
    path.parent.mkdir(parents=True)
    existing = {
        "globalShortcut": "Ctrl+Space",
        "mcpServers": {
            "other": {"command": "other-server"},
            "zoom-rooms": {"command": "/old/path/zoom-rooms-mcp", "args": [], "env": {"ZOOM_CLIENT_SECRET": "kept"}},
        },
    }
    original = json.dumps(existing, indent=4)
    path.write_text(original, encoding="utf-8")
    result = run_cli("config", "claude-desktop", "--install", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"Replaced 'zoom-rooms' in {path}." in result.stdout
    backups = list(path.parent.glob("claude_desktop_config.json.*.bak"))
    assert len(backups) == 1
    assert backups[0].read_text(encoding="utf-8") == original
    assert f"Backup of the previous file: {backups[0]}" in result.stdout
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["globalShortcut"] == "Ctrl+Space"
    assert data["mcpServers"]["other"] == {"command": "other-server"}
    entry = data["mcpServers"]["zoom-rooms"]
    assert entry["command"] != "/old/path/zoom-rooms-mcp"
    assert entry["env"]["ZOOM_CLIENT_SECRET"] == "kept"  # a credential already filled in survives
    assert entry["env"]["ZOOM_ACCOUNT_ID"] == "your-account-id"
    assert "kept" not in result.stdout
    again = run_cli("config", "claude-desktop", "--install", env=env, cwd=tmp_path)
    assert "nothing to change" in again.stdout
    assert len(list(path.parent.glob("*.bak"))) == 1


def test_install_refuses_a_file_that_is_not_json(tmp_path: Path) -> None:
    env = config_env(tmp_path)
    path = tmp_path / "cursor-mcp.json"
    path.write_text('{"mcpServers": {"a": {"command": "x"},}}', encoding="utf-8")  # a trailing comma
    result = run_cli("config", "cursor", "--install", "--file", str(path), env=env, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"zoom-rooms-mcp: {path} is not valid JSON (")
    assert "Nothing was changed." in result.stderr
    assert path.read_text(encoding="utf-8") == '{"mcpServers": {"a": {"command": "x"},}}'
    assert not list(tmp_path.glob("*.bak"))


def test_install_is_for_file_based_clients_only(tmp_path: Path) -> None:
    result = run_cli("config", "claude-code", "--install", env=config_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert "for Claude Code, use the configuration" in result.stderr


def test_cursor_install_uses_the_home_directory(tmp_path: Path) -> None:
    env = config_env(tmp_path)
    result = run_cli("--demo", "config", "cursor", "--install", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads((Path(env["HOME"]) / ".cursor" / "mcp.json").read_text(encoding="utf-8"))
    assert data["mcpServers"]["zoom-rooms-demo"]["args"][-1] == "--demo"
    assert "restart Cursor" in result.stdout


@pytest.mark.slow
def test_hints_name_a_command_that_works_as_printed(tmp_path: Path) -> None:
    """Outside the venv `zoom-rooms-mcp` is not on PATH: hints then give the absolute command."""
    env = clean_env(tmp_path, PATH="/usr/bin:/bin")
    result = run_cli("serve", env=env, cwd=tmp_path)  # no credentials: exit 2 with a hint
    assert result.returncode == 2
    hint = result.stderr.split("Run `", 1)[1].split("`", 1)[0]
    command = shlex.split(hint)
    assert command[-1] == "check"
    assert Path(command[0]).is_absolute()
    ran = subprocess.run([*command, "--demo"], env=env, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert "Everything works" in ran.stdout
