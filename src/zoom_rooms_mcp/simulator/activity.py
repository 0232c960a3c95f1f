"""Data made on demand from a room's seed: dashboard meetings and sensor readings.

Computed per request rather than stored, so a 20,000-room fleet stays cheap; the same room, range and clock
always give the same answer.
"""

from __future__ import annotations

import base64
import math
import random
import zlib
from datetime import UTC, date, datetime, timedelta
from typing import Any

from .fleet import iso
from .model import SimRoom
from .names import DEPARTMENTS, PEOPLE, TOPICS

SENSOR_INTERVAL = 900  # one reading per sensor type every 15 minutes


def _parse(moment: str) -> datetime:
    return datetime.strptime(moment, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _duration(length: timedelta) -> str:
    minutes = int(length.total_seconds()) // 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _meeting(rng: random.Random, start: datetime, end: datetime | None, now: datetime) -> dict[str, Any]:
    host = rng.choice(PEOPLE)
    participants = rng.randint(2, 14)
    meeting: dict[str, Any] = {
        "uuid": base64.b64encode(rng.randbytes(16)).decode(),
        "id": rng.randrange(10**9, 10**11),
        "topic": rng.choice(TOPICS),
        "host": host,
        "email": host.lower().replace(" ", ".").replace("'", "") + "@example.com",
        "user_type": "Licensed",
        "start_time": iso(start),
        "duration": _duration((end or now) - start),
        "participants": participants,
        "in_room_participants": rng.randint(1, participants),
        "dept": rng.choice(DEPARTMENTS),
        "custom_keys": [],
        "has_pstn": rng.random() < 0.1,
        "has_voip": True,
        "has_3rd_party_audio": False,
        "has_video": True,
        "has_screen_share": rng.random() < 0.7,
        "has_recording": rng.random() < 0.2,
        "has_sip": False,
        "has_archiving": False,
        "has_manual_captions": False,
        "has_automated_captions": rng.random() < 0.3,
    }
    if end is not None:  # a live meeting has no end yet (Zoom's idle/live shapes are unconfirmed)
        meeting["end_time"] = iso(end)
    return meeting


def live_meeting(room: SimRoom, now: datetime) -> dict[str, Any] | None:
    """The meeting an ``InMeeting`` room is in: it started at the room's ``last_start_time``."""
    if room.status != "InMeeting":
        return None
    return _meeting(random.Random(room.seed + 1), _parse(room.last_start_time), None, now)


def past_meetings(room: SimRoom, first: date, last: date, now: datetime) -> list[dict[str, Any]]:
    """Finished meetings between two days (inclusive), oldest first; none after an offline room went down."""
    if room.status == "UnderConstruction":
        return []
    until = _parse(room.issue_history[0].time) if room.status == "Offline" and room.issue_history else now
    meetings = []
    for ordinal in range(first.toordinal(), last.toordinal() + 1):
        day = date.fromordinal(ordinal)
        rng = random.Random(room.seed * 1_000_003 + ordinal)
        count = rng.choice((0, 1, 2, 2, 3, 4)) if day.weekday() < 5 else rng.choice((0, 0, 0, 1))
        begin = datetime(day.year, day.month, day.day, 8, tzinfo=UTC)
        for _ in range(count):
            begin += timedelta(minutes=rng.choice((0, 15, 30, 60, 90)))
            end = begin + timedelta(minutes=rng.choice((15, 25, 30, 45, 50, 60, 90)), seconds=rng.randint(0, 59))
            if end > until:
                break
            meetings.append(_meeting(rng, begin, end, now))
            begin = end
    return meetings


class SensorReadings:
    """The readings of one room between two instants, addressable by index for cheap pagination."""

    def __init__(self, room: SimRoom, start: datetime, end: datetime, now: datetime, sensor_type: str, device: str):
        self._room = room
        wanted = room.sensor_device_id and device in ("", room.sensor_device_id)
        self._types = [t for t in room.sensor_types if sensor_type in ("", t)] if wanted else []
        self._first = math.ceil(start.timestamp() / SENSOR_INTERVAL) * SENSOR_INTERVAL
        last = math.floor(min(end, now).timestamp() / SENSOR_INTERVAL) * SENSOR_INTERVAL
        self._slots = max(0, (last - self._first) // SENSOR_INTERVAL + 1)

    def __len__(self) -> int:
        return self._slots * len(self._types)

    def slice(self, start: int, stop: int) -> list[dict[str, str]]:
        readings = []
        for index in range(start, stop):
            slot, type_index = divmod(index, len(self._types))
            moment = self._first + slot * SENSOR_INTERVAL
            sensor_type = self._types[type_index]
            readings.append(
                {
                    "date_time": iso(datetime.fromtimestamp(moment, UTC)),
                    "device_id": self._room.sensor_device_id,
                    "sensor_type": sensor_type,
                    "sensor_value": self._value(sensor_type, moment),
                }
            )
        return readings

    def _noise(self, what: str, moment: int) -> float:
        return zlib.crc32(f"{self._room.seed}:{what}:{moment}".encode()) / 2**32

    def _value(self, sensor_type: str, moment: int) -> str:
        at = datetime.fromtimestamp(moment, UTC)
        busy = at.weekday() < 5 and 8 <= at.hour < 18
        people = round(self._noise("people", moment) * self._room.capacity * 0.8) if busy else 0
        noise = self._noise(sensor_type, moment)
        values = {
            "CO2": 420 + people * 45 + noise * 40,
            "TEMPERATURE": 20.5 + people * 0.15 + noise * 1.5,
            "HUMIDITY": 35 + noise * 15,
            "VOC": 80 + people * 12 + noise * 60,
            "PM25": 3 + noise * 9,
            "PM10": 6 + noise * 14,
            "AIR_PRESSURE": 1008 + noise * 12,
        }
        if sensor_type == "REAL_TIME_PEOPLE_COUNT":
            return str(people)
        if sensor_type == "AQI":
            return str(round(15 + noise * 30))
        return f"{values[sensor_type]:.1f}"
