"""Configuration (DESIGN §3): environment and .env, one clear error, https except loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from zoom_rooms_mcp.settings import ConfigError, env_source, is_loopback_host, load_settings

SECRET = "s3cr3t-value-never-shown"
VARS = (
    "ZOOM_ACCOUNT_ID",
    "ZOOM_CLIENT_ID",
    "ZOOM_CLIENT_SECRET",
    "TOKEN_CACHE_DIR",
    "ZOOM_API_BASE_URL",
    "ZOOM_OAUTH_TOKEN_URL",
    "ZOOM_API_PLAN",
    "ZOOM_ROOMS_DEMO",
    "ZOOM_ROOMS_MCP_HTTP_TOKEN",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def _creds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZOOM_ACCOUNT_ID", " acct ")
    monkeypatch.setenv("ZOOM_CLIENT_ID", "cid")
    monkeypatch.setenv("ZOOM_CLIENT_SECRET", SECRET)


def test_defaults_with_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    _creds(monkeypatch)
    settings = load_settings()
    assert settings.zoom_account_id == "acct"  # stray whitespace from copy-paste is trimmed
    assert settings.zoom_api_base_url == "https://api.zoom.us/v2"
    assert settings.zoom_oauth_token_url == "https://zoom.us/oauth/token"
    assert settings.zoom_api_plan == "pro"
    assert settings.token_cache_dir.name == "zoom-rooms-mcp"
    assert settings.client_secret == SECRET
    assert SECRET not in repr(settings)
    assert SECRET not in str(settings.model_dump())


def test_every_problem_is_named_at_once_without_values(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZOOM_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("ZOOM_API_BASE_URL", f"http://api.example.com/{SECRET}")
    monkeypatch.setenv("ZOOM_API_PLAN", "platinum")
    with pytest.raises(ConfigError) as info:
        load_settings()
    text = str(info.value)
    for name in ("ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_API_BASE_URL", "ZOOM_API_PLAN"):
        assert name in text
    assert "ZOOM_CLIENT_SECRET" not in text
    assert SECRET not in text
    assert "platinum" not in text
    assert len(info.value.problems) == 4


def test_dotenv_is_read_and_real_environment_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"ZOOM_ACCOUNT_ID=from-file\nZOOM_CLIENT_ID=cid\nZOOM_CLIENT_SECRET={SECRET}\nZOOM_API_PLAN=business\n"
    )
    monkeypatch.setenv("ZOOM_ACCOUNT_ID", "from-env")
    settings = load_settings()
    assert settings.zoom_account_id == "from-env"
    assert settings.zoom_api_plan == "business"
    assert env_source("ZOOM_ACCOUNT_ID") == "environment"
    assert env_source("ZOOM_CLIENT_SECRET") == ".env"
    assert env_source("ZOOM_ROOMS_MCP_HTTP_TOKEN") == "unset"


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://api.zoom.us/v2", True),
        ("https://api.zoomgov.com/v2", True),
        ("http://127.0.0.1:8080/v2", True),
        ("http://localhost:9/v2", True),
        ("http://[::1]:9/v2", True),
        ("http://127.9.9.9/v2", True),
        ("http://api.zoom.us/v2", False),
        ("http://10.0.0.1/v2", False),
        ("ftp://api.zoom.us/v2", False),
        ("https://user:pw@api.zoom.us/v2", False),
        ("api.zoom.us/v2", False),
    ],
)
def test_https_required_except_loopback(monkeypatch: pytest.MonkeyPatch, url: str, ok: bool) -> None:
    _creds(monkeypatch)
    monkeypatch.setenv("ZOOM_OAUTH_TOKEN_URL", url)
    if ok:
        assert load_settings().zoom_oauth_token_url == url.rstrip("/")
    else:
        with pytest.raises(ConfigError, match="ZOOM_OAUTH_TOKEN_URL"):
            load_settings()


def test_zoom_for_government_by_url(monkeypatch: pytest.MonkeyPatch) -> None:
    _creds(monkeypatch)
    monkeypatch.setenv("ZOOM_API_BASE_URL", "https://api.zoomgov.com/v2/")
    monkeypatch.setenv("ZOOM_OAUTH_TOKEN_URL", "https://zoomgov.com/oauth/token")
    settings = load_settings()
    assert settings.zoom_api_base_url == "https://api.zoomgov.com/v2"
    assert settings.zoom_oauth_token_url == "https://zoomgov.com/oauth/token"


def test_demo_needs_no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZOOM_ROOMS_DEMO", "1")
    assert load_settings().zoom_rooms_demo is True
    monkeypatch.delenv("ZOOM_ROOMS_DEMO")
    assert load_settings(demo=True).missing_credentials() == []


def test_plan_is_case_insensitive_and_cache_dir_configurable(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    _creds(monkeypatch)
    monkeypatch.setenv("ZOOM_API_PLAN", "Business")
    monkeypatch.setenv("TOKEN_CACHE_DIR", str(tmp_path / "tokens"))
    settings = load_settings()
    assert settings.zoom_api_plan == "business"
    assert settings.token_cache_dir == tmp_path / "tokens"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("localhost", True), ("127.0.0.1", True), ("::1", True), ("[::1]", True), ("0.0.0.0", False), ("", False)],
)
def test_is_loopback_host(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback
