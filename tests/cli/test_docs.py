"""The adoption material stays true: every documented command parses, every JSON snippet is valid, the
scope table matches the catalogue, the troubleshooting guide quotes the messages the code prints, and the
registry manifest and Dockerfile say what they should."""

from __future__ import annotations

import errno
import json
import os
import re
import shlex
import tomllib
from pathlib import Path

import click
import pytest

from tests.harness import TOOLS as TOOL_NAMES
from zoom_rooms_mcp.cli import cli
from zoom_rooms_mcp.cli.config import PLACEHOLDERS, InstallError, install
from zoom_rooms_mcp.http_transport import _listen_problem
from zoom_rooms_mcp.settings import CREDENTIAL_VARS, Settings
from zoom_rooms_mcp.tools.registry import TOOLS
from zoom_rooms_mcp.zoom.catalog import ENDPOINTS
from zoom_rooms_mcp.zoom.token import OAUTH_ERROR_HINTS

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted((ROOT / "docs").glob("*.md"))
MY_DOCS = [ROOT / "docs" / name for name in ("clients.md", "zoom-app-setup.md", "troubleshooting.md")]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
GROUP_OPTIONS_WITH_VALUE = {"--log-level"}


def blocks(path: Path, *languages: str) -> list[str]:
    return [body for lang, body in FENCE.findall(path.read_text(encoding="utf-8")) if lang in languages]


def documented_commands() -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = []
    for path in MY_DOCS:
        for body in blocks(path, "bash", "sh", "console"):
            for line in body.replace("\\\n", " ").splitlines():
                tokens = shlex.split(line, comments=True)
                while tokens and re.fullmatch(r"[A-Z_]+=.*", tokens[0]):  # VAR=value prefixes
                    tokens.pop(0)
                if tokens and Path(tokens[0]).name == "zoom-rooms-mcp":  # the bare name or the venv's script
                    end = tokens.index("|") if "|" in tokens else len(tokens)
                    found.append((f"{path.name}: {line.strip()}", tokens[1:end]))
    return found


def test_docs_exist_and_document_commands() -> None:
    assert all(path.is_file() for path in MY_DOCS)
    assert len(documented_commands()) >= 10


@pytest.mark.parametrize(("where", "args"), documented_commands(), ids=lambda v: v if isinstance(v, str) else "")
def test_documented_command_parses(where: str, args: list[str]) -> None:
    index = 0
    while index < len(args) and args[index].startswith("-"):
        index += 2 if args[index] in GROUP_OPTIONS_WITH_VALUE else 1
    group_args, rest = args[:index], args[index:]
    if "--help" in args or "--version" in group_args:
        return
    with cli.make_context("zoom-rooms-mcp", list(group_args)) as ctx:
        if not rest:
            return
        command = cli.get_command(ctx, rest[0])
        assert command is not None, f"{where}: no command {rest[0]!r}"
        try:
            command.make_context(rest[0], list(rest[1:]), parent=ctx)
        except click.UsageError as exc:
            pytest.fail(f"{where}: {exc.format_message()}")


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_json_snippets_are_valid(path: Path) -> None:
    for body in blocks(path, "json"):
        json.loads(body)


def test_client_configs_pass_the_secret_only_through_env_or_inputs() -> None:
    clients = (ROOT / "docs" / "clients.md").read_text(encoding="utf-8")
    configs = [json.loads(body) for body in blocks(ROOT / "docs" / "clients.md", "json")]
    vscode = [c for c in configs if "servers" in c]
    assert vscode, "a VS Code example"
    for config in vscode:
        secret_inputs = [i for i in config["inputs"] if i["type"] == "promptString" and i["password"] is True]
        assert secret_inputs
        for server in config["servers"].values():
            values = json.dumps(server)
            assert "${input:" in values
    assert "claude mcp add zoom-rooms" in clients
    assert "~/.cursor/mcp.json" in clients
    for launcher in ('"command": "uvx"', '"command": "pipx"', '"args": ["-m", "zoom_rooms_mcp"]'):
        assert launcher in clients


def test_scope_table_matches_the_catalogue() -> None:
    text = (ROOT / "docs" / "zoom-app-setup.md").read_text(encoding="utf-8")
    rows = {m.group(1): m.group(0) for m in re.finditer(r"^\| `(\w+)` \|.*$", text, re.MULTILINE)}
    for spec in TOOLS:
        needed_cell, optional_cell = rows[spec.name].split(" | ")[1:3]
        for key in spec.endpoints:
            for scope in ENDPOINTS[key].granular_scopes:
                assert scope in (optional_cell if key in spec.optional else needed_cell), (spec.name, scope)
    for scope in ("room:read:admin", "dashboard_zr:read:admin", "dashboard_home:read:admin"):
        assert f"`{scope}`" in text
    assert "Business, Education or Enterprise" in text


def test_troubleshooting_quotes_the_messages_the_code_prints() -> None:
    text = (ROOT / "docs" / "troubleshooting.md").read_text(encoding="utf-8")
    for hint in OAUTH_ERROR_HINTS.values():
        assert hint.split(":")[0] in text, hint
    for name in CREDENTIAL_VARS:
        assert name in text
    for message in (
        "required (set it in the environment or in .env, or run with --demo)",
        "must use https:// (plain http:// is only accepted for localhost / 127.0.0.1 / ::1)",
        "The Zoom app is missing a scope needed to read",
        "Zoom rejected a freshly issued access token (HTTP 401)",
        "ZOOM_ROOMS_MCP_HTTP_TOKEN: required to listen on",
        "Invalid Host header",
        "is not writable",
    ):
        assert message in text, message


def test_troubleshooting_quotes_what_issue_14_commands_print(tmp_path: Path) -> None:
    """The entries for the busy port, the 405 and the refused --install quote what the code really says."""
    text = " ".join((ROOT / "docs" / "troubleshooting.md").read_text(encoding="utf-8").split())
    for code in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
        problem = _listen_problem(OSError(code, os.strerror(code)))
        assert problem.split(".")[0] in text, problem
    busy = _listen_problem(OSError(errno.EADDRINUSE, "in use"))
    assert f"zoom-rooms-mcp: cannot listen on 127.0.0.1:8000: {busy}" in text
    bad = tmp_path / "claude_desktop_config.json"
    bad.write_text("{,}", encoding="utf-8")
    with pytest.raises(InstallError) as refused:
        install(bad, demo=True)
    tail = str(refused.value).split(")", 1)[1]
    assert tail == "; fix it or move it away, then run this again. Nothing was changed."
    assert f"is not valid JSON (...){tail}" in text
    bad.write_text("[]", encoding="utf-8")
    with pytest.raises(InstallError) as wrong:
        install(bad, demo=True)
    assert str(wrong.value).removeprefix(f"{bad} ") in text
    assert '"error": "method_not_allowed"' in text
    assert "`Allow: POST`" in text
    clients = (ROOT / "docs" / "clients.md").read_text(encoding="utf-8")
    for placeholder in PLACEHOLDERS.values():
        assert placeholder in clients
    assert "uvx --from /path/to/zoom-rooms-mcp zoom-rooms-mcp" in clients
    assert clients.count("once published") + clients.count("Once the package is published") >= 3


def test_mcpb_manifest_matches_the_package() -> None:
    manifest = json.loads((ROOT / "packaging" / "mcpb" / "manifest.json").read_text(encoding="utf-8"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert manifest["version"] == project["version"]
    assert manifest["license"] == project["license"] == "MIT"
    assert manifest["server"]["type"] == "uv"
    assert (ROOT / manifest["server"]["entry_point"]).is_file()
    env = manifest["server"]["mcp_config"]["env"]
    assert set(env) <= {name.upper() for name in Settings.model_fields}
    assert {t["name"] for t in manifest["tools"]} == TOOL_NAMES
    secrets = {key for key, option in manifest["user_config"].items() if option.get("sensitive")}
    assert secrets == {"zoom_client_secret"}
    assert env["ZOOM_CLIENT_SECRET"] == "${user_config.zoom_client_secret}"


def test_license_is_mit_as_declared() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "zoom-rooms-mcp developers" in text


def test_server_json_describes_the_pypi_package() -> None:
    manifest = json.loads((ROOT / "server.json").read_text(encoding="utf-8"))
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert manifest["$schema"] == "https://static.modelcontextprotocol.io/schemas/2025-09-29/server.schema.json"
    assert manifest["name"] == "io.github.zoom-rooms-mcp/zoom-rooms-mcp"
    assert 1 <= len(manifest["description"]) <= 100
    assert manifest["version"] == project["version"]
    (package,) = manifest["packages"]
    assert package["registryType"] == "pypi"
    assert package["identifier"] == project["name"] == "zoom-rooms-mcp"
    assert package["version"] == project["version"]
    assert package["transport"] == {"type": "stdio"}
    variables = {v["name"]: v for v in package["environmentVariables"]}
    known = {name.upper() for name in Settings.model_fields}
    assert set(variables) <= known
    assert {name for name, v in variables.items() if v.get("isSecret")} == {"ZOOM_CLIENT_SECRET"}
    assert {name for name, v in variables.items() if v.get("isRequired")} == set(CREDENTIAL_VARS)
    assert all(v["description"] for v in variables.values())


def test_dockerfile_serves_http_as_non_root_without_secrets() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    instructions = [line for line in dockerfile.splitlines() if line and not line.startswith("#")]
    assert instructions[0].startswith("FROM python:3.11-slim")
    assert "USER app" in instructions
    assert "EXPOSE 8000" in instructions
    assert 'CMD ["serve", "--transport", "http", "--host", "0.0.0.0", "--port", "8000"]' in instructions
    assert 'ENTRYPOINT ["zoom-rooms-mcp"]' in instructions
    assert "pip install -c constraints.txt ." in dockerfile
    code = "\n".join(instructions)
    for secret in ("ZOOM_CLIENT_SECRET", "ZOOM_ROOMS_MCP_HTTP_TOKEN", "ZOOM_CLIENT_ID", "ZOOM_ACCOUNT_ID"):
        assert secret not in code
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert {".env", ".env.*", ".git", ".venv", "tests"} <= set(ignored)
