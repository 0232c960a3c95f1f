"""Switchable answers for the Zoom behaviours nobody has confirmed (REFERENCE §13).

The simulator picks one answer for each open point (``DEFAULT_VARIANTS``); a client must be right under every
plausible answer, so tests run the product under each entry of ``VARIANT_MATRIX`` (one switched point each)::

    Simulator(rooms=150, variants=Variants(location_filter="recursive"))
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

# Room types some guess the unfiltered /rooms listing leaves out (they are then read with ``type=``).
NON_MEETING_TYPES: tuple[str, ...] = ("Kiosk", "SchedulingDisplayOnly", "DigitalSignageOnly", "PersonalZoomRoom")


@dataclass(frozen=True, slots=True)
class Variants:
    """One answer per UNCONFIRMED point; the defaults are the simulator's long-standing choices."""

    name: str = field(default="default", compare=False)
    # HTTP status of code 124 (invalid or expired token): observed 401, Zoom's text says 400.
    invalid_token_status: Literal[401, 400] = 401
    # Per-second 429s carry ``Retry-After`` (whole seconds until the window frees).
    qps_retry_after: bool = False
    # ``rooms[].room_id`` (the dashboard id) differs from ``rooms[].id``, or equals it.
    room_ids: Literal["distinct", "same"] = "distinct"
    # ``/rooms?location_id=``: rooms at exactly that location, or also at its descendants.
    location_filter: Literal["direct", "recursive"] = "direct"
    # ``/rooms?query_name=``: case-insensitive substring, or the whole name (case-insensitive).
    query_name: Literal["substring", "exact"] = "substring"
    # Room types the unfiltered ``/rooms`` listing leaves out (still listed with ``type=``).
    unlisted_types: tuple[str, ...] = ()
    # Dashboard ``health`` of a healthy, a warning and a critical room.
    health_values: tuple[str, str, str] = ("", "warning", "critical")
    # ``live_meeting`` of an idle room on ``/metrics/zoomrooms/{id}``: left out, or ``{}``.
    idle_live_meeting: Literal["absent", "empty"] = "absent"
    # ``parent_location_id`` of a top-level location: "", null, or no key at all.
    top_parent_location_id: Literal["empty", "null", "absent"] = "empty"
    # The state level's name in ``/rooms/locations/structure`` (location ``type`` stays "states").
    structure_state_name: Literal["states", "state"] = "states"
    # ``/rooms/{roomId}/devices`` of an unknown room: 404 code 1012, or 200 with no devices.
    unknown_room_devices: Literal["404", "empty"] = "404"
    # ``page_size`` above 300: clamped to 300, or refused (400 code 300).
    page_size_over_max: Literal["clamp", "reject"] = "clamp"
    # The ``id`` in ``zoomroom.*`` webhook payloads: the room's ``id`` or its dashboard ``room_id``.
    webhook_room_id: Literal["id", "room_id"] = "id"

    def health(self, value: str) -> str:
        """The dashboard's spelling of the simulator's "", "warning" or "critical"."""
        return self.health_values[("", "warning", "critical").index(value)]


DEFAULT_VARIANTS = Variants()

VARIANT_MATRIX: tuple[Variants, ...] = (
    replace(DEFAULT_VARIANTS, name="code124_as_400", invalid_token_status=400),
    replace(DEFAULT_VARIANTS, name="qps_retry_after", qps_retry_after=True),
    replace(DEFAULT_VARIANTS, name="same_room_ids", room_ids="same"),
    replace(DEFAULT_VARIANTS, name="recursive_location_filter", location_filter="recursive"),
    replace(DEFAULT_VARIANTS, name="exact_query_name", query_name="exact"),
    replace(DEFAULT_VARIANTS, name="listing_omits_types", unlisted_types=NON_MEETING_TYPES),
    replace(DEFAULT_VARIANTS, name="capitalised_health", health_values=("Normal", "Warning", "Critical")),
    replace(DEFAULT_VARIANTS, name="idle_live_meeting_empty", idle_live_meeting="empty"),
    replace(DEFAULT_VARIANTS, name="top_parent_null", top_parent_location_id="null"),
    replace(DEFAULT_VARIANTS, name="top_parent_absent", top_parent_location_id="absent"),
    replace(DEFAULT_VARIANTS, name="structure_state", structure_state_name="state"),
    replace(DEFAULT_VARIANTS, name="unknown_room_devices_empty", unknown_room_devices="empty"),
    replace(DEFAULT_VARIANTS, name="page_size_rejected", page_size_over_max="reject"),
    replace(DEFAULT_VARIANTS, name="webhook_dashboard_id", webhook_room_id="room_id"),
)
