"""``zoom-rooms-mcp check`` as a subprocess against the simulator on loopback, plus the doctor in-process."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.cli.helpers import closed_port, run_cli
from tests.harness import clean_env, sim_env
from zoom_rooms_mcp.doctor import DoctorReport, run_checks
from zoom_rooms_mcp.simulator import SimCredentials, Simulator

# Every test here runs the real command in a subprocess against a simulator: seconds each.
pytestmark = pytest.mark.slow

ALL_BUT_ROOM_LIST = (
    "zoom_rooms:read:list_locations:admin",
    "zoom_rooms:read:location_hierarchy:admin",
    "zoom_rooms:read:room:admin",
    "zoom_rooms:read:list_devices:admin",
    "dashboard:read:list_zoomrooms:admin",
    "dashboard:read:zoomroom:admin",
    "dashboard:read:issues_zoomroom:admin",
)


def checks(report: dict[str, object]) -> dict[str, dict[str, str]]:
    items = report["checks"]
    assert isinstance(items, list)
    return {item["id"]: item for item in items}


def test_check_passes_against_the_simulator(tmp_path: Path, sim: Simulator, simulator_url: str) -> None:
    env = sim_env(tmp_path, simulator_url)
    result = run_cli("check", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "✓ Everything works." in out
    assert "ZOOM_CLIENT_SECRET" in out
    assert "set (environment)" in out
    assert "sim-client-secret" not in out + result.stderr  # the secret is never printed
    assert "not found in" in out  # no .env in the working directory
    assert f"{simulator_url}/v2/rooms?page_size=1" in out
    cache_file = Path(env["TOKEN_CACHE_DIR"]) / "zoom_token_sim-account-0001.json"
    assert cache_file.is_file()
    assert str(cache_file) in out
    assert sim.stats.token_requests == 1
    assert sim.stats.by_endpoint["list_rooms"] == 1


def test_check_json_reports_sources_scopes_and_tools(tmp_path: Path, sim: Simulator, simulator_url: str) -> None:
    (tmp_path / ".env").write_text("ZOOM_CLIENT_SECRET=sim-client-secret\n")
    env = sim_env(tmp_path, simulator_url)
    del env["ZOOM_CLIENT_SECRET"]
    result = run_cli("check", "--json", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert report["exit_code"] == 0
    assert report["demo"] is False
    items = checks(report)
    assert items["env.ZOOM_CLIENT_SECRET"]["detail"] == "set (.env)"
    assert items["env.ZOOM_ACCOUNT_ID"]["detail"] == "set (environment)"
    assert items["dotenv"]["detail"].startswith("found in")
    assert items["token"]["status"] == "pass"
    assert items["api"]["status"] == "pass"
    assert set(report["scopes"]["granted"]) == set(sim.scopes)
    assert {t["tool"] for t in report["tools"]} >= {"get_zoom_rooms", "get_fleet_health", "get_room_issues"}
    assert "sim-client-secret" not in result.stdout


def test_bad_secret_fails_with_the_invalid_client_fix(tmp_path: Path, sim: Simulator, simulator_url: str) -> None:
    wrong = SimCredentials(client_secret="not-the-secret")
    result = run_cli("check", env=sim_env(tmp_path, simulator_url, wrong), cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    out = result.stdout
    assert "✗" in out
    assert "invalid_client" in out
    assert "Copy the Client ID and Client Secret again" in out
    assert "not-the-secret" not in out + result.stderr
    assert "skipped: no token" in out


def test_bad_account_id_gets_the_invalid_request_fix(tmp_path: Path, sim: Simulator, simulator_url: str) -> None:
    wrong = SimCredentials(account_id="someone-else")
    result = run_cli("check", "--json", env=sim_env(tmp_path, simulator_url, wrong), cwd=tmp_path)
    assert result.returncode == 1
    token = checks(json.loads(result.stdout))["token"]
    assert token["status"] == "fail"
    assert "invalid_request" in token["detail"]
    assert "Account ID" in (token["fix"] or "")


def test_missing_rooms_scope_fails_naming_the_scope(tmp_path: Path, sim: Simulator, simulator_url: str) -> None:
    sim.set_scopes(ALL_BUT_ROOM_LIST)
    result = run_cli("check", env=sim_env(tmp_path, simulator_url), cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    out = result.stdout
    assert "get_zoom_rooms" in out
    assert "cannot run: missing zoom_rooms:read:list_rooms:admin" in out
    assert "Fix: In Zoom App Marketplace → Manage → your Server-to-Server OAuth app → Scopes, add /rooms:" in out
    assert "zoom-rooms-mcp token --clear" in out
    # The one real API call fails the same way, with Zoom's scope error translated.
    assert "is missing a scope needed to read /rooms" in out


def test_unreachable_host_fails_with_the_network_fix(tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{closed_port()}"
    env = sim_env(tmp_path, base)
    result = run_cli("check", env=env, cwd=tmp_path)
    assert result.returncode == 1, result.stdout
    assert "Could not reach the Zoom token endpoint 127.0.0.1" in result.stdout
    assert "Check that this machine can reach 127.0.0.1 over HTTPS" in result.stdout
    assert "Traceback" not in result.stderr


def test_missing_variables_exit_2_naming_them(tmp_path: Path) -> None:
    result = run_cli("check", env=clean_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 2, result.stdout
    for variable in ("ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET"):
        assert f"✗  {variable}" in result.stdout
        assert f"Set {variable} in the environment or in .env" in result.stdout
    assert "skipped: fix the configuration first" in result.stdout


def test_check_demo_json(tmp_path: Path) -> None:
    result = run_cli("--demo", "check", "--json", env=clean_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(result.stdout)
    assert report["demo"] is True
    assert report["ok"] is True
    assert checks(report)["api"]["status"] == "pass"


# --- the doctor in-process (fast; the in-process simulator transport answers any host) -----------------------


@pytest.fixture
def doctor_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith("ZOOM_") or name == "TOKEN_CACHE_DIR":
            monkeypatch.delenv(name)
    creds = SimCredentials()
    monkeypatch.setenv("ZOOM_ACCOUNT_ID", creds.account_id)
    monkeypatch.setenv("ZOOM_CLIENT_ID", creds.client_id)
    monkeypatch.setenv("ZOOM_CLIENT_SECRET", creds.client_secret)
    monkeypatch.setenv("TOKEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


async def doctor(sim: Simulator, *, strict: bool = False) -> DoctorReport:
    return await run_checks(transport=sim.transport(), strict=strict)


@pytest.mark.anyio
async def test_doctor_warns_but_passes_without_dashboard_scopes(doctor_env: Path) -> None:
    sim = Simulator(rooms=20, scopes=["room:read:admin"])
    report = await doctor(sim)
    assert report.ok
    assert report.exit_code == 0
    by_id = {c.id: c for c in report.checks}
    issues = by_id["tool.get_room_issues"]  # a dashboard-only tool: off, but optional
    assert issues.status == "warn"
    assert "unavailable" in issues.detail
    assert issues.fix is not None
    assert "Business" in issues.fix
    assert by_id["tool.get_fleet_health"].status == "warn"  # works without dashboard data
    assert by_id["tool.get_zoom_rooms"].status == "pass"


@pytest.mark.anyio
async def test_doctor_degraded_tools_are_warnings_and_strict_fails(doctor_env: Path) -> None:
    granted = [
        "room:read:admin",
        "dashboard_home:read:admin",  # issue history, but not the per-room dashboard health
    ]
    sim = Simulator(rooms=20, scopes=granted)
    report = await doctor(sim)
    by_id = {c.id: c for c in report.checks}
    assert by_id["tool.get_room_details"].status == "warn"
    assert "dashboard_zr:read:admin" in by_id["tool.get_room_details"].detail  # classic app: classic names
    assert by_id["tool.get_room_issues"].status == "pass"
    assert report.ok
    assert report.exit_code == 0
    strict = await doctor(Simulator(rooms=20, scopes=granted), strict=True)
    assert not strict.ok
    assert strict.exit_code == 1


@pytest.mark.anyio
async def test_doctor_unwritable_cache_dir_is_a_warning(doctor_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = doctor_env / "not-a-dir"
    blocker.write_text("")
    monkeypatch.setenv("TOKEN_CACHE_DIR", str(blocker / "cache"))
    report = await doctor(Simulator(rooms=20))
    cache = next(c for c in report.checks if c.id == "cache")
    assert cache.status == "warn"
    assert "memory only" in cache.detail
    assert cache.fix is not None
    assert "TOKEN_CACHE_DIR" in cache.fix
    assert report.ok


@pytest.mark.anyio
async def test_doctor_malformed_url_is_a_configuration_failure(
    doctor_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ZOOM_OAUTH_TOKEN_URL", "http://zoom.example.com/oauth/token")
    report = await doctor(Simulator(rooms=20))
    item = next(c for c in report.checks if c.id == "env.ZOOM_OAUTH_TOKEN_URL")
    assert item.status == "fail"
    assert "https://" in item.detail
    assert item.fix is not None
    assert "https://zoom.us/oauth/token" in item.fix
    assert report.exit_code == 2
    assert next(c for c in report.checks if c.id == "env.ZOOM_ACCOUNT_ID").status == "pass"


@pytest.mark.anyio
async def test_doctor_reports_an_existing_cache_file(doctor_env: Path) -> None:
    sim = Simulator(rooms=20)
    await doctor(sim)
    report = await doctor(sim)
    item = next(c for c in report.checks if c.id == "cache.file")
    assert "valid for" in item.detail
    assert sim.stats.token_requests == 2  # the check always asks for a fresh token


@pytest.mark.anyio
async def test_doctor_warns_about_quoted_credentials(doctor_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZOOM_CLIENT_SECRET", '"sim-client-secret"')
    report = await doctor(Simulator(rooms=20))
    item = next(c for c in report.checks if c.id == "env.ZOOM_CLIENT_SECRET")
    assert item.status == "warn"
    assert "wrapped in quotes" in item.detail
    assert "sim-client-secret" not in item.detail
    token = next(c for c in report.checks if c.id == "token")
    assert token.status == "fail"  # Zoom (the simulator) rejects the quoted secret
