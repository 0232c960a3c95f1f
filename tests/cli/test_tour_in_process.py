"""The demo tour in process (the subprocess test checks the command; this one the steps themselves): every
step answers, and the live-alert step shows the webhook the simulated account sent."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from zoom_rooms_mcp.cli.tour import STEPS, run_tour

pytestmark = [pytest.mark.anyio, pytest.mark.slow]


async def test_every_step_of_the_tour_answers() -> None:
    out, err = io.StringIO(), io.StringIO()
    failures = await run_tour(Console(file=out, width=160), Console(file=err, width=160))
    text = out.getvalue()
    assert failures == 0, text
    for number, step in enumerate(STEPS, start=1):
        assert f"{number}/{len(STEPS)}" in text
        assert step.tool in text
    assert "goes offline" in text
    assert "room_offline: 1" in text
    assert "webhook" in text
    assert "Error" not in text
