"""
Reading a whole trail on a Dask cluster: events and issues as dataframes.

The log files are listed once, on the client, and cut into partitions of
about ``partition_size`` bytes; each partition is parsed by one task, which
needs only the file names and the options, so the work runs on any
``dask.distributed`` cluster whose workers can read the files. A partition
becomes two pandas frames backed by Arrow, with the columns of
`elbtrail.to_arrow` and `elbtrail.issues_to_arrow`.

Needs the ``dask`` extra: ``pip install 'elbtrail[dask]'``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ._arrow import event_batches, event_schema, issues_to_arrow, pyarrow
from ._event import Event
from ._issues import Issue
from ._located import iter_located
from ._readers import _unreadable, walk
from ._timestamps import parse_timestamp

try:
    import dask
    import dask.dataframe as dd
    import pandas as pd
    from dask.dataframe import concat, from_pandas
    from dask.delayed import delayed
except ImportError as error:  # pragma: no cover - the tests run with the extra
    msg = (
        "elbtrail.dask needs dask, pandas and pyarrow, which are not all "
        "installed: pip install 'elbtrail[dask]'"
    )
    raise ModuleNotFoundError(msg, name=error.name) from error

if TYPE_CHECKING:
    import pyarrow as pa

# dask's annotations are partial; these two are used as typed here.
_from_pandas: Callable[..., dd.DataFrame] = from_pandas
_concat: Callable[..., dd.DataFrame] = concat

# datetime.UTC is Python 3.11+.
_UTC = timezone.utc  # noqa: UP017, RUF100
__all__ = ["Trail", "read", "read_events"]

#: The default size of a partition: the log files (as stored, usually
#: gzipped) one task reads.
PARTITION_SIZE = 64 << 20

# AWSLogs/[o-orgid/]<account>/CloudTrail/<region>/<yyyy>/<mm>/<dd>/<file>
_ACCOUNT = re.compile(r"\d{12}\Z")
_ORG = re.compile(r"o-[a-z0-9]{10,32}\Z")


@attrs.frozen
class Trail:
    """
    The events and issues of a trail, as Dask dataframes.

    Both come from one parse of each partition: computing them together
    (``dask.compute(trail.events, trail.issues)``) reads every file once.

    Attributes:
        events: One row per event, with `elbtrail.to_arrow`'s columns.
        issues: One row per issue, with `elbtrail.issues_to_arrow`'s
            columns, including those of listing the files.

    Added in version 0.1.0.
    """

    events: dd.DataFrame
    issues: dd.DataFrame


@attrs.frozen
class _Options:
    """What each task needs besides its files: plain data, cheap to send."""

    elb_only: bool
    dedupe: bool
    since: datetime | None
    until: datetime | None
    accounts: frozenset[str] | None
    regions: frozenset[str] | None

    def keeps(self, event: Event) -> bool:
        if (
            self.accounts is not None
            and event.recipient_account_id not in self.accounts
        ):
            return False
        if self.regions is not None and event.aws_region not in self.regions:
            return False
        if self.since is None and self.until is None:
            return True
        when = event.event_time
        if when is None:
            return False
        if self.since is not None and when < self.since:
            return False
        return self.until is None or when <= self.until

    def keeps_path(self, parts: Sequence[str]) -> bool:
        """Whether a file's place in an ``AWSLogs`` layout may hold kept events."""
        try:
            start = len(parts) - 1 - parts[::-1].index("AWSLogs")
        except ValueError:
            return True
        rest = list(parts[start + 1 : -1])
        if rest and _ORG.match(rest[0]) and len(rest) > 1 and _ACCOUNT.match(rest[1]):
            rest = rest[1:]
        if len(rest) < 3 or rest[1] != "CloudTrail":
            return True
        account, _, region, *day = rest
        if self.accounts is not None and account not in self.accounts:
            return False
        if self.regions is not None and region not in self.regions:
            return False
        # A file delivered on a day before `since` holds only earlier calls.
        if (
            self.since is not None
            and len(day) >= 3
            and all(p.isdigit() for p in day[:3])
        ):
            delivered = (int(day[0]), int(day[1]), int(day[2]))
            since = self.since.timetuple()[:3]
            return delivered >= since
        return True


def _time(value: datetime | str | None, name: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, (str, datetime)):
        msg = f"{name}: expected a datetime or an ISO 8601 string, got {value!r}"
        raise TypeError(msg)
    parsed = parse_timestamp(value) if isinstance(value, str) else value
    if parsed is None:
        msg = f"{name}: not a time: {value!r} (use ISO 8601, e.g. 2026-01-31T12:00:00Z)"
        raise ValueError(msg)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_UTC)
    return parsed


def _names(values: Iterable[str] | None, name: str) -> frozenset[str] | None:
    if values is None:
        return None
    if isinstance(values, str):
        msg = f"{name}: expected a list of names, got the string {values!r}"
        raise TypeError(msg)
    return frozenset(values)


def _sources(sources: Any) -> list[str | os.PathLike[str]]:
    if isinstance(sources, (str, os.PathLike)):
        return [sources]
    return list(sources)


def _list_files(
    sources: Sequence[str | os.PathLike[str]],
    options: _Options,
    report: Callable[[Issue], None],
) -> list[tuple[str, int]]:
    """Every file to read, with its size: the one listing of a read."""
    files: list[tuple[str, int]] = []
    for source in sources:
        text = os.fspath(source)
        if text.startswith("s3://"):
            # The place for S3: list the keys under the prefix (pruned by the
            # same layout rules) and have the tasks fetch them by key.
            msg = f"elbtrail.dask reads local paths for now, not {text!r}"
            raise NotImplementedError(msg)
        path = Path(source)
        if not path.exists():
            msg = f"cannot read {text!r}: no such file or directory"
            raise FileNotFoundError(msg)
        candidates = walk(path, report) if path.is_dir() else iter([path])
        for file in candidates:
            if not options.keeps_path(file.parts):
                continue
            try:
                size = file.stat().st_size
            except OSError as error:
                report(_unreadable(file, error))
                continue
            files.append((str(file), size))
    return files


def _partitions(files: Sequence[tuple[str, int]], size: int) -> list[tuple[str, ...]]:
    """Consecutive files grouped into parts of about *size* bytes each."""
    parts: list[tuple[str, ...]] = []
    current: list[str] = []
    total = 0
    for name, length in files:
        if current and total + length > size:
            parts.append(tuple(current))
            current, total = [], 0
        current.append(name)
        total += length
    if current:
        parts.append(tuple(current))
    return parts


def _frame(table: pa.Table) -> pd.DataFrame:
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def _parse_partition(
    files: tuple[str, ...], options: _Options
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The task: read *files* into an events frame and an issues frame."""
    pa = pyarrow()
    issues: list[Issue] = []

    # One reading of all the files, so duplicates are found across them.
    located = iter_located(
        list(files),
        elb_only=options.elb_only,
        dedupe=options.dedupe,
        on_issue=issues.append,
    )
    kept = (item for item in located if options.keeps(item[0]))
    table = pa.Table.from_batches(list(event_batches(kept)), schema=event_schema())
    return _frame(table), _frame(issues_to_arrow(issues))


def _parse_size(value: int | str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str):
        size: int = dask.utils.parse_bytes(value)
        if size > 0:
            return size
    msg = f"partition_size: expected a positive size (64000000, '64MiB'), got {value!r}"
    raise ValueError(msg)


def read(
    sources: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    since: datetime | str | None = None,
    until: datetime | str | None = None,
    accounts: Iterable[str] | None = None,
    regions: Iterable[str] | None = None,
    elb_only: bool = True,
    dedupe: bool = False,
    partition_size: int | str = PARTITION_SIZE,
) -> Trail:
    """
    Read a trail as two Dask dataframes: its events, and the issues found.

    The files are listed here, once: directories are walked as
    `elbtrail.read` walks them (digest and Insights folders skipped), and in
    an ``AWSLogs/[o-org/]account/CloudTrail/region/yyyy/mm/dd`` layout the
    folders of other accounts and Regions, and of deliveries before *since*,
    are left out. Then one task per partition of about *partition_size*
    bytes reads its files, keeps the events selected, and returns them as
    Arrow-backed pandas frames; nothing is read until the dataframes are
    computed.

    Args:
        sources: A file, a directory, or a list of them.
        since: Keep events at or after this time (ISO 8601 or an aware
            ``datetime``; without a zone, UTC).
        until: Keep events at or before this time.
        accounts: Keep events whose ``recipientAccountId`` is one of these.
        regions: Keep events whose ``awsRegion`` is one of these.
        elb_only: Keep only Elastic Load Balancing records.
        dedupe: Drop records delivered twice within a partition (duplicates
            are reported within a partition too).
        partition_size: The stored size of the files one task reads, in
            bytes or as ``"64MiB"``.

    Returns:
        The events and issues. Row order within a partition is file order;
        partitions follow the listing.

    Raises:
        FileNotFoundError: If a source does not exist.
        NotImplementedError: For an ``s3://`` source (not supported yet).
        ValueError: If a time or *partition_size* cannot be read.

    Added in version 0.1.0.
    """
    options = _Options(
        elb_only=elb_only,
        dedupe=dedupe,
        since=_time(since, "since"),
        until=_time(until, "until"),
        accounts=_names(accounts, "accounts"),
        regions=_names(regions, "regions"),
    )
    size = _parse_size(partition_size)
    listing: list[Issue] = []
    files = _list_files(_sources(sources), options, listing.append)
    events_meta = _frame(event_schema().empty_table())
    issues_meta = _frame(issues_to_arrow([]))
    parts = [
        delayed(_parse_partition, pure=True, nout=2)(files, options)
        for files in _partitions(files, size)
    ]
    if not parts:
        return Trail(
            events=_from_pandas(events_meta, npartitions=1),
            issues=_from_pandas(_frame(issues_to_arrow(listing)), npartitions=1),
        )
    events = dd.from_delayed([p[0] for p in parts], meta=events_meta, verify_meta=False)
    issues = dd.from_delayed([p[1] for p in parts], meta=issues_meta, verify_meta=False)
    if listing:
        issues = _concat(
            [_from_pandas(_frame(issues_to_arrow(listing)), npartitions=1), issues]
        )
    return Trail(events=events, issues=issues)


def read_events(
    sources: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    since: datetime | str | None = None,
    until: datetime | str | None = None,
    accounts: Iterable[str] | None = None,
    regions: Iterable[str] | None = None,
    elb_only: bool = True,
    dedupe: bool = False,
    partition_size: int | str = PARTITION_SIZE,
) -> dd.DataFrame:
    """
    Read a trail's events as a Dask dataframe; see `read` for the options.

    The issues are in ``read(...).issues``; this function leaves them aside,
    so use `read` when they matter (they do for an audit).

    Added in version 0.1.0.
    """
    return read(
        sources,
        since=since,
        until=until,
        accounts=accounts,
        regions=regions,
        elb_only=elb_only,
        dedupe=dedupe,
        partition_size=partition_size,
    ).events
