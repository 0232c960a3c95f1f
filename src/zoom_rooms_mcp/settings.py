"""Configuration from the environment and a ``.env`` file in the working directory (DESIGN §3)."""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, Self
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from platformdirs import user_cache_dir, user_data_dir
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from zoom_rooms_mcp.zoom.catalog import Plan

DEFAULT_API_BASE_URL = "https://api.zoom.us/v2"
DEFAULT_TOKEN_URL = "https://zoom.us/oauth/token"
CREDENTIAL_VARS = ("ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET")


class ConfigError(Exception):
    """Configuration is missing or malformed. The message names variables, never their values."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("Invalid configuration:\n" + "\n".join(f"  - {p}" for p in problems))


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str) -> str:
    """https everywhere; plain http only for loopback (the simulator, tests)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an absolute http(s) URL")
    if parts.username or parts.password:
        raise ValueError("must not embed credentials")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ValueError("must use https:// (plain http:// is only accepted for localhost / 127.0.0.1 / ::1)")
    return url.rstrip("/")


def default_cache_dir() -> Path:
    return Path(user_cache_dir("zoom-rooms-mcp", appauthor=False))


def default_data_dir() -> Path:
    return Path(user_data_dir("zoom-rooms-mcp", appauthor=False))


ZoomCloud = Literal["zoom", "zoomgov"]
_CLOUD_DOMAINS: dict[str, ZoomCloud] = {"zoom.us": "zoom", "zoomgov.com": "zoomgov"}


def zoom_cloud(url: str) -> ZoomCloud | None:
    """Which Zoom cloud a URL belongs to: ``zoom`` (zoom.us), ``zoomgov`` (zoomgov.com), or None (other)."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    for domain, cloud in _CLOUD_DOMAINS.items():
        if host == domain or host.endswith("." + domain):
            return cloud
    return None


StoreKind = Literal["memory", "sqlite", "postgresql"]
_STORE_FORMS = "memory, sqlite:///ABS/PATH, postgresql://… or postgresql+psycopg://…"
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


@dataclass(frozen=True, slots=True)
class StoreConfig:
    """Where the fleet store lives (DESIGN §9, §11). ``url`` may hold a database password: use ``display``
    for anything a person or a log sees."""

    kind: StoreKind
    url: SecretStr
    path: Path | None = None  # the SQLite file

    @property
    def display(self) -> str:
        return mask_store_url(self.url.get_secret_value())


def parse_store_url(value: str) -> StoreConfig:
    """Check the form of a ``ZOOM_ROOMS_STORE`` value (not whether it can be opened)."""
    text = value.strip()
    if text == "memory":
        return StoreConfig("memory", SecretStr("memory"))
    scheme, sep, rest = text.partition("://")
    scheme = scheme.lower()
    if not sep:
        raise ValueError(f"must be one of {_STORE_FORMS}")
    if scheme == "sqlite":
        if "?" in rest or "#" in rest or not rest.startswith("/"):
            raise ValueError("a SQLite store must be sqlite:///ABS/PATH (an absolute file path, no options)")
        # sqlite:///var/x.db and SQLAlchemy's sqlite:////var/x.db both name /var/x.db; relative paths would
        # depend on the working directory of whatever launched the server, so they are not accepted.
        body = rest.lstrip("/")
        if not body or body.endswith(("/", "\\")):
            raise ValueError("a SQLite store must be sqlite:///ABS/PATH (an absolute file path, no options)")
        path = Path(body) if _WINDOWS_DRIVE.match(body) else Path("/" + body)
        return StoreConfig("sqlite", SecretStr(f"sqlite:///{path.as_posix()}"), path)
    if scheme in ("postgresql", "postgresql+psycopg"):
        try:
            parts = urlsplit(text)
            parts.port  # noqa: B018 - raises ValueError on a malformed port
        except ValueError:
            raise ValueError("a PostgreSQL store must be postgresql://USER:PASSWORD@HOST:PORT/DATABASE") from None
        has_host = bool(parts.hostname) or any(k == "host" for k, _ in parse_qsl(parts.query))
        if not has_host or parts.fragment:
            raise ValueError("a PostgreSQL store must be postgresql://USER:PASSWORD@HOST:PORT/DATABASE")
        return StoreConfig("postgresql", SecretStr(text))
    raise ValueError(f"must be one of {_STORE_FORMS}")


def mask_store_url(url: str) -> str:
    """The store URL with any password (in the authority or a ``password=`` option) replaced by ``***``."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return "<unparsable store URL>"
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    if password is None and not any(k.lower() == "password" for k, _ in pairs):
        return url  # nothing to hide; urlunsplit would also mangle sqlite:////abs
    netloc = parts.netloc
    if password is not None:
        userinfo, _, hostport = netloc.rpartition("@")
        netloc = f"{userinfo.partition(':')[0]}:***@{hostport}"
    query = urlencode([(k, "***" if k.lower() == "password" else v) for k, v in pairs], safe="*/:")
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


_SWITCH = {"on": True, "true": True, "1": True, "off": False, "false": False, "0": False}


class Settings(BaseSettings):
    """All settings. Field names map to the upper-case environment variables of DESIGN §3."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True)

    zoom_account_id: str | None = None
    zoom_client_id: str | None = None
    zoom_client_secret: SecretStr | None = None
    token_cache_dir: Path = Field(default_factory=default_cache_dir)
    zoom_api_base_url: str = DEFAULT_API_BASE_URL
    zoom_oauth_token_url: str = DEFAULT_TOKEN_URL
    zoom_api_plan: Plan = "pro"
    zoom_rooms_demo: bool = False
    zoom_rooms_mcp_http_token: SecretStr | None = None
    # The raw ZOOM_ROOMS_STORE value (it may embed a password); read it through ``store_config()``.
    zoom_rooms_store: SecretStr | None = None
    zoom_rooms_sync: bool = True
    zoom_rooms_sync_share: float = 0.5
    zoom_webhook_secret_token: SecretStr | None = None

    @field_validator("zoom_account_id", "zoom_client_id", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        # Copy-paste from the Marketplace often brings stray whitespace; an empty value means "unset".
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    @field_validator(
        "zoom_client_secret",
        "zoom_rooms_mcp_http_token",
        "zoom_rooms_store",
        "zoom_webhook_secret_token",
        mode="before",
    )
    @classmethod
    def _strip_secret(cls, value: Any) -> Any:
        if isinstance(value, str):
            return value.strip() or None
        return value

    @field_validator("zoom_api_plan", mode="before")
    @classmethod
    def _lower_plan(cls, value: Any) -> Any:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("zoom_api_base_url", "zoom_oauth_token_url")
    @classmethod
    def _url(cls, value: str) -> str:
        return check_url(value)

    @field_validator("zoom_rooms_store")
    @classmethod
    def _store(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            parse_store_url(value.get_secret_value())
        return value

    @field_validator("zoom_rooms_sync", mode="before")
    @classmethod
    def _switch(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return _SWITCH[value.strip().lower()]
            except KeyError:
                raise ValueError("must be on or off (true/false and 1/0 are accepted too)") from None
        return value

    @field_validator("zoom_rooms_sync_share", mode="before")
    @classmethod
    def _share(cls, value: Any) -> float:
        try:
            share = float(value.strip() if isinstance(value, str) else value)
        except (TypeError, ValueError):
            share = float("nan")
        if not 0.05 <= share <= 0.9:  # also refuses nan
            raise ValueError("must be a number from 0.05 to 0.9 (the fraction of each rate limit the sync may use)")
        return share

    @model_validator(mode="after")
    def _same_cloud(self) -> Self:
        # A zoomgov token with the zoom.us API (or the reverse) fails as a misleading "invalid token"; the
        # simulator and other loopback URLs are exempt, as are hosts that are neither cloud (proxies, tests).
        token_cloud, api_cloud = zoom_cloud(self.zoom_oauth_token_url), zoom_cloud(self.zoom_api_base_url)
        if token_cloud and api_cloud and token_cloud != api_cloud:
            raise ValueError(
                "ZOOM_OAUTH_TOKEN_URL and ZOOM_API_BASE_URL belong to different Zoom clouds: set both for "
                "zoom.us, or both for zoomgov.com (Zoom for Government)"
            )
        return self

    def store_config(self) -> StoreConfig:
        """The fleet store: ``ZOOM_ROOMS_STORE``, else ``memory`` in demo mode, else a SQLite file per account
        in the user data dir."""
        if self.zoom_rooms_store is not None:
            return parse_store_url(self.zoom_rooms_store.get_secret_value())
        if self.zoom_rooms_demo:
            return StoreConfig("memory", SecretStr("memory"))
        safe_account = "".join(c if c.isalnum() or c in "-_" else "_" for c in self.zoom_account_id or "")[:64]
        path = default_data_dir() / f"fleet-{safe_account or 'default'}.sqlite3"
        return StoreConfig("sqlite", SecretStr(f"sqlite:///{path.as_posix()}"), path)

    def missing_credentials(self) -> list[str]:
        """Credential variables that are unset (none in demo mode, which uses the simulator's)."""
        if self.zoom_rooms_demo:
            return []
        values = (self.zoom_account_id, self.zoom_client_id, self.zoom_client_secret)
        return [name for name, value in zip(CREDENTIAL_VARS, values, strict=True) if value is None]

    @property
    def client_secret(self) -> str:
        return self.zoom_client_secret.get_secret_value() if self.zoom_client_secret else ""


_ENV_NAMES = {name: name.upper() for name in Settings.model_fields}


def load_settings(*, demo: bool | None = None, env_file: str | Path | None = ".env", **overrides: Any) -> Settings:
    """Build settings, or raise one ``ConfigError`` naming every missing or malformed variable.

    Pydantic echoes input values in its messages; we never pass those on, so a secret cannot leak.
    """
    if demo is not None:
        overrides["zoom_rooms_demo"] = demo
    problems: list[str] = []
    try:
        settings = Settings(_env_file=env_file, **overrides)
    except ValidationError as exc:
        bad_fields: set[str] = set()
        for err in exc.errors(include_input=False, include_url=False):
            field = next((str(part) for part in err["loc"] if str(part) in _ENV_NAMES), None)
            msg = err["msg"].removeprefix("Value error, ")
            if field is None:
                # A check across fields (the Zoom cloud): its message names the variables itself.
                problems.append(msg)
                bad_fields.update(("zoom_api_base_url", "zoom_oauth_token_url"))
                continue
            bad_fields.add(field)
            problems.append(f"{_ENV_NAMES[field]}: {msg}")
        # Validate again with the malformed values replaced by defaults, to report missing credentials too.
        defaults = {name: Settings.model_fields[name].get_default(call_default_factory=True) for name in bad_fields}
        try:
            settings = Settings(_env_file=env_file, **{**overrides, **defaults})
        except ValidationError:
            raise ConfigError(problems) from None
    problems.extend(
        f"{name}: required (set it in the environment or in .env, or run with --demo)"
        for name in settings.missing_credentials()
    )
    if problems:
        raise ConfigError(problems)
    return settings


def dotenv_present(env_file: str | Path = ".env") -> bool:
    return Path(env_file).is_file()


def env_source(name: str, env_file: str | Path = ".env") -> str:
    """Where a variable's value comes from: 'environment', '.env' or 'unset' (never the value)."""
    if os.environ.get(name):
        return "environment"
    path = Path(env_file)
    if path.is_file():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            key, sep, value = line.partition("=")
            if sep and key.strip().removeprefix("export ").strip() == name and value.strip():
                return ".env"
    return "unset"
