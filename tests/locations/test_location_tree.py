"""LocationTree: building from Zoom items, odd hierarchies, ordering, subtrees, roll-ups and size."""

from __future__ import annotations

import dataclasses
import random
import time
from typing import Any

import pytest

from tests.locations.location_fleets import FULL, SHORT, anchor_locations, synthetic_locations
from zoom_rooms_mcp.locations.model import Location, LocationTree
from zoom_rooms_mcp.locations.text import canonical_key, canonical_terms, fold, fold_segments, natural_key


def item(location_id: str, name: str, parent: Any = "", level: str = "city") -> dict[str, Any]:
    return {"id": location_id, "name": name, "parent_location_id": parent, "type": level}


def by_path(tree: LocationTree, path: str) -> Location:
    return next(location for location in tree if location.path_str == path)


def test_builds_the_anchor_hierarchy_from_parent_ids() -> None:
    tree = LocationTree.from_zoom(anchor_locations(FULL))
    floor = by_path(tree, "United States > Washington > Seattle > Lake Union Campus > Building 2 > Floor 3")
    assert (floor.name, floor.type, floor.depth) == ("Floor 3", "floor", 5)
    assert floor.path == ("United States", "Washington", "Seattle", "Lake Union Campus", "Building 2", "Floor 3")
    building = tree.get(floor.parent_id or "")
    assert building is not None
    assert building.path_str == "United States > Washington > Seattle > Lake Union Campus > Building 2"
    assert floor.id in tree
    assert "nope" not in tree
    assert tree.get("nope") is None
    assert [root.name for root in tree.roots] == ["Canada", "Germany", "United Kingdom", "United States"]
    assert all(root.parent_id is None and root.depth == 0 for root in tree.roots)


def test_location_is_frozen() -> None:
    location = LocationTree.from_zoom([item("a", "Seattle")]).roots[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        location.name = "Other"  # type: ignore[misc]


def test_hierarchy_comes_from_parent_ids_never_from_names() -> None:
    tree = LocationTree.from_zoom([item("a", "Seattle"), item("b", "Seattle > Building 2")])
    assert [location.depth for location in tree] == [0, 0]


@pytest.mark.parametrize("parent", ["", None, "missing-id", "   "])
def test_empty_null_or_unknown_parent_makes_a_root(parent: Any) -> None:
    tree = LocationTree.from_zoom([item("child", "Building 2", parent, "building"), item("x", "Denver")])
    child = tree.get("child")
    assert child is not None
    assert (child.parent_id, child.depth, child.path) == (None, 0, ("Building 2",))


def test_missing_parent_key_and_missing_name_and_type_are_tolerated() -> None:
    tree = LocationTree.from_zoom([{"id": "a"}, {"id": "b", "name": None, "parent_location_id": "a"}, {"name": "x"}])
    assert len(tree) == 2  # the item without an id is skipped
    b = tree.get("b")
    assert b is not None
    assert (b.name, b.type, b.parent_id, b.path_str) == ("b", "", "a", "a > b")


def test_unknown_types_and_numeric_ids_are_kept_as_strings() -> None:
    tree = LocationTree.from_zoom([{"id": 7, "name": "North Wing", "type": "wing", "parent_location_id": 0}])
    location = tree.get("7")
    assert location is not None
    assert (location.type, location.parent_id) == ("wing", None)


def test_self_parent_makes_a_root() -> None:
    tree = LocationTree.from_zoom([item("a", "Loop", "a")])
    assert [(location.id, location.depth) for location in tree] == [("a", 0)]


def test_cycles_are_cut_at_the_smallest_id_whatever_the_input_order() -> None:
    items = [
        item("c", "Gamma", "b"),
        item("a", "Alpha", "c"),
        item("b", "Beta", "a"),
        item("d", "Under the cycle", "b"),
        item("e", "Other root"),
    ]
    walks = set()
    for seed in range(6):
        shuffled = list(items)
        random.Random(seed).shuffle(shuffled)
        tree = LocationTree.from_zoom(shuffled)
        assert len(tree) == 5
        walks.add(tuple(location.path_str for location in tree.walk()))
    assert walks == {
        (
            "Alpha",
            "Alpha > Beta",
            "Alpha > Beta > Gamma",
            "Alpha > Beta > Under the cycle",
            "Other root",
        )
    }


def test_two_separate_cycles_and_a_long_chain() -> None:
    chain = [item("n0", "Level 0")] + [item(f"n{i}", f"Level {i}", f"n{i - 1}") for i in range(1, 400)]
    cycles = [item("x1", "X1", "x2"), item("x2", "X2", "x1"), item("y1", "Y1", "y2"), item("y2", "Y2", "y1")]
    tree = LocationTree.from_zoom(chain + cycles)
    deepest = tree.get("n399")
    assert deepest is not None
    assert deepest.depth == 399
    assert {location.id for location in tree.roots} == {"n0", "x1", "y1"}


def test_first_of_duplicate_ids_wins() -> None:
    tree = LocationTree.from_zoom([item("a", "First"), item("a", "Second")])
    assert [location.name for location in tree] == ["First"]


def test_siblings_sort_naturally_by_name() -> None:
    names = ["Floor 10", "floor 9", "Floor 2", "Floor 1", "Étage 3", "Annex", "Floor 02b"]
    tree = LocationTree.from_zoom([item("root", "B", level="building")] + [item(n, n, "root", "floor") for n in names])
    assert [location.name for location in tree.children("root")] == [
        "Annex",
        "Étage 3",
        "Floor 1",
        "Floor 2",
        "Floor 02b",
        "floor 9",
        "Floor 10",
    ]


def test_walk_is_depth_first_in_tree_order() -> None:
    tree = LocationTree.from_zoom(anchor_locations(SHORT))
    paths = [location.path_str for location in tree.walk()]
    assert paths[:7] == [
        "Canada",
        "Canada > Montréal",
        "Canada > Montréal > Building 1",
        "Canada > Montréal > Building 1 > Floor 1",
        "Canada > Montréal > Building 1 > Floor 2",
        "Germany",
        "Germany > München",
    ]
    assert [location.path_str for location in tree] == paths
    assert len(paths) == len(tree)


def test_walk_subtrees_keeps_tree_order_and_ignores_nested_and_unknown_roots() -> None:
    tree = LocationTree.from_zoom(anchor_locations(SHORT))
    seattle = by_path(tree, "United States > Seattle")
    denver = by_path(tree, "United States > Denver")
    building = by_path(tree, "United States > Seattle > Building 2")
    walked = tree.walk([seattle.id, "unknown", building.id, denver.id])
    assert walked[0] == denver
    assert len(walked) == len({location.id for location in walked})
    assert {location.id for location in walked} == tree.subtree_ids([seattle.id, denver.id])
    assert len(walked) == 1 + 2 * 4 + 1 + 3 * 5
    assert tree.walk([]) == []


def test_descendants_and_children() -> None:
    tree = LocationTree.from_zoom(anchor_locations(FULL))
    building = by_path(tree, "United States > Colorado > Denver > Tech Center Campus > Building 2")
    floors = [location.id for location in tree.children(building.id)]
    assert tree.descendants(building.id) == [building.id, *floors]
    assert tree.descendants(building.id, include_self=False) == floors
    assert [tree.get(i).name for i in floors] == ["Floor 1", "Floor 2", "Floor 3"]  # type: ignore[union-attr]
    assert tree.descendants(floors[0], include_self=False) == []
    assert tree.descendants("unknown") == []
    assert tree.children("unknown") == []
    assert len(tree.descendants(tree.roots[0].id)) == len(tree.walk([tree.roots[0].id]))


def test_room_counts_include_descendants() -> None:
    tree = LocationTree.from_zoom(anchor_locations(FULL))
    floor = by_path(tree, "United States > Washington > Seattle > Lake Union Campus > Building 2 > Floor 3")
    other_floor = by_path(tree, "United States > Washington > Seattle > Lake Union Campus > Building 1 > Floor 1")
    city = by_path(tree, "United States > Washington > Seattle")
    campus = by_path(tree, "United States > Washington > Seattle > Lake Union Campus")
    counts = tree.room_counts({floor.id: 3, other_floor.id: 2, campus.id: 1, "not-in-tree": 50})
    assert counts[floor.id] == 3
    assert counts[campus.id] == 6
    assert counts[city.id] == 6
    assert counts[by_path(tree, "United States").id] == 6
    assert counts[by_path(tree, "Germany").id] == 0
    assert set(counts) == {location.id for location in tree}


@pytest.mark.parametrize(
    ("items", "given", "expected"),
    [
        (anchor_locations(FULL), None, FULL),
        (anchor_locations(SHORT), None, SHORT),
        (anchor_locations(SHORT), ["country", "city", "building", "floor"], SHORT),
        (
            [item("a", "A", level="wing"), item("b", "B", level="floor"), item("c", "C", level="state")],
            None,
            ("state", "floor", "wing"),
        ),
    ],
)
def test_structure_is_given_or_inferred_in_zoom_order(
    items: list[dict[str, Any]], given: list[str] | None, expected: tuple[str, ...]
) -> None:
    tree = LocationTree.from_zoom(items, structure=given)
    assert tree.structure == expected


def test_empty_tree() -> None:
    tree = LocationTree.from_zoom([])
    assert (len(tree), tree.roots, tree.walk(), tree.structure, tree.room_counts({})) == (0, [], [], (), {})


def test_five_thousand_locations_build_quickly() -> None:
    items = synthetic_locations(5_000)
    started = time.perf_counter()
    tree = LocationTree.from_zoom(items)
    elapsed = time.perf_counter() - started
    assert len(tree) >= 5_000
    assert len(tree.walk()) == len(tree)
    assert sum(tree.room_counts({location.id: 1 for location in tree}).get(r.id, 0) for r in tree.roots) == len(tree)
    assert elapsed < 0.5  # about 20 ms on a laptop; generous for slow CI machines


def test_text_folding() -> None:
    assert fold("  King's  Cross—Campus, MÜNCHEN  Straße ") == "kings cross campus munchen strasse"
    assert fold("Montréal / Øresund / Łódź") == "montreal oresund lodz"
    assert fold_segments("SEA / B2 > L3, x") == [["sea"], ["b2"], ["l3"], ["x"]]
    assert fold("\x00\x1f\u200b") == ""
    assert natural_key("Floor 2") < natural_key("floor 10") < natural_key("Floor 11")


@pytest.mark.parametrize(
    ("written", "canonical"),
    [
        ("Building 2", "building 2"),
        ("Bldg. 2", "building 2"),
        ("bldg2", "building 2"),
        ("B2", "building 2"),
        ("b 2", "building 2"),
        ("building two", "building 2"),
        ("Building A", "building a"),
        ("Bldg A", "building a"),
        ("Floor 3", "floor 3"),
        ("3rd floor", "floor 3"),
        ("third floor", "floor 3"),
        ("Level 03", "floor 3"),
        ("L3", "floor 3"),
        ("F3", "floor 3"),
        ("3F", "floor 3"),
        ("flr 3", "floor 3"),
        ("2 floor 3", "2 floor 3"),
        ("FL", "fl"),
        ("3rd floor of building 2 in Denver", "floor 3 building 2 denver"),
        ("The", "the"),
    ],
)
def test_level_vocabulary_is_canonical(written: str, canonical: str) -> None:
    assert canonical_key(canonical_terms(fold(written).split())) == canonical
