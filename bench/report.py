"""Render a results dictionary (``latest.json``) as a readable Markdown report (``latest.md``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join("–" if cell is None else str(cell) for cell in row) + " |" for row in rows]
    return [*lines, ""]


def x(value: object) -> str:
    return "–" if value is None else f"{value}×"


def render(results: dict[str, Any]) -> str:
    env = results["environment"]
    lines = [
        f"# zoom-rooms-mcp benchmark ({results['profile']} run)",
        "",
        f"{env['timestamp']} · commit `{env['git_commit']}`{' (uncommitted changes)' if env['git_dirty'] else ''} · "
        f"Python {env['python']} · mcp {env['mcp']} · {env['cpus']} CPUs · load average "
        f"{env['load_before']} before, {env['load_after']} after · {results['duration_s']} s.",
        "",
        "Ratios compare measurements taken side by side in this one run; absolute times depend on a shared, "
        "noisy 2-core machine. See docs/benchmark.md for what each measurement means.",
        "",
    ]
    sections = results["sections"]
    for key, render_section in _RENDERERS.items():
        if key in sections:
            lines += render_section(sections[key])
    for key, error in results.get("errors", {}).items():
        lines += [f"**{key} failed:** {error}", ""]
    return "\n".join(lines)


def _cold(data: dict[str, Any]) -> list[str]:
    setup = data["setup"]
    lines = [
        "## (a) Concurrent cold calls: seed design vs this server",
        "",
        f"{setup['concurrency']} concurrent `get_zoom_rooms` calls, {setup['rooms']}-room fleet, "
        f"{setup['injected_latency_ms']:.0f} ms injected latency per request, {setup['repeats']} repetitions "
        f"(fresh server and empty token cache each time), {setup['transport']}.",
        "",
    ]
    rows = []
    phases = (
        ("cold", "cold"),
        ("warm", "warm (same server again)"),
        ("cold_single_call", "cold, one call alone"),
        ("after_revocation", "token revoked"),
    )
    for phase, title in phases:
        for side in ("seed", "server"):
            d = data[phase][side]
            rows.append(
                [
                    title,
                    side,
                    d["latency_ms"]["median"],
                    d["latency_ms"]["p95"],
                    d["token_requests"],
                    d["upstream_requests"],
                    f"{d['rooms_returned']} / {d['rooms_total']}",
                    f"{d['calls'] - d['failed_calls']} / {d['calls']}",
                ]
            )
    lines += table(
        ["phase", "side", "median ms/call", "p95 ms/call", "token req.", "upstream req.", "rooms returned", "calls OK"],
        rows,
    )
    for phase in ("cold", "warm", "cold_single_call"):
        r = data[phase]["ratio_server_to_seed"]
        lines.append(
            f"- {dict(phases)[phase]}: server/seed median latency **{x(r['median_latency'])}**, "
            f"p95 {x(r['p95_latency'])}, upstream requests {x(r['upstream_requests'])}."
        )
    lines += [
        "- Request counts are per burst of calls (median over repetitions). *Token revoked*: fresh processes start "
        "with the revoked token in their cache file; the seed clears only its memory copy, reloads the same token "
        "from the file and fails.",
        "",
    ]
    return lines


def _warm(data: dict[str, Any]) -> list[str]:
    setup, floor = data["setup"], data["hello_floor_ms"]
    lines = [
        "## (b) Warm per-call cost",
        "",
        f"{setup['rooms']} rooms, {setup['locations']} locations, {setup['transport']}; {setup['timed_calls']} timed "
        f"calls after {setup['warmup_calls']} warm-up calls. Hello-world tool through the same client: median "
        f"{floor['median']} ms.",
        "",
    ]
    rows = [
        [
            s["label"],
            s["e2e_ms"]["median"],
            s["e2e_ms"]["p95"],
            s["client_validation_median_ms"],
            s["server_median_ms"],
            x(s["server_to_hello_ratio"]),
            f"{s['cold_api_requests']} / {s['minimum_api_requests']}",
            s["warm_api_requests_per_call"],
            "yes" if s["correct"] else f"NO (expected {s['expected_total']})",
        ]
        for s in data["scenarios"]
    ]
    lines += table(
        [
            "call",
            "median ms",
            "p95 ms",
            "client validation ms",
            "server ms",
            "server / hello",
            "cold API req. / minimum",
            "warm req./call",
            "correct",
        ],
        rows,
    )
    lines += [
        "- *median/p95 ms*: the whole call through the SDK client; *client validation*: the part the Python client "
        "spends re-validating the result against the tool's outputSchema; *server ms* = median − validation.",
        "- *cold API req. / minimum*: upstream requests of a fresh server's first call (token excluded) versus "
        "what the data needs (location pages + structure + room pages or per-location listings).",
        "",
    ]
    return lines


def _fanout(data: dict[str, Any]) -> list[str]:
    setup = data["setup"]
    lines = [
        "## (c) get_fleet_health fan-out at the Pro plan's Medium limit",
        "",
        f"{setup['rooms']} rooms, plan {setup['plan']}, limit {setup['medium_limit_per_s']} req/s enforced by the "
        f"simulator (rate_scale {setup['rate_scale']}), client pacing {setup['client_pacing_per_s']} req/s, "
        f"include_devices=true.",
        "",
    ]
    rows = [
        [
            i + 1,
            r["elapsed_s"],
            r["device_requests"],
            r["bound_s"],
            x(r["elapsed_to_bound"]),
            r["achieved_device_rate_per_s"],
            r["rate_limited_429"],
            r["peak_in_flight"],
            r["upstream_requests"],
        ]
        for i, r in enumerate(data["runs"])
    ]
    lines += table(
        [
            "run",
            "elapsed s",
            "device requests",
            "bound s (devices / limit)",
            "elapsed / bound",
            "device req/s achieved",
            "429s",
            "peak in flight",
            "upstream req.",
        ],
        rows,
    )
    notes = "; ".join(note.rstrip(".") for note in data["runs"][0]["notes"]) or "none"
    lines += [f"- Notes from the tool: {notes}.", ""]
    return lines


def _startup(data: dict[str, Any]) -> list[str]:
    server, hello, imports = data["server_ms"], data["hello_ms"], data["import_ms"]
    lines = [
        "## (d) Cold start to the end of tools/list over stdio",
        "",
        f"`{data['setup']['server_command']}` versus `bench/hello_server.py`, {data['setup']['runs']} timed runs each, "
        "alternating.",
        "",
    ]
    lines += table(
        ["server", "median ms", "p95 ms", "min ms", "tools"],
        [
            ["zoom-rooms-mcp", server["median"], server["p95"], server["min"], data["tools_listed"]["server"]],
            ["hello world", hello["median"], hello["p95"], hello["min"], data["tools_listed"]["hello"]],
        ],
    )
    lines += [
        f"- Ratio server / hello: **{x(data['ratio_server_to_hello'])}** (medians), "
        f"{x(data['ratio_server_to_hello_min'])} (fastest runs).",
        f"- Bare imports, median (min) ms: Python {imports['python_only']['median']} "
        f"({imports['python_only']['min']}), MCP SDK {imports['mcp_sdk']['median']} ({imports['mcp_sdk']['min']}), "
        f"zoom_rooms_mcp.server {imports['server']['median']} ({imports['server']['min']}).",
        "",
    ]
    return lines


def _scaling(data: dict[str, Any]) -> list[str]:
    lines = [
        "## (e) Scaling of resolution and listing",
        "",
        f"City: {data['setup']['city']}; {data['setup']['transport']}. Times are medians in ms; growth is relative to "
        "the smallest fleet.",
        "",
    ]
    rows = []
    for r in data["rows"]:
        g = r["growth_vs_smallest"]
        rows.append(
            [
                f"{r['rooms']:,} ({x(g['rooms'])})",
                r["locations"],
                f"{r['tree_build_ms']['median']} ({x(g['tree_build_ms'])})",
                f"{r['resolver_build_ms']['median']} ({x(g['resolver_build_ms'])})",
                f"{r['resolve_multipart_ms']['median']} ({x(g['resolve_multipart_ms'])})",
                f"{r['resolve_typo_ms']['median']} ({x(g['resolve_typo_ms'])})",
                f"{r['city_cold_ms']} ({r['city_cold_api_requests']} / {r['city_minimum_api_requests']} req.)",
                f"{r['city_warm_ms']['median']} ({x(g['city_warm_ms'])})",
                f"{r['fleet_warm_ms']['median']} ({x(g['fleet_warm_ms'])})",
            ]
        )
    lines += table(
        [
            "rooms",
            "locations",
            "tree build",
            "resolver build",
            "resolve multi-part",
            "resolve typo",
            "city cold (API req. / minimum)",
            "city warm",
            "whole fleet warm (page 1)",
        ],
        rows,
    )
    first = data["rows"][0]
    lines += [
        f"- Multi-part query e.g. '{first['multipart_query']}' → {first['multipart_resolved']}; typo "
        f"'{first['typo_query']}' → {first['typo_resolved']}.",
        "",
    ]
    return lines


def _soak(data: dict[str, Any]) -> list[str]:
    rss = data["rss_mb"]
    return [
        "## Soak",
        "",
        f"`{data['setup']['server_command']}` over stdio, {data['elapsed_s']} s, {data['calls']} mixed calls "
        f"({data['calls_per_s']}/s, {data['setup']['distinct_calls']} distinct), {data['tool_errors']} tool errors.",
        "",
        *table(
            [
                "RSS MB start",
                "end",
                "max",
                "first-third median",
                "last-third median",
                "growth",
                "slope MB/min",
                "stable",
            ],
            [
                [
                    rss["start"],
                    rss["end"],
                    rss["max"],
                    rss["first_third_median"],
                    rss["last_third_median"],
                    data["growth_mb"],
                    data["slope_mb_per_min"],
                    "yes" if data["stable"] else "NO",
                ]
            ],
        ),
    ]


def _fleet(data: dict[str, Any]) -> list[str]:
    from bench.fleet import render  # bench.fleet imports the server and the SDK: only when there is a section

    return render(data, table)


_RENDERERS = {
    "a_cold_calls": _cold,
    "b_warm_calls": _warm,
    "c_fleet_health_fanout": _fanout,
    "d_stdio_cold_start": _startup,
    "e_scaling": _scaling,
    "f_fleet": _fleet,
    "soak": _soak,
}
