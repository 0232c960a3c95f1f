"""Configuration (DESIGN §3): environment and .env, one clear error, https except loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from zoom_rooms_mcp.settings import (
    ConfigError,
    env_source,
    is_loopback_host,
    load_settings,
    mask_store_url,
    parse_store_url,
)

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
    "ZOOM_ROOMS_STORE",
    "ZOOM_ROOMS_SYNC",
    "ZOOM_ROOMS_SYNC_SHARE",
    "ZOOM_WEBHOOK_SECRET_TOKEN",
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
        ("https://zoom.us/oauth/token", True),
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


@pytest.mark.parametrize(
    ("token_url", "api_url"),
    [
        ("https://zoomgov.com/oauth/token", "https://api.zoom.us/v2"),
        ("https://zoom.us/oauth/token", "https://api.zoomgov.com/v2"),
        ("https://ZOOMGOV.com./oauth/token", "https://eu01api.zoom.us/v2"),
    ],
)
def test_token_and_api_urls_of_different_clouds_are_one_config_error(
    monkeypatch: pytest.MonkeyPatch, token_url: str, api_url: str
) -> None:
    _creds(monkeypatch)
    monkeypatch.setenv("ZOOM_OAUTH_TOKEN_URL", token_url)
    monkeypatch.setenv("ZOOM_API_BASE_URL", api_url)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert len(info.value.problems) == 1
    problem = info.value.problems[0]
    assert "ZOOM_OAUTH_TOKEN_URL" in problem
    assert "ZOOM_API_BASE_URL" in problem
    assert token_url not in problem
    assert api_url not in problem
    assert SECRET not in str(info.value)


def test_cloud_mismatch_is_reported_with_the_other_problems(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZOOM_OAUTH_TOKEN_URL", "https://zoomgov.com/oauth/token")
    with pytest.raises(ConfigError) as info:
        load_settings()
    text = str(info.value)
    assert "different Zoom clouds" in text
    assert "ZOOM_ACCOUNT_ID: required" in text


@pytest.mark.parametrize(
    ("token_url", "api_url"),
    [
        ("http://127.0.0.1:9/oauth/token", "https://api.zoom.us/v2"),  # the simulator's token endpoint
        ("https://zoomgov.com/oauth/token", "http://localhost:8080/v2"),
        ("https://zoom.us/oauth/token", "https://zoom-proxy.example.com/v2"),  # neither cloud: not judged
    ],
)
def test_loopback_and_other_hosts_are_exempt_from_the_cloud_check(
    monkeypatch: pytest.MonkeyPatch, token_url: str, api_url: str
) -> None:
    _creds(monkeypatch)
    monkeypatch.setenv("ZOOM_OAUTH_TOKEN_URL", token_url)
    monkeypatch.setenv("ZOOM_API_BASE_URL", api_url)
    assert load_settings().zoom_api_base_url == api_url


def test_store_sync_and_webhook_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    _creds(monkeypatch)
    settings = load_settings()
    assert settings.zoom_rooms_sync is True
    assert settings.zoom_rooms_sync_share == 0.5
    assert settings.zoom_webhook_secret_token is None
    store = settings.store_config()
    assert store.kind == "sqlite"
    assert store.path is not None
    assert store.path.is_absolute()
    assert store.path.name == "fleet-acct.sqlite3"
    assert load_settings(demo=True).store_config().kind == "memory"


@pytest.mark.parametrize(
    ("value", "kind", "path"),
    [
        ("memory", "memory", None),
        ("sqlite:////var/lib/zrm/fleet.db", "sqlite", "/var/lib/zrm/fleet.db"),
        ("sqlite:///var/lib/zrm/fleet.db", "sqlite", "/var/lib/zrm/fleet.db"),
        ("postgresql://zrm:pw@db.example.com:5432/zrm", "postgresql", None),
        ("postgresql+psycopg://zrm@db.example.com/zrm", "postgresql", None),
        ("postgresql://zrm@/zrm?host=/run/postgresql", "postgresql", None),
    ],
)
def test_store_url_forms(monkeypatch: pytest.MonkeyPatch, value: str, kind: str, path: str | None) -> None:
    _creds(monkeypatch)
    monkeypatch.setenv("ZOOM_ROOMS_STORE", value)
    store = load_settings().store_config()
    assert store.kind == kind
    assert store.path == (Path(path) if path else None)
    if kind == "sqlite":
        assert store.url.get_secret_value() == f"sqlite:///{path}"  # SQLAlchemy's absolute form


@pytest.mark.parametrize(
    "value",
    [
        "sqlite:///dir/",
        "sqlite://relative.db",
        "sqlite:////var/x.db?mode=ro",
        "mysql://u:pw@h/db",
        "postgres://u:pw@h/db",
        "postgresql:///db",
        "postgresql://h:notaport/db",
        "fleet.db",
        "Memory!",
    ],
)
def test_malformed_store_is_named_without_its_value(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    _creds(monkeypatch)
    monkeypatch.setenv("ZOOM_ROOMS_STORE", value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert info.value.problems[0].startswith("ZOOM_ROOMS_STORE: ")
    assert value not in str(info.value)


def test_store_password_never_shows(monkeypatch: pytest.MonkeyPatch) -> None:
    _creds(monkeypatch)
    monkeypatch.setenv("ZOOM_ROOMS_STORE", f"postgresql://zrm:{SECRET}@db.example.com:5432/zrm")
    settings = load_settings()
    store = settings.store_config()
    assert SECRET not in repr(settings)
    assert SECRET not in repr(store)
    assert store.display == "postgresql://zrm:***@db.example.com:5432/zrm"
    assert store.url.get_secret_value().endswith("/zrm")


@pytest.mark.parametrize(
    ("url", "masked"),
    [
        ("postgresql://u:p%40ss@h:5/db", "postgresql://u:***@h:5/db"),
        ("postgresql://u@h/db?password=pw&sslmode=require", "postgresql://u@h/db?password=***&sslmode=require"),
        ("postgresql+psycopg://h/db", "postgresql+psycopg://h/db"),
        ("sqlite:////var/x.db", "sqlite:////var/x.db"),
        ("memory", "memory"),
    ],
)
def test_mask_store_url(url: str, masked: str) -> None:
    assert mask_store_url(url) == masked
    assert parse_store_url(url).display == masked


@pytest.mark.parametrize(("value", "expected"), [("on", True), ("OFF", False), ("true", True), ("0", False)])
def test_sync_switch(monkeypatch: pytest.MonkeyPatch, value: str, expected: bool) -> None:
    _creds(monkeypatch)
    monkeypatch.setenv("ZOOM_ROOMS_SYNC", value)
    assert load_settings().zoom_rooms_sync is expected


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ZOOM_ROOMS_SYNC", "sometimes"),
        ("ZOOM_ROOMS_SYNC_SHARE", "0.95"),
        ("ZOOM_ROOMS_SYNC_SHARE", "0.01"),
        ("ZOOM_ROOMS_SYNC_SHARE", "half"),
        ("ZOOM_ROOMS_SYNC_SHARE", "nan"),
    ],
)
def test_malformed_sync_settings_are_named(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    _creds(monkeypatch)
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert [p.split(":")[0] for p in info.value.problems] == [name]
    assert value not in str(info.value)


def test_sync_share_bounds_and_webhook_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    _creds(monkeypatch)
    monkeypatch.setenv("ZOOM_ROOMS_SYNC_SHARE", " 0.9 ")
    monkeypatch.setenv("ZOOM_WEBHOOK_SECRET_TOKEN", f" {SECRET} ")
    settings = load_settings()
    assert settings.zoom_rooms_sync_share == 0.9
    assert settings.zoom_webhook_secret_token is not None
    assert settings.zoom_webhook_secret_token.get_secret_value() == SECRET
    assert SECRET not in repr(settings)
