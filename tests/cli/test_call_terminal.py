"""``call`` for people, in a real terminal (a pseudo-terminal of a given size): a summary first, then tables that
fit the width with readable titles, no ids unless asked, nothing cut off; and ``call TOOL --help``."""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import termios
import time
from pathlib import Path

import pytest

from tests.cli.helpers import TIMEOUT, run_cli
from tests.harness import COMMAND, clean_env

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
ID = re.compile(r"\b[A-Za-z0-9_-]{22}\b")  # the simulator's room and location ids


def run_in_terminal(*args: str, columns: int, env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """Run the command with stdout on a pseudo-terminal ``columns`` wide (no COLUMNS variable: the width comes
    from the terminal itself); returns the exit status and what the terminal received."""
    env = {k: v for k, v in env.items() if k not in ("COLUMNS", "LINES")}
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    with subprocess.Popen(
        [*COMMAND, *args], stdout=slave, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL, env=env, cwd=cwd
    ) as proc:
        os.close(slave)
        chunks: list[bytes] = []
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # the terminal closed: the process is done
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            elif proc.poll() is not None:
                break
        os.close(master)
        code = proc.wait(timeout=TIMEOUT)
    text = ANSI.sub("", b"".join(chunks).decode("utf-8")).replace("\r\n", "\n")
    return code, text


@pytest.mark.slow
@pytest.mark.parametrize("columns", [80, 120])
def test_fleet_health_fits_the_terminal(tmp_path: Path, columns: int) -> None:
    code, out = run_in_terminal(
        "call", "get_fleet_health", "--demo", columns=columns, env=clean_env(tmp_path), cwd=tmp_path
    )
    assert code == 0, out
    lines = out.splitlines()
    assert lines, out
    assert max(len(line.rstrip()) for line in lines) <= columns
    # The summary comes first, with readable labels; then the table.
    assert lines[0].startswith("Rooms ")
    assert out.index("By health") < out.index("Rooms needing attention")
    assert "Problems" in out
    assert "problem_rooms" not in out
    assert "total_rooms" not in out
    assert not ID.search(out)  # no ids without --ids
    assert "…" not in out.split("Rooms needing attention")[1].rsplit("… ", 1)[0]  # only the "… N more" line
    # Messages wrap instead of being cut: the problem text is there word for word in its column (the last one).
    header = next(line for line in lines if line.rstrip().endswith("Problems"))
    start = header.index("Problems")
    column = " ".join(line[start:].strip() for line in lines[lines.index(header) + 1 :])
    assert "Room is offline: the Zoom Rooms app on its computer is not connected to Zoom" in " ".join(column.split())


@pytest.mark.slow
def test_ids_on_request(tmp_path: Path) -> None:
    args = ("call", "get_zoom_rooms", "-a", "location_query=Seattle", "-a", "limit=3", "--demo", "--ids")
    code, out = run_in_terminal(*args, columns=120, env=clean_env(tmp_path), cwd=tmp_path)
    assert code == 0, out
    assert ID.search(out)
    assert max(len(line.rstrip()) for line in out.splitlines()) <= 120


def test_tool_help_comes_from_the_tool_schema(tmp_path: Path) -> None:
    result = run_cli("call", "get_zoom_rooms", "--help", env=clean_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = " ".join(result.stdout.split())
    assert "call get_zoom_rooms [JSON_ARGS]" in out
    for parameter in ("location_query", "status", "limit", "cursor"):
        assert f"{parameter} (" in out
    assert "one of Available, InMeeting, Offline, UnderConstruction" in out
    assert "Example:" in out
    generic = run_cli("call", "--help", env=clean_env(tmp_path), cwd=tmp_path)
    assert generic.stdout.startswith("Usage: zoom-rooms-mcp call")
    assert "Examples:" in generic.stdout


def test_tool_help_for_a_required_parameter_and_an_unknown_tool(tmp_path: Path) -> None:
    result = run_cli("call", "get_room_details", "-h", env=clean_env(tmp_path), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "room (text; required)" in result.stdout
    assert "-a room=…" in result.stdout
    unknown = run_cli("call", "get_rooms", "--help", env=clean_env(tmp_path), cwd=tmp_path)
    assert unknown.returncode == 2
    assert "unknown tool 'get_rooms'" in unknown.stderr
