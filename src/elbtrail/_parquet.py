"""
Writing events as a Hive-partitioned Parquet dataset, in bounded memory.

Events are read as a stream, turned into Arrow record batches a few thousand
rows at a time, split by partition (the account, region and date of the
event), and buffered per partition until a row group's worth is there. Both
the buffers and the number of open files have a ceiling, so memory depends
on those settings and not on the size of the input.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast
from urllib.parse import quote

import attrs

from ._arrow import (
    BATCH_ROWS,
    Located,
    event_batches,
    issue_schema,
    issues_to_arrow,
    pyarrow,
)
from ._event import Event
from ._issues import Issue
from ._layout import EVERYTHING, Selection
from ._located import iter_located
from ._readers import EventStream, LogResult

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["PARTITION_KEYS", "ParquetExport", "located_from", "write", "write_parquet"]

#: The partition keys `write_parquet` knows, and the column each comes from.
PARTITION_KEYS = {
    "account": "recipient_account_id",
    "region": "aws_region",
    "date": "event_time",
}
#: What a partition directory is called when its value is missing, as Hive,
#: Spark, Athena and DuckDB spell it.
NULL_PARTITION = "__HIVE_DEFAULT_PARTITION__"
#: The folders of an export: the events dataset, and the issues beside it.
EVENTS_FOLDER = "events"
ISSUES_FOLDER = "issues"

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_DAY_MS = 86_400_000


@attrs.frozen
class ParquetExport:
    """
    What `write_parquet()` wrote.

    Attributes:
        directory: The dataset's root directory.
        events: How many events (rows) were written.
        issues: How many issues were found; they are in
            ``directory/issues/`` and were passed to ``on_issue``.
        files: The Parquet files written, events and issues, in the order
            they were finished.

    Added in version 0.1.0.
    """

    directory: Path
    events: int
    issues: int
    files: tuple[Path, ...]


class _PartitionedWriter:
    """Row groups buffered per partition; a bounded set of open files."""

    def __init__(
        self,
        directory: Path,
        keys: Sequence[str],
        schema: pa.Schema,
        *,
        row_group_rows: int,
        max_open_files: int,
        token: str,
    ) -> None:
        self.pa = pyarrow()
        import pyarrow.parquet as pq  # noqa: PLC0415 - optional, loaded on use

        self.pq = pq
        self.directory = directory
        self.keys = list(keys)
        self.schema = schema
        self.row_group_rows = row_group_rows
        # The most rows held across all partitions before the biggest buffer
        # is written out early, whatever the number of partitions.
        self.max_buffered = row_group_rows * 2
        self.max_open_files = max_open_files
        self.token = token
        self.buffers: dict[tuple[str, ...], list[pa.RecordBatch]] = {}
        self.counts: dict[tuple[str, ...], int] = {}
        self.buffered = 0
        self.writers: OrderedDict[tuple[str, ...], Any] = OrderedDict()
        self.paths: dict[tuple[str, ...], Path] = {}
        self.parts: dict[tuple[str, ...], int] = {}
        self.files: list[Path] = []
        self.rows = 0

    def write(self, batch: pa.RecordBatch) -> None:
        self.rows += batch.num_rows
        for key, piece in self._split(batch):
            self.buffers.setdefault(key, []).append(piece)
            self.counts[key] = self.counts.get(key, 0) + piece.num_rows
            self.buffered += piece.num_rows
            if self.counts[key] >= self.row_group_rows:
                self._flush(key)
        while self.buffered > self.max_buffered:
            self._flush(max(self.counts, key=self.counts.__getitem__))

    def _split(
        self, batch: pa.RecordBatch
    ) -> Iterator[tuple[tuple[str, ...], pa.RecordBatch]]:
        if not self.keys:
            yield (), batch
            return
        columns = [
            _partition_values(name, batch.column(PARTITION_KEYS[name]))
            for name in self.keys
        ]
        rows: dict[tuple[str, ...], list[int]] = {}
        for index, key in enumerate(zip(*columns, strict=True)):
            rows.setdefault(key, []).append(index)
        if len(rows) == 1:
            yield next(iter(rows)), batch
            return
        for key, indices in rows.items():
            yield key, batch.take(self.pa.array(indices, type=self.pa.int32()))

    def _flush(self, key: tuple[str, ...]) -> None:
        pieces = self.buffers.pop(key)
        self.buffered -= self.counts.pop(key)
        table = self.pa.Table.from_batches(pieces, schema=self.schema)
        self._writer(key).write_table(table, row_group_size=len(table))

    def _writer(self, key: tuple[str, ...]) -> Any:
        writer = self.writers.get(key)
        if writer is not None:
            self.writers.move_to_end(key)
            return writer
        if len(self.writers) >= self.max_open_files:
            oldest, closing = self.writers.popitem(last=False)
            closing.close()
            self.files.append(self.paths.pop(oldest))
        folder = self.directory.joinpath(
            *(f"{name}={value}" for name, value in zip(self.keys, key, strict=True))
        )
        folder.mkdir(parents=True, exist_ok=True)
        part = self.parts.get(key, 0)
        self.parts[key] = part + 1
        path = folder / f"part-{self.token}-{part}.parquet"
        writer = self.pq.ParquetWriter(path, self.schema, compression="zstd")
        self.writers[key] = writer
        self.paths[key] = path
        return writer

    def close(self) -> None:
        for key in list(self.buffers):
            self._flush(key)
        for key, writer in self.writers.items():
            writer.close()
            self.files.append(self.paths[key])
        self.writers.clear()


def _partition_values(name: str, column: pa.Array) -> list[str]:
    """The directory value of each row for the partition key *name*."""
    if name == "date":
        values = column.cast(pyarrow().int64()).to_pylist()
        return [
            NULL_PARTITION
            if ms is None
            else date.fromordinal(_EPOCH_ORDINAL + ms // _DAY_MS).isoformat()
            for ms in values
        ]
    return [
        NULL_PARTITION if value is None or value == "" else _directory_value(value)
        for value in column.to_pylist()
    ]


#: The longest partition value written whole; file systems allow 255 bytes.
MAX_PARTITION_VALUE = 100


def _directory_value(value: str) -> str:
    """
    *value* percent-encoded as a folder name, and kept short.

    A longer value (a damaged ``awsRegion``, say) is cut and given a digest
    of the whole, so distinct values stay in distinct folders; the row's
    column keeps the value itself.
    """
    text = quote(value, safe="")
    if len(text) <= MAX_PARTITION_VALUE:
        return text
    head = text[: MAX_PARTITION_VALUE - 20]
    escape = head.rfind("%")
    if escape >= len(head) - 2 and escape != -1:
        head = head[:escape]  # not in the middle of a %XX escape
    digest = hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()
    return f"{head}~{digest[:16]}"


class _IssueWriter:
    """Issues written to one Parquet file as they come, in batches."""

    def __init__(
        self, directory: Path, token: str, on_issue: Callable[[Issue], None] | None
    ) -> None:
        self.path = directory / ISSUES_FOLDER / f"part-{token}.parquet"
        self.on_issue = on_issue
        self.pending: list[Issue] = []
        self.count = 0
        self.writer: Any = None

    def __call__(self, issue: Issue) -> None:
        self.count += 1
        self.pending.append(issue)
        if self.on_issue is not None:
            self.on_issue(issue)
        if len(self.pending) >= BATCH_ROWS:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        if self.writer is None:
            import pyarrow.parquet as pq  # noqa: PLC0415 - optional, loaded on use

            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.writer = pq.ParquetWriter(self.path, issue_schema())
        self.writer.write_table(issues_to_arrow(self.pending))
        self.pending.clear()

    def close(self) -> Path | None:
        self.flush()
        if self.writer is None:
            return None
        self.writer.close()
        return self.path


def _check_directory(directory: Path, *, append: bool) -> None:
    if directory.exists() and not directory.is_dir():
        msg = f"cannot write a dataset to {str(directory)!r}: it is not a directory"
        raise NotADirectoryError(msg)
    if not append and directory.is_dir() and any(directory.iterdir()):
        msg = (
            f"{str(directory)!r} is not empty; choose an empty directory, or "
            "append to the dataset there (append=True, --append)"
        )
        raise FileExistsError(msg)


def _partition_keys(partition_by: Sequence[str]) -> list[str]:
    if isinstance(partition_by, str):
        partition_by = [partition_by]
    unknown = [k for k in partition_by if k not in PARTITION_KEYS]
    if unknown or len(set(partition_by)) != len(partition_by):
        msg = (
            f"partition_by must name each of {list(PARTITION_KEYS)} at most "
            f"once; got {list(partition_by)!r}"
        )
        raise ValueError(msg)
    return list(partition_by)


def write(
    located: Callable[[Callable[[Issue], None]], Iterable[Located]],
    directory: str | os.PathLike[str],
    *,
    partition_by: Sequence[str],
    append: bool,
    row_group_rows: int,
    max_open_files: int,
    on_issue: Callable[[Issue], None] | None,
) -> ParquetExport:
    """Write the events *located* yields, given a function to report issues to."""
    pyarrow()
    keys = _partition_keys(partition_by)
    if row_group_rows < 1 or max_open_files < 1:
        msg = (
            "row_group_rows and max_open_files must be at least 1, got "
            f"{row_group_rows} and {max_open_files}"
        )
        raise ValueError(msg)
    root = Path(directory)
    _check_directory(root, append=append)
    root.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4().hex[:12]
    sink = _IssueWriter(root, token, on_issue)
    batches = event_batches(located(sink), rows=min(BATCH_ROWS, row_group_rows))
    first = next(batches, None)
    schema = first.schema if first is not None else None
    writer = _PartitionedWriter(
        root / EVENTS_FOLDER,
        keys,
        schema if schema is not None else _empty_schema(),
        row_group_rows=row_group_rows,
        max_open_files=max_open_files,
        token=token,
    )
    try:
        if first is not None:
            writer.write(first)
        for batch in batches:
            writer.write(batch)
    finally:
        writer.close()
        issues_file = sink.close()
    files = [*writer.files]
    if issues_file is not None:
        files.append(issues_file)
    return ParquetExport(
        directory=root, events=writer.rows, issues=sink.count, files=tuple(files)
    )


def _empty_schema() -> pa.Schema:
    from ._arrow import event_schema  # noqa: PLC0415

    return event_schema()


def located_from(
    source: str | os.PathLike[str] | IO[bytes] | Iterable[Event],
    *,
    elb_only: bool,
    dedupe: bool,
    selection: Selection = EVERYTHING,
    s3_client: Any = None,
    max_workers: int | None = None,
) -> Callable[[Callable[[Issue], None]], Iterable[Located]]:
    """A function from an issue sink to the located events of *source*."""
    if isinstance(source, (str, os.PathLike)) or hasattr(source, "read"):
        readable = cast("str | os.PathLike[str] | IO[bytes]", source)

        def read(sink: Callable[[Issue], None]) -> Iterable[Located]:
            return iter_located(
                readable,
                elb_only=elb_only,
                dedupe=dedupe,
                on_issue=sink,
                selection=selection,
                s3_client=s3_client,
                max_workers=max_workers,
            )

        return read

    events = source

    def given(sink: Callable[[Issue], None]) -> Iterator[Located]:
        for event in events:
            if selection.everything or selection.keeps(event):
                yield event, None, None, None
        # The issues of events already read: a stream's or a result's.
        if isinstance(events, (EventStream, LogResult)):
            for issue in events.issues:
                sink(issue)

    return given


def write_parquet(
    source_or_events: str | os.PathLike[str] | IO[bytes] | Iterable[Event],
    directory: str | os.PathLike[str],
    *,
    partition_by: Sequence[str] = ("account", "region", "date"),
    elb_only: bool = True,
    dedupe: bool = False,
    append: bool = False,
    row_group_rows: int = 4096,
    max_open_files: int = 16,
    on_issue: Callable[[Issue], None] | None = None,
    accounts: Iterable[str] | str | None = None,
    regions: Iterable[str] | str | None = None,
    since: datetime | str | None = None,
    until: datetime | str | None = None,
    s3_client: Any = None,
    max_workers: int | None = None,
) -> ParquetExport:
    """
    Write events as a Hive-partitioned Parquet dataset, and the issues beside it.

    The events are laid out as
    ``directory/events/account=111122223333/region=us-east-1/date=2026-03-01/part-*.parquet``:
    the account (``recipientAccountId``), region and UTC date of each *event*,
    not of the file's delivery. DuckDB, pandas, polars, Athena and Spark read
    ``directory/events`` as it is; the partition keys come back as columns
    ``account``, ``region`` and ``date`` beside `to_arrow()`'s. A missing
    value is written as ``__HIVE_DEFAULT_PARTITION__``, as Hive and Spark do.

    The issues found while reading go to ``directory/issues/``, with the
    columns of `issues_to_arrow()`, so nothing is silently dropped.

    ``accounts``, ``regions``, ``since`` and ``until`` select events as
    `read()` does, and prune the folders and files of an ``AWSLogs``
    layout, on disk and in S3, that cannot hold selected events.

    Reading and writing stream: memory is bounded by *row_group_rows* and
    *max_open_files* (at most about three row groups are held at once), not
    by the size of the input. Duplicate deliveries are found among the last
    16,384 event IDs read, for the same reason. S3 objects are fetched at
    most twice *max_workers* ahead of the reading, never the whole listing.

    Args:
        source_or_events: A log file, a tree of them (``AWSLogs/...``), an
            ``s3://bucket/prefix`` URL (with the ``s3`` extra), a binary
            stream, or events (a `LogResult`, an `EventStream`, any
            iterable of `Event`). Files and trees also fill the
            ``source`` and ``record_index`` columns.
        directory: Where to write; created if needed, and it must be empty
            unless *append* is true.
        partition_by: The partition keys, in order, among ``"account"``,
            ``"region"`` and ``"date"``; empty for one flat folder.
        elb_only: Keep only Elastic Load Balancing records.
        dedupe: Drop records delivered a second time.
        append: Add files to a dataset already in *directory* (files of each
            run have their own names, so nothing is overwritten).
        row_group_rows: Rows per Parquet row group.
        max_open_files: Files kept open at once; when more partitions are
            being written, the least recently used file is finished and a
            new part is started for it later.
        on_issue: Called with each issue as it is found.
        accounts: Keep only events whose ``recipientAccountId`` is one of these.
        regions: Keep only events whose ``awsRegion`` is one of these.
        since: Keep only events at or after this time (an aware ``datetime``
            or an ISO 8601 string; without a zone, UTC).
        until: Keep only events at or before this time.
        s3_client: A boto3 S3 client for ``s3://`` sources; by default one
            from boto3's standard chain.
        max_workers: How many S3 objects are fetched at once (default 8).

    Returns:
        What was written.

    Raises:
        FileExistsError: If *directory* is not empty and *append* is false.
        NotADirectoryError: If *directory* is a file.
        ValueError: If *partition_by* names an unknown key, or a time
            cannot be read.
        ModuleNotFoundError: If pyarrow is not installed (the ``arrow``
            extra).
        OSError: If a source cannot be opened (or an S3 prefix listed).

    Added in version 0.1.0.
    """
    selection = Selection.of(
        accounts=accounts, regions=regions, since=since, until=until
    )
    return write(
        located_from(
            source_or_events,
            elb_only=elb_only,
            dedupe=dedupe,
            selection=selection,
            s3_client=s3_client,
            max_workers=max_workers,
        ),
        directory,
        partition_by=partition_by,
        append=append,
        row_group_rows=row_group_rows,
        max_open_files=max_open_files,
        on_issue=on_issue,
    )
