"""
A trail's key layout, and choosing the folders and files a selection can hold.

CloudTrail writes ``[prefix/]AWSLogs/[o-ORGID/]ACCOUNT/CloudTrail/REGION/YYYY/
MM/DD/ACCOUNT_CloudTrail_REGION_YYYYMMDDTHHmmZ_UNIQUE.json.gz``. A folder or
file is left out only when its place in that layout proves that it cannot
hold a selected event; anything that does not follow the layout is read.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone

import attrs

from ._event import Event
from ._issues import Issue, Severity
from ._timestamps import parse_timestamp, shifted

__all__ = [
    "DELIVERY_MARGIN",
    "EVERYTHING",
    "SKIPPED_FOLDERS",
    "Selection",
    "skipped_folder",
]

#: How far past a file's delivery time (the time in its name) its events may
#: lie, either way. CloudTrail delivers within minutes, but late deliveries
#: happen; a file is read when its delivery time is within the window
#: widened by this much on both sides.
DELIVERY_MARGIN = timedelta(hours=1)

#: Folders of a trail's bucket that hold no API calls, and why.
SKIPPED_FOLDERS = {
    "CloudTrail-Digest": "a digest folder; digests list log files but hold no events",
    "CloudTrail-Insight": "an Insights folder; Insights events are not API calls",
}

# UTC; datetime.UTC is not in Python 3.10.
_UTC = timezone(timedelta(0))
_ROOT = "AWSLogs"
_ORGANIZATION = re.compile(r"o-[a-z0-9]{10,32}\Z")
_ACCOUNT = re.compile(r"\d{12}\Z")
_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d+\Z")
_YEAR = re.compile(r"\d{4}\Z")
_TWO_DIGITS = re.compile(r"\d\d\Z")
_LOG_FILE = re.compile(
    r"(?P<account>\d{12})_CloudTrail_(?P<region>[a-z0-9-]+)_"
    r"(?P<time>\d{8}T\d{4}Z)_[^/]*\Z"
)


def skipped_folder(source: str, name: str) -> Issue | None:
    """The notice for a folder left unread because of its *name*, if it is one."""
    reason = SKIPPED_FOLDERS.get(name)
    if reason is None:
        return None
    return Issue(
        message=reason,
        code="skipped-folder",
        severity=Severity.NOTICE,
        source=source,
        action="not read",
    )


def _names(values: Iterable[str] | str | None, option: str) -> frozenset[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        # One account or region given as a string, not as a list of them.
        values = [values]
    names = frozenset(values)
    for name in names:
        if not isinstance(name, str):
            msg = f"{option}: expected strings, got {name!r} ({type(name).__name__})"
            raise TypeError(msg)
    return names


def _time(value: datetime | str | None, option: str) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            msg = (
                f"{option}: {value!r} has no time zone; CloudTrail times are UTC, "
                "so give one (tzinfo=datetime.timezone.utc)"
            )
            raise ValueError(msg)
        return value
    if isinstance(value, str):
        parsed = parse_timestamp(value)
        if parsed is None:
            msg = (
                f"{option}: not a time: {value!r} "
                "(use ISO 8601, e.g. 2026-01-31T12:00:00Z)"
            )
            raise ValueError(msg)
        return parsed
    msg = (
        f"{option}: expected a datetime or an ISO 8601 string, "
        f"got {type(value).__name__}"
    )
    raise TypeError(msg)


def _among(value: object, names: frozenset[str]) -> bool:
    # A wrongly typed value (kept raw by a tolerant read) matches nothing.
    return isinstance(value, str) and value in names


def _month_after(year: int, month: int) -> datetime:
    if month == 12:
        return datetime(year + 1, 1, 1, tzinfo=_UTC)
    return datetime(year, month + 1, 1, tzinfo=_UTC)


@attrs.frozen
class Selection:
    """
    Which events a read keeps: accounts, regions and a time window.

    ``None`` means no restriction. Events are filtered exactly; folders and
    files are skipped only when the layout proves they cannot hold a kept
    event (with `DELIVERY_MARGIN` around the window, since a file's name
    carries its delivery time, not the time of its events).
    """

    accounts: frozenset[str] | None = None
    regions: frozenset[str] | None = None
    since: datetime | None = None
    until: datetime | None = None

    @classmethod
    def of(
        cls,
        *,
        accounts: Iterable[str] | str | None = None,
        regions: Iterable[str] | str | None = None,
        since: datetime | str | None = None,
        until: datetime | str | None = None,
    ) -> Selection:
        """Check and normalise the options of a read."""
        start = _time(since, "since")
        end = _time(until, "until")
        if start is not None and end is not None and start > end:
            msg = f"since ({start.isoformat()}) is after until ({end.isoformat()})"
            raise ValueError(msg)
        return cls(_names(accounts, "accounts"), _names(regions, "regions"), start, end)

    @property
    def everything(self) -> bool:
        """Whether nothing is restricted."""
        return self == EVERYTHING

    def keeps(self, event: Event) -> bool:
        """
        Whether *event* is selected.

        An event lacking the field a restriction is about (no
        ``recipientAccountId``, ``awsRegion`` or ``eventTime``) is not.
        """
        if self.accounts is not None and not _among(
            event.recipient_account_id, self.accounts
        ):
            return False
        if self.regions is not None and not _among(event.aws_region, self.regions):
            return False
        if self.since is None and self.until is None:
            return True
        time = event.event_time
        if time is None or time.tzinfo is None:
            return False
        if self.since is not None and time < self.since:
            return False
        return self.until is None or time <= self.until

    def _overlaps(self, start: datetime, end: datetime) -> bool:
        """Whether deliveries in ``[start, end)`` may hold events of the window."""
        if self.since is not None and end <= shifted(self.since, -DELIVERY_MARGIN):
            return False
        return self.until is None or start <= shifted(self.until, DELIVERY_MARGIN)

    def keeps_folder(self, parts: Sequence[str]) -> bool:
        """
        Whether the folder with path components *parts* may hold selected events.

        Works for local paths (``Path.parts``) and S3 prefixes split on ``/``.
        """
        if self.everything or _ROOT not in parts:
            return True
        root = len(parts) - 1 - list(reversed(parts)).index(_ROOT)
        levels = list(parts[root + 1 :])
        if levels and _ORGANIZATION.match(levels[0]):
            levels = levels[1:]
        return self._keeps_levels(levels)

    def _keeps_levels(self, levels: list[str]) -> bool:
        if not levels or not _ACCOUNT.match(levels[0]):
            return True
        if self.accounts is not None and levels[0] not in self.accounts:
            return False
        if len(levels) < 3 or levels[1] != "CloudTrail":
            return True
        region = levels[2]
        if not _REGION.match(region):
            return True
        if self.regions is not None and region not in self.regions:
            return False
        return self._keeps_dates(levels[3:6])

    def _keeps_dates(self, dates: list[str]) -> bool:
        if not dates or not _YEAR.match(dates[0]):
            return True
        year = int(dates[0])
        if year < 1 or year > 9998:
            return True
        if len(dates) == 1:
            return self._overlaps(
                datetime(year, 1, 1, tzinfo=_UTC),
                datetime(year + 1, 1, 1, tzinfo=_UTC),
            )
        if not _TWO_DIGITS.match(dates[1]) or not 1 <= int(dates[1]) <= 12:
            return True
        month = int(dates[1])
        if len(dates) == 2:
            return self._overlaps(
                datetime(year, month, 1, tzinfo=_UTC),
                _month_after(year, month),
            )
        if not _TWO_DIGITS.match(dates[2]):
            return True
        try:
            day = datetime(year, month, int(dates[2]), tzinfo=_UTC)
        except ValueError:
            return True
        return self._overlaps(day, day + timedelta(days=1))

    def keeps_file(self, name: str) -> bool:
        """Whether the log file called *name* may hold selected events."""
        if self.everything:
            return True
        match = _LOG_FILE.match(name)
        if match is None:
            return True
        if self.accounts is not None and match["account"] not in self.accounts:
            return False
        if self.regions is not None and match["region"] not in self.regions:
            return False
        try:
            delivered = datetime.strptime(match["time"], "%Y%m%dT%H%MZ").replace(
                tzinfo=_UTC
            )
        except ValueError:
            return True
        # Names carry the minute: the delivery happened within the next one.
        return self._overlaps(delivered, delivered + timedelta(minutes=1))


#: A selection of every event.
EVERYTHING = Selection()
