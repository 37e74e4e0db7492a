"""
Reading a whole trail on a Dask cluster: events and issues as dataframes.

The log files are listed once, on the client, and cut into partitions of
about ``partition_size`` bytes; each partition is parsed by one task, which
needs only the file names or S3 keys and the options, so the work runs on
any ``dask.distributed`` cluster whose workers can read the files. A
partition becomes two pandas frames backed by Arrow, with the columns of
`elbtrail.to_arrow` and `elbtrail.issues_to_arrow`.

Needs the ``dask`` extra: ``pip install 'elbtrail[dask]'`` (and the ``s3``
extra for ``s3://`` sources).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from ._arrow import event_batches, event_schema, issues_to_arrow, pyarrow
from ._issues import Issue
from ._layout import Selection
from ._located import S3Key, iter_located
from ._readers import _unreadable, walk
from ._sources import S3Url, is_s3_url, resolve

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

__all__ = ["Trail", "read", "read_events"]

#: The default size of a partition: the log files (as stored, usually
#: gzipped) one task reads.
PARTITION_SIZE = 64 << 20

# A file to read and its stored size: a local path, or the s3://bucket/key
# URL of one object (a key, not a prefix: a task fetches it without listing).
_File = tuple[str, int]


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
    selection: Selection


def _sources(sources: Any) -> list[str | os.PathLike[str] | S3Url]:
    resolved = resolve(sources, "elbtrail.dask.read")
    for source in resolved:
        if not isinstance(source, (str, os.PathLike, S3Url)):
            # A stream is open in this process only; tasks run elsewhere.
            msg = (
                "elbtrail.dask.read() takes paths and s3:// URLs, which any "
                f"worker can open; got a stream ({type(source).__name__})"
            )
            raise TypeError(msg)
    return resolved  # type: ignore[return-value]  # streams were refused above


def _list_files(
    sources: Sequence[str | os.PathLike[str] | S3Url],
    selection: Selection,
    report: Callable[[Issue], None],
) -> list[_File]:
    """Every file to read, with its size: the one listing of a read."""
    files: list[_File] = []
    for source in sources:
        if isinstance(source, S3Url):
            files.extend(_list_objects(source, selection, report))
            continue
        path = Path(source)
        if not path.exists():
            msg = f"cannot read {os.fspath(source)!r}: no such file or directory"
            raise FileNotFoundError(msg)
        candidates = walk(path, report, selection) if path.is_dir() else iter([path])
        for file in candidates:
            try:
                size = file.stat().st_size
            except OSError as error:
                report(_unreadable(file, error))
                continue
            files.append((str(file), size))
    return files


def _list_objects(
    url: S3Url, selection: Selection, report: Callable[[Issue], None]
) -> list[_File]:
    """The keys under *url*, listed level by level with the layout's pruning."""
    from ._s3 import S3Reader  # noqa: PLC0415 - keeps boto3 out of import

    reader = S3Reader(client=None, max_workers=1, selection=selection, report=report)
    return [
        (f"s3://{url.bucket}/{item.key}", item.size) for item in reader.objects(url)
    ]


def _partitions(files: Sequence[_File], size: int) -> list[tuple[_File, ...]]:
    """Consecutive files grouped into parts of about *size* bytes each."""
    parts: list[tuple[_File, ...]] = []
    current: list[_File] = []
    total = 0
    for name, length in files:
        if current and total + length > size:
            parts.append(tuple(current))
            current, total = [], 0
        current.append((name, length))
        total += length
    if current:
        parts.append(tuple(current))
    return parts


def _frame(table: pa.Table) -> pd.DataFrame:
    return table.to_pandas(types_mapper=pd.ArrowDtype)


def _source(name: str, size: int) -> str | S3Key:
    if is_s3_url(name):
        url = S3Url.parse(name)
        return S3Key(url.bucket, url.prefix, size)
    return name


def _parse_partition(
    files: tuple[_File, ...], options: _Options
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The task: read *files* into an events frame and an issues frame."""
    pa = pyarrow()
    issues: list[Issue] = []

    # One reading of all the files, so duplicates are found across them. S3
    # objects are fetched by key with a client from the worker's own chain.
    located = iter_located(
        [_source(name, size) for name, size in files],
        elb_only=options.elb_only,
        dedupe=options.dedupe,
        on_issue=issues.append,
        selection=options.selection,
    )
    table = pa.Table.from_batches(list(event_batches(located)), schema=event_schema())
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
    accounts: Iterable[str] | str | None = None,
    regions: Iterable[str] | str | None = None,
    elb_only: bool = True,
    dedupe: bool = False,
    partition_size: int | str = PARTITION_SIZE,
) -> Trail:
    """
    Read a trail as two Dask dataframes: its events, and the issues found.

    The files are listed here, once: directories are walked as
    `elbtrail.read` walks them (digest and Insights folders skipped), and
    ``s3://bucket/prefix`` URLs are listed as `elbtrail.read` lists them,
    level by level. In an ``AWSLogs/[o-org/]account/CloudTrail/region/yyyy/
    mm/dd`` layout, the folders and files that *since*, *until*, *accounts*
    and *regions* rule out are left out, locally and in S3, by the same
    rules as `elbtrail.read`. Then one task per partition of about
    *partition_size* bytes reads its files (fetching S3 objects by key,
    with a client from boto3's standard chain on the worker), keeps the
    events selected, and returns them as Arrow-backed pandas frames;
    nothing is read until the dataframes are computed.

    Args:
        sources: A file, a directory, an ``s3://bucket/prefix`` URL, or a
            list of them.
        since: Keep events at or after this time (an aware ``datetime`` or
            an ISO 8601 string; without a zone, UTC).
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
        FileNotFoundError: If a local source or a bucket does not exist.
        OSError: If an S3 prefix cannot be listed.
        TypeError: For a stream or anything but paths and URLs.
        ValueError: If a time or *partition_size* cannot be read.
        ModuleNotFoundError: For an ``s3://`` source without boto3.

    Added in version 0.1.0.
    """
    selection = Selection.of(
        accounts=accounts, regions=regions, since=since, until=until
    )
    options = _Options(elb_only=elb_only, dedupe=dedupe, selection=selection)
    size = _parse_size(partition_size)
    listing: list[Issue] = []
    files = _list_files(_sources(sources), selection, listing.append)
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
    accounts: Iterable[str] | str | None = None,
    regions: Iterable[str] | str | None = None,
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
