"""The cron expressions of the DeploymentWindow rule (facts §K3), on the virtual clock.

Six required fields and an optional year: seconds (``*`` only), minutes, hours, day-of-month,
month, day-of-week (1-7 = SUN-SAT), [year]. Supported: ``*``, ``?``, lists, ranges, steps, month
and day names, ``L`` (last day of the month; alone in day-of-week, Saturday), ``L-n``, ``nW``,
``LW``, ``nL`` (last weekday n of the month) and ``n#k`` (k-th weekday n). A time is inside the
window when its minute matches; the seconds field is not used.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MONTHS = {name: i for i, name in enumerate(["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], 1)}
DAYS = {name: i for i, name in enumerate(["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"], 1)}
# Common abbreviations that are not IANA zone names, as fixed offsets in hours (our table).
ABBREVIATIONS = {"PST": -8, "PDT": -7, "MDT": -6, "CST": -6, "CDT": -5, "EDT": -4, "AKST": -9, "AKDT": -8,
                 "BST": 1, "CEST": 2, "EEST": 3, "IST": 5.5, "SGT": 8, "JST": 9, "KST": 9, "AEST": 10, "AEDT": 11, "NZST": 12}


class CronError(ValueError):
    pass


def _names(text: str, names: dict) -> str:
    for name, number in names.items():
        text = re.sub(rf"\b{name}\b", str(number), text, flags=re.IGNORECASE)
    return text


def _plain(text: str, low: int, high: int, names: dict | None = None, what: str = "field") -> set[int]:
    """*, lists, ranges and steps."""
    values: set[int] = set()
    for part in _names(text, names or {}).split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            if not step_text.isdigit() or int(step_text) == 0:
                raise CronError(f"the {what} step '{step_text}' is not a positive number")
            step = int(step_text)
        if part == "*":
            start, end = low, high
        elif re.fullmatch(r"\d+-\d+", part):
            start, end = (int(p) for p in part.split("-"))
        elif part.isdigit():
            start = int(part)
            end = high if step > 1 else start
        else:
            raise CronError(f"'{part}' is not a valid {what} value")
        if not (low <= start <= high and low <= end <= high) or start > end:
            raise CronError(f"the {what} value '{part}' is outside {low}-{high}")
        values.update(range(start, end + 1, step))
    return values


@dataclass
class Cron:
    expression: str

    def __post_init__(self) -> None:
        fields = self.expression.split()
        if len(fields) not in (6, 7):
            raise CronError(f"a cron expression has 6 fields and an optional year, not {len(fields)}")
        seconds, minutes, hours, self.dom, months, self.dow = fields[:6]
        if seconds != "*":
            raise CronError("the seconds field accepts only '*'")
        self.minutes = _plain(minutes, 0, 59, what="minutes")
        self.hours = _plain(hours, 0, 23, what="hours")
        self.months = _plain(months, 1, 12, MONTHS, "month")
        self.years = _plain(fields[6], 1970, 2199, what="year") if len(fields) == 7 else None
        self.dow = _names(self.dow.upper(), DAYS)
        self._check_days()

    def _check_days(self) -> None:
        probe = date(2025, 1, 1)
        self._dom_ok(probe)
        self._dow_ok(probe)

    # -- days ------------------------------------------------------------------------------
    def _dom_ok(self, day: date) -> bool:
        text = self.dom.upper()
        if text in ("*", "?"):
            return True
        last = calendar.monthrange(day.year, day.month)[1]
        if text == "L":
            return day.day == last
        if re.fullmatch(r"L-\d+", text):
            return day.day == last - int(text[2:])
        if text == "LW" or re.fullmatch(r"\d+W", text):
            target = last if text == "LW" else int(text[:-1])
            if not 1 <= target <= 31:
                raise CronError(f"'{self.dom}' is not a valid day-of-month value")
            return day.day == _nearest_weekday(day.year, day.month, min(target, last))
        return day.day in _plain(text, 1, 31, what="day-of-month")

    def _dow_ok(self, day: date) -> bool:
        text = self.dow
        if text in ("*", "?"):
            return True
        weekday = day.isoweekday() % 7 + 1          # 1 = Sunday … 7 = Saturday
        last = calendar.monthrange(day.year, day.month)[1]
        if text == "L":
            return weekday == 7
        if re.fullmatch(r"[1-7]L", text):
            return weekday == int(text[0]) and day.day + 7 > last
        if re.fullmatch(r"[1-7]#[1-5]", text):
            return weekday == int(text[0]) and (day.day - 1) // 7 + 1 == int(text[2])
        return weekday in _plain(text, 1, 7, what="day-of-week")

    # -- matching --------------------------------------------------------------------------
    def day_matches(self, day: date) -> bool:
        return (day.month in self.months and (self.years is None or day.year in self.years)
                and self._dom_ok(day) and self._dow_ok(day))

    def matches(self, moment: datetime) -> bool:
        return self.day_matches(moment.date()) and moment.hour in self.hours and moment.minute in self.minutes

    def next_match(self, moment: datetime, horizon_days: int = 800) -> datetime | None:
        """The first minute at or after ``moment`` (an aware datetime) inside the window."""
        current = moment.replace(second=0, microsecond=0)
        if current < moment:
            current += timedelta(minutes=1)
        end = moment + timedelta(days=horizon_days)
        while current <= end:
            if not self.day_matches(current.date()):
                current = (current + timedelta(days=1)).replace(hour=0, minute=0)
            elif current.hour not in self.hours:
                current = (current + timedelta(hours=1)).replace(minute=0)
            elif current.minute not in self.minutes:
                current += timedelta(minutes=1)
            else:
                return current
        return None


def _nearest_weekday(year: int, month: int, day: int) -> int:
    weekday = date(year, month, day).weekday()     # Monday = 0
    last = calendar.monthrange(year, month)[1]
    if weekday == 5:
        return day - 1 if day > 1 else day + 2
    if weekday == 6:
        return day + 1 if day < last else day - 2
    return day


def time_zone(name: str | None) -> tzinfo:
    """Region/City, UTC±HH:MM (default UTC), or a 3-5 letter abbreviation."""
    if not name or name == "UTC":
        return timezone.utc
    offset = re.fullmatch(r"UTC([+-])(\d{1,2}):(\d{2})", name)
    if offset:
        sign = 1 if offset.group(1) == "+" else -1
        return timezone(sign * timedelta(hours=int(offset.group(2)), minutes=int(offset.group(3))))
    if name.upper() in ABBREVIATIONS:
        return timezone(timedelta(hours=ABBREVIATIONS[name.upper()]), name.upper())
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CronError(f"'{name}' is not a time zone: use Region/City (e.g. Europe/Paris), UTC±HH:MM or an abbreviation") from None
