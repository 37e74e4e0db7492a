"""Streaming events together with the file and record index each came from."""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any

import attrs

from ._event import Event
from ._issues import Issue
from ._layout import EVERYTHING, Selection
from ._readers import (
    Source,
    _Collector,
    _remote,
    _stream,
    _stream_file,
    _unreadable,
    walk,
)
from ._sources import S3Url, is_s3_url

__all__ = ["S3Key", "iter_located"]


#: How many event IDs a located read remembers to find duplicate deliveries:
#: the most recent ones, so memory stays bounded on a trail of any size.
SEEN_EVENT_IDS = 16_384


class _Locating(_Collector):
    """A collector that remembers where each event it builds was read."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        # Oldest first, so the window of remembered event IDs can slide.
        self._seen: OrderedDict[str, list[tuple[Any, str, int]]] = OrderedDict()
        # Small files are typed whole before their events are handed out, so
        # each event's place is kept by identity until it is.
        self.where: dict[int, tuple[str, int, dict[str, Any]]] = {}

    def event(
        self,
        record: dict[str, Any],
        path: Any,
        line: int | None,
        repairs: list[Issue],
        index: int,
        source: str,
    ) -> Event | None:
        event = super().event(record, path, line, repairs, index, source)
        seen = self._seen
        while len(seen) > SEEN_EVENT_IDS:
            seen.popitem(last=False)
        if event is not None:
            self.where[id(event)] = (source, index, record)
        return event


@attrs.frozen
class S3Key:
    """One object of a bucket named by its exact key (not a prefix), as listed."""

    bucket: str
    key: str
    size: int


def iter_located(
    source: Source | S3Url | Sequence[Source | S3Url | S3Key],
    *,
    elb_only: bool = True,
    dedupe: bool = False,
    on_issue: Callable[[Issue], None] | None = None,
    selection: Selection = EVERYTHING,
    s3_client: Any = None,
    max_workers: int | None = None,
) -> Iterator[tuple[Event, str, int, dict[str, Any]]]:
    """
    Stream ``(event, source, record index, record)`` in bounded memory.

    As `iter_events`; the record is the one the event was parsed from.

    *source* may also be a list of sources, read with one collector, so
    duplicates are found across them; `S3Key` items in it are fetched by
    key, without listing. Duplicate deliveries are found among the last
    `SEEN_EVENT_IDS` event IDs (an unbounded record of them would grow with
    the trail). The index counts every record of its file, kept or not.
    *selection* prunes folders, files and events as `read` does.
    """
    collector = _Locating(
        strict=False,
        elb_only=elb_only,
        dedupe=dedupe,
        on_issue=on_issue,
        streaming=True,
    )
    remote = _remote(s3_client, max_workers, selection, collector.report)
    where = collector.where
    keep_all = selection.everything
    for events in _event_streams(source, collector, selection, remote):
        # Indexes count from the start of each file, not of the whole tree.
        collector.records = 0
        for event in events:
            name, index, record = where.pop(id(event))
            if keep_all or selection.keeps(event):
                yield event, name, index, record


def _event_streams(
    source: object,
    collector: _Collector,
    selection: Selection,
    remote: Callable[[], Any],
) -> Iterator[Iterator[Event]]:
    """The events of each file of *source*, one iterator a file, in order."""
    if isinstance(source, (list, tuple)):
        run: list[S3Key] = []
        for item in source:
            if isinstance(item, S3Key) and (not run or run[0].bucket == item.bucket):
                run.append(item)
                continue
            if run:
                yield from _fetched(run, collector, remote)
                run = []
            if isinstance(item, S3Key):
                run.append(item)
            elif isinstance(item, (str, os.PathLike)) and _plain_file(item):
                # One of many files: if it cannot be read, the others still are.
                yield _tree_file(Path(item), collector)
            else:
                yield from _event_streams(item, collector, selection, remote)
        if run:
            yield from _fetched(run, collector, remote)
        return
    if isinstance(source, str) and is_s3_url(source):
        source = S3Url.parse(source)
    if isinstance(source, S3Url):
        # Closed at once if the reading stops: the fetching pool ends too.
        with closing(remote().files(source)) as files:
            for name, handle in files:
                yield _stream_file(handle, name, collector)
    elif isinstance(source, (str, os.PathLike)) and Path(source).is_dir():
        for file in walk(Path(source), collector.report, selection):
            yield _tree_file(file, collector)
    elif isinstance(source, S3Key):
        yield from _fetched([source], collector, remote)
    else:
        yield _stream(source, collector)  # type: ignore[arg-type] # a file or stream


def _plain_file(path: str | os.PathLike[str]) -> bool:
    return not (isinstance(path, str) and is_s3_url(path)) and not Path(path).is_dir()


def _fetched(
    keys: list[S3Key], collector: _Collector, remote: Callable[[], Any]
) -> Iterator[Iterator[Event]]:
    from ._s3 import S3Object  # noqa: PLC0415 - keeps boto3 out of import

    objects = [S3Object(key.key, key.size) for key in keys]
    with closing(remote().fetch(keys[0].bucket, objects)) as files:
        for name, handle in files:
            yield _stream_file(handle, name, collector)


def _tree_file(file: Path, collector: _Collector) -> Iterator[Event]:
    """A file found in a walk: one that cannot be read is an issue, not an error."""
    try:
        with file.open("rb") as handle:
            yield from _stream_file(handle, str(file), collector)
    except OSError as error:
        collector.report(_unreadable(file, error))
