"""Run the whole benchmark: ``python -m bench.run [--quick] [--soak SECONDS] [--only a,b,...]``.

Writes ``bench/results/latest.json`` and ``latest.md`` (``quick.*`` for ``--quick``, ``partial.*`` for
``--only``, so that those never replace the full figures). Every section has a hard time limit, so the run
always ends by itself.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import anyio

from bench import cold, fanout, fleet, report, scaling, soak, startup, warm

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    cold_repeats: int
    warm_calls: int
    warm_warmup: int
    fanout_repeats: int
    startup_runs: int
    scaling_sizes: list[int]
    scaling_repeats: int
    fleet_sizes: list[int]
    fleet_calls: int


FULL = Profile("full", 7, 100, 5, 2, 5, [1_000, 5_000, 20_000], 5, [1_000, 5_000, 20_000], 15)
QUICK = Profile("quick", 2, 20, 2, 1, 2, [1_000, 5_000], 2, [1_000], 3)

Section = Callable[[Path], Awaitable[dict[str, Any]]]


def sections(profile: Profile, soak_seconds: float) -> dict[str, tuple[str, float, Section]]:
    """key → (letter for --only, hard time limit in seconds, measurement)."""
    chosen: dict[str, tuple[str, float, Section]] = {
        "a_cold_calls": (
            "a",
            180,
            lambda d: cold.run(rooms=150, latency=0.020, concurrency=20, repeats=profile.cold_repeats, workdir=d),
        ),
        "b_warm_calls": (
            "b",
            180,
            lambda d: warm.run(rooms=2_000, calls=profile.warm_calls, warmup=profile.warm_warmup, workdir=d),
        ),
        "c_fleet_health_fanout": ("c", 180, lambda d: fanout.run(rooms=200, repeats=profile.fanout_repeats, workdir=d)),
        "d_stdio_cold_start": ("d", 240, lambda d: startup.run(runs=profile.startup_runs, workdir=d)),
        "e_scaling": (
            "e",
            300,
            lambda d: scaling.run(sizes=profile.scaling_sizes, repeats=profile.scaling_repeats, workdir=d),
        ),
        "f_fleet": (
            "fleet",
            660,
            lambda d: fleet.run(
                sizes=profile.fleet_sizes, calls=profile.fleet_calls, restarts=3, webhook_seconds=5.0, workdir=d
            ),
        ),
    }
    if soak_seconds > 0:
        chosen["soak"] = ("soak", soak_seconds + 180, lambda d: soak.run(seconds=soak_seconds, workdir=d))
    return chosen


def production_logging() -> None:
    """Log as ``zoom-rooms-mcp serve`` does over stdio (WARNING and up, plain lines), into /dev/null.

    ``force``: importing ``bench.hello_server`` built an MCPServer, which installed the SDK's default (a Rich
    handler at INFO, one line per Zoom request), and that is not what the real server runs with.
    """
    handler = logging.StreamHandler(open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - lives with the process
    logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)


def environment() -> dict[str, Any]:
    def git(*args: str) -> str:
        try:
            done = subprocess.run(["git", *args], capture_output=True, text=True, timeout=10, check=True)
        except (OSError, subprocess.SubprocessError):
            return ""
        return done.stdout.strip()

    return {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "git_commit": git("rev-parse", "--short", "HEAD") or "unknown",
        "git_dirty": bool(git("status", "--porcelain", "--", "src")),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "mcp": version("mcp"),
        "zoom_rooms_mcp": version("zoom-rooms-mcp"),
        "load_before": [round(v, 2) for v in os.getloadavg()],
    }


async def run_all(profile: Profile, soak_seconds: float, only: set[str] | None) -> dict[str, Any]:
    results: dict[str, Any] = {"profile": profile.name, "environment": environment(), "sections": {}, "errors": {}}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="zoom-rooms-bench-") as tmp:
        for key, (letter, limit, measure) in sections(profile, soak_seconds).items():
            if only is not None and letter not in only:
                continue
            print(f"[{time.perf_counter() - started:6.1f}s] {key} …", file=sys.stderr, flush=True)
            try:
                with anyio.fail_after(limit):
                    results["sections"][key] = await measure(Path(tmp) / key)
            except Exception as exc:  # one failed measurement must not lose the others
                results["errors"][key] = f"{exc.__class__.__name__}: {exc}"
    results["environment"]["load_after"] = [round(v, 2) for v in os.getloadavg()]
    results["duration_s"] = round(time.perf_counter() - started, 1)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short smoke variant (about 2 minutes)")
    parser.add_argument("--soak", type=float, default=0.0, metavar="SECONDS", help="also run the soak test")
    parser.add_argument("--only", help="comma-separated sections to run: a,b,c,d,e,fleet,soak")
    parser.add_argument("--out", type=Path, default=RESULTS, help="results directory (default: bench/results)")
    options = parser.parse_args(argv)
    profile = QUICK if options.quick else FULL
    only = {part.strip() for part in options.only.split(",")} if options.only else None
    if only is not None and options.soak > 0:
        only.add("soak")
    production_logging()
    results = anyio.run(run_all, profile, options.soak, only)
    options.out.mkdir(parents=True, exist_ok=True)
    # Only a complete run replaces latest.*: a smoke or partial run must never overwrite the full figures.
    stem = "quick" if options.quick else "partial" if only is not None else "latest"
    if only == {"fleet"} and not options.quick:
        stem = "fleet"  # the store and sync figures (docs/benchmark.md (f)) are kept apart from the rest
    json_path, md_path = options.out / f"{stem}.json", options.out / f"{stem}.md"
    json_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md_path.write_text(report.render(results), encoding="utf-8")
    print(report.render(results))
    print(f"Wrote {json_path} and {md_path} in {results['duration_s']} s.", file=sys.stderr)
    return 1 if results["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
