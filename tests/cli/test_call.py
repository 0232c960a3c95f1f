"""``zoom-rooms-mcp call``: a real MCP client session with the server as a stdio subprocess."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli.helpers import run_cli
from tests.harness import clean_env, sim_env
from zoom_rooms_mcp.cli.call import coerce_pairs
from zoom_rooms_mcp.simulator import Simulator

# Every test here runs the real command in a subprocess against a simulator: seconds each.
pytestmark = pytest.mark.slow


def test_call_json_prints_the_structured_result(tmp_path: Path) -> None:
    args = '{"location_query": "Seattle", "status": "Offline"}'
    result = run_cli("call", "get_zoom_rooms", args, "--demo", "--json", env=clean_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["resolution"]["status"] == "exact"
    assert data["total_count"] == len(data["rooms"]) > 0
    for room in data["rooms"]:
        assert room["status"] == "Offline"
        assert "Seattle" in room["location_path"].split(" > ")


def test_call_human_output_with_key_value_arguments(tmp_path: Path) -> None:
    result = run_cli(
        "call",
        "get_zoom_rooms",
        "-a",
        "location_query=Denver",
        "-a",
        "limit=2",
        "--demo",
        env=clean_env(tmp_path),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Rooms (2) in " in out  # limit=2 arrived as a number
    assert "Denver" in out.split("Rooms (2)")[1]  # the common location levels move into the title
    assert "Next page" in out
    assert "-a cursor=" in out
    assert "total_count" not in out  # readable titles, not the JSON keys


def test_call_against_the_simulator_on_loopback(tmp_path: Path, sim: Simulator, simulator_url: str) -> None:
    env = sim_env(tmp_path, simulator_url)
    result = run_cli("call", "test_zoom_connection", "--json", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["status"] == "success"
    assert data["demo"] is False
    assert data["api_base_url"] == f"{simulator_url}/v2"
    assert sim.stats.token_requests == 1


def test_tool_error_goes_to_stderr_with_exit_1(tmp_path: Path) -> None:
    result = run_cli(
        "call", "get_room_details", "-a", "room=No Such Room Anywhere", "--demo", env=clean_env(tmp_path), cwd=tmp_path
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    assert "No Such Room Anywhere" in result.stderr
    assert "Error executing tool" not in result.stderr


def test_unknown_tool_lists_the_available_ones(tmp_path: Path) -> None:
    result = run_cli("call", "get_rooms", "--demo", env=clean_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown tool 'get_rooms'" in result.stderr
    for tool in ("test_zoom_connection", "get_zoom_rooms", "get_fleet_health", "get_room_issues"):
        assert tool in result.stderr


@pytest.mark.parametrize(
    ("json_args", "message"),
    [
        ("[1, 2]", "must be a JSON object"),
        ("{location_query: Seattle}", "not valid JSON"),
        ('"Seattle"', "JSON object"),
    ],
)
def test_json_args_must_be_an_object(tmp_path: Path, json_args: str, message: str) -> None:
    result = run_cli("call", "get_zoom_rooms", json_args, "--demo", env=clean_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_bad_key_value_pair(tmp_path: Path) -> None:
    result = run_cli("call", "get_zoom_rooms", "-a", "Seattle", "--demo", env=clean_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert "'Seattle' is not KEY=VALUE" in result.stderr


def test_call_without_configuration_exits_2_before_starting_a_server(tmp_path: Path) -> None:
    result = run_cli("call", "test_zoom_connection", env=clean_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 2
    assert "ZOOM_ACCOUNT_ID" in result.stderr


def test_coerce_pairs_follows_the_input_schema() -> None:
    schema = {
        "properties": {
            "room": {"type": "string"},
            "limit": {"type": "integer"},
            "force_refresh": {"type": "boolean"},
            "status": {"anyOf": [{"enum": ["Available", "Offline"], "type": "string"}, {"type": "null"}]},
            "cursor": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        }
    }
    pairs = [("room", "123"), ("limit", "5"), ("force_refresh", "true"), ("status", "Offline"), ("cursor", "null")]
    assert coerce_pairs(pairs, schema) == {
        "room": "123",
        "limit": 5,
        "force_refresh": True,
        "status": "Offline",
        "cursor": None,
    }
    assert coerce_pairs([("limit", "many")], schema) == {"limit": "many"}  # the server's validation explains
