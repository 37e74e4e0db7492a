"""Reading files, trees, streams and bytes into events."""

from __future__ import annotations

import functools
import gc
import itertools
import os
import stat
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import attrs

from . import _scanner
from ._actions import ELB_EVENT_SOURCE
from ._decoders import (
    MAX_DEPTH,
    Decoder,
    fingerprint,
    holds_bad_number,
    kept_too_deep,
)
from ._decoders import orjson as _safe_orjson
from ._event import Event, parse_decoded
from ._formats import RawRecord, records_in
from ._input import CHUNK_SIZE, decompressed, inflated_at_once, texts
from ._issues import Issue, IssueCode, ParseError, Severity
from ._layout import EVERYTHING, Selection, skipped_folder
from ._model import JsonPath, render_path
from ._prefilter import can_split, elb_candidates, skippable
from ._reports import keys_beside_records, not_a_record, too_many_issues
from ._scanner import Found, Scanner
from ._sources import S3Url, resolve

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
#: What ``read`` and ``iter_events`` take: one source or a list of them.
Sources = Source | Iterable[Source]

#: Decompressed size up to which ``iter_events`` decodes a file at once.
WHOLE_FILE_LIMIT = 4 << 20
#: How many times `WHOLE_FILE_LIMIT` a delivered log file may be and still
#: be split at once, when only ELB records are kept and the fast extra is
#: installed: the records of other services are never decoded, so this
#: takes at most about twice the memory of decoding `WHOLE_FILE_LIMIT` (a
#: file of ELB records only), and less for a usual mix.
SPLIT_FACTOR = 2


@attrs.frozen(repr=False)
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

    def __repr__(self) -> str:
        """Show counts and the first issue, not every event."""
        return _short_repr(self, len(self.events), self.records, self.issues)


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

    def not_a_record(
        self, value: Any, source: str, path: JsonPath, line: int | None, index: int
    ) -> None:
        """Report an item of a ``Records`` list that is not an object."""
        issue = not_a_record(value, source, path, line)
        self.report(attrs.evolve(issue, record=index))

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
            if record.__class__ is not dict:
                for repair in repairs:
                    self.report(repair)
                self.not_a_record(record, source, item.path, item.line, index)
                continue
            if self.elb_only and record.get("eventSource") != ELB_EVENT_SOURCE:
                # The values of records left out are not looked at; damage to
                # the structure is reported, as it could hide an ELB record.
                for repair in repairs:
                    if repair.code != IssueCode.BAD_NUMBER:
                        self.report(repair)
                continue
            event = self.event(record, item.path, item.line, repairs, index, source)
            if event is not None:
                yield event

    def feed_list(
        self,
        count: int,
        records: Iterable[tuple[int, Any]],
        source: str,
        line: int | None = None,
    ) -> Iterator[Event]:
        """
        Type the records of a decoded ``Records`` list of *count* records.

        *records* gives each record with its place in the list; it may leave
        out records known not to be ELB calls. *line* is the line the
        records are on, where they are all on one. The common case, kept to a
        plain loop: most records of a mixed log are not ELB calls and cost
        one ``get`` each.
        """
        elb_only = self.elb_only
        base = self.records
        self.records += count
        for offset, record in records:
            if record.__class__ is not dict:
                self.not_a_record(
                    record, source, (_RECORDS, offset), line, base + offset
                )
                continue
            if elb_only and record.get("eventSource") != ELB_EVENT_SOURCE:
                continue
            event = self.event(
                record, (_RECORDS, offset), line, [], base + offset, source
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
        # The record was decoded here, so the event may keep its values.
        event, kept = parse_decoded(record, path=path)
        if kept is not None and kept_too_deep(kept, path):
            self.report(_too_deep(source, index, path, line))
            for repair in repairs:
                self.report(repair)
            return None
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


_GC_LOCK = threading.Lock()
_GC_PAUSES = [0, False]  # pauses under way; whether the collector was enabled


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
def _gc_paused(collector: _Collector | None = None) -> Iterator[None]:
    # Building many small objects triggers collections that find nothing to
    # free (the objects are all alive); pausing them makes parsing much faster.
    # The pause covers elbtrail's own work only: issues for a user's on_issue
    # callback are held, and passed on once the collector runs again; callers
    # resume it before they yield. Pauses in several threads nest: the last
    # one to end restores the collector as the first one found it.
    callback = collector.on_issue if collector is not None else None
    held: list[Issue] = []
    if collector is not None and callback is not None:
        collector.on_issue = held.append
    with _GC_LOCK:
        if _GC_PAUSES[0] == 0:
            _GC_PAUSES[1] = gc.isenabled()
            gc.disable()
        _GC_PAUSES[0] += 1
    try:
        yield
    finally:
        with _GC_LOCK:
            _GC_PAUSES[0] -= 1
            if _GC_PAUSES[0] == 0 and _GC_PAUSES[1]:
                gc.enable()
        if collector is not None and callback is not None:
            collector.on_issue = callback
            for issue in held:
                callback(issue)


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
    if collector.elb_only:
        candidates = elb_candidates(data)
        if candidates is not None:
            yield from collector.feed_list(*candidates, source)
            return
    try:
        value = _decode_fast(data)
    except (ValueError, RecursionError):
        value = _with_skipped_damage(data) if collector.elb_only else None
        if value is None:
            yield from _events_scanned([data], source, collector)
            return
    records = value.get("Records") if value.__class__ is dict else None
    if records.__class__ is list:
        if len(value) > 1:
            collector.report(keys_beside_records(value, source, ""))
        yield from collector.feed_list(len(records), enumerate(records), source)
        return
    found = Found(value, "", None, None, in_records=False)
    yield from collector.feed(records_in(found, source), source)


def _with_skipped_damage(data: bytes) -> Any:
    """
    A log file whose only flaws are bad numbers in other services' records.

    With ``elb_only``, the values of records of other services are not
    looked at (the fast extra never decodes them), so a number JSON cannot
    carry in one of them does not stop the file from being read whole.
    Returns the decoded file, or ``None`` when it needs the scanner.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    decoder = Decoder()
    try:
        value = decoder.loads(text)
    except (ValueError, RecursionError):
        return None
    if value.__class__ is not dict or list(value) != ["Records"]:
        return None
    records = value["Records"]
    if records.__class__ is not list:
        return None
    for record in records:
        if (
            record.__class__ is not dict
            or record.get("eventSource") == ELB_EVENT_SOURCE
        ) and holds_bad_number(record):
            return None
    return value


def _events_scanned(
    plain: Iterable[bytes], source: str, collector: _Collector
) -> Iterator[Event]:
    """Events of decompressed bytes, read value by value in bounded memory."""
    skip = skippable if collector.elb_only and can_split() else None
    for found in Scanner(texts(plain, source, collector.report), source, skip=skip):
        if isinstance(found, Found):
            yield from collector.feed(records_in(found, source), source)
        elif isinstance(found, Issue):
            collector.report(found)
        else:  # SKIPPED: counted, never decoded
            collector.records += 1


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
    data, rest = inflated_at_once(iter(chunks), whole_limit)
    if data is not None:
        yield from _events_at_once(data, source, collector, whole_limit)
        return
    plain = decompressed(rest, source, collector.report)
    limit = whole_limit
    head: list[bytes] = []
    size = 0
    for chunk in plain:
        if not head and _splittable(chunk, collector):
            # No record of a file split at once can pass the scanner's limit.
            limit = min(whole_limit * SPLIT_FACTOR, _scanner.MAX_VALUE)
        head.append(chunk)
        size += len(chunk)
        if size > limit:
            break
    else:
        data = head[0] if len(head) == 1 else b"".join(head)
        del head
        yield from _events_at_once(data, source, collector, whole_limit)
        return
    yield from _events_scanned(itertools.chain(head, plain), source, collector)


def _events_at_once(
    data: bytes, source: str, collector: _Collector, whole_limit: int
) -> list[Event]:
    """The events of a whole decompressed input: decoded, or split if larger."""
    with _gc_paused(collector):
        if len(data) <= whole_limit:
            return list(_events_from_plain(data, source, collector))
        return list(_events_split(data, source, collector))


def _splittable(first: bytes, collector: _Collector) -> bool:
    """Whether an input whose first chunk is *first* may be split at once."""
    return (
        first.startswith(_DELIVERED_HEAD)
        and b"\n" not in first
        and collector.elb_only
        and can_split()
    )


# How a log file CloudTrail delivers begins: minified, on one line.
_DELIVERED_HEAD = b'{"Records":['


def _events_split(data: bytes, source: str, collector: _Collector) -> Iterator[Event]:
    """
    Events of a file too large to decode at once, but not to split at once.

    Only a delivered log file (one line) is split, so that its issues name
    line 1, as the scanner's do; anything else is scanned.
    """
    candidates = None
    if data.find(b"\n", 0, len(data) - 1) < 0:
        candidates = elb_candidates(data, check_density=True)
    if candidates is None:
        yield from _events_scanned([data], source, collector)
        return
    yield from collector.feed_list(*candidates, source, line=1)


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
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, (bytes, str)):
        raise _loads_misuse(data)
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


def _loads_misuse(data: object) -> TypeError:
    if isinstance(data, dict):
        hint = "; for one record (a dict), use elbtrail.parse_event()"
    elif hasattr(data, "read") or isinstance(data, (os.PathLike, list, tuple)):
        hint = "; for files, streams and lists of them, use elbtrail.read()"
    else:
        hint = ""
    return TypeError(f"loads() takes bytes or str, got {type(data).__name__}{hint}")


def _source_name(source: Source) -> str:
    if isinstance(source, (str, os.PathLike)):
        return os.fspath(source)
    name = getattr(source, "name", None)
    return name if isinstance(name, str) else "<stream>"


def read(
    source: Sources,
    *,
    strict: bool = False,
    elb_only: bool = True,
    dedupe: bool = False,
    accounts: Iterable[str] | None = None,
    regions: Iterable[str] | None = None,
    since: datetime | str | None = None,
    until: datetime | str | None = None,
    s3_client: Any = None,
    max_workers: int | None = None,
) -> LogResult:
    """
    Read CloudTrail log files: a file, a tree, a binary stream, or an S3 prefix.

    A directory is walked in name order, ``AWSLogs/...`` layouts included;
    digest and Insights folders are skipped with a notice, and any file that
    holds no CloudTrail records is reported rather than fatal. An
    ``s3://bucket/prefix`` URL is read the same way from the bucket (with
    the ``s3`` extra), fetching objects concurrently; an object that cannot
    be fetched is an issue naming its bucket and key. Everything else is as
    for `loads()`.

    ``accounts``, ``regions``, ``since`` and ``until`` select events exactly,
    and also choose which folders and files of an ``AWSLogs`` layout are
    read at all, locally and in S3 (see the "Reading from AWS" page).

    Args:
        source: A path to a file or directory, an ``s3://bucket/prefix`` URL,
            a binary file object, or a list of these.
        strict: Raise on the first damage instead of reporting it.
        elb_only: Keep only Elastic Load Balancing records.
        dedupe: Drop records delivered a second time.
        accounts: Keep only events whose ``recipientAccountId`` is one of these.
        regions: Keep only events whose ``awsRegion`` is one of these.
        since: Keep only events at or after this time (an aware ``datetime``
            or an ISO 8601 string; without a zone, UTC).
        until: Keep only events at or before this time.
        s3_client: A boto3 S3 client to use; by default one is made from
            boto3's standard chain (credentials, region, ``AWS_ENDPOINT_URL``).
        max_workers: How many S3 objects are fetched at once (default 8).

    Returns:
        The events and issues of every file.

    Raises:
        elbtrail.ParseError: In strict mode, on damage or a wrongly typed value.
        OSError: If *source* cannot be opened (or an S3 prefix listed).
        TypeError: If *source* is none of the above (a text stream, a dict).
        ModuleNotFoundError: For an ``s3://`` source without boto3.

    Added in version 0.1.0.
    """
    sources = resolve(source, "read")
    selection = Selection.of(
        accounts=accounts, regions=regions, since=since, until=until
    )
    collector = _Collector(
        strict=strict, elb_only=elb_only, dedupe=dedupe, on_issue=None
    )
    remote = _remote(s3_client, max_workers, selection, collector.report)
    events: list[Event] = []
    # Paused source by source, and never while a caller's stream or S3 is
    # read: reading a stream may run the caller's code.
    for item in sources:
        if isinstance(item, S3Url):
            # Closed at once if reading stops (strict mode): the pool ends too.
            with closing(remote().files(item)) as files:
                for name, handle in files:
                    data = handle.read()
                    with _gc_paused():
                        events.extend(
                            _events_of_input([data], name, collector, WHOLE_FILE_LIMIT)
                        )
            continue
        if not isinstance(item, (str, os.PathLike)):
            name, data = _source_name(item), item.read()
            with _gc_paused():
                events.extend(
                    _events_of_input([data], name, collector, WHOLE_FILE_LIMIT)
                )
            continue
        with _gc_paused():
            events.extend(_events_of_source(item, collector, selection))
    if not selection.everything:
        events = [event for event in events if selection.keeps(event)]
    return LogResult(events, collector.summary(), collector.records)


def _remote(
    s3_client: Any,
    max_workers: int | None,
    selection: Selection,
    report: Callable[[Issue], None],
) -> Callable[[], Any]:
    """The S3 reader of one read, made (and boto3 imported) on first use."""
    if max_workers is not None and not _positive_int(max_workers):
        msg = f"max_workers: expected a positive integer, got {max_workers!r}"
        raise ValueError(msg)

    @functools.cache
    def reader() -> Any:
        from ._s3 import S3Reader  # noqa: PLC0415 - keeps boto3 out of import

        return S3Reader(
            client=s3_client,
            max_workers=max_workers,
            selection=selection,
            report=report,
        )

    return reader


def _positive_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _events_of_source(
    source: Source, collector: _Collector, selection: Selection = EVERYTHING
) -> Iterator[Event]:
    """The events of a file, a stream or a tree: what read and iter_events share."""
    if not isinstance(source, (str, os.PathLike)):
        name = _source_name(source)
        chunks = iter(lambda: source.read(CHUNK_SIZE), b"")
        yield from _events_of_input(chunks, name, collector, WHOLE_FILE_LIMIT)
        return
    path = Path(source)
    if path.is_dir():
        files: Iterable[Path] = walk(path, collector.report, selection)
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
    return _kind_of(mode)


def _special_file(path: Path, kind: str) -> Issue:
    return Issue(
        message=f"{kind}, not a file of records",
        code=IssueCode.SPECIAL_FILE,
        severity=Severity.NOTICE,
        source=str(path),
        action="not read",
    )


def walk(
    root: Path, report: Callable[[Issue], None], selection: Selection = EVERYTHING
) -> Iterator[Path]:
    """
    Yield the files under *root* that may hold records, in name order.

    In each folder its files come first, then its subfolders. Digest and
    Insights folders are reported once each and not entered. Symbolic
    links inside the tree, to files and folders alike, are reported and not
    followed: what a link inside the tree leads to is read where it really
    is, and a link out of the tree is never taken, so reading stays in the
    tree, reads nothing twice and cannot loop. (*root* itself may be a
    link.) FIFOs, devices and sockets are reported and not read; a folder
    that cannot be listed is an error. Files that are plainly documentation
    (a README, Markdown) are reported and not read; folders and files that
    *selection* rules out by their place in an ``AWSLogs`` layout are not
    entered or read.
    """
    top = os.path.realpath(root)
    yield from _walk(Path(root), top, report, selection)


def _walk(
    folder: Path, top: str, report: Callable[[Issue], None], selection: Selection
) -> Iterator[Path]:
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
        if _plainly_not_a_log(entry.name):
            report(
                Issue(
                    message="a text or documentation file, not a log file",
                    code=IssueCode.SKIPPED_FILE,
                    severity=Severity.NOTICE,
                    source=str(path),
                    action="not read; name the file itself to read it",
                )
            )
            continue
        if selection.keeps_file(entry.name):
            yield path
    for path in folders:
        skipped = skipped_folder(str(path), path.name)
        if skipped is not None:
            report(skipped)
        elif selection.keeps_folder(path.parts):
            yield from _walk(path, top, report, selection)


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


# Files kept beside logs (a README, the licence of a copied corpus) that a
# walk should not take for damaged logs. Only names this plain are skipped:
# a log saved under any other name is still read.
_TEXT_SUFFIXES = (".md", ".markdown", ".rst", ".txt")
_TEXT_NAMES = frozenset(
    {"README", "LICENSE", "LICENCE", "COPYING", "NOTICE", "AUTHORS", "CHANGELOG"}
)


def _plainly_not_a_log(name: str) -> bool:
    """Whether a file found in a walk is documentation rather than a log."""
    return name.lower().endswith(_TEXT_SUFFIXES) or name.upper() in _TEXT_NAMES


class EventStream(Iterator[Event]):
    """
    The events of `iter_events()`, read as they are asked for.

    Attributes:
        issues: Every issue found so far (also passed to ``on_issue``).

    Added in version 0.1.0.
    """

    def __init__(
        self, events: Iterator[Event], collector: _Collector, source: str = ""
    ) -> None:
        """Wrap the generator *events* fed by *collector*, reading *source*."""
        self._events = events
        self._collector = collector
        self._source = source
        self._yielded = 0

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
        event = next(self._events)
        self._yielded += 1
        return event

    def __repr__(self) -> str:
        """Show the source, counts so far and the first issue."""
        return _short_repr(
            self, self._yielded, self.records, self._collector.issues, self._source
        )

    def __iter__(self) -> EventStream:
        """Return the stream itself."""
        return self


def iter_events(
    source: Sources,
    *,
    strict: bool = False,
    elb_only: bool = True,
    dedupe: bool = False,
    on_issue: Callable[[Issue], None] | None = None,
    accounts: Iterable[str] | None = None,
    regions: Iterable[str] | None = None,
    since: datetime | str | None = None,
    until: datetime | str | None = None,
    s3_client: Any = None,
    max_workers: int | None = None,
) -> EventStream:
    """
    Stream the events of a file, a binary stream or a tree, in bounded memory.

    Files are read a chunk at a time and records are typed one by one, so
    memory stays bounded whatever the size of the input: a file of up to
    `WHOLE_FILE_LIMIT` bytes (4 MiB, once decompressed) is decoded at once,
    a delivered log file of up to twice that is split at once by the fast
    extra (which never decodes other services' records), and a larger one
    is read record by record. S3 objects are fetched a few at a time
    ahead of the reading (twice ``max_workers`` at most), never the whole
    listing. Otherwise as `read()`.

    Args:
        source: A path to a file or directory, an ``s3://bucket/prefix`` URL,
            a binary file object, or a list of these.
        strict: Raise on the first damage instead of reporting it.
        elb_only: Keep only Elastic Load Balancing records.
        dedupe: Drop records delivered a second time.
        on_issue: Called with each issue as it is found.
        accounts: Keep only events whose ``recipientAccountId`` is one of these.
        regions: Keep only events whose ``awsRegion`` is one of these.
        since: Keep only events at or after this time.
        until: Keep only events at or before this time.
        s3_client: A boto3 S3 client to use instead of the standard chain's.
        max_workers: How many S3 objects are fetched at once (default 8).

    Returns:
        An iterator of events, whose ``issues`` grow as it is read.

    Raises:
        TypeError: If *source* is none of the above (a text stream, a dict).

    Added in version 0.1.0.
    """
    sources = resolve(source, "iter_events")
    selection = Selection.of(
        accounts=accounts, regions=regions, since=since, until=until
    )
    collector = _Collector(
        strict=strict,
        elb_only=elb_only,
        dedupe=dedupe,
        on_issue=on_issue,
        streaming=True,
    )
    remote = _remote(s3_client, max_workers, selection, collector.report)

    def events() -> Iterator[Event]:
        for item in sources:
            if isinstance(item, S3Url):
                with closing(remote().files(item)) as files:
                    for name, handle in files:
                        yield from _stream_file(handle, name, collector)
            else:
                yield from _stream(item, collector, selection)

    stream = events()
    if not selection.everything:
        stream = filter(selection.keeps, stream)
    return EventStream(stream, collector, _sources_name(sources))


def _short_repr(
    owner: object,
    events: int,
    records: int,
    issues: Sequence[Issue],
    source: str = "",
) -> str:
    """
    ``<LogResult: 38 events of 40 records, 2 issues, first: ...>``.

    The issue shown is the first damage, or the first notice if there is none.
    """
    text = f"<{type(owner).__name__}: "
    if source:
        text += f"{source!r}, "
    text += (
        f"{_count(events, 'event')} of {_count(records, 'record')}, "
        f"{_count(len(issues), 'issue')}"
    )
    if issues:
        issue = next((i for i in issues if i.is_damage), issues[0])
        # The file's name without its folders: the message is what matters.
        where = [Path(issue.source).name] if issue.source else []
        where += [str(p) for p in (issue.line, issue.column) if p is not None]
        first = f"{issue.severity.value}: {issue.message}"
        if where:
            first += f" at {':'.join(where)}"
        if len(first) > _REPR_ISSUE_WIDTH:
            first = first[: _REPR_ISSUE_WIDTH - 3] + "..."
        text += f", first: {first}"
    return text + ">"


_REPR_ISSUE_WIDTH = 120


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _sources_name(sources: Sequence[object]) -> str:
    """How a repr names what is read: the one source, or how many."""
    if len(sources) == 1:
        only = sources[0]
        if isinstance(only, S3Url):
            return str(only)
        return _source_name(only)  # type: ignore[arg-type]  # a path or stream
    return f"{len(sources)} sources"


def _stream(
    source: Source, collector: _Collector, selection: Selection = EVERYTHING
) -> Iterator[Event]:
    yield from _events_of_source(source, collector, selection)


def _stream_file(
    handle: IO[bytes], name: str, collector: _Collector
) -> Iterator[Event]:
    chunks = iter(lambda: handle.read(CHUNK_SIZE), b"")
    yield from _events_of_input(chunks, name, collector, WHOLE_FILE_LIMIT)
