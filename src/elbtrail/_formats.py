"""
The shapes CloudTrail records arrive in, recognised by content.

=====================  ===================================================
shape                  how it is recognised
=====================  ===================================================
log file               ``{"Records": [...]}`` (S3 delivery, console export)
record                 an object with ``eventVersion``, ``eventName``, ...
EventBridge event      an object with ``detail-type`` and ``detail``
LookupEvents output    ``{"Events": [{"CloudTrailEvent": "<json>"}]}``
CloudWatch Logs        ``{"events": [{"message": "<json>"}]}``, or one such
                       log event on its own
CloudTrail Lake        ``{"QueryResultRows": [[{"column": value}, ...]]}``
digest file            ``digestStartTime`` and ``logFiles``: skipped
array                  ``[...]`` of any of the above
=====================  ===================================================
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from ._decoders import Decoder, bad_numbers
from ._issues import Issue, IssueCode, Severity
from ._model import JsonPath, render_path
from ._reports import keys_beside_records, not_a_record
from ._scanner import Found, Scanner

__all__ = ["RawRecord", "records_in"]

# Lists of lists and wrappers around records nest a few levels at most.
_MAX_NESTING = 32

_RECORD_KEYS = frozenset(
    {"eventVersion", "eventName", "eventSource", "eventID", "eventTime", "userIdentity"}
)


@attrs.frozen
class RawRecord:
    """
    A record found in the input, before it is typed.

    An item of a ``Records`` list is one even when it is not an object.
    """

    record: Any
    path: JsonPath
    line: int | None
    repairs: tuple[Issue, ...] = ()


def _not_a_record(value: Any, path: JsonPath, line: int | None, source: str) -> Issue:
    return not_a_record(value, source, path, line)


def records_in(found: Found, source: str) -> Iterator[RawRecord | Issue]:
    """Yield the records held by one value the scanner found."""
    if found.in_records:
        # Counted as a record, whatever it holds, as in a list decoded whole;
        # the reader reports one that is not an object.
        yield RawRecord(found.value, found.path, found.line, found.repairs)
        return
    yield from _classify(found.value, found.path, found.line, found.repairs, source, 0)


def _classify(
    value: Any,
    path: JsonPath,
    line: int | None,
    repairs: tuple[Issue, ...],
    source: str,
    depth: int,
) -> Iterator[RawRecord | Issue]:
    if depth > _MAX_NESTING:
        yield from repairs
        yield Issue(
            message=f"lists or wrappers nested more than {_MAX_NESTING} levels "
            "around the records",
            code=IssueCode.TOO_DEEP,
            severity=Severity.ERROR,
            source=source,
            path=render_path(path) or None,
            line=line,
            action="skipped it",
        )
        return
    if value.__class__ is list:
        yield from repairs
        for index, item in enumerate(value):
            yield from _classify(item, (path, index), line, (), source, depth + 1)
        return
    if value.__class__ is not dict:
        yield from repairs
        yield _not_a_record(value, path, line, source)
        return
    if "Records" in value:
        yield from repairs
        records = value["Records"]
        if records.__class__ is not list:
            yield Issue(
                message=f"'Records' should be a list, found {_kind(records)}",
                code=IssueCode.NOT_A_LOG_FILE,
                severity=Severity.ERROR,
                source=source,
                path=render_path((path, "Records")),
                line=line,
                action="nothing read from it",
            )
            return
        if len(value) > 1:
            yield keys_beside_records(value, source, path, line)
        records_path: JsonPath = (path, "Records")
        for index, record in enumerate(records):
            item_path: JsonPath = (records_path, index)
            if record.__class__ is dict:
                yield RawRecord(record, item_path, line)
            else:
                yield _not_a_record(record, item_path, line, source)
        return
    if "detail-type" in value or ("detail" in value and "source" in value):
        detail = value.get("detail")
        yield from repairs
        if detail.__class__ is dict:
            yield RawRecord(detail, (path, "detail"), line)
        else:
            yield _not_a_record(detail, (path, "detail"), line, source)
        return
    if value.keys() & _RECORD_KEYS:
        yield RawRecord(value, path, line, repairs)
        return
    yield from repairs
    wrapped = _wrapped(value)
    if wrapped is not None:
        yield from _unwrap(wrapped, path, line, source, depth)
        return
    if "digestStartTime" in value or "logFiles" in value:
        yield Issue(
            message="a CloudTrail digest file: it lists log files but holds no events",
            code=IssueCode.DIGEST_FILE,
            severity=Severity.NOTICE,
            source=source,
            path=render_path(path) or None,
            line=line,
            action="skipped it",
        )
        return
    keys = ", ".join(sorted(value)[:5]) or "none"
    yield Issue(
        message=f"a JSON object that is no CloudTrail record or log (keys: {keys})",
        code=IssueCode.UNRECOGNISED,
        severity=Severity.ERROR,
        source=source,
        path=render_path(path) or None,
        line=line,
        action="skipped it",
    )


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _wrapped(value: Mapping[str, Any]) -> tuple[str, list[Any], str] | None:
    """Where a wrapper keeps its records: (list key, items, item key)."""
    events = value.get("Events")
    if events.__class__ is list:
        return "Events", events, "CloudTrailEvent"
    events = value.get("events")
    if events.__class__ is list:
        return "events", events, "message"
    if isinstance(value.get("message"), str) and (
        "logStreamName" in value or "timestamp" in value or "ingestionTime" in value
    ):
        return "", [value], "message"
    if "CloudTrailEvent" in value:
        return "", [value], "CloudTrailEvent"
    rows = value.get("QueryResultRows")
    if rows.__class__ is list:
        return "QueryResultRows", rows, ""
    return None


def _unwrap(
    wrapped: tuple[str, list[Any], str],
    path: JsonPath,
    line: int | None,
    source: str,
    depth: int,
) -> Iterator[RawRecord | Issue]:
    list_key, items, item_key = wrapped
    base: JsonPath = (path, list_key) if list_key else path
    for index, item in enumerate(items):
        item_path: JsonPath = (base, index) if list_key else base
        if not item_key:
            yield from _lake_row(item, item_path, line, source)
            continue
        if item.__class__ is not dict:
            yield _not_a_record(item, item_path, line, source)
            continue
        text = item.get(item_key)
        inner_path: JsonPath = (item_path, item_key)
        if text.__class__ is dict:
            yield from _classify(text, inner_path, line, (), source, depth + 1)
        elif text.__class__ is str and depth < 2:
            yield from _embedded(text, inner_path, line, source, depth)
        else:
            yield _not_a_record(text, inner_path, line, source)


def _embedded(
    text: str, path: JsonPath, line: int | None, source: str, depth: int
) -> Iterator[RawRecord | Issue]:
    """Records kept as a JSON string inside another document."""
    decoder = Decoder()
    try:
        value = decoder.loads(text)
    except ValueError:
        pass
    else:
        numbers: list[Issue] = []
        if decoder.marked:
            value, numbers = bad_numbers(value, path, source, line)
        yield from _classify(value, path, line, tuple(numbers), source, depth + 1)
        return
    for found in Scanner([text], source):
        if not isinstance(found, Found):  # an issue: this scanner skips nothing
            assert isinstance(found, Issue)
            yield attrs.evolve(
                found,
                path=_within(render_path(path), found.path),
                message=f"{found.message} (inside the JSON string, at its "
                f"line {found.line}, column {found.column})",
                line=line,
                column=None,
            )
            continue
        relocated = tuple(
            attrs.evolve(
                r,
                message=f"{r.message} (inside the JSON string, at its line "
                f"{r.line}, column {r.column})",
                line=line,
                column=None,
                path=_within(render_path(path), r.path),
            )
            for r in found.repairs
        )
        yield from _classify(found.value, path, line, relocated, source, depth + 1)


def _within(outer: str, inner: str | None) -> str | None:
    """The rendered path *inner*, found inside the value at *outer*."""
    if not inner:
        return outer or None
    if not outer or inner.startswith("["):
        return outer + inner
    return f"{outer}.{inner}"


def _lake_row(
    row: Any, path: JsonPath, line: int | None, source: str
) -> Iterator[RawRecord | Issue]:
    """A CloudTrail Lake result row: a list of one-key objects, one per column."""
    if row.__class__ is not list or not all(c.__class__ is dict for c in row):
        yield _not_a_record(row, path, line, source)
        return
    merged: dict[str, Any] = {}
    for column in row:
        merged.update(column)
    if merged.keys() & _RECORD_KEYS:
        yield RawRecord(merged, path, line)
    else:
        yield Issue(
            message="a CloudTrail Lake row without the columns of a record",
            code=IssueCode.UNRECOGNISED,
            severity=Severity.NOTICE,
            source=source,
            path=render_path(path),
            line=line,
            action="skipped it",
        )
