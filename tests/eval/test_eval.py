"""The admin questions of ``questions.py``, asked through the MCP protocol against the simulator, with the
cost of each answer: tool calls and characters the model reads.

``docs/eval.md`` records the cost. The test fails when a question needs more calls than recorded, more than
two calls, or answers with more than 10 % (and 200) characters over the record: a regression in answer cost.
After an intended change, regenerate it: ``EVAL_WRITE=1 pytest tests/eval``.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from mcp import Client

from tests.conftest import FakeClock
from tests.eval.questions import QUESTIONS, Outcome, Question
from tests.eval.truth import FIXED_NOW, clock_from
from tests.harness import RATE_SCALE, settings_for, simulator, text_of
from zoom_rooms_mcp.context import AppContext
from zoom_rooms_mcp.server import create_server
from zoom_rooms_mcp.simulator import Simulator

pytestmark = pytest.mark.anyio

DOC = Path(__file__).resolve().parents[2] / "docs" / "eval.md"
MAX_CALLS = 2
GROWTH = 1.10  # an answer may grow this much (and SLACK characters) before the test calls it a regression
SLACK = 200


@dataclass(frozen=True)
class Cost:
    calls: int
    characters: int
    tools: tuple[str, ...]


COSTS: dict[str, Cost] = {}


@pytest.fixture(scope="module")
def shared_sim() -> Simulator:
    """The demo fleet at FIXED_NOW, for the questions that change nothing."""
    return simulator(clock=clock_from())


@asynccontextmanager
async def server(sim: Simulator, tmp_path: Path, clock: FakeClock) -> AsyncIterator[tuple[Client, AppContext]]:
    live: list[AppContext] = []
    created = create_server(
        settings_for(sim, tmp_path / "tokens"), transport=sim.transport(), rate_scale=RATE_SCALE, clock=clock, live=live
    )
    async with Client(created) as client:
        yield client, live[0]


def marks(question: Question) -> list[pytest.MarkDecorator]:
    return [pytest.mark.xfail(reason=question.pending, strict=False)] if question.pending else []


@pytest.mark.parametrize("question", [pytest.param(q, id=q.key, marks=marks(q)) for q in QUESTIONS])
async def test_question(question: Question, shared_sim: Simulator, tmp_path: Path) -> None:
    sim = simulator(clock=clock_from()) if question.prepare else shared_sim
    clock = FakeClock(FIXED_NOW.timestamp())
    outcomes: list[Outcome] = []
    async with server(sim, tmp_path, clock) as (client, app):
        if question.prepare is not None:
            await question.prepare(sim, app, clock)
        for tool, args in question.calls(sim.fleet):
            result = await client.call_tool(tool, args)
            content = result.structured_content if not result.is_error else None
            outcomes.append(Outcome(tool, args, bool(result.is_error), content or {}, text_of(result)))
    COSTS[question.key] = Cost(len(outcomes), sum(len(o.text) for o in outcomes), tuple(o.tool for o in outcomes))
    assert len(outcomes) <= MAX_CALLS
    question.check(sim.fleet, outcomes)


START, END = "<!-- eval:start -->", "<!-- eval:end -->"
ROW = re.compile(r"^\| \d+ \| .*\(`(?P<key>\w+)`\) \| (?P<calls>\d+) \| .* \| (?P<chars>[\d,]+) \|$")


def table(costs: dict[str, Cost]) -> str:
    lines = ["| # | question | calls | tools | characters |", "|---|---|---|---|---|"]
    for number, question in enumerate(QUESTIONS, 1):
        cost = costs[question.key]
        tools = ", ".join(f"`{tool}`" for tool in cost.tools)
        lines.append(
            f"| {number} | {question.text} (`{question.key}`) | {cost.calls} | {tools} | {cost.characters:,} |"
        )
    calls = sum(c.calls for c in costs.values())
    lines.append(f"| | **total** | {calls} | | {sum(c.characters for c in costs.values()):,} |")
    return "\n".join(lines)


def recorded(text: str) -> dict[str, Cost]:
    found: dict[str, Cost] = {}
    for line in text.split(START, 1)[1].split(END, 1)[0].splitlines():
        match = ROW.match(line)
        if match:
            found[match["key"]] = Cost(int(match["calls"]), int(match["chars"].replace(",", "")), ())
    return found


def test_answer_cost_against_the_record() -> None:
    if set(COSTS) != {q.key for q in QUESTIONS}:
        pytest.skip("runs after every question (not with -k or a failed question under -x)")
    rendered = table(COSTS)
    print("\n" + rendered)
    text = DOC.read_text(encoding="utf-8")
    if os.environ.get("EVAL_WRITE"):
        head, rest = text.split(START, 1)
        DOC.write_text(f"{head}{START}\n{rendered}\n{END}{rest.split(END, 1)[1]}", encoding="utf-8")
        return
    record = recorded(text)
    assert set(record) == set(COSTS), "docs/eval.md lists other questions: regenerate it (EVAL_WRITE=1)"
    worse = {
        key: (record[key], cost)
        for key, cost in COSTS.items()
        if cost.calls > record[key].calls or cost.characters > record[key].characters * GROWTH + SLACK
    }
    assert not worse, f"answers cost more than docs/eval.md records (regenerate if intended): {worse}"
