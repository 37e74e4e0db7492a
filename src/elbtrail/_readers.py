"""Reading files, trees, streams and bytes into events."""

from __future__ import annotations

import gc
import itertools
import os
import stat
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import attrs

from ._actions import ELB_EVENT_SOURCE
from ._decoders import MAX_DEPTH, Decoder, fingerprint, too_deep
from ._decoders import orjson as _safe_orjson
from ._event import Event, parse_event
from ._formats import RawRecord, records_in
from ._input import CHUNK_SIZE, decompressed, texts
from ._issues import Issue, IssueCode, ParseError, Severity
from ._model import JsonPath, render_path
from ._reports import keys_beside_records, not_a_record, too_many_issues
from ._scanner import Found, Scanner

# The root of the paths of records in a log file's "Records" list.
_RECORDS: JsonPath = "Records"

#: orjson at a safe version, or ``None`` (tests set it to ``None``).
orjson: Any = _safe_orjson

#: Issues kept by one read; later ones are counted (and given to on_issue).
MAX_ISSUES = 10_000
#: Records whose eventID ``iter_events`` remembers to recognise duplicates.
DEDUPE_WINDOW = 1 << 16

__all__ = ["EventStream", "LogResult", "iter_events", "loads", "read"]

Source = str | os.PathLike[str] | IO[bytes]

#: Decompressed size up to which ``iter_events`` decodes a file at once.
WHOLE_FILE_LIMIT = 4 << 20

# Folders of a trail's bucket that hold no API calls.
_SKIPPED_FOLDERS = {
    "CloudTrail-Digest": "a digest folder; digests list log files but hold no events",
    "CloudTrail-Insight": "an Insights folder; Insights events are not API calls",
}


@attrs.frozen
class LogResult:
    """
    What was read: the events, and every problem found on the way.

    Iterating over a result iterates over its events.

    Attributes:
        events: The events, in the order they were read.
        issues: Every problem found, each with its file, record and JSON path.
        records: How many records were read, whether they were kept or not
            (``elb_only`` leaves out the records of other services).

    Added in version 0.1.0.
    """

    events: Sequence[Event]
    issues: Sequence[Issue]
    records: int

    def __iter__(self) -> Iterator[Event]:
        """Iterate over the events."""
        return iter(self.events)

    def __len__(self) -> int:
        """Return how many events there are."""
        return len(self.events)

    @property
    def damaged(self) -> bool:
        """Whether any issue is damage (an error or a repair), not just a notice."""
        return any(issue.is_damage for issue in self.issues)


class _Collector:
    """Turns raw records into events, applying the options of one read."""

    def __init__(
        self,
        *,
        strict: bool,
        elb_only: bool,
        dedupe: bool,
        on_issue: Callable[[Issue], None] | None,
        streaming: bool = False,
    ) -> None:
        self.strict = strict
        self.elb_only = elb_only
        self.dedupe = dedupe
        self.on_issue = on_issue
        self.issues: list[Issue] = []
        self.records = 0
        # Issues beyond MAX_ISSUES: how many, and the worst of them.
        self.dropped = 0
        self._dropped_severity = Severity.NOTICE
        # eventID -> what was read under it. Reading into memory, the first
        # record's event is kept (it is kept anyway) and fingerprinted only
        # when its eventID comes again; then, and in a stream from the start,
        # a table fingerprint -> (source, index). A stream remembers the last
        # DEDUPE_WINDOW eventIDs only, so its memory stays bounded.
        # An OrderedDict forgets its oldest entry in constant time; a dict
        # would scan the holes its deletions leave at the front.
        self._seen: dict[str, Any] = OrderedDict() if streaming else {}
        self.streaming = streaming

    def keep(self, issue: Issue) -> None:
        """Store *issue* (up to MAX_ISSUES) and pass it to ``on_issue``."""
        if len(self.issues) < MAX_ISSUES:
            self.issues.append(issue)
        else:
            self.dropped += 1
            self._dropped_severity = max(self._dropped_severity, issue.severity)
        if self.on_issue is not None:
            self.on_issue(issue)

    def summary(self) -> tuple[Issue, ...]:
        """The issues kept, with a last one counting those that were not."""
        if not self.dropped:
            return tuple(self.issues)
        return (
            *self.issues,
            too_many_issues(self.dropped, len(self.issues), self._dropped_severity),
        )

    def report(self, issue: Issue) -> None:
        if self.strict and issue.is_damage:
            raise ParseError([issue])
        self.keep(issue)

    def feed(self, items: Iterable[RawRecord | Issue], source: str) -> Iterator[Event]:
        """Type the records among *items*, reporting the issues."""
        for item in items:
            if isinstance(item, Issue):
                self.report(item)
                continue
            index = self.records
            self.records += 1
            record = item.record
            repairs = [
                attrs.evolve(r, record=index) if r.record is None else r
                for r in item.repairs
            ]
            if self.elb_only and record.get("eventSource") != ELB_EVENT_SOURCE:
                for repair in repairs:
                    self.report(repair)
                continue
            event = self.event(record, item.path, item.line, repairs, index, source)
            if event is not None:
                yield event

    def feed_list(self, records: list[Any], source: str) -> Iterator[Event]:
        """
        Type the records of a decoded ``Records`` list.

        The common case, kept to a plain loop: most records of a mixed log are
        not ELB calls and cost one ``get`` each.
        """
        elb_only = self.elb_only
        base = self.records
        self.records += len(records)
        for offset, record in enumerate(records):
            if record.__class__ is not dict:
                issue = not_a_record(record, source, (_RECORDS, offset))
                self.report(attrs.evolve(issue, record=base + offset))
                continue
            if elb_only and record.get("eventSource") != ELB_EVENT_SOURCE:
                continue
            event = self.event(
                record, (_RECORDS, offset), None, [], base + offset, source
            )
            if event is not None:
                yield event

    def event(
        self,
        record: dict[str, Any],
        path: JsonPath,
        line: int | None,
        repairs: list[Issue],
        index: int,
        source: str,
    ) -> Event | None:
        """Type one record; ``None`` when it is dropped (a duplicate, too deep)."""
        if too_deep(record):
            self.report(_too_deep(source, index, path, line))
            for repair in repairs:
                self.report(repair)
            return None
        event = parse_event(record, path=path)
        issues = repairs
        if event.issues:
            issues = repairs + [
                attrs.evolve(
                    i,
                    source=source,
                    record=index,
                    line=i.line if i.line is not None else line,
                )
                for i in event.issues
            ]
        if self.strict and any(i.is_damage for i in issues):
            raise ParseError(issues)
        duplicate = self._duplicate(record, event, source, index, path, line)
        if duplicate is not None:
            issues = [*issues, duplicate]
        if issues:
            for issue in issues:
                self.keep(issue)
            # Not shared with anyone yet; see parse_event.
            object.__setattr__(event, "issues", tuple(issues))
        if duplicate is not None and self.dedupe:
            return None
        return event

    def _duplicate(
        self,
        record: dict[str, Any],
        event: Event,
        source: str,
        index: int,
        path: JsonPath,
        line: int | None,
    ) -> Issue | None:
        event_id = record.get("eventID")
        if event_id.__class__ is not str:
            return None
        seen = self._seen.get(event_id)
        if seen is None:
            if self.streaming:
                self._seen[event_id] = (fingerprint(record), source, index)
                if len(self._seen) > DEDUPE_WINDOW:
                    self._seen.popitem(last=False)  # type: ignore[call-arg]
            else:
                self._seen[event_id] = (event, source, index)
            return None
        if seen.__class__ is tuple:
            # The eventID comes again: from now on, a table of fingerprints.
            first, first_source, first_index = seen
            if first.__class__ is not bytes:
                first = fingerprint(first.to_dict())
            seen = {first: (first_source, first_index)}
            self._seen[event_id] = seen
        mark = fingerprint(record)
        first = seen.get(mark)
        if first is None:
            seen[mark] = (source, index)
            return None
        where = f"record {first[1]}" + (f" of {first[0]}" if first[0] != source else "")
        return Issue(
            message=f"the same record (eventID {event_id}) was delivered again; "
            f"first seen as {where}",
            code=IssueCode.DUPLICATE_RECORD,
            severity=Severity.NOTICE,
            source=source,
            record=index,
            path=render_path(path) or None,
            line=line,
            action="dropped it" if self.dedupe else "kept it; dedupe=True drops it",
        )


def _too_deep(source: str, index: int, path: JsonPath, line: int | None) -> Issue:
    return Issue(
        message=f"the record nests lists and objects deeper than {MAX_DEPTH} levels",
        code=IssueCode.TOO_DEEP,
        severity=Severity.ERROR,
        source=source,
        record=index,
        path=render_path(path) or None,
        line=line,
        action="dropped the record",
    )


@contextmanager
def _gc_paused() -> Iterator[None]:
    # Building many small objects triggers collections that find nothing to
    # free (the objects are all alive); pausing them makes parsing much faster.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _decode_fast(data: bytes) -> Any:
    """
    Decode a whole input at once, or raise `ValueError`.

    A value that needs a repair of any kind (bad numbers included) is left
    to the scanner, which reports each one where it is.
    """
    if orjson is not None:
        return orjson.loads(data)
    decoder = Decoder()
    value = decoder.loads(data.decode("utf-8"))
    if decoder.marked:
        msg = "numbers JSON cannot carry"
        raise ValueError(msg)
    return value


def _events_from_plain(
    data: bytes, source: str, collector: _Collector
) -> Iterator[Event]:
    """Events of decompressed bytes: one fast decode, the scanner where it fails."""
    try:
        value = _decode_fast(data)
    except (ValueError, RecursionError):
        yield from _events_scanned([data], source, collector)
        return
    records = value.get("Records") if value.__class__ is dict else None
    if records.__class__ is list:
        if len(value) > 1:
            collector.report(keys_beside_records(value, source, ""))
        yield from collector.feed_list(records, source)
        return
    found = Found(value, "", None, None, in_records=False)
    yield from collector.feed(records_in(found, source), source)


def _events_scanned(
    plain: Iterable[bytes], source: str, collector: _Collector
) -> Iterator[Event]:
    """Events of decompressed bytes, read value by value in bounded memory."""
    for found in Scanner(texts(plain, source, collector.report), source):
        if isinstance(found, Issue):
            collector.report(found)
        else:
            yield from collector.feed(records_in(found, source), source)


def _events_of_input(
    chunks: Iterable[bytes],
    source: str,
    collector: _Collector,
    whole_limit: int,
) -> Iterator[Event]:
    """
    The events of one input given in chunks, gzipped or not.

    Every reader goes through here, so they agree: an input that ends
    within *whole_limit* bytes (once decompressed) is decoded at once,
    where possible; a larger one is scanned record by record, so memory
    stays bounded whatever its size.
    """
    plain = decompressed(chunks, source, collector.report)
    head: list[bytes] = []
    size = 0
    for chunk in plain:
        head.append(chunk)
        size += len(chunk)
        if size > whole_limit:
            break
    else:
        data = head[0] if len(head) == 1 else b"".join(head)
        del head
        with _gc_paused():
            events = list(_events_from_plain(data, source, collector))
        yield from events
        return
    yield from _events_scanned(itertools.chain(head, plain), source, collector)


def loads(
    data: bytes | str,
    *,
    strict: bool = False,
    elb_only: bool = True,
    dedupe: bool = False,
    source: str | None = None,
) -> LogResult:
    """
    Read CloudTrail records from bytes or text already in memory.

    The shape is recognised from the content: a log file ``{"Records": [...]}``,
    gzipped or not; a single record; JSON lines; EventBridge events;
    ``lookup-events`` or CloudWatch Logs output; a JSON array of any of these.
    Damaged input is repaired where it can be, and every repair and loss is
    reported in `LogResult.issues`.

    Args:
        data: The input.
        strict: Raise `ParseError` on the first damage or
            wrongly typed value instead of reporting it.
        elb_only: Keep only Elastic Load Balancing records; with ``False``,
            records of every service are kept (with plain-data parameters).
        dedupe: Drop a record delivered a second time (same ``eventID`` and
            same content); duplicates are reported either way.
        source: The name used for the input in issues.

    Returns:
        The events and issues.

    Raises:
        elbtrail.ParseError: In strict mode, on damage or a wrongly typed value.

    Added in version 0.1.0.
    """
    name = source or ("<text>" if isinstance(data, str) else "<bytes>")
    if isinstance(data, str):
        # A lone surrogate cannot be UTF-8: passed through as invalid bytes,
        # it is then reported and replaced like any other invalid byte.
        data = data.encode("utf-8", "surrogatepass")
    collector = _Collector(
        strict=strict, elb_only=elb_only, dedupe=dedupe, on_issue=None
    )
    # Bytes already in memory are decoded at once, whatever their size; only
    # gzip is inflated a chunk at a time, so a small input cannot become a
    # huge one in memory.
    limit = WHOLE_FILE_LIMIT if data[:2] == b"\x1f\x8b" else len(data)
    with _gc_paused():
        events = list(_events_of_input([data], name, collector, limit))
    return LogResult(events, collector.summary(), collector.records)


def _source_name(source: Source) -> str:
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else "<stream>"


def read(
    source: Source,
    *,
    strict: bool = False,
    elb_only: bool = True,
    dedupe: bool = False,
) -> LogResult:
    """
    Read a CloudTrail log file, a binary stream, or a tree of log files.

    A directory is walked in name order, ``AWSLogs/...`` layouts included;
    digest and Insights folders are skipped with a notice, and any file that
    holds no CloudTrail records is reported rather than fatal. Everything
    else is as for `loads()`.

    Args:
        source: A path to a file or directory, or a binary file object.
        strict: Raise on the first damage instead of reporting it.
        elb_only: Keep only Elastic Load Balancing records.
        dedupe: Drop records delivered a second time.

    Returns:
        The events and issues of every file.

    Raises:
        elbtrail.ParseError: In strict mode, on damage or a wrongly typed value.
        OSError: If *source* cannot be opened.

    Added in version 0.1.0.
    """
    collector = _Collector(
        strict=strict, elb_only=elb_only, dedupe=dedupe, on_issue=None
    )
    with _gc_paused():
        events = list(_events_of_source(source, collector))
    return LogResult(events, collector.summary(), collector.records)


def _events_of_source(source: Source, collector: _Collector) -> Iterator[Event]:
    """The events of a file, a stream or a tree: what read and iter_events share."""
    if not isinstance(source, (str, os.PathLike)):
        name = _source_name(source)
        chunks = iter(lambda: source.read(CHUNK_SIZE), b"")
        yield from _events_of_input(chunks, name, collector, WHOLE_FILE_LIMIT)
        return
    path = Path(source)
    if path.is_dir():
        files: Iterable[Path] = walk(path, collector.report)
    else:
        special = _special(path)
        if special is not None:
            collector.report(_special_file(path, special))
            return
        files = [path]
    for file in files:
        try:
            handle = file.open("rb")
        except OSError as error:
            if files == [path]:
                raise
            collector.report(_unreadable(file, error))
            continue
        with handle:
            chunks = _chunks(handle, file, collector)
            yield from _events_of_input(chunks, str(file), collector, WHOLE_FILE_LIMIT)


def _chunks(handle: IO[bytes], file: Path, collector: _Collector) -> Iterator[bytes]:
    """The bytes of an open file; an error part-way is reported, not raised."""
    while True:
        try:
            chunk = handle.read(CHUNK_SIZE)
        except OSError as error:
            collector.report(_unreadable(file, error))
            return
        if not chunk:
            return
        yield chunk


def _unreadable(file: Path, error: OSError) -> Issue:
    return Issue(
        message=f"cannot read the file: {error.strerror or error}",
        code=IssueCode.UNREADABLE_FILE,
        severity=Severity.ERROR,
        source=str(file),
        action="skipped it",
    )


def _special(path: Path) -> str | None:
    """What kind of special file *path* is, or ``None`` for a file to read."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return None  # opening it reports the error
    if stat.S_ISREG(mode) or stat.S_ISFIFO(mode):
        return None
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _special_file(path: Path, kind: str) -> Issue:
    return Issue(
        message=f"{kind}, not a file of records",
        code=IssueCode.SPECIAL_FILE,
        severity=Severity.NOTICE,
        source=str(path),
        action="not read",
    )


def walk(root: Path, report: Callable[[Issue], None]) -> Iterator[Path]:
    """
    Yield the files under *root* that may hold records, in name order.

    In each folder its files come first, then its subfolders. Digest and
    Insights folders are reported once each and not entered. Symbolic
    links inside the tree, to files and folders alike, are reported and not
    followed: what a link inside the tree leads to is read where it really
    is, and a link out of the tree is never taken, so reading stays in the
    tree, reads nothing twice and cannot loop. (*root* itself may be a
    link.) FIFOs, devices and sockets are reported and not read; a folder
    that cannot be listed is an error.
    """
    top = os.path.realpath(root)
    yield from _walk(Path(root), top, report)


def _walk(folder: Path, top: str, report: Callable[[Issue], None]) -> Iterator[Path]:
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError as error:
        report(
            Issue(
                message=f"cannot list the folder: {error.strerror or error}",
                code=IssueCode.UNREADABLE_FOLDER,
                severity=Severity.ERROR,
                source=str(folder),
                action="skipped it",
            )
        )
        return
    folders: list[Path] = []
    for entry in entries:
        path = Path(entry.path)
        try:
            if entry.is_symlink():
                report(_link(path, top))
                continue
            if entry.is_dir(follow_symlinks=False):
                folders.append(path)
                continue
            mode = entry.stat(follow_symlinks=False).st_mode
        except OSError as error:
            report(_unreadable(path, error))
            continue
        if not stat.S_ISREG(mode):
            report(_special_file(path, _kind_of(mode)))
            continue
        yield path
    for path in folders:
        reason = _SKIPPED_FOLDERS.get(path.name)
        if reason is not None:
            report(
                Issue(
                    message=reason,
                    code=IssueCode.SKIPPED_FOLDER,
                    severity=Severity.NOTICE,
                    source=str(path),
                    action="not read",
                )
            )
            continue
        yield from _walk(path, top, report)


def _link(link: Path, top: str) -> Issue:
    """The notice for a symbolic link met in a tree, which is not followed."""
    target = os.path.realpath(link)
    if not Path(target).exists():
        why = f"a symbolic link to {link.readlink()}, which does not exist"
    elif os.path.commonpath([top, target]) == top:
        why = f"a symbolic link to {target}, inside the tree: read where it is"
    else:
        why = f"a symbolic link to {target}, outside the tree"
    return Issue(
        message=why,
        code=IssueCode.SKIPPED_LINK,
        severity=Severity.NOTICE,
        source=str(link),
        action="not followed",
    )


def _kind_of(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


class EventStream(Iterator[Event]):
    """
    The events of `iter_events()`, read as they are asked for.

    Attributes:
        issues: Every issue found so far (also passed to ``on_issue``).

    Added in version 0.1.0.
    """

    def __init__(self, events: Iterator[Event], collector: _Collector) -> None:
        """Wrap the generator *events* fed by *collector*."""
        self._events = events
        self._collector = collector

    @property
    def issues(self) -> Sequence[Issue]:
        """
        Every issue found so far, up to `MAX_ISSUES`.

        Beyond that, issues are counted, not stored, and a last issue
        (``too-many-issues``) says how many there were.
        """
        return self._collector.summary()

    @property
    def records(self) -> int:
        """How many records have been read so far, kept or not."""
        return self._collector.records

    def __next__(self) -> Event:
        """Read on to the next event."""
        return next(self._events)

    def __iter__(self) -> EventStream:
        """Return the stream itself."""
        return self


def iter_events(
    source: Source,
    *,
    strict: bool = False,
    elb_only: bool = True,
    dedupe: bool = False,
    on_issue: Callable[[Issue], None] | None = None,
) -> EventStream:
    """
    Stream the events of a file, a binary stream or a tree, in bounded memory.

    Files are read a chunk at a time and records are typed one by one, so
    memory stays bounded whatever the size of the input: a file of up to
    `WHOLE_FILE_LIMIT` bytes (4 MiB, once decompressed) is decoded at once,
    a larger one record by record. Otherwise as `read()`.

    Args:
        source: A path to a file or directory, or a binary file object.
        strict: Raise on the first damage instead of reporting it.
        elb_only: Keep only Elastic Load Balancing records.
        dedupe: Drop records delivered a second time.
        on_issue: Called with each issue as it is found.

    Returns:
        An iterator of events, whose ``issues`` grow as it is read.

    Added in version 0.1.0.
    """
    collector = _Collector(
        strict=strict,
        elb_only=elb_only,
        dedupe=dedupe,
        on_issue=on_issue,
        streaming=True,
    )
    return EventStream(_stream(source, collector), collector)


def _stream(source: Source, collector: _Collector) -> Iterator[Event]:
    yield from _events_of_source(source, collector)
