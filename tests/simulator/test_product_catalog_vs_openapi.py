"""The PRODUCT's Zoom catalog (read only) against Zoom's files in ``tests/data/openapi``.

Independent of the simulator: the simulator keeps its own facts, so a wrong product value cannot pass by being
copied into the fake Zoom.
"""

from __future__ import annotations

import pytest

from tests.simulator.openapi_truth import combined_daily, operations, rate_table
from zoom_rooms_mcp.zoom import catalog


@pytest.mark.parametrize("key", sorted(catalog.ENDPOINTS))
def test_catalog_endpoint_matches_openapi(key: str) -> None:
    endpoint = catalog.ENDPOINTS[key]
    truth = operations().get(endpoint.path)
    assert truth is not None, f"{key}: {endpoint.path} is not a Zoom GET operation in tests/data/openapi"
    assert str(endpoint.category.value).lower() == truth.label, key
    assert set(endpoint.classic_scopes) == truth.classic_scopes, key
    assert set(endpoint.granular_scopes) == truth.granular_scopes, key


@pytest.mark.parametrize("plan", sorted(rate_table()))
def test_catalog_rate_limits_match_the_rate_limit_page(plan: str) -> None:
    product = catalog.RATE_LIMITS[plan]  # type: ignore[index]
    truth = rate_table()[plan]
    assert {str(c.value).lower() for c in product} == set(truth)
    for category, rate in product.items():
        expected = truth[str(category.value).lower()]
        assert rate.per_second == pytest.approx(expected.per_second), (plan, category)
        assert rate.daily == expected.daily, (plan, category)


def test_catalog_combined_daily_cap_matches_the_rate_limit_page() -> None:
    assert dict(catalog.COMBINED_HEAVY_DAILY) == combined_daily()
