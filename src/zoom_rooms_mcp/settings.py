"""Configuration from the environment and a ``.env`` file in the working directory (DESIGN §3)."""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from platformdirs import user_cache_dir
from pydantic import Field, SecretStr, ValidationError, field_validator
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

    @field_validator("zoom_account_id", "zoom_client_id", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        # Copy-paste from the Marketplace often brings stray whitespace; an empty value means "unset".
        if isinstance(value, str):
            value = value.strip()
            return value or None
        return value

    @field_validator("zoom_client_secret", "zoom_rooms_mcp_http_token", mode="before")
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
                problems.append(msg)
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
