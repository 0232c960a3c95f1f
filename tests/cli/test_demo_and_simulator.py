"""``zoom-rooms-mcp demo`` (the guided tour) and ``zoom-rooms-mcp simulator`` (standalone, on loopback)."""

from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import httpx2
import pytest

from tests.cli.helpers import LineReader, run_cli
from tests.harness import COMMAND, clean_env
from zoom_rooms_mcp.cli.tour import STEPS


@pytest.mark.slow
def test_demo_prints_the_tour(tmp_path: Path) -> None:
    result = run_cli("demo", env=clean_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    for number, step in enumerate(STEPS, start=1):
        assert f"{number}/{len(STEPS)}  {step.question}" in out
        assert f"→ {step.tool}(" in out
    assert "Error" not in out
    assert "Offline rooms" in out  # Seattle
    assert "Everest" in out
    assert "Devices" in out
    assert "Munich Campus" in out
    assert "Rooms needing attention" in out
    assert "ambiguous" in out
    assert "Denver" in out
    assert "Seattle > Lake Union Campus > Building 2" in out
    # The whole fleet, every room checked; then a room goes offline and its webhook alert is in the answer.
    assert "Worst first" in out
    assert "goes offline" in out
    assert "room_offline: 1" in out
    assert "Room went offline" in out
    assert "webhook" in out
    assert "\x1b[" not in out  # no colour codes off a terminal


def test_simulator_prints_its_urls_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    args = [*COMMAND, "simulator", "--port", "0", "--rooms", "30", "--client-secret", "s3cret"]
    with subprocess.Popen(
        args, env=clean_env(tmp_path), cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as proc:
        try:
            assert proc.stdout is not None
            reader = LineReader(proc.stdout)
            reader.wait_for(lambda line: line.startswith("Press Ctrl-C"))
            lines = list(reader.lines)
            banner = "\n".join(lines)
            fields = dict(line.strip().split(":  ", 1) for line in lines[1:4])
            token_url = fields["Token URL"].strip()
            api_base = fields["API base URL"].strip()
            assert token_url.startswith("http://127.0.0.1:")
            assert token_url.endswith("/oauth/token")
            assert api_base == token_url.removesuffix("/oauth/token") + "/v2"
            assert "Client secret: s3cret" in banner
            assert "Account ID:    sim-account-0001" in banner
            assert f"export ZOOM_API_BASE_URL={api_base}" in banner
            assert f"ZOOM_OAUTH_TOKEN_URL={token_url}" in banner
            assert "ZOOM_CLIENT_SECRET=s3cret" in banner
            # It really accepts exactly those credentials.
            with httpx2.Client(timeout=10) as http:
                ok = http.post(
                    token_url,
                    data={"grant_type": "account_credentials", "account_id": "sim-account-0001"},
                    auth=("sim-client-id", "s3cret"),
                )
                bad = http.post(
                    token_url,
                    data={"grant_type": "account_credentials", "account_id": "sim-account-0001"},
                    auth=("sim-client-id", "sim-client-secret"),
                )
            assert ok.status_code == 200
            assert "access_token" in ok.json()
            assert bad.status_code == 400
            assert bad.json()["error"] == "invalid_client"
            proc.send_signal(signal.SIGINT)
            proc.wait(timeout=20)
            rest = "\n".join(reader.rest())
            assert proc.stderr is not None
            errors = proc.stderr.read()
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0, errors
    assert "Simulator stopped." in rest
    assert "Traceback" not in errors


def test_simulator_json_line_and_sigterm(tmp_path: Path) -> None:
    args = [*COMMAND, "simulator", "--port", "0", "--rooms", "10", "--json", "--plan", "pro"]
    with subprocess.Popen(args, env=clean_env(tmp_path), cwd=tmp_path, stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout is not None
            info = json.loads(LineReader(proc.stdout).wait_for(lambda line: line.startswith("{")))
            assert info["plan"] == "pro"
            assert info["rooms"] == 10
            assert info["api_base_url"].startswith("http://127.0.0.1:")
            proc.terminate()
            proc.wait(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
    assert proc.returncode == 0


def test_simulator_refuses_a_non_loopback_host(tmp_path: Path) -> None:
    result = run_cli("simulator", "--host", "0.0.0.0", env=clean_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert "not a loopback address" in result.stderr
