"""(d) Cold start over stdio: spawn the server, connect, and wait for ``tools/list``; versus a hello-world server.

Runs alternate between the two servers after one untimed run each (which fills the OS file cache and writes
``.pyc`` files), so that both see the same machine. The server runs in demo mode (built-in simulator, no
credentials), from an empty working directory so that no ``.env`` is read.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TextIO

import anyio
from mcp import Client, StdioServerParameters
from mcp.client.stdio import get_default_environment, stdio_client

from bench import hello_server
from bench.measure import BenchError, Stopwatch, ratio, summary

START_TIMEOUT = 60.0
HELLO_SERVER = str(Path(hello_server.__file__).resolve())
# How much of start-up is imports: nothing, the SDK alone, the server module.
IMPORTS = {"python_only": "pass", "mcp_sdk": "import mcp.server.mcpserver", "server": "import zoom_rooms_mcp.server"}
FALLBACK_CODE = (
    "from zoom_rooms_mcp.server import create_server; from zoom_rooms_mcp.settings import load_settings; "
    "create_server(load_settings(demo={demo})).run()"
)


def server_command(*, demo: bool = True) -> tuple[list[str], str]:
    """The real CLI (``python -m zoom_rooms_mcp [--demo]``) when it exists, else the factory called directly.

    Without ``demo`` the server is configured by the environment (``ZOOM_*`` variables), as in production.
    """
    if importlib.util.find_spec("zoom_rooms_mcp.cli") is not None:
        flags = ["--demo"] if demo else []
        return [sys.executable, "-m", "zoom_rooms_mcp", *flags], " ".join(["python -m zoom_rooms_mcp", *flags])
    code = FALLBACK_CODE.format(demo=demo)
    return [sys.executable, "-c", code], f"python -c 'create_server(load_settings(demo={demo})).run()'"


@asynccontextmanager
async def spawn(
    command: list[str], workdir: Path, errlog: TextIO, env: dict[str, str] | None = None
) -> AsyncIterator[Client]:
    """A stdio server process behind the SDK client; the process ends when the block does."""
    params = StdioServerParameters(command=command[0], args=command[1:], cwd=workdir, env=env)
    async with Client(stdio_client(params, errlog=errlog), cache=None) as client:
        yield client


async def time_to_tools(command: list[str], workdir: Path, errlog: TextIO) -> tuple[float, int]:
    """Milliseconds from spawning to the end of ``tools/list``, and how many tools were listed."""
    with anyio.fail_after(START_TIMEOUT):
        started = time.perf_counter()
        async with spawn(command, workdir, errlog) as client:
            tools = (await client.list_tools()).tools
            # Stop here: shutting the process down is not part of starting it.
            elapsed = (time.perf_counter() - started) * 1000
    return elapsed, len(tools)


async def run(*, runs: int, workdir: Path) -> dict[str, Any]:
    command, label = server_command()
    targets = {"server": command, "hello": [sys.executable, HELLO_SERVER]}
    samples: dict[str, list[float]] = {name: [] for name in targets}
    imports: dict[str, list[float]] = {name: [] for name in IMPORTS}
    tools: dict[str, int] = {}
    await anyio.Path(workdir).mkdir(parents=True, exist_ok=True)
    log_path = workdir / "startup-stderr.log"
    with log_path.open("w", encoding="utf-8") as errlog:
        try:
            for index in range(runs + 1):
                for name in targets if index % 2 == 0 else reversed(list(targets)):
                    ms, tools[name] = await time_to_tools(targets[name], workdir, errlog)
                    if index > 0:  # the first round only warms the file cache
                        samples[name].append(ms)
                for name, code in IMPORTS.items():
                    ms = _import_time(code)
                    if index > 0:
                        imports[name].append(ms)
        except Exception as exc:
            raise BenchError(f"stdio start-up failed ({exc!r}); the servers' stderr is in {log_path}") from exc
    server, hello = summary(samples["server"], 1), summary(samples["hello"], 1)
    return {
        "setup": {"server_command": label, "runs": runs, "transport": "stdio subprocess, SDK Client"},
        "server_ms": server,
        "hello_ms": hello,
        "ratio_server_to_hello": ratio(float(server["median"]), float(hello["median"])),
        # Noise on a shared machine only ever adds time: the fastest runs are the steadiest comparison.
        "ratio_server_to_hello_min": ratio(float(server["min"]), float(hello["min"])),
        "tools_listed": tools,
        "import_ms": {name: summary(times, 1) for name, times in imports.items()},
    }


def _import_time(code: str) -> float:
    """Wall time of a bare interpreter running ``code``, in the same (minimal) environment as the stdio spawns."""
    with Stopwatch() as sw:
        subprocess.run([sys.executable, "-c", code], env=get_default_environment(), check=True, timeout=START_TIMEOUT)
    return sw.ms
