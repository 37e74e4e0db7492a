"""
The issues the readers report, each kind built in one place.

Readers at every level (bytes, text, values, records, trees) report the same
kinds of problems; building each here keeps their wording, severity and
action the same wherever they are found.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ._issues import Issue, IssueCode, Severity
from ._model import JsonPath, render_path

__all__ = [
    "junk_in_list",
    "keys_beside_records",
    "not_a_record",
    "shown",
    "skipped_text",
    "too_many_issues",
]


def shown(text: str, width: int = 40) -> str:
    """*text* cut to *width* characters, for quoting in a message."""
    text = text.strip()
    return text if len(text) <= width else text[: width - 3] + "..."


def junk_in_list(text: str) -> str:
    """The message for text that is no JSON value among list items."""
    return f"text that is not JSON among list items: {shown(text)!r}"


def not_a_record(
    value: Any, source: str, path: JsonPath, line: int | None = None
) -> Issue:
    """Something other than a JSON object where a record should be."""
    kind = "null" if value is None else type(value).__name__
    return Issue(
        message=f"expected a CloudTrail record (a JSON object), found {kind}",
        code=IssueCode.NOT_A_RECORD,
        severity=Severity.ERROR,
        source=source,
        path=render_path(path) or None,
        line=line,
        action="skipped it",
    )


def keys_beside_records(
    keys: Iterable[str], source: str, path: JsonPath, line: int | None = None
) -> Issue:
    """The notice for a log file whose top holds more than ``Records``."""
    others = ", ".join(sorted(k for k in keys if k != "Records"))
    return Issue(
        message=f"keys beside Records at the top of the file: {others}",
        code=IssueCode.UNEXPECTED_KEYS,
        severity=Severity.NOTICE,
        source=source,
        path=render_path(path) or None,
        line=line,
        action="read the records; the other keys are not records",
    )


def skipped_text(
    text: str,
    source: str,
    path: JsonPath,
    line: int | None,
    column: int | None,
    *,
    last_line: int | None = None,
    in_list: bool,
) -> Issue:
    """Text that is not JSON, skipped: among list items, or whole lines."""
    if in_list:
        return Issue(
            message=junk_in_list(text),
            code=IssueCode.SKIPPED_TEXT,
            severity=Severity.WARNING,
            source=source,
            path=render_path(path) or None,
            line=line,
            column=column,
            action="skipped it",
        )
    first = line or 1
    lines = (
        f"line {first}"
        if last_line is None or last_line <= first
        else f"lines {first}-{last_line}"
    )
    snippet = shown(text.split("\n", 1)[0])
    return Issue(
        message=f"{lines}: text that is not JSON, starting {snippet!r}",
        code=IssueCode.SKIPPED_TEXT,
        severity=Severity.ERROR,
        source=source,
        path=render_path(path) or None,
        line=line,
        column=column,
        action="skipped it",
    )


def too_many_issues(count: int, kept: int, severity: Severity) -> Issue:
    """The summary of the issues beyond the cap: counted, not stored."""
    return Issue(
        message=f"{count} more issues after the first {kept} were found",
        code=IssueCode.TOO_MANY_ISSUES,
        severity=severity,
        action="counted them; on_issue received every one",
    )
