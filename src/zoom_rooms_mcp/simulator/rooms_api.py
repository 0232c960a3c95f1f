"""Zoom Rooms read endpoints (``/rooms...``): response bodies built from the fleet (REFERENCE §6).

Simulator choices where Zoom is unclear (each switchable, see ``variants.Variants``): ``location_id`` matches the
room's own location only (not descendants); ``query_name`` is a case-insensitive substring match; the unfiltered
listing includes every room type; a top-level location's ``parent_location_id`` is "". Fixed choices:
``unassigned_rooms=true`` lists rooms not
yet assigned to a person, which a fleet without Personal Zoom Rooms has none of; an unknown room on
``/devices`` is 404 code 1012 like the other room endpoints; ``regenerate_activation_code=true`` is refused
(400 code 200) because the simulator is read-only; ``/rooms/locations`` without ``parent_location_id`` lists
every location, parents before children.
"""

from __future__ import annotations

import zlib
from dataclasses import fields
from typing import Any

from .activity import SensorReadings
from .errors import ZoomApiError, location_not_found, room_not_found
from .model import LEVELS, ROOM_STATUSES, ROOM_TYPES, SENSOR_TYPES, SimDevice, SimLocation, SimRoom
from .params import ApiCall, Handler
from .room_settings import SETTING_TYPES, room_settings
from .variants import Variants

SUPPORT_EMAIL, SUPPORT_PHONE = "it-help@example.com", "18005550100"


def _room(call: ApiCall) -> SimRoom:
    room = call.fleet.room_by_id(call.params[0])
    if room is None:
        raise room_not_found(call.params[0])
    return room


def _setup() -> dict[str, Any]:
    return {"apply_background_image_to_all_displays": False, "background_image_info": []}


def list_rooms(call: ApiCall) -> dict[str, Any]:
    status = call.choice("status", ROOM_STATUSES)
    room_type = call.choice("type", ROOM_TYPES)
    unassigned = call.flag("unassigned_rooms")
    location_id = call.query.get("location_id", "")
    name = call.query.get("query_name", "").casefold()
    tags = {t for t in call.query.get("tag_ids", "").split(",") if t}
    variants = call.variants
    if unassigned:
        candidates = []
    elif location_id:
        recursive = variants.location_filter == "recursive"
        candidates = call.fleet.rooms_under(location_id) if recursive else call.fleet.rooms_at(location_id)
    else:
        candidates = call.fleet.rooms
    exact = variants.query_name == "exact"
    hidden = () if room_type else variants.unlisted_types
    rooms = [
        r
        for r in candidates
        if (not status or r.status == status)
        and (not room_type or r.zoom_room_type == room_type)
        and r.zoom_room_type not in hidden
        and (not name or (name == r.name.casefold() if exact else name in r.name.casefold()))
        and (not tags or not tags.isdisjoint(r.tag_ids))
    ]
    window = call.window(len(rooms))
    return {
        "next_page_token": window.next_page_token,
        "page_size": window.page_size,
        "rooms": [
            {
                "id": r.id,
                "room_id": r.room_id,
                "name": r.name,
                "activation_code": r.activation_code,
                "status": r.status,
                "location_id": r.location_id,
                "tag_ids": list(r.tag_ids),
            }
            for r in rooms[window.start : window.stop]
        ],
    }


def get_room(call: ApiCall) -> dict[str, Any]:
    room = _room(call)
    if call.flag("regenerate_activation_code"):
        raise ZoomApiError(400, 200, "No permission to regenerate an activation code for this Zoom Room.")
    checkin = room.seed % 3 == 0
    return {
        "basic": {
            "name": room.name,
            "display_name": room.name[:64],
            "activation_code": room.activation_code,
            "hide_room_in_contacts": False,
            "required_code_to_ext": True,
            "room_passcode": room.room_passcode,
            "support_email": SUPPORT_EMAIL,
            "support_phone": SUPPORT_PHONE,
            "calendar_resource_id": room.calendar_resource_id,
            "zoom_room_type": room.zoom_room_type,
            "location_id": room.location_id,
            "tag_ids": list(room.tag_ids),
            "use_display_name_on_scheduling_display": False,
            "use_display_name_on_zoom_rooms_display_and_controller": False,
            "use_display_name_in_meetings": False,
            "capacity": room.capacity,
            "show_room_capacity_on_the_zoom_rooms": True,
            "show_room_capacity_on_the_scheduling_display": True,
        },
        "device": {"device_profile_id": room.device_profile_id},
        "setup": {
            "checkin_and_checkout": {
                "enable": checkin,
                "checkin_and_checkout_options": {
                    "checkin_minutes_prior_to_meeting_start_time": 10,
                    "allowed_minutes_before_release_room_after_no_checkout": 10,
                    "enable_new_user_checkin_notification": checkin,
                    "enable_remove_recurring": False,
                    "allowed_consecutive_missed_checkin_before_removing_room": 4,
                },
            },
            "under_construction": room.status == "UnderConstruction",
            **_setup(),
        },
    }


def list_devices(call: ApiCall) -> dict[str, Any]:
    if call.variants.unknown_room_devices == "empty" and call.fleet.room_by_id(call.params[0]) is None:
        return {"devices": []}
    room = _room(call)
    return {"devices": [{"room_name": room.name, **_device_fields(device)} for device in room.devices]}


_DEVICE_FIELDS = tuple(f.name for f in fields(SimDevice))


def _device_fields(device: SimDevice) -> dict[str, Any]:
    """A device as JSON fields: flat, so a shallow copy (``asdict`` deep-copies, the hot path of a sync)."""
    return {name: getattr(device, name) for name in _DEVICE_FIELDS} | {
        "device_mac_addresses": list(device.device_mac_addresses)
    }


def get_settings(call: ApiCall) -> dict[str, Any]:
    room = _room(call)
    return room_settings(room, call.choice("setting_type", SETTING_TYPES, "meeting"))


def sensor_data(call: ApiCall) -> dict[str, Any]:
    room = _room(call)
    start, end = call.datetime_range()
    sensor_type = call.choice("sensor_type", SENSOR_TYPES)
    readings = SensorReadings(room, start, end, call.now, sensor_type, call.query.get("device_id", ""))
    window = call.window(len(readings))
    return {
        "from": call.query["from"],
        "to": call.query["to"],
        "next_page_token": window.next_page_token,
        "page_size": window.page_size,
        "total_records": len(readings),
        "sensor_data": readings.slice(window.start, window.stop),
    }


def list_locations(call: ApiCall) -> dict[str, Any]:
    parent = call.query.get("parent_location_id", "")
    level = call.query.get("type", "")
    if level and level not in LEVELS:
        raise ZoomApiError(400, 300, "Location type not exist.")
    if parent and call.fleet.location(parent) is None:
        raise location_not_found(parent)
    locations = [
        loc
        for loc in (call.fleet.children(parent) if parent else call.fleet.locations)
        if not level or loc.type == level
    ]
    window = call.window(len(locations))
    return {
        "locations": [
            _with_parent(
                {"id": loc.id, "name": loc.name, "type": loc.type}, loc.parent_location_id, call.variants, at=2
            )
            for loc in locations[window.start : window.stop]
        ],
        "next_page_token": window.next_page_token,
        "page_size": window.page_size,
    }


def _with_parent(body: dict[str, Any], parent: str, variants: Variants, *, at: int) -> dict[str, Any]:
    """``body`` with ``parent_location_id`` inserted at key position ``at``, spelled as the variant says for ""."""
    items = list(body.items())
    if parent or variants.top_parent_location_id != "absent":
        value = None if not parent and variants.top_parent_location_id == "null" else parent
        items.insert(at, ("parent_location_id", value))
    return dict(items)


def _location_passcode(location: SimLocation) -> str:
    return f"{zlib.crc32(location.id.encode()) % 1_000_000:06d}"


def get_location(call: ApiCall) -> dict[str, Any]:
    location = call.fleet.location(call.params[0])
    if location is None:
        raise location_not_found(call.params[0])
    basic: dict[str, Any] = {
        "name": location.name,
        "description": location.description,
        "address": location.address,
        "required_code_to_ext": True,
        "room_passcode": _location_passcode(location),
        "support_email": SUPPORT_EMAIL,
        "support_phone": SUPPORT_PHONE,
    }
    basic = _with_parent(basic, location.parent_location_id, call.variants, at=len(basic))
    if location.type == "city":  # Zoom returns a timezone on city-level profiles only
        basic["timezone"] = location.timezone
    return {"basic": basic, "setup": _setup()}


def location_structure(call: ApiCall) -> dict[str, Any]:
    state = call.variants.structure_state_name
    return {"structures": [state if level == "states" else level for level in call.fleet.structure]}


def account_profile(call: ApiCall) -> dict[str, Any]:
    return {
        "basic": {
            "required_code_to_ext": True,
            "room_passcode": "111111",
            "support_email": SUPPORT_EMAIL,
            "support_phone": SUPPORT_PHONE,
        },
        "setup": _setup(),
    }


HANDLERS: dict[str, Handler] = {
    "list_rooms": list_rooms,
    "get_room": get_room,
    "list_devices": list_devices,
    "room_settings": get_settings,
    "sensor_data": sensor_data,
    "list_locations": list_locations,
    "get_location": get_location,
    "location_structure": location_structure,
    "account_profile": account_profile,
}
