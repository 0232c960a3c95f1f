"""The simulator's own Zoom facts (``zoom_facts.json``) say what Zoom's files in ``tests/data/openapi`` say."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.simulator.openapi_truth import DATA, combined_daily, operations, rate_table
from zoom_rooms_mcp.simulator import facts, gen_facts
from zoom_rooms_mcp.simulator.facts import ENDPOINTS, PLANS, RATE_LIMITS, Category

SIMULATOR_SRC = Path(facts.__file__).parent


def test_every_operation_of_the_subset_is_served() -> None:
    assert {e.path for e in ENDPOINTS.values()} == set(operations())


@pytest.mark.parametrize("key", sorted(ENDPOINTS))
def test_endpoint_facts_match_the_openapi_operation(key: str) -> None:
    endpoint = ENDPOINTS[key]
    truth = operations()[endpoint.path]
    assert endpoint.operation_id == truth.operation_id
    assert endpoint.category.value.lower() == truth.label
    assert set(endpoint.classic_scopes) == truth.classic_scopes
    assert set(endpoint.granular_scopes) == truth.granular_scopes
    assert endpoint.dashboard == truth.dashboard


@pytest.mark.parametrize("plan", PLANS)
def test_rate_limits_match_the_rate_limit_page(plan: str) -> None:
    truth = rate_table()[plan]
    mine = RATE_LIMITS[plan]  # type: ignore[index]
    assert {c.value.lower() for c in mine} == set(truth)
    for category, rate in mine.items():
        expected = truth[category.value.lower()]
        assert rate.per_second == pytest.approx(expected.per_second), (plan, category)
        assert rate.daily == expected.daily, (plan, category)
    assert facts.COMBINED_HEAVY_DAILY[plan] == combined_daily()[plan]  # type: ignore[index]


def test_resource_intensive_is_per_minute() -> None:
    assert RATE_LIMITS["business"][Category.RESOURCE_INTENSIVE].per_second == pytest.approx(20 / 60)


def test_generator_reproduces_the_committed_file_from_the_test_copy(tmp_path: Path) -> None:
    output = tmp_path / "facts.json"
    subprocess.run(
        [sys.executable, "-m", "zoom_rooms_mcp.simulator.gen_facts", str(DATA), str(output)], check=True, timeout=60
    )
    committed = json.loads((SIMULATOR_SRC / "zoom_facts.json").read_text(encoding="utf-8"))
    assert json.loads(output.read_text(encoding="utf-8")) == committed


def test_generator_refuses_a_folder_without_the_operations(tmp_path: Path) -> None:
    (tmp_path / "docs-rate-limits.md").write_text((DATA / "docs-rate-limits.md").read_text(encoding="utf-8"))
    (tmp_path / "empty.json").write_text('{"paths": {}}')
    with pytest.raises(gen_facts.FactsError, match="no GET /rooms"):
        gen_facts.build(tmp_path)


def test_generator_refuses_an_unreadable_rate_table() -> None:
    page = (DATA / "docs-rate-limits.md").read_text(encoding="utf-8").replace("80/second", "eighty a second")
    with pytest.raises(gen_facts.FactsError, match="eighty"):
        gen_facts.rate_facts(page)


def test_the_simulator_never_reads_the_product_catalog() -> None:
    for source in SIMULATOR_SRC.glob("*.py"):
        assert "zoom_rooms_mcp.zoom" not in source.read_text(encoding="utf-8"), source.name
