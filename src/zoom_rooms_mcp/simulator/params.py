"""One API call as the endpoint code sees it, with Zoom-style validation of its query parameters.

Simulator choices where Zoom is silent: a bad enum/boolean/date is 400 code 300 "Validation Failed." naming
the field; ``to`` before ``from`` and ranges over one calendar month are 400 code 300 with a plain message.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from .errors import ZoomApiError, invalid_fields
from .model import Fleet
from .pagination import PageTokens, Window
from .variants import Variants

T = TypeVar("T")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z")


def one_month_after(day: date) -> date:
    month = day.month % 12 + 1
    year = day.year + (day.month == 12)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class ApiCall:
    fleet: Fleet
    params: tuple[str, ...]  # path parameters, already percent-decoded
    query: Mapping[str, str]
    pages: PageTokens
    context: str  # identifies the listing (endpoint, path, filters) for next_page_token checks
    now: datetime  # the simulator clock's current time
    variants: Variants

    def window(self, total: int, *, page_numbers: bool = False) -> Window:
        reject = self.variants.page_size_over_max == "reject"
        return self.pages.window(self.query, total, self.context, page_numbers=page_numbers, reject_oversize=reject)

    def choice(self, name: str, allowed: Collection[str], default: str = "") -> str:
        value = self.query.get(name, "")
        if not value:
            return default
        if value not in allowed:
            raise invalid_fields(name)
        return value

    def flag(self, name: str) -> bool:
        value = self.query.get(name, "").lower()
        if value not in ("", "true", "false"):
            raise invalid_fields(name)
        return value == "true"

    def date_range(self) -> tuple[date, date]:
        """Required ``from``/``to`` as ``yyyy-mm-dd``, at most one month apart."""
        start, end = (self._parse(name, _DATE, date.fromisoformat) for name in ("from", "to"))
        _check_order(start, end)
        if end > one_month_after(start):
            raise ZoomApiError(400, 300, "The date range must not exceed one month.")
        return start, end

    def datetime_range(self) -> tuple[datetime, datetime]:
        """Required ``from``/``to`` as ``yyyy-MM-ddTHH:mm:ssZ``."""
        start, end = (
            self._parse(name, _DATETIME, lambda v: datetime.strptime(v, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC))
            for name in ("from", "to")
        )
        _check_order(start, end)
        return start, end

    def _parse(self, name: str, pattern: re.Pattern[str], parse: Callable[[str], T]) -> T:
        value = self.query.get(name, "")
        try:
            if pattern.fullmatch(value):
                return parse(value)
        except ValueError:
            pass
        raise invalid_fields(name)


Handler = Callable[[ApiCall], dict[str, Any]]


def _check_order(start: date, end: date) -> None:
    if end < start:
        raise ZoomApiError(400, 300, "The 'to' date must not be earlier than the 'from' date.")
