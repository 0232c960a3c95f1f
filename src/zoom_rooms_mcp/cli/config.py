"""``zoom-rooms-mcp config``: a ready-to-paste MCP client configuration for this very installation.

The command is the absolute path of the running executable (desktop apps start servers with their own ``PATH``
and working directory), and the credentials are placeholders: nothing here ever reads a credential's value.
``--install`` merges the entry into Claude Desktop's or Cursor's configuration file, after a timestamped backup,
and refuses a file that is not valid JSON.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import click

from zoom_rooms_mcp.cli.common import CONTEXT, PROG, demo_flag
from zoom_rooms_mcp.cli.invocation import hint_command, server_argv

Client = Literal["claude-desktop", "claude-code", "vscode", "cursor"]
CLIENTS: tuple[Client, ...] = ("claude-desktop", "claude-code", "vscode", "cursor")
INSTALLABLE: tuple[Client, ...] = ("claude-desktop", "cursor")
PLACEHOLDERS = {
    "ZOOM_ACCOUNT_ID": "your-account-id",
    "ZOOM_CLIENT_ID": "your-client-id",
    "ZOOM_CLIENT_SECRET": "your-client-secret",
}
SECRET_INPUT = "zoom-client-secret"
CLIENT_NAMES: dict[Client, str] = {
    "claude-desktop": "Claude Desktop",
    "claude-code": "Claude Code",
    "vscode": "VS Code",
    "cursor": "Cursor",
}


def server_name(demo: bool) -> str:
    return "zoom-rooms-demo" if demo else "zoom-rooms"


def server_entry(demo: bool, argv: list[str] | None = None) -> dict[str, Any]:
    """The ``mcpServers`` entry (Claude Desktop, Cursor): absolute command, placeholder credentials."""
    command, *args = argv or server_argv()
    entry: dict[str, Any] = {"command": command, "args": [*args, "--demo"] if demo else args}
    if not demo:
        entry["env"] = dict(PLACEHOLDERS)
    return entry


def client_config(client: Client, demo: bool, argv: list[str] | None = None) -> dict[str, Any] | str:
    """The configuration for ``client``: a JSON document, or (Claude Code) a shell command."""
    entry = server_entry(demo, argv)
    name = server_name(demo)
    if client == "claude-code":
        options = [f"-e {key}={shlex.quote(value)}" for key, value in entry.get("env", {}).items()]
        command = shlex.join([entry["command"], *entry["args"]])
        return " \\\n  ".join([f"claude mcp add {name}", *options, f"-- {command}"])
    if client == "vscode":
        server = {"type": "stdio", **entry}
        if demo:
            return {"servers": {name: server}}
        server["env"] = {**entry["env"], "ZOOM_CLIENT_SECRET": f"${{input:{SECRET_INPUT}}}"}
        secret_input = {
            "type": "promptString",
            "id": SECRET_INPUT,
            "description": "Zoom Server-to-Server OAuth app: Client Secret",
            "password": True,
        }
        return {"inputs": [secret_input], "servers": {name: server}}
    return {"mcpServers": {name: entry}}


def default_config_file(client: Client) -> Path:
    """Where ``client`` reads its MCP servers on this operating system."""
    home = Path.home()
    if client == "cursor":
        return home / ".cursor" / "mcp.json"
    if sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    elif os.name == "nt":
        base = Path(os.environ.get("APPDATA") or home / "AppData" / "Roaming")
    else:  # Linux builds of Claude Desktop follow the XDG convention
        base = Path(os.environ.get("XDG_CONFIG_HOME") or home / ".config")
    return base / "Claude" / "claude_desktop_config.json"


class InstallError(Exception):
    """The client's file cannot be merged into; nothing was changed."""


@dataclass(frozen=True, slots=True)
class InstallResult:
    path: Path
    name: str
    action: Literal["added", "replaced", "unchanged"]
    backup: Path | None
    kept_env: bool


def _read_servers(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise InstallError(f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}.") from None
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InstallError(
            f"{path} is not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); fix it or move it "
            "away, then run this again. Nothing was changed."
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("mcpServers", {}), dict):
        raise InstallError(
            f'{path} is not an MCP client configuration (expected a JSON object whose "mcpServers" is an object). '
            "Nothing was changed."
        )
    return data


def _backup_path(path: Path, now: float) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(now))
    candidate = path.with_name(f"{path.name}.{stamp}.bak")
    counter = 1
    while candidate.exists():
        candidate = path.with_name(f"{path.name}.{stamp}-{counter}.bak")
        counter += 1
    return candidate


def _write_atomically(path: Path, text: str, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def install(path: Path, demo: bool, argv: list[str] | None = None, *, now: float | None = None) -> InstallResult:
    """Merge this server's entry into the ``mcpServers`` of the JSON file at ``path`` (created if missing).

    An existing entry of the same name keeps its ``env`` values (the credentials someone already filled in);
    only missing keys get placeholders. The previous file is copied to ``<name>.<timestamp>.bak`` first.
    """
    data = _read_servers(path)
    servers: dict[str, Any] = data.setdefault("mcpServers", {})
    name = server_name(demo)
    entry = server_entry(demo, argv)
    previous = servers.get(name)
    kept_env = False
    if isinstance(previous, dict) and isinstance(previous.get("env"), dict) and "env" in entry:
        entry["env"] = {**entry["env"], **previous["env"]}
        kept_env = any(previous["env"].get(key) not in (None, "", value) for key, value in PLACEHOLDERS.items())
    if previous == entry:
        return InstallResult(path, name, "unchanged", None, kept_env)
    servers[name] = entry
    backup: Path | None = None
    mode = 0o600  # the file may come to hold a client secret
    if path.exists():
        mode = path.stat().st_mode & 0o777
        backup = _backup_path(path, time.time() if now is None else now)
        shutil.copy2(path, backup)
    _write_atomically(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n", mode)
    return InstallResult(path, name, "added" if previous is None else "replaced", backup, kept_env)


def _install_message(client: Client, result: InstallResult, demo: bool) -> str:
    app = CLIENT_NAMES[client]
    if result.action == "unchanged":
        return f"{result.path} already has this '{result.name}' entry; nothing to change."
    lines = [f"{result.action.capitalize()} '{result.name}' in {result.path}."]
    if result.backup is not None:
        lines.append(f"Backup of the previous file: {result.backup}")
    if not demo and not result.kept_env:
        placeholders = ", ".join(PLACEHOLDERS.values())
        lines.append(
            f'Next: replace {placeholders} in its "env" block with your Zoom app\'s credentials '
            "(docs/zoom-app-setup.md), then restart " + app + "."
        )
    else:
        lines.append(f"Next: restart {app}; the tools appear under '{result.name}'.")
    return "\n".join(lines)


def _paste_note(client: Client, demo: bool) -> str:
    command = hint_command()
    if client == "claude-code":
        note = "Run that command in a terminal; `claude mcp list` then shows the server."
    elif client == "vscode":
        note = (
            'Paste into .vscode/mcp.json (or MCP: Open User Configuration), merging the "servers" entry; '
            "VS Code asks for the client secret once and stores it securely."
        )
    else:
        path = default_config_file(client)
        note = (
            f'Paste into {path}, merging the "mcpServers" entry with any already there, or let this command do it: '
            f"`{command} config {client}{' --demo' if demo else ''} --install`."
        )
    if not demo and client != "vscode":
        note += " Replace the your-… placeholders with your Zoom app's credentials."
    return note


@click.command(
    "config",
    context_settings=CONTEXT,
    epilog=f"""\b
Examples:
  {PROG} config claude-desktop --demo            the simulated account, nothing to fill in
  {PROG} config claude-desktop                   with placeholders for your app's credentials
  {PROG} config claude-desktop --install         merge it into Claude Desktop's file (after a backup)
  {PROG} config claude-code                      the `claude mcp add` command
  {PROG} config vscode                           .vscode/mcp.json, the secret asked for by VS Code
  {PROG} config cursor --install --file .cursor/mcp.json

\b
The command in the configuration is the absolute path of this installation's executable, so the client
finds it whatever its PATH. Credentials are always placeholders: this command never prints a secret.""",
)
@click.argument("client", type=click.Choice(CLIENTS), default="claude-desktop", required=False)
@click.option("--demo", is_flag=True, help="Configure the built-in simulated account (no credentials needed).")
@click.option("--install", is_flag=True, help="Merge into the client's configuration file (Claude Desktop, Cursor).")
@click.option(
    "--file",
    "file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --install: the file to merge into [default: the client's file on this operating system].",
)
@click.pass_context
def config_command(ctx: click.Context, client: Client, demo: bool, install: bool, file: Path | None) -> None:
    """Print a ready-to-paste MCP client configuration for this installation (default: claude-desktop).

    CLIENT is one of claude-desktop, claude-code, vscode, cursor.
    """
    demo = bool(demo_flag(ctx, demo))
    if file is not None and not install:
        raise click.UsageError("--file applies to --install only.", ctx)
    if install:
        if client not in INSTALLABLE:
            raise click.UsageError(
                f"--install writes Claude Desktop's and Cursor's files; for {CLIENT_NAMES[client]}, use the "
                f"configuration `{PROG} config {client}` prints.",
                ctx,
            )
        try:
            result = _install(client, demo, file)
        except InstallError as exc:
            click.echo(f"{PROG}: {exc}", err=True)
            sys.exit(1)
        click.echo(_install_message(client, result, demo))
        return
    config = client_config(client, demo)
    click.echo(config if isinstance(config, str) else json.dumps(config, indent=2, ensure_ascii=False))
    click.echo(_paste_note(client, demo), err=True)


def _install(client: Client, demo: bool, file: Path | None) -> InstallResult:
    path = (file or default_config_file(client)).absolute()
    try:
        return install(path, demo)
    except OSError as exc:
        raise InstallError(f"cannot write {path}: {exc.strerror or exc}. Nothing was changed.") from None
