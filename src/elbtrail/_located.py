"""Streaming events together with the file and record index each came from."""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ._event import Event
from ._issues import Issue
from ._readers import Source, _Collector, _stream, _unreadable, walk

__all__ = ["iter_located"]


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


def iter_located(
    source: Source | Sequence[str],
    *,
    elb_only: bool = True,
    dedupe: bool = False,
    on_issue: Callable[[Issue], None] | None = None,
) -> Iterator[tuple[Event, str, int, dict[str, Any]]]:
    """
    Stream ``(event, source, record index, record)`` in bounded memory.

    As `iter_events`; the record is the one the event was parsed from.

    *source* may also be a list of paths, read with one collector, so
    duplicates are found across them. Duplicate deliveries are found among
    the last `SEEN_EVENT_IDS` event IDs (an unbounded record of them would
    grow with the trail). The index counts every record of its
    file, kept or not.
    """
    collector = _Locating(
        strict=False,
        elb_only=elb_only,
        dedupe=dedupe,
        on_issue=on_issue,
        streaming=True,
    )
    where = collector.where
    for item in _files(source, collector):
        # Indexes count from the start of each file, not of the whole tree.
        collector.records = 0
        try:
            for event in _stream(item, collector):
                name, index, record = where.pop(id(event))
                yield event, name, index, record
        except OSError as error:
            if isinstance(item, (str, os.PathLike)) and item is not source:
                collector.report(_unreadable(Path(item), error))
            else:
                raise


def _files(source: Source | Sequence[str], collector: _Collector) -> Iterator[Source]:
    if isinstance(source, (list, tuple)):
        for item in source:
            yield from _files(item, collector)
    elif isinstance(source, (str, os.PathLike)) and Path(source).is_dir():
        yield from walk(Path(source), collector.report)
    else:
        yield source  # type: ignore[misc] # not a list: one file or stream
