"""``zoom-rooms-mcp token``: the cache file's state without the token, and ``--clear``."""

from __future__ import annotations

import json
import time
from pathlib import Path

from pydantic import SecretStr

from tests.cli.helpers import run_cli
from tests.harness import clean_env
from zoom_rooms_mcp.simulator import SimCredentials
from zoom_rooms_mcp.zoom.token import AccessToken, Credentials, TokenFile

TOKEN_VALUE = "eyJ-secret-token-value-that-must-never-be-printed"
TOKEN_URL = "https://zoom.us/oauth/token"
SECRET = "the-secret-the-token-was-made-with"


def token_env(tmp_path: Path) -> dict[str, str]:
    creds = SimCredentials()
    # No secret: the token command does not need it.
    return clean_env(tmp_path, ZOOM_ACCOUNT_ID=creds.account_id, ZOOM_CLIENT_ID=creds.client_id)


def write_token(env: dict[str, str], *, expires_in: float = 1800, client_id: str | None = None) -> Path:
    credentials = Credentials(TOKEN_URL, client_id or env["ZOOM_CLIENT_ID"], SecretStr(SECRET))
    file = TokenFile(Path(env["TOKEN_CACHE_DIR"]), env["ZOOM_ACCOUNT_ID"], credentials)
    file.directory.mkdir(parents=True, exist_ok=True)
    file.write(AccessToken(TOKEN_VALUE, time.time() + expires_in, frozenset({"room:read:admin"})))
    return file.path


def test_token_shows_state_without_the_token(tmp_path: Path) -> None:
    env = token_env(tmp_path)
    path = write_token(env)
    result = run_cli("token", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert str(path) in out
    assert "room:read:admin" in out
    assert "Expires" in out
    assert "(in 29 min)" in out or "(in 30 min)" in out
    assert TOKEN_VALUE not in out + result.stderr

    data = json.loads(run_cli("token", "--json", env=env, cwd=tmp_path).stdout)
    assert data["path"] == str(path)
    assert data["exists"]
    assert data["usable"]
    assert data["for_this_app"]
    assert data["private"]
    assert 1700 < data["expires_in"] <= 1800
    assert data["scopes"] == ["room:read:admin"]
    assert data["current_credentials"] is None  # no secret in the environment: not checked
    assert TOKEN_VALUE not in json.dumps(data)


def test_token_with_the_secret_checks_it(tmp_path: Path) -> None:
    env = token_env(tmp_path)
    write_token(env)
    same = json.loads(run_cli("token", "--json", env={**env, "ZOOM_CLIENT_SECRET": SECRET}, cwd=tmp_path).stdout)
    assert same["current_credentials"] is True
    assert same["usable"]
    other = run_cli("token", "--json", env={**env, "ZOOM_CLIENT_SECRET": "a-rotated-secret"}, cwd=tmp_path)
    data = json.loads(other.stdout)
    assert data["current_credentials"] is False
    assert not data["usable"]
    assert "another client secret" in data["problem"]
    assert "a-rotated-secret" not in other.stdout + other.stderr


def test_token_flags_a_file_for_another_app(tmp_path: Path) -> None:
    env = token_env(tmp_path)
    write_token(env, client_id="another-client")
    data = json.loads(run_cli("token", "--json", env=env, cwd=tmp_path).stdout)
    assert data["exists"]
    assert not data["usable"]
    assert data["for_this_app"] is False
    assert "another client id" in data["problem"]


def test_token_clear_deletes_the_file(tmp_path: Path) -> None:
    env = token_env(tmp_path)
    path = write_token(env)
    result = run_cli("token", "--clear", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"Deleted {path}" in result.stdout
    assert not path.exists()
    again = run_cli("token", "--clear", "--json", env=env, cwd=tmp_path)
    assert json.loads(again.stdout) == {"path": str(path), "deleted": False}
    missing = run_cli("token", env=env, cwd=tmp_path)
    assert missing.returncode == 0
    assert "Exists" in missing.stdout
    assert "no" in missing.stdout


def test_token_needs_the_account_id(tmp_path: Path) -> None:
    result = run_cli("token", env=clean_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert "ZOOM_ACCOUNT_ID" in result.stderr
    assert "ZOOM_CLIENT_ID" in result.stderr
    assert "ZOOM_CLIENT_SECRET" not in result.stderr
