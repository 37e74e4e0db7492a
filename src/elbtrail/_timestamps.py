"""The forms in which CloudTrail prints times, and how to read them."""

from __future__ import annotations

import re
import sys
from datetime import datetime, timedelta, timezone

__all__ = ["format_canonical", "is_canonical", "parse_canonical", "parse_timestamp"]

# datetime.UTC is Python 3.11's name for it.
UTC = timezone.utc

_READS_Z = sys.version_info >= (3, 11)

if _READS_Z:
    _fromisoformat = datetime.fromisoformat
else:
    _FRACTION = re.compile(r"(:\d\d)[.,](\d+)")

    def _fromisoformat(text: str) -> datetime:
        # Python 3.10 reads neither a trailing Z nor fractions of other than
        # three or six digits; spell them as it reads them.
        try:
            return datetime.fromisoformat(text)
        except ValueError:
            if text[-1:] in ("Z", "z"):
                text = text[:-1] + "+00:00"
            text = _FRACTION.sub(
                lambda m: f"{m[1]}.{(m[2] + '000000')[:6]}", text, count=1
            )
            return datetime.fromisoformat(text)


# Java's default DateFormat, as CloudTrail prints ELB times in responseElements:
# "Apr 11, 2016 5:23:50 PM". Month names are English whatever the locale, so
# they are matched here rather than through strptime's locale-dependent %b.
_JAVA = re.compile(
    r"(?P<mon>[A-Z][a-z]{2}) (?P<day>\d{1,2}), (?P<year>\d{4}),? "
    r"(?P<hour>\d{1,2}):(?P<minute>\d\d):(?P<second>\d\d)\s?(?P<ampm>[AaPp][Mm])\Z"
)
_MONTHS = {
    name: number
    for number, name in enumerate(
        [
            "Jan",
            "Feb",
            "Mar",
            "Apr",
            "May",
            "Jun",
            "Jul",
            "Aug",
            "Sep",
            "Oct",
            "Nov",
            "Dec",
        ],
        start=1,
    )
}
# ISO 8601 basic format, as the userIdentity docs show creationDate.
_ISO_BASIC = re.compile(
    r"(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)(?:\.\d+)?Z\Z",
)


def is_canonical(text: str) -> bool:
    """
    Whether *text* has exactly the layout `format_canonical()` prints.

    Checked by position rather than by regular expression: this runs for
    every time in every record. Digits are left to ``fromisoformat``.
    """
    return (
        len(text) == 20
        and text[19] == "Z"
        and text[10] == "T"
        and text[4] == "-"
        and text[7] == "-"
        and text[13] == ":"
        and text[16] == ":"
        and text.isascii()
    )


def parse_canonical(text: str) -> datetime:
    """
    Read a time in the layout `is_canonical()` accepts, as an aware datetime.

    ``datetime.fromisoformat`` reads a trailing ``Z`` only from Python 3.11,
    so the zone is set here.

    Raises:
        ValueError: If the digits do not make a valid time.
    """
    if _READS_Z:
        return datetime.fromisoformat(text)
    return datetime.fromisoformat(text[:19] + "+00:00")


def format_canonical(value: datetime) -> str:
    """Print *value* in CloudTrail's envelope form, ``2016-04-01T15:31:48Z``."""
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    if value.microsecond:
        return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(value: object) -> datetime | None:
    """
    Read a CloudTrail time in any of the forms it is printed in.

    Accepts ISO 8601 (extended or basic, with ``Z``, an offset or no zone),
    Java's ``Apr 11, 2016 5:23:50 PM`` and seconds since the epoch. Times
    without a zone are UTC, as every CloudTrail time is. Returns ``None``
    when *value* is none of these.
    """
    if isinstance(value, str):
        parsed = _parse_text(value)
        if parsed is not None and not _has_utc_time(parsed):
            return None
        return parsed
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return None


def _has_utc_time(value: datetime) -> bool:
    """Whether *value* in UTC is within ``datetime``'s range."""
    try:
        value.astimezone(UTC)
    except OverflowError:
        return False
    return True


def shifted(value: datetime, delta: timedelta) -> datetime:
    """*value* moved by *delta*, held at the ends of ``datetime``'s range."""
    try:
        return value + delta
    except OverflowError:
        if delta > timedelta(0):
            return datetime.max.replace(tzinfo=value.tzinfo)
        return datetime.min.replace(tzinfo=value.tzinfo)


def _parse_text(text: str) -> datetime | None:
    try:
        parsed = _fromisoformat(text)
    except ValueError:
        pass
    else:
        return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
    match = _JAVA.match(text)
    if match is not None:
        month = _MONTHS.get(match["mon"])
        hour = int(match["hour"])
        if month is None or not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if match["ampm"].upper() == "PM" else 0)
        try:
            return datetime(
                int(match["year"]),
                month,
                int(match["day"]),
                hour,
                int(match["minute"]),
                int(match["second"]),
                tzinfo=UTC,
            )
        except ValueError:
            return None
    match = _ISO_BASIC.match(text)
    if match is not None:
        try:
            year, month, day, hour, minute, second = (int(g) for g in match.groups())
            return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except ValueError:
            return None
    return None
