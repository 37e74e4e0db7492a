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

import json
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from ._issues import Issue, Severity
from ._scanner import Found, Scanner

__all__ = ["RawRecord", "keys_beside_records", "records_in"]

_RECORD_KEYS = frozenset(
    {"eventVersion", "eventName", "eventSource", "eventID", "eventTime", "userIdentity"}
)


@attrs.frozen
class RawRecord:
    """A record found in the input, before it is typed."""

    record: dict[str, Any]
    path: str
    line: int | None
    repairs: tuple[Issue, ...] = ()


def _join(path: str, part: str) -> str:
    if not path:
        return part
    return f"{path}{part}" if part.startswith("[") else f"{path}.{part}"


def records_in(found: Found, source: str) -> Iterator[RawRecord | Issue]:
    """Yield the records held by one value the scanner found."""
    if found.in_records:
        if found.value.__class__ is dict:
            yield RawRecord(found.value, found.path, found.line, found.repairs)
        else:
            yield from found.repairs
            yield _not_a_record(found.value, found.path, found.line, source)
        return
    yield from _classify(found.value, found.path, found.line, found.repairs, source, 0)


def _not_a_record(value: Any, path: str, line: int | None, source: str) -> Issue:
    kind = type(value).__name__ if value is not None else "null"
    return Issue(
        message=f"expected a CloudTrail record (a JSON object), found {kind}",
        code="not-a-record",
        severity=Severity.ERROR,
        source=source,
        path=path or None,
        line=line,
        action="skipped it",
    )


def _classify(
    value: Any,
    path: str,
    line: int | None,
    repairs: tuple[Issue, ...],
    source: str,
    depth: int,
) -> Iterator[RawRecord | Issue]:
    if value.__class__ is list:
        yield from repairs
        for index, item in enumerate(value):
            yield from _classify(
                item, _join(path, f"[{index}]"), line, (), source, depth
            )
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
                code="not-a-log-file",
                severity=Severity.ERROR,
                source=source,
                path=_join(path, "Records"),
                line=line,
                action="nothing read from it",
            )
            return
        if len(value) > 1:
            yield keys_beside_records(value, source, path or None, line)
        for index, record in enumerate(records):
            item_path = _join(path, f"Records[{index}]")
            if record.__class__ is dict:
                yield RawRecord(record, item_path, line)
            else:
                yield _not_a_record(record, item_path, line, source)
        return
    if "detail-type" in value or ("detail" in value and "source" in value):
        detail = value.get("detail")
        yield from repairs
        if detail.__class__ is dict:
            yield RawRecord(detail, _join(path, "detail"), line)
        else:
            yield _not_a_record(detail, _join(path, "detail"), line, source)
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
            code="digest-file",
            severity=Severity.NOTICE,
            source=source,
            path=path or None,
            line=line,
            action="skipped it",
        )
        return
    keys = ", ".join(sorted(value)[:5]) or "none"
    yield Issue(
        message=f"a JSON object that is no CloudTrail record or log (keys: {keys})",
        code="unrecognised",
        severity=Severity.ERROR,
        source=source,
        path=path or None,
        line=line,
        action="skipped it",
    )


def keys_beside_records(
    log_file: Mapping[str, Any], source: str, path: str | None, line: int | None
) -> Issue:
    """The notice for a log file whose top holds more than ``Records``."""
    others = ", ".join(sorted(k for k in log_file if k != "Records"))
    return Issue(
        message=f"keys beside Records at the top of the file: {others}",
        code="unexpected-keys",
        severity=Severity.NOTICE,
        source=source,
        path=path,
        line=line,
        action="read the records; the other keys are not records",
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
    path: str,
    line: int | None,
    source: str,
    depth: int,
) -> Iterator[RawRecord | Issue]:
    list_key, items, item_key = wrapped
    base = _join(path, list_key) if list_key else path
    for index, item in enumerate(items):
        item_path = _join(base, f"[{index}]") if list_key else base
        if not item_key:
            yield from _lake_row(item, item_path, line, source)
            continue
        if item.__class__ is not dict:
            yield _not_a_record(item, item_path, line, source)
            continue
        text = item.get(item_key)
        inner_path = _join(item_path, item_key)
        if text.__class__ is dict:
            yield from _classify(text, inner_path, line, (), source, depth + 1)
        elif text.__class__ is str and depth < 2:
            yield from _embedded(text, inner_path, line, source, depth)
        else:
            yield _not_a_record(text, inner_path, line, source)


def _embedded(
    text: str, path: str, line: int | None, source: str, depth: int
) -> Iterator[RawRecord | Issue]:
    """Records kept as a JSON string inside another document."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        pass
    else:
        yield from _classify(value, path, line, (), source, depth + 1)
        return
    for found in Scanner([text], source):
        if isinstance(found, Issue):
            yield attrs.evolve(
                found,
                path=_join(path, found.path or ""),
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
                path=path,
            )
            for r in found.repairs
        )
        yield from _classify(found.value, path, line, relocated, source, depth + 1)


def _lake_row(
    row: Any, path: str, line: int | None, source: str
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
            code="unrecognised",
            severity=Severity.NOTICE,
            source=source,
            path=path,
            line=line,
            action="skipped it",
        )
