"""Location resolution: a phrase table over differently shaped fleets, plus the resolver's contract."""

from __future__ import annotations

import functools
import json
import time
from dataclasses import asdict, dataclass
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from tests.locations.location_fleets import FLEETS, FULL, anchor_locations, short_path, synthetic_locations
from zoom_rooms_mcp.locations.model import LocationTree
from zoom_rooms_mcp.locations.resolver import LocationResolver, Status, resolve

US = "United States"
SEA = "United States > Washington > Seattle"
LUC = f"{SEA} > Lake Union Campus"
DEN = "United States > Colorado > Denver"
TCC = f"{DEN} > Tech Center Campus"
SJ = "United States > California > San José"
HQ = f"{SJ} > HQ Campus"
MUC = "Germany > Bayern > München"
MC = f"{MUC} > Munich Campus"
LON = "United Kingdom > England > London"
KX = f"{LON} > King's Cross Campus"
MTL = "Canada > Québec > Montréal"
OP = f"{MTL} > Old Port Campus"
SEA_B2_F3 = f"{LUC} > Building 2 > Floor 3"
DEN_B2_F3 = f"{TCC} > Building 2 > Floor 3"

SKIP = "skip"


@dataclass(frozen=True)
class Case:
    """One phrase. Paths are written in the full shape; the short shape's expectation is derived from them
    (states and campus levels dropped) unless ``short`` overrides it: a status with paths, or SKIP."""

    query: str
    status: Status
    paths: tuple[str, ...] = ()  # exactly the resolved locations (exact / fuzzy)
    among: tuple[str, ...] = ()  # must all be among the candidates (ambiguous / none)
    short: tuple[Status, tuple[str, ...]] | str | None = None
    no_candidates: bool = False


def case(
    query: str,
    status: Status,
    *paths: str,
    among: tuple[str, ...] = (),
    short: tuple[Status, tuple[str, ...]] | str | None = None,
    no_candidates: bool = False,
) -> Any:
    return pytest.param(Case(query, status, paths, among, short, no_candidates), id=query or "<empty>")


NONE_IN_SHORT: tuple[Status, tuple[str, ...]] = ("none", ())

TABLE = [
    # Multi-part phrases walk the tree in any order, with level words, abbreviations and ordinals.
    case("Seattle", "exact", SEA),
    case("seattle building 2 floor 3", "exact", SEA_B2_F3),
    case("Bldg 2, 3rd floor, Seattle", "exact", SEA_B2_F3),
    case("floor 3 building 2 seattle", "exact", SEA_B2_F3),
    case("SEA / B2 / L3", "exact", SEA_B2_F3),
    case("B2 L3 SEA", "exact", SEA_B2_F3),
    case("seattle b2 l3", "exact", SEA_B2_F3),
    case("Seattle, Building 2, Level 3", "exact", SEA_B2_F3),
    case("SEATTLE/BLDG-2/FLR-3", "exact", SEA_B2_F3),
    case("seattle building two, third floor", "exact", SEA_B2_F3),
    case("3F B2 Seattle", "exact", SEA_B2_F3),
    case(
        "Seattle > Lake Union Campus > Building 2",
        "exact",
        f"{LUC} > Building 2",
        short=("fuzzy", (f"{US} > Seattle > Building 2",)),
    ),
    case(f"{SEA_B2_F3}", "exact", SEA_B2_F3, short=("fuzzy", (short_path(SEA_B2_F3),))),
    case("rooms on the 3rd floor of building 2 in Denver", "exact", DEN_B2_F3),
    # A deeper, more specific match wins; another part settles what one part leaves open.
    case("seattle building 2", "exact", f"{LUC} > Building 2"),
    case("Denver Building 2", "exact", f"{TCC} > Building 2"),
    case("b2 denver", "exact", f"{TCC} > Building 2"),
    case("Denver B2 F3", "exact", DEN_B2_F3),
    case("München Building B", "exact", f"{MC} > Building B"),
    case("munich building a floor 2", "exact", f"{MC} > Building A > Floor 2", short=SKIP),
    case("San Jose building 1", "exact", f"{HQ} > Building 1"),
    case("sj b1", "exact", f"{HQ} > Building 1"),
    case("London floor 2", "exact", f"{KX} > Building 1 > Floor 2"),
    case(
        "King's Cross Campus, Building 1, 2nd floor",
        "exact",
        f"{KX} > Building 1 > Floor 2",
        short=NONE_IN_SHORT,  # "kings cross" names nothing and "building 1, 2nd floor" fits several places
    ),
    # Several places fit equally well.
    case("Building 2", "ambiguous", among=(f"{LUC} > Building 2", f"{TCC} > Building 2")),
    case("B2", "ambiguous", among=(f"{LUC} > Building 2", f"{TCC} > Building 2")),
    case("Floor 3", "ambiguous", among=(SEA_B2_F3, DEN_B2_F3, f"{KX} > Building 1 > Floor 3")),
    case("floor 3 building 2", "ambiguous", among=(SEA_B2_F3, DEN_B2_F3)),
    case("Seattle floor 3", "ambiguous", among=tuple(f"{LUC} > Building {b} > Floor 3" for b in (1, 2, 3))),
    # Accents, case, apostrophes and transliteration fold away.
    case("Munchen", "exact", MUC),
    case("MÜNCHEN", "exact", MUC),
    case("Muenchen", "exact", MUC),
    case("san jose", "exact", SJ),
    case("montreal", "exact", MTL),
    case("kings cross", "exact", KX, short=NONE_IN_SHORT),
    case("Montreal Old Port", "exact", OP, short=NONE_IN_SHORT),
    case("the seattle office", "exact", SEA),
    case("Seattle campus", "exact", SEA),
    # Initials and prefixes.
    case("SEA", "exact", SEA),
    case("mun", "exact", MUC),
    case("LUC", "exact", LUC, short=NONE_IN_SHORT),
    case("Lake Union", "exact", LUC, short=NONE_IN_SHORT),
    case("US", "exact", US),
    case("HQ campus", "exact", HQ, short=NONE_IN_SHORT),
    # Typos.
    case("Denvr", "fuzzy", DEN),
    case("Seatle", "fuzzy", SEA),
    case("Munchn", "fuzzy", MUC),
    case("Seatle building 2", "fuzzy", f"{LUC} > Building 2"),
    case("Buidling 2 Denver", "fuzzy", f"{TCC} > Building 2"),
    case("Lake Unoin Campus", "fuzzy", LUC, short=NONE_IN_SHORT),
    case("Seattle, WA", "fuzzy", SEA),
    # Levels above the city.
    case("United States", "exact", US),
    case("Germany", "exact", "Germany"),
    case("Washington", "exact", "United States > Washington", short=NONE_IN_SHORT),
    case("Colorado", "exact", "United States > Colorado", short=NONE_IN_SHORT),
    case("United Kingdom > England > London", "exact", LON, short=("fuzzy", ("United Kingdom > London",))),
    # Several places joined by "and".
    case("Seattle and Denver", "exact", SEA, DEN),
    case("Denver B2 & Munich Campus", "exact", f"{TCC} > Building 2", MC, short=SKIP),
    # Nothing fits.
    case("Atlantis", "none"),
    case("zzzz", "none", no_candidates=True),
    case("", "none", no_candidates=True),
    case("  \t\n ", "none", no_candidates=True),
    case("seattle building 9", "none", among=(SEA,)),
    case("Denver Building 3", "none", among=(f"{LUC} > Building 3", DEN)),
    case("Seattle Building A", "none", among=(f"{MC} > Building A", SEA)),
    case("Building 2 in Atlantis", "none", among=(f"{LUC} > Building 2", f"{TCC} > Building 2")),
    case("Atlantis 2nd floor", "none", among=(f"{LUC} > Building 2 > Floor 2", f"{TCC} > Building 1 > Floor 2")),
]


@functools.cache
def built(key: str) -> tuple[str, LocationTree]:
    shape, build = FLEETS[key]
    return shape, build()


@pytest.fixture(scope="module", params=list(FLEETS))
def fleet(request: pytest.FixtureRequest) -> tuple[str, LocationTree]:
    """(shape, tree) of each fleet; shape "full" or "short" says how the anchors' paths look."""
    return built(request.param)


def expectation(row: Case, shape: str) -> tuple[Status, tuple[str, ...], tuple[str, ...]]:
    if shape == "full":
        return row.status, row.paths, row.among
    if isinstance(row.short, tuple):
        return row.short[0], row.short[1], ()
    return row.status, tuple(map(short_path, row.paths)), tuple(map(short_path, row.among))


def test_table_is_large_enough() -> None:
    assert len(TABLE) >= 40


# Every phrase on every fleet, except phrases naming a level the short shape does not have.
PHRASES_BY_FLEET = [
    pytest.param(key, row, id=f"{key}-{param.id}")
    for key, (shape, _) in FLEETS.items()
    for param in TABLE
    for row in param.values
    if isinstance(row, Case) and not (shape == "short" and row.short == SKIP)
]


@pytest.mark.parametrize(("fleet_key", "row"), PHRASES_BY_FLEET)
def test_phrase_table(fleet_key: str, row: Case) -> None:
    shape, tree = built(fleet_key)
    status, paths, among = expectation(row, shape)
    result = tree.resolver.resolve(row.query, max_candidates=100)
    assert (result.status, sorted(location.path for location in result.locations)) == (status, sorted(paths)), (
        result.message
    )
    candidate_paths = [candidate.path for candidate in result.candidates]
    assert set(among) <= set(candidate_paths)
    if row.no_candidates:
        assert candidate_paths == []
    if status in ("exact", "fuzzy"):
        assert candidate_paths[: len(paths)] == [location.path for location in result.locations]
    if status == "ambiguous":
        assert len(set(candidate_paths)) >= 2
        assert len({candidate.score for candidate in result.candidates}) <= 2  # near-equal scores only
    assert result.message


def test_every_location_id_resolves_to_itself(fleet: tuple[str, LocationTree]) -> None:
    _, tree = fleet
    for location in tree:
        result = tree.resolver.resolve(f" {location.id} ")
        assert (result.status, [ref.id for ref in result.locations]) == ("exact", [location.id])
        assert result.locations[0].path == location.path_str


def test_every_unique_path_resolves_exactly(fleet: tuple[str, LocationTree]) -> None:
    _, tree = fleet
    for location in tree:
        result = tree.resolver.resolve(location.path_str)
        assert result.status == "exact", (location.path_str, result.message)
        assert [ref.id for ref in result.locations] == [location.id]


@pytest.fixture(scope="module")
def anchors() -> LocationTree:
    return LocationTree.from_zoom(anchor_locations(FULL))


def test_candidates_are_capped_and_scored(anchors: LocationTree) -> None:
    result = anchors.resolver.resolve("Floor 3")
    assert result.status == "ambiguous"
    assert len(result.candidates) == 5
    assert all(candidate.score == 1.0 for candidate in result.candidates)
    assert "9 different locations" in result.message
    assert anchors.resolver.resolve("Floor 3", max_candidates=0).candidates == []
    assert anchors.resolver.resolve("Floor 3", max_candidates=-3).candidates == []


def test_ambiguous_and_none_return_no_locations(anchors: LocationTree) -> None:
    for query in ("Building 2", "Atlantis", "Denver Building 3"):
        assert anchors.resolver.resolve(query).locations == []


def test_exact_match_beats_a_fuzzy_one_and_a_prefix() -> None:
    tree = LocationTree.from_zoom(
        [
            {"id": "1", "name": "Bern", "type": "city", "parent_location_id": ""},
            {"id": "2", "name": "Berne", "type": "city", "parent_location_id": ""},
            {"id": "3", "name": "Bernstadt", "type": "city", "parent_location_id": ""},
        ]
    )
    result = tree.resolver.resolve("bern")
    assert (result.status, [ref.id for ref in result.locations]) == ("exact", ["1"])


def test_near_equal_typos_between_unrelated_places_are_ambiguous() -> None:
    tree = LocationTree.from_zoom(
        [
            {"id": "1", "name": "Denver", "type": "city", "parent_location_id": ""},
            {"id": "2", "name": "Denvor", "type": "city", "parent_location_id": ""},
        ]
    )
    result = tree.resolver.resolve("Denvr")
    assert result.status == "ambiguous"
    assert {candidate.name for candidate in result.candidates} == {"Denver", "Denvor"}


def test_same_path_twice_resolves_to_both() -> None:
    tree = LocationTree.from_zoom(
        [
            {"id": "b", "name": "Building 1", "type": "building", "parent_location_id": ""},
            {"id": "f1", "name": "Floor 1", "type": "floor", "parent_location_id": "b"},
            {"id": "f2", "name": "Floor 1", "type": "floor", "parent_location_id": "b"},
        ]
    )
    result = tree.resolver.resolve("building 1 floor 1")
    assert (result.status, sorted(ref.id for ref in result.locations)) == ("exact", ["f1", "f2"])


def test_a_matched_place_word_breaks_a_tie_but_a_missing_one_costs_nothing() -> None:
    tree = LocationTree.from_zoom(
        [
            {"id": "q", "name": "Québec", "type": "states", "parent_location_id": ""},
            {"id": "qc", "name": "Québec City", "type": "city", "parent_location_id": "q"},
        ]
    )
    assert [ref.id for ref in tree.resolver.resolve("quebec city").locations] == ["qc"]
    assert [ref.id for ref in tree.resolver.resolve("Quebec").locations] == ["q"]
    result = tree.resolver.resolve("the Quebec office")
    assert (result.status, result.candidates[0].score) == ("exact", 1.0)


def test_floor_named_by_number_only_matches_floor_phrases() -> None:
    tree = LocationTree.from_zoom(
        [
            {"id": "b", "name": "Tower", "type": "building", "parent_location_id": ""},
            {"id": "f", "name": "3", "type": "floor", "parent_location_id": "b"},
        ]
    )
    assert [ref.id for ref in tree.resolver.resolve("tower 3rd floor").locations] == ["f"]


def test_query_is_echoed_and_cut() -> None:
    tree = LocationTree.from_zoom(anchor_locations(FULL))
    assert tree.resolver.resolve("Seattle").query == "Seattle"
    assert len(tree.resolver.resolve("Seattle " * 1000).query) == 200


def test_resolver_is_cached_per_tree_and_module_function_uses_it(anchors: LocationTree) -> None:
    assert anchors.resolver is anchors.resolver
    assert isinstance(anchors.resolver, LocationResolver)
    assert anchors.resolver.tree is anchors
    assert resolve(anchors, "denver").locations[0].path == DEN


def test_empty_tree_resolves_nothing() -> None:
    result = LocationTree.from_zoom([]).resolver.resolve("Seattle")
    assert (result.status, result.locations, result.candidates) == ("none", [], [])


def test_resolution_is_plain_data_that_serialises_as_json(anchors: LocationTree) -> None:
    """The resolver returns data, not an MCP output model: the tools shape it (tools/common.py)."""
    result = anchors.resolver.resolve("Denvr")
    data = json.loads(json.dumps(asdict(result)))
    assert set(data) == {"query", "status", "locations", "candidates", "message"}
    assert set(data["locations"][0]) == {"id", "name", "type", "path"}
    assert set(data["candidates"][0]) == {"id", "name", "type", "path", "score"}
    assert not any(isinstance(value, BaseModel) for value in (result, *result.locations, *result.candidates))


def test_resolving_in_five_thousand_locations_is_fast() -> None:
    tree = LocationTree.from_zoom(synthetic_locations(5_000))
    started = time.perf_counter()
    resolver = tree.resolver
    built = time.perf_counter() - started
    queries = ["seattle building 2 floor 3", "Floor 3", "Bldg 2, 3rd floor, Seattle", "Denvr", "Atlantis", "x" * 10_000]
    slowest = 0.0
    for query in queries:
        started = time.perf_counter()
        result = resolver.resolve(query)
        slowest = max(slowest, time.perf_counter() - started)
        assert result.status in ("exact", "fuzzy", "ambiguous", "none")
    assert resolver.resolve("seattle building 2 floor 3").locations[0].path == SEA_B2_F3
    # About 15 ms to index and 3 ms per query on a laptop; the bounds only catch pathological slowness.
    assert built < 0.5
    assert slowest < 0.2


NAMES = [
    "Seattle",
    "building",
    "2",
    "floor",
    "3rd",
    "B2",
    "L3",
    "München",
    "and",
    ">",
    ",",
    "/",
    "Lake",
    "Union",
    "of",
    "campus",
]


@settings(max_examples=300, deadline=None)
@given(
    query=st.one_of(
        st.text(),
        st.lists(st.one_of(st.sampled_from(NAMES), st.text(max_size=4)), max_size=30).map(" ".join),
        st.builds(lambda chunk, times: chunk * times, st.text(min_size=1, max_size=8), st.integers(1, 10_000)),
    )
)
@example(query="\x00\x01\x1f\x7f\u200b\ufeff")
@example(query="x" * 10_000)
@example(query="building " * 2_000)
@example(query="1" * 5_000)
@example(query="and & + and")
def test_resolve_never_raises_and_returns_valid_ids(fleet: tuple[str, LocationTree], query: str) -> None:
    _, tree = fleet
    result = tree.resolver.resolve(query)
    assert result.status in ("exact", "fuzzy", "ambiguous", "none")
    assert all(isinstance(ref.id, str) and ref.path for ref in result.locations)
    assert all(ref.id in tree for ref in result.locations)
    assert all(candidate.id in tree for candidate in result.candidates)
    assert all(0.0 <= candidate.score <= 1.0 for candidate in result.candidates)
    assert len(result.candidates) <= 5
    assert (result.status in ("exact", "fuzzy")) == bool(result.locations)
