"""Zoom Rooms webhook deliveries as typed, frozen events (parsed only after the signature is verified).

Shapes follow Zoom's webhook OpenAPI (``zoom-rooms-webhooks.json``). A field counts as *required* here
when we cannot act without it: Zoom's own schema marks more fields required than its own examples carry
(the ``zoomroom.alert`` example has no ``alert_time``; the location examples send ``event_ts`` as a
string), and a delivery answered 400 is never retried, so we refuse only what we truly cannot use.
A missing or mistyped required field raises ``WebhookParseError`` naming the field (the route answers 400).

Text from Zoom (room names, issue text) is kept as data, cleaned of control characters and capped. Each
event also carries ``message``, a sentence in our own words, for anything shown to a model.

Alert taxonomy (``AlertEvent.kind``), derived from ``alert_type``, ``component``, ``alert_kind`` and, for
"other" alerts or recoveries, the issue text:

============================  ==========================================  =====================
kind                          when                                        severity (triggered)
============================  ==========================================  =====================
``room_offline``              type 3, or the Zoom Rooms Computer is lost  critical
``device_disconnected``       type 1 or 2 (controller, scheduling         warning
                              display, camera, microphone, speaker)
``display_disconnected``      type 7                                      warning
``high_cpu``                  type 4                                      warning
``low_bandwidth``             type 5                                      warning
``battery_low``               type 6                                      warning
``audio_quality``             type 8                                      warning
``sip_registration_failed``   type 9                                      warning
``incorrect_passcode``        type 10                                     warning
``other_alert``               type 0 or unknown, text not recognised      warning
``room_online``               cleared room_offline                        info
``device_connected``          cleared device/display disconnected         info
``battery_normal``            cleared battery_low                         info
``alert_cleared``             any other cleared alert                     info
============================  ==========================================  =====================

``alert_kind`` 2 (cleared), or an issue text that reports a recovery ("… reconnected", "… connected",
"Zoom room is online", "… battery is normal"), makes the alert a recovery with severity ``info``.
``alert_kind`` 3 (observed: a possible cause, never followed by a "cleared") is capped at ``warning``.
``alert_kind`` 4 (other) and unknown kinds are treated as triggered.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from zoom_rooms_mcp.zoom.errors import clean

Severity = Literal["critical", "warning", "info"]
Action = Literal["created", "updated", "deleted"]

URL_VALIDATION = "endpoint.url_validation"
ALERT_EVENTS = ("zoomroom.alert", "zoomroom.delayed_alert")
ROOM_EVENTS: dict[str, Action] = {
    "zoomroom.created": "created",
    "zoomroom.updated": "updated",
    "zoomroom.deleted": "deleted",
}
LOCATION_EVENTS: dict[str, Action] = {
    "zoomroom.location_created": "created",
    "zoomroom.location_updated": "updated",
    "zoomroom.location_deleted": "deleted",
}
OCCUPANCY_EVENTS = {"zoomroom.checked_in": True, "zoomroom.checked_out": False}
SENSOR_EVENT = "zoomroom.sensor_data"
KNOWN_EVENTS = frozenset((*ALERT_EVENTS, *ROOM_EVENTS, *LOCATION_EVENTS, *OCCUPANCY_EVENTS, SENSOR_EVENT))

ID_LIMIT = 128
NAME_LIMIT = 200
ISSUE_LIMIT = 200
EVENT_NAME_LIMIT = 100
PLAIN_TOKEN_LIMIT = 512
MAX_SENSOR_VALUES = 200
_MAX_TS_MS = 10**15  # far beyond any real epoch-milliseconds value
_SECONDS_BELOW = 10**11  # an epoch time below this is in seconds (10**11 s is the year 5138)

ALERT_TRIGGERED, ALERT_CLEARED, ALERT_OBSERVED, ALERT_OTHER = 1, 2, 3, 4
COMPONENTS: dict[int, str] = {
    0: "Other",
    1: "Zoom Rooms Computer",
    2: "Controller",
    3: "Scheduling Display",
    4: "Microphone",
    5: "Camera",
    6: "Speaker",
}
_TYPE_KINDS: dict[int, str] = {
    1: "device_disconnected",
    2: "device_disconnected",
    3: "room_offline",
    4: "high_cpu",
    5: "low_bandwidth",
    6: "battery_low",
    7: "display_disconnected",
    8: "audio_quality",
    9: "sip_registration_failed",
    10: "incorrect_passcode",
}
# For alert_type 0 (other) or a type Zoom adds later: recognise the documented issue texts.
_TEXT_KINDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\boffline\b", re.I), "room_offline"),
    (re.compile(r"battery is low", re.I), "battery_low"),
    (re.compile(r"\bdisconnected\b", re.I), "device_disconnected"),
    (re.compile(r"\bcpu\b", re.I), "high_cpu"),
    (re.compile(r"bandwidth", re.I), "low_bandwidth"),
    (re.compile(r"passcode", re.I), "incorrect_passcode"),
    (re.compile(r"\bsip\b", re.I), "sip_registration_failed"),
)
_RECOVERY_TEXT = re.compile(r"\breconnected\b|\bconnected\b|\bis online\b|\bbattery is normal\b", re.I)
_RECOVERED_KINDS = {
    "room_offline": "room_online",
    "device_disconnected": "device_connected",
    "display_disconnected": "device_connected",
    "battery_low": "battery_normal",
}
KIND_TEXT: dict[str, str] = {
    "room_offline": "Room went offline",
    "room_online": "Room is back online",
    "device_disconnected": "Device disconnected",
    "device_connected": "Device reconnected",
    "display_disconnected": "Display disconnected",
    "high_cpu": "High CPU usage",
    "low_bandwidth": "Low network bandwidth",
    "battery_low": "Battery low",
    "battery_normal": "Battery back to normal",
    "audio_quality": "Audio device quality problem",
    "sip_registration_failed": "SIP registration failed",
    "incorrect_passcode": "Incorrect room passcode entered",
    "other_alert": "Zoom Rooms alert",
    "alert_cleared": "Alert cleared",
}


@dataclass(frozen=True, slots=True)
class SensorKind:
    key: str
    unit: str | None


# Zoom's list (webhook and /rooms/{id}/sensor_data). Zoom states no units; these are the units its Rooms
# sensors report, documented as assumed in docs/webhooks.md.
SENSOR_TYPES: dict[str, SensorKind] = {
    "CO2": SensorKind("co2", "ppm"),
    "TEMPERATURE": SensorKind("temperature", "°C"),
    "REAL_TIME_PEOPLE_COUNT": SensorKind("people_count", "people"),
    "HUMIDITY": SensorKind("humidity", "%"),
    "VOC": SensorKind("voc", "ppb"),
    "AQI": SensorKind("aqi", "index"),
    "PM25": SensorKind("pm25", "µg/m³"),
    "PM10": SensorKind("pm10", "µg/m³"),
    "AIR_PRESSURE": SensorKind("air_pressure", "hPa"),
}
_SENSOR_KEY = re.compile(r"[^a-z0-9]+")


class WebhookParseError(ValueError):
    """The body is not JSON, or lacks a field we need. ``reason`` is ours (a field path), safe to show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _dedupe(*parts: object) -> str:
    # JSON keeps parts unambiguous whatever characters the ids hold.
    return json.dumps([str(p) for p in parts], ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True, slots=True)
class UrlValidation:
    """``endpoint.url_validation``: answered at once, never stored."""

    plain_token: str
    event: str = URL_VALIDATION


@dataclass(frozen=True, slots=True)
class AlertEvent:
    event: str
    event_ts: int
    account_id: str
    room_id: str  # matched against both the room's ``id`` and its ``room_id``: Zoom does not say which
    room_name: str
    issue: str  # Zoom's text, cleaned; data, not for a model verbatim
    alert_type: int
    component: int
    alert_kind: int
    alert_time: int | None  # epoch milliseconds; Zoom's example omits it
    delayed: bool

    @property
    def dedupe_key(self) -> str:
        return _dedupe(self.event, self.event_ts, self.room_id, self.alert_type, self.component, self.alert_kind)

    @property
    def time(self) -> float:
        """When the alert happened (epoch seconds): ``alert_time``, else the delivery's ``event_ts``."""
        return (self.alert_time if self.alert_time is not None else self.event_ts) / 1000

    @property
    def component_name(self) -> str:
        return COMPONENTS.get(self.component, "Other")

    @property
    def resolved(self) -> bool:
        return self.alert_kind == ALERT_CLEARED or bool(_RECOVERY_TEXT.search(self.issue))

    @property
    def kind(self) -> str:
        problem = _TYPE_KINDS.get(self.alert_type) or next(
            (kind for pattern, kind in _TEXT_KINDS if pattern.search(self.issue)), "other_alert"
        )
        if problem == "device_disconnected" and self.component == 1:
            problem = "room_offline"  # the room's computer is the room
        return _RECOVERED_KINDS.get(problem, "alert_cleared") if self.resolved else problem

    @property
    def severity(self) -> Severity:
        if self.resolved:
            return "info"
        if self.kind == "room_offline":
            return "warning" if self.alert_kind == ALERT_OBSERVED else "critical"
        return "warning"

    @property
    def message(self) -> str:
        """Our own words (no Zoom text): what happened, to which component, and whether it was a delay."""
        text = KIND_TEXT.get(self.kind, "Zoom Rooms alert")
        if self.component in COMPONENTS and self.component not in (0, 1):
            text += f": {self.component_name.lower()}"
        if self.alert_kind == ALERT_OBSERVED and not self.resolved:
            text += " (observed, possible cause)"
        return text + (" (delayed alert)" if self.delayed else "")


@dataclass(frozen=True, slots=True)
class RoomChanged:
    """``zoomroom.created|updated|deleted``: the sink re-reads the room from Zoom afterwards."""

    event: str
    event_ts: int
    account_id: str
    action: Action
    room_id: str
    room_name: str

    @property
    def dedupe_key(self) -> str:
        return _dedupe(self.event, self.event_ts, self.room_id)

    @property
    def message(self) -> str:
        return f"Room {self.action}"


@dataclass(frozen=True, slots=True)
class LocationChanged:
    """``zoomroom.location_created|updated|deleted``: the sink re-reads the location afterwards."""

    event: str
    event_ts: int
    account_id: str
    action: Action
    location_id: str
    name: str
    parent_location_id: str | None
    location_type: str | None

    @property
    def dedupe_key(self) -> str:
        return _dedupe(self.event, self.event_ts, self.location_id)

    @property
    def message(self) -> str:
        return f"Location {self.action}"


@dataclass(frozen=True, slots=True)
class Occupancy:
    """``zoomroom.checked_in`` (occupied) and ``zoomroom.checked_out``."""

    event: str
    event_ts: int
    account_id: str
    room_id: str
    room_name: str
    occupied: bool

    @property
    def dedupe_key(self) -> str:
        return _dedupe(self.event, self.event_ts, self.room_id)

    @property
    def at(self) -> float:
        return self.event_ts / 1000

    @property
    def message(self) -> str:
        return "Room checked in" if self.occupied else "Room checked out"


@dataclass(frozen=True, slots=True)
class SensorValue:
    sensor_type: str  # Zoom's name, e.g. "CO2"
    key: str  # ours, e.g. "co2"
    value: float | str  # a number when Zoom's string parses as one
    unit: str | None
    time: float  # epoch seconds the value was measured (the delivery's time when Zoom gave none)


@dataclass(frozen=True, slots=True)
class SensorData:
    """``zoomroom.sensor_data``: readings from one device in a room."""

    event: str
    event_ts: int
    account_id: str
    room_id: str
    room_name: str
    device_id: str
    readings: tuple[SensorValue, ...]

    @property
    def dedupe_key(self) -> str:
        return _dedupe(self.event, self.event_ts, self.room_id, self.device_id)

    @property
    def read_at(self) -> float:
        return max((r.time for r in self.readings), default=self.event_ts / 1000)

    def latest(self) -> dict[str, float | str]:
        """The newest value per sensor key, e.g. ``{"co2": 612.0, "people_count": 4.0}``."""
        newest: dict[str, SensorValue] = {}
        for reading in self.readings:
            kept = newest.get(reading.key)
            if kept is None or reading.time >= kept.time:
                newest[reading.key] = reading
        return {key: reading.value for key, reading in newest.items()}

    @property
    def message(self) -> str:
        return "Sensor readings: " + ", ".join(sorted(self.latest()))


@dataclass(frozen=True, slots=True)
class Ignored:
    """Any other event (``workspace.*``, ``zoomroom.digital_signage_app_started``, …): answered, not stored."""

    event: str
    event_ts: int
    account_id: str

    @property
    def dedupe_key(self) -> str:
        return _dedupe(self.event, self.event_ts)


WebhookEvent = AlertEvent | RoomChanged | LocationChanged | Occupancy | SensorData | Ignored


def decode_json(raw_body: bytes) -> object:
    """The body as JSON; ``WebhookParseError`` for anything else (invalid UTF-8, NaN, nesting too deep)."""

    def no_constants(name: str) -> object:
        raise ValueError(name)

    try:
        return json.loads(raw_body, parse_constant=no_constants)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        raise WebhookParseError("body is not JSON") from exc


def parse(data: object) -> WebhookEvent | UrlValidation:
    """A verified, decoded delivery as an event. Raises ``WebhookParseError`` naming the first bad field."""
    body = _mapping(data, "body")
    event = _text(body, "event", "event", EVENT_NAME_LIMIT)
    if event == URL_VALIDATION:
        return UrlValidation(plain_token=_token(_mapping(body.get("payload"), "payload")))
    event_ts = _millis(body.get("event_ts"), "event_ts")
    if event not in KNOWN_EVENTS:
        # Nothing of it is used, so nothing beyond the name and time is required.
        other = body.get("payload")
        account = _optional_text(other, "account_id", ID_LIMIT) if isinstance(other, Mapping) else None
        return Ignored(event=event, event_ts=event_ts, account_id=account or "")
    payload = _mapping(body.get("payload"), "payload")
    account_id = _text(payload, "account_id", "payload.account_id", ID_LIMIT)
    obj = _mapping(payload.get("object"), "payload.object")
    object_id = _text(obj, "id", "payload.object.id", ID_LIMIT)
    if event in ALERT_EVENTS:
        return AlertEvent(
            event=event,
            event_ts=event_ts,
            account_id=account_id,
            room_id=object_id,
            room_name=_optional_text(obj, "room_name", NAME_LIMIT) or "",
            issue=_text(obj, "issue", "payload.object.issue", ISSUE_LIMIT, allow_empty=True),
            alert_type=_int(obj.get("alert_type"), "payload.object.alert_type"),
            component=_int(obj.get("component", 0), "payload.object.component"),
            alert_kind=_int(obj.get("alert_kind"), "payload.object.alert_kind"),
            alert_time=_optional_millis(obj.get("alert_time"), "payload.object.alert_time"),
            delayed=event == "zoomroom.delayed_alert",
        )
    if event in ROOM_EVENTS:
        return RoomChanged(
            event=event,
            event_ts=event_ts,
            account_id=account_id,
            action=ROOM_EVENTS[event],
            room_id=object_id,
            room_name=_optional_text(obj, "room_name", NAME_LIMIT) or "",
        )
    if event in LOCATION_EVENTS:
        return LocationChanged(
            event=event,
            event_ts=event_ts,
            account_id=account_id,
            action=LOCATION_EVENTS[event],
            location_id=object_id,
            name=_optional_text(obj, "name", NAME_LIMIT) or "",
            parent_location_id=_optional_text(obj, "parent_location_id", ID_LIMIT),
            location_type=_optional_text(obj, "type", 40),
        )
    if event in OCCUPANCY_EVENTS:
        return Occupancy(
            event=event,
            event_ts=event_ts,
            account_id=account_id,
            room_id=object_id,
            room_name=_optional_text(obj, "room_name", NAME_LIMIT) or "",
            occupied=OCCUPANCY_EVENTS[event],
        )
    return SensorData(
        event=event,
        event_ts=event_ts,
        account_id=account_id,
        room_id=object_id,
        room_name=_optional_text(obj, "room_name", NAME_LIMIT) or "",
        device_id=_optional_text(obj, "device_id", ID_LIMIT) or "",
        readings=_sensor_values(obj.get("sensor_data"), event_ts),
    )


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise WebhookParseError(f"missing or invalid field: {where}")
    return value


def _text(obj: Mapping[str, Any], key: str, where: str, limit: int, *, allow_empty: bool = False) -> str:
    value = obj.get(key)
    if not isinstance(value, str):
        raise WebhookParseError(f"missing or invalid field: {where}")
    cleaned = clean(value, limit)
    if not cleaned and not allow_empty:
        raise WebhookParseError(f"missing or invalid field: {where}")
    return cleaned


def _optional_text(obj: Mapping[str, Any], key: str, limit: int) -> str | None:
    value = obj.get(key)
    return (clean(value, limit) or None) if isinstance(value, str) else None


def _token(payload: Mapping[str, Any]) -> str:
    token = payload.get("plainToken")
    if not isinstance(token, str) or not token or len(token) > PLAIN_TOKEN_LIMIT:
        raise WebhookParseError("missing or invalid field: payload.plainToken")
    return token


def _int(value: object, where: str) -> int:
    # bool is an int in Python; JSON true is not a number.
    if isinstance(value, bool) or not isinstance(value, int) or not -(2**31) <= value < 2**31:
        raise WebhookParseError(f"missing or invalid field: {where}")
    return value


def _millis(value: object, where: str) -> int:
    """Epoch milliseconds: an integer, or digits in a string (Zoom's location examples send a string).
    A value small enough to be seconds is scaled up."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 16:
        number = int(value)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    else:
        raise WebhookParseError(f"missing or invalid field: {where}")
    if not 0 <= number < _MAX_TS_MS:
        raise WebhookParseError(f"missing or invalid field: {where}")
    return number * 1000 if number < _SECONDS_BELOW else number


def _optional_millis(value: object, where: str) -> int | None:
    """Absent, null or 0 mean Zoom did not say."""
    return None if value is None or value in (0, "0") else _millis(value, where)


def _sensor_values(items: object, event_ts: int) -> tuple[SensorValue, ...]:
    where = "payload.object.sensor_data"
    if not isinstance(items, list) or len(items) > MAX_SENSOR_VALUES:
        raise WebhookParseError(f"missing or invalid field: {where}")
    values: list[SensorValue] = []
    for index, item in enumerate(items):
        entry = _mapping(item, f"{where}[{index}]")
        sensor_type = _text(entry, "sensor_type", f"{where}[{index}].sensor_type", 40)
        raw_value = entry.get("sensor_value")
        if isinstance(raw_value, bool) or not isinstance(raw_value, str | int | float):
            raise WebhookParseError(f"missing or invalid field: {where}[{index}].sensor_value")
        known = SENSOR_TYPES.get(sensor_type.upper())
        key = known.key if known else _SENSOR_KEY.sub("_", sensor_type.lower()).strip("_")[:40] or "unknown"
        values.append(
            SensorValue(
                sensor_type=sensor_type,
                key=key,
                value=_number(raw_value),
                unit=known.unit if known else None,
                time=_iso_seconds(entry.get("date_time")) or event_ts / 1000,
            )
        )
    return tuple(values)


def _number(value: str | int | float) -> float | str:
    try:
        number = float(value)
    except (ValueError, OverflowError):
        return clean(value, 40)
    return number if math.isfinite(number) else clean(str(value), 40)


def _iso_seconds(value: object) -> float | None:
    if not isinstance(value, str) or len(value) > 40:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.timestamp() if moment.tzinfo is not None else None
