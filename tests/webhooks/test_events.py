"""Parsing verified deliveries into typed events: Zoom's own examples, the alert taxonomy, refusals."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.webhooks.conftest import alert
from zoom_rooms_mcp.webhooks.events import (
    KIND_TEXT,
    AlertEvent,
    Ignored,
    LocationChanged,
    Occupancy,
    RoomChanged,
    SensorData,
    UrlValidation,
    WebhookEvent,
    WebhookParseError,
    decode_json,
    parse,
)

SPEC = Path(__file__).parents[1] / "data" / "openapi" / "zoom-rooms-webhooks-subset.json"


def zoom_example(event: str) -> dict[str, Any]:
    """The JSON example Zoom's webhook OpenAPI gives for ``event``."""
    operation = json.loads(SPEC.read_text())["webhooks"][event]["post"]
    examples = operation["requestBody"]["content"]["application/json"]["examples"]
    value = next(iter(examples.values()))["value"]
    parsed = json.loads(value) if isinstance(value, str) else value
    assert isinstance(parsed, dict)
    return parsed


def test_zoom_alert_example_parses_though_it_lacks_alert_time() -> None:
    event = parse(zoom_example("zoomroom.alert"))
    assert isinstance(event, AlertEvent)
    assert (event.room_id, event.room_name, event.account_id) == ("abcD3ojfdbjfg", "My Zoom Room", "AAAAAABBBB")
    assert (event.alert_type, event.component, event.alert_kind) == (1, 2, 1)
    assert event.alert_time is None
    assert event.time == 1626230691.572
    assert (event.kind, event.severity, event.delayed) == ("device_disconnected", "warning", False)
    assert event.message == "Device disconnected: controller"


def test_zoom_delayed_alert_example() -> None:
    event = parse(zoom_example("zoomroom.delayed_alert"))
    assert isinstance(event, AlertEvent)
    assert event.delayed
    assert event.message.endswith("(delayed alert)")


@pytest.mark.parametrize(("name", "action"), [("created", "created"), ("updated", "updated"), ("deleted", "deleted")])
def test_zoom_room_change_examples(name: str, action: str) -> None:
    event = parse(zoom_example(f"zoomroom.{name}"))
    assert isinstance(event, RoomChanged)
    assert (event.action, event.room_id, event.account_id) == (
        action,
        "2muAb65FTZCGjj6ginHIbQ",
        "G3NQs8u1Qni4Pc-qBPgsxg",
    )


@pytest.mark.parametrize("action", ["created", "updated", "deleted"])
def test_zoom_location_examples_parse_with_a_string_event_ts(action: str) -> None:
    body = zoom_example(f"zoomroom.location_{action}")
    assert isinstance(body["event_ts"], str)
    event = parse(body)
    assert isinstance(event, LocationChanged)
    assert (event.action, event.location_id, event.parent_location_id, event.location_type) == (
        action,
        "fqtckjhjhee89ruidvc2h6lc4g",
        "aldjflajsd-fasj",
        "floor",
    )
    # "290112312321" ms as sent (a 1979 time; Zoom's example value)
    assert event.event_ts == 290112312321


@pytest.mark.parametrize(("name", "occupied"), [("checked_in", True), ("checked_out", False)])
def test_zoom_occupancy_examples(name: str, occupied: bool) -> None:
    event = parse(zoom_example(f"zoomroom.{name}"))
    assert isinstance(event, Occupancy)
    assert (event.occupied, event.room_id, event.at) == (occupied, "abcD3ojfdbjfg", 1626230691.572)


def test_zoom_sensor_example() -> None:
    event = parse(zoom_example("zoomroom.sensor_data"))
    assert isinstance(event, SensorData)
    assert event.device_id == "NiVvY1NWpE2nulNrhVjgU4jD0swziVrXBbaFZyC3u+o="
    (reading,) = event.readings
    assert (reading.sensor_type, reading.key, reading.value, reading.unit) == (
        "REAL_TIME_PEOPLE_COUNT",
        "people_count",
        20.0,
        "people",
    )
    assert reading.time == 1655596800.0  # 2022-06-19T00:00:00Z
    assert event.latest() == {"people_count": 20.0}


def sensor_body(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "event": "zoomroom.sensor_data",
        "event_ts": 1_700_000_000_000,
        "payload": {
            "account_id": "A",
            "object": {"id": "r1", "room_name": "R", "device_id": "d1", "sensor_data": items},
        },
    }


def test_every_zoom_sensor_type_has_a_key_and_unit_and_the_newest_value_wins() -> None:
    kinds = ["CO2", "TEMPERATURE", "REAL_TIME_PEOPLE_COUNT", "HUMIDITY", "VOC", "AQI", "PM25", "PM10", "AIR_PRESSURE"]
    items = [{"date_time": "2026-01-19T00:05:00Z", "sensor_type": k, "sensor_value": "1.5"} for k in kinds]
    items += [
        {"date_time": "2026-01-19T00:10:00Z", "sensor_type": "CO2", "sensor_value": "700"},
        {"date_time": "2026-01-19T00:01:00Z", "sensor_type": "CO2", "sensor_value": "500"},
        {"date_time": "not a time", "sensor_type": "NEW-GAS", "sensor_value": "high"},
    ]
    event = parse(sensor_body(items))
    assert isinstance(event, SensorData)
    assert all(r.unit for r in event.readings if r.sensor_type != "NEW-GAS")
    latest = event.latest()
    assert latest["co2"] == 700.0
    assert latest["new_gas"] == "high"  # a type Zoom adds later is kept, its value as text
    assert set(latest) == {
        "co2",
        "temperature",
        "people_count",
        "humidity",
        "voc",
        "aqi",
        "pm25",
        "pm10",
        "air_pressure",
        "new_gas",
    }
    new_gas = next(r for r in event.readings if r.key == "new_gas")
    assert new_gas.time == 1_700_000_000.0  # no usable date_time: the delivery's time
    assert event.read_at == max(r.time for r in event.readings)


@pytest.mark.parametrize(
    ("alert_type", "component", "alert_kind", "issue", "kind", "severity"),
    [
        (3, 1, 1, "Zoom room is offline", "room_offline", "critical"),
        (3, 1, 2, "Zoom room is online", "room_online", "info"),
        (3, 1, 3, "Zoom room is offline", "room_offline", "warning"),
        (1, 2, 1, "Room Controller disconnected", "device_disconnected", "warning"),
        (1, 2, 2, "Room Controller connected", "device_connected", "info"),
        # a recovery reported with kind 1: the text wins
        (1, 3, 1, "Scheduling Display connected", "device_connected", "info"),
        (2, 5, 1, "Selected camera has disconnected", "device_disconnected", "warning"),
        (2, 4, 2, "Selected microphone is reconnected", "device_connected", "info"),
        (4, 1, 1, "High CPU usage is detected", "high_cpu", "warning"),
        (4, 1, 2, "High CPU usage is detected", "alert_cleared", "info"),
        (5, 1, 3, "Low bandwidth network is detected", "low_bandwidth", "warning"),
        (6, 2, 1, "Controller battery is low", "battery_low", "warning"),
        (6, 2, 1, "Controller battery is normal", "battery_normal", "info"),
        (7, 0, 1, "Display disconnected", "display_disconnected", "warning"),
        (8, 6, 1, "Audio quality", "audio_quality", "warning"),
        (9, 0, 1, "SIP registration failed", "sip_registration_failed", "warning"),
        (10, 0, 1, "Incorrect Room Passcode Entry Detected", "incorrect_passcode", "warning"),
        (0, 1, 1, "Zoom Rooms Computer disconnected", "room_offline", "critical"),
        (0, 3, 1, "Scheduling Display disconnected", "device_disconnected", "warning"),
        (0, 0, 4, "Something new", "other_alert", "warning"),
        (42, 0, 1, "Zoom room is offline", "room_offline", "critical"),
        (42, 0, 9, "Unheard of", "other_alert", "warning"),
    ],
)
def test_alert_taxonomy(alert_type: int, component: int, alert_kind: int, issue: str, kind: str, severity: str) -> None:
    event = parse(alert(alert_type=alert_type, component=component, alert_kind=alert_kind, issue=issue))
    assert isinstance(event, AlertEvent)
    assert (event.kind, event.severity) == (kind, severity)
    # the message is ours: one of our sentences, whatever Zoom's issue text says
    assert event.message.split(":")[0].split(" (")[0] == KIND_TEXT[kind]


def _drop(body: dict[str, Any], path: str) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    *parents, last = path.split(".")
    node = changed
    for key in parents:
        node = node[key]
    del node[last]
    return changed


def _set(body: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    changed = copy.deepcopy(body)
    *parents, last = path.split(".")
    node = changed
    for key in parents:
        node = node[key]
    node[last] = value
    return changed


@pytest.mark.parametrize(
    "path",
    [
        "event",
        "event_ts",
        "payload",
        "payload.account_id",
        "payload.object",
        "payload.object.id",
        "payload.object.issue",
        "payload.object.alert_type",
        "payload.object.alert_kind",
    ],
)
def test_a_missing_required_alert_field_is_refused_by_name(path: str) -> None:
    with pytest.raises(WebhookParseError) as caught:
        parse(_drop(alert(), path))
    assert caught.value.reason.endswith(path)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        ("event", 5),
        ("event", ""),
        ("event_ts", True),
        ("event_ts", 1.5),
        ("event_ts", "12x"),
        ("event_ts", -1),
        ("event_ts", 10**16),
        ("payload", []),
        ("payload.account_id", None),
        ("payload.object.id", ""),
        ("payload.object.id", "\x00\x01"),
        ("payload.object.id", 7),
        ("payload.object.alert_type", "3"),
        ("payload.object.alert_kind", True),
        ("payload.object.component", None),
        ("payload.object.alert_time", "yesterday"),
    ],
)
def test_a_mistyped_field_is_refused(path: str, value: object) -> None:
    with pytest.raises(WebhookParseError):
        parse(_set(alert(), path, value))


def test_optional_alert_fields_may_be_missing() -> None:
    body = _drop(_drop(_drop(alert(), "payload.object.room_name"), "payload.object.component"), "payload.object.email")
    event = parse(body)
    assert isinstance(event, AlertEvent)
    assert (event.room_name, event.component) == ("", 0)


def test_seconds_are_read_as_seconds() -> None:
    event = parse(_set(alert(event_ts=1_700_000_000), "payload.object.alert_time", 1_700_000_100))
    assert isinstance(event, AlertEvent)
    assert (event.event_ts, event.alert_time) == (1_700_000_000_000, 1_700_000_100_000)


@pytest.mark.parametrize(
    "body",
    [
        sensor_body([{"sensor_type": "CO2"}]),
        sensor_body([{"sensor_value": "1"}]),
        sensor_body([{"sensor_type": "CO2", "sensor_value": True}]),
        sensor_body(["CO2"]),  # type: ignore[list-item]
        sensor_body([{"sensor_type": "CO2", "sensor_value": "1"}] * 201),
        _drop(sensor_body([]), "payload.object.sensor_data"),
    ],
)
def test_bad_sensor_data_is_refused(body: dict[str, Any]) -> None:
    with pytest.raises(WebhookParseError, match="sensor_data"):
        parse(body)


def test_url_validation_needs_a_plain_token() -> None:
    assert parse({"event": "endpoint.url_validation", "payload": {"plainToken": "abc"}}) == UrlValidation("abc")
    for payload in ({}, {"plainToken": ""}, {"plainToken": 5}, {"plainToken": "x" * 513}):
        with pytest.raises(WebhookParseError, match="plainToken"):
            parse({"event": "endpoint.url_validation", "payload": payload})


def test_events_we_do_not_use_are_ignored_with_few_requirements() -> None:
    event = parse({"event": "workspace.created", "event_ts": 5, "payload": {"account_id": "A", "object": {}}})
    assert event == Ignored(event="workspace.created", event_ts=5000, account_id="A")
    assert parse({"event": "zoomroom.digital_signage_app_started", "event_ts": 1_700_000_000_000}) == Ignored(
        event="zoomroom.digital_signage_app_started", event_ts=1_700_000_000_000, account_id=""
    )
    with pytest.raises(WebhookParseError, match="event_ts"):
        parse({"event": "workspace.created"})


def event_of(body: dict[str, Any]) -> WebhookEvent:
    parsed = parse(body)
    assert not isinstance(parsed, UrlValidation)
    return parsed


def test_dedupe_keys_identify_a_redelivery_but_tell_distinct_alerts_apart() -> None:
    first, again = event_of(alert()), event_of(alert())
    assert first.dedupe_key == again.dedupe_key
    camera = event_of(alert(alert_type=2, component=5))
    microphone = event_of(alert(alert_type=2, component=4))
    later = event_of(alert(event_ts=1_799_999_990_001))
    delayed = event_of(alert(event="zoomroom.delayed_alert"))
    keys = {e.dedupe_key for e in (first, camera, microphone, later, delayed)}
    assert len(keys) == 5
    # ids holding the separator cannot collide
    a = event_of(_set(alert(), "payload.object.id", 'x","1'))
    b = event_of(_set(alert(), "payload.object.id", "x"))
    assert a.dedupe_key != b.dedupe_key


def test_zoom_text_is_cleaned_and_capped() -> None:
    body = _set(alert(), "payload.object.room_name", "Board\u202eroom\x07\n" + "x" * 500)
    event = parse(_set(body, "payload.object.issue", "Zoom room is offline\x1b[31m"))
    assert isinstance(event, AlertEvent)
    assert "\u202e" not in event.room_name
    assert "\x07" not in event.room_name
    assert len(event.room_name) <= 200
    assert "\x1b" not in event.issue


@pytest.mark.parametrize(
    "raw",
    [b"", b"{", b"\xff\xfe{}", b'{"a": NaN}', b"[" * 100_000 + b"]" * 100_000, b"Infinity"],
)
def test_decode_json_refuses_what_is_not_json(raw: bytes) -> None:
    with pytest.raises(WebhookParseError, match="not JSON"):
        decode_json(raw)


@pytest.mark.parametrize("data", [[], "x", 5, None])
def test_a_body_that_is_not_an_object_is_refused(data: object) -> None:
    with pytest.raises(WebhookParseError, match="body"):
        parse(data)
