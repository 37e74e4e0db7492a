"""
Split text into JSON values and ``Records`` items, recovering from damage.

The scanner reads text in chunks, so a file of any size passes through a
bounded buffer. ``{"Records": [...]}`` files and top-level arrays are read
item by item: each item is decoded by the standard library's C decoder, and
only an item it refuses goes to the tolerant parser, so one damaged record
costs only that record. Where even that fails, the scanner finds the start of
the next record and goes on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

import attrs

from ._issues import Issue, Severity
from ._tolerant import TolerantParser, Unrecoverable

orjson: Any
try:
    import orjson
except ImportError:  # pragma: no cover - exercised by the pure-Python test run
    orjson = None

__all__ = ["Found", "Scanner"]

_DECODER = json.JSONDecoder()
_WS = re.compile(r"[ \t\n\r]*")
_RECORDS_HEAD = re.compile(r'\{\s*(?P<quote>"?)Records(?P=quote)\s*:\s*(?=\[)')
# The closing brace of a record, seen from what follows it in a Records list.
_RECORD_END = re.compile(r'\}(?=\s*(?:,\s*\{\s*"eventVersion"|\]\s*\}))')
_MINIFIED_BOUNDARY = '},{"eventVersion"'
# A line break followed by the opening of an object or a list.
_LINE_OPENING_VALUE = re.compile(r"\n\s*[\[{]")
# Where junk among list items ends: the next item, comma or closing bracket.
_LIST_ITEM_BOUNDARY = re.compile(r"[\[{\]\",]")
# The start of a line that may begin a JSON value, after junk.
_NEXT_VALUE_LINE = re.compile(r"\n(?=[ \t]*[{\[])")
_SCALAR_START = frozenset('"-0123456789tfn')

#: Bytes of text past a decoder error that prove it is damage, not the end of
#: the buffer cutting a value short.
_SLACK = 1 << 16
#: The largest single value read whole; CloudTrail events are at most 1 MB.
MAX_VALUE = 32 << 20


@attrs.frozen
class Found:
    """
    One value the scanner found.

    Attributes:
        value: The decoded value.
        path: Its JSON path in the document (``Records[3]``, ``[2]`` or ``""``).
        line: The 1-based line it starts on.
        column: The 1-based column it starts at.
        in_records: Whether it is an item of a ``Records`` list (so a record).
        repairs: Syntax repairs made to read it.
    """

    value: Any
    path: str
    line: int | None
    column: int | None
    in_records: bool
    repairs: tuple[Issue, ...] = ()


class Scanner:
    """Iterate over the values in a text given as chunks of ``str``."""

    def __init__(self, chunks: Iterable[str], source: str) -> None:
        """Read *chunks* in order; *source* names the input in issues."""
        self._chunks = iter(chunks)
        self.source = source
        self.buf = ""
        self.pos = 0
        self.eof = False
        self._lines_before = 0
        self._column_before = 0
        self._truncated = False
        # Whether records are laid out on one line, as CloudTrail delivers
        # them; learnt from the first record boundary found.
        self._minified = False
        # Newlines are counted once, forward, up to the last position asked
        # about; positions only grow between two fills.
        self._counted_pos = 0
        self._counted_lines = 0
        self._last_newline = -1

    # -- buffer ------------------------------------------------------------

    def _fill(self) -> bool:
        if self.eof:
            return False
        chunk = next(self._chunks, None)
        while chunk == "":
            chunk = next(self._chunks, None)
        if chunk is None:
            self.eof = True
            return False
        if self.pos:
            consumed = self.buf[: self.pos]
            newlines = consumed.count("\n")
            if newlines:
                self._lines_before += newlines
                self._column_before = len(consumed) - consumed.rfind("\n") - 1
            else:
                self._column_before += len(consumed)
            self.buf = self.buf[self.pos :] + chunk
            self.pos = 0
            self._counted_pos = 0
            self._counted_lines = 0
            self._last_newline = -1
        else:
            self.buf += chunk
        return True

    def _where(self, pos: int) -> tuple[int, int]:
        if pos < self._counted_pos:
            self._counted_pos = 0
            self._counted_lines = 0
            self._last_newline = -1
        newlines = self.buf.count("\n", self._counted_pos, pos)
        if newlines:
            self._counted_lines += newlines
            self._last_newline = self.buf.rfind("\n", self._counted_pos, pos)
        self._counted_pos = pos
        if self._last_newline >= 0:
            column = pos - self._last_newline
        else:
            column = self._column_before + pos + 1
        return self._lines_before + self._counted_lines + 1, column

    def _skip_ws(self) -> bool:
        while True:
            self.pos = _WS.match(self.buf, self.pos).end()  # type: ignore[union-attr]
            if self.pos < len(self.buf):
                return True
            if not self._fill():
                return False

    def _lookahead(self, size: int) -> None:
        while len(self.buf) - self.pos < size and self._fill():
            pass

    def _issue(
        self,
        pos: int,
        message: str,
        code: str,
        severity: Severity,
        action: str,
        path: str | None = None,
    ) -> Issue:
        line, column = self._where(pos)
        return Issue(
            message=message,
            code=code,
            severity=severity,
            source=self.source,
            path=path or None,
            line=line,
            column=column,
            action=action,
        )

    # -- values --------------------------------------------------------------

    def _decode(self, path: str) -> tuple[Any, list[Issue]] | Issue:
        """
        Decode the value at ``self.pos``; on failure return the issue.

        ``self.pos`` ends just past the value, or where reading stopped.
        """
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as error:  # noqa: PERF203 - rare: damage
                cut_short = error.pos + _SLACK >= len(self.buf) or error.msg.startswith(
                    "Unterminated string"
                )
                if cut_short and self._grow():
                    continue
                break
            except RecursionError:
                break
            else:
                self.pos = end
                return value, []
        return self._decode_tolerantly(path)

    def _decode_record_fast(self) -> Any:
        """
        Decode a record of a ``Records`` list with orjson, or return ``None``.

        The record's end is guessed as the first ``}`` followed by the start
        of the next record (``, {"eventVersion"``) or the end of the list.
        The guess is safe: a slice that ends anywhere but at the record's own
        closing brace is not one valid JSON object, so orjson refuses it, and
        the caller falls back to the standard decoder.
        """
        if orjson is None:
            return None
        stop = -1
        if self._minified:
            # Delivered log files are one line: a plain search is enough.
            stop = self.buf.find(_MINIFIED_BOUNDARY, self.pos) + 1
        if stop <= 0:
            match = _RECORD_END.search(self.buf, self.pos)
            if match is None:
                return None
            stop = match.end()
            self._minified = self.buf.startswith(_MINIFIED_BOUNDARY, stop - 1)
        try:
            value = orjson.loads(self.buf[self.pos : stop])
        except orjson.JSONDecodeError:
            return None
        if value.__class__ is not dict:
            return None
        self.pos = stop
        return value

    def _grow(self) -> bool:
        return len(self.buf) - self.pos < MAX_VALUE and self._fill()

    def _decode_tolerantly(self, path: str) -> tuple[Any, list[Issue]] | Issue:
        self._lookahead(_SLACK)
        while True:
            parser = TolerantParser(self.buf, self.pos)
            try:
                value = parser.parse()
            except Unrecoverable as error:
                if error.truncated and self._grow():
                    continue
                if error.truncated:
                    issue = self._issue(
                        self.pos,
                        "the input ends inside this value: it is cut off",
                        "truncated",
                        Severity.ERROR,
                        "the incomplete value was dropped",
                        path,
                    )
                else:
                    issue = self._issue(
                        error.offset,
                        error.message,
                        "unreadable",
                        Severity.ERROR,
                        "the value was dropped",
                        path,
                    )
                self.pos = max(error.offset, self.pos + 1)
                return issue
            repairs = [
                self._issue(
                    r.offset, r.message, r.code, Severity.WARNING, r.action, path
                )
                for r in parser.repairs
            ]
            self.pos = parser.pos
            return value, repairs

    # -- the document ----------------------------------------------------------

    def __iter__(self) -> Iterator[Found | Issue]:
        """Yield every value found, and an issue for everything that was not."""
        if not self._skip_ws():
            yield Issue(
                message="the input is empty",
                code="empty",
                severity=Severity.NOTICE,
                source=self.source,
                action="nothing to read",
            )
            return
        if self.buf.startswith("\ufeff", self.pos):
            self.pos += 1
        while self._skip_ws():
            char = self.buf[self.pos]
            self._lookahead(64)
            if char == "{" and _RECORDS_HEAD.match(self.buf, self.pos):
                yield from self._records_file()
            elif char == "[":
                yield from self._items(self.pos, "", in_records=False)
            elif char == "{" or char in _SCALAR_START:
                line, column = self._where(self.pos)
                result = self._decode("")
                if isinstance(result, Issue):
                    yield result
                    self._skip_line()
                else:
                    value, repairs = result
                    yield Found(value, "", line, column, False, tuple(repairs))  # noqa: FBT003
            else:
                yield self._skip_junk()

    def _skip_line(self) -> None:
        while True:
            newline = self.buf.find("\n", self.pos)
            if newline >= 0:
                self.pos = newline + 1
                return
            self.pos = len(self.buf)
            if not self._fill():
                return

    def _skip_junk(self) -> Issue:
        """Skip lines of text up to the next line that starts a JSON value."""
        start = self.pos
        first_line = self._where(start)
        snippet = self.buf[start : start + 40].split("\n")[0].strip()
        last_line = first_line[0]
        while True:
            match = _NEXT_VALUE_LINE.search(self.buf, self.pos)
            if match is not None:
                last_line = self._where(match.start())[0]
                self.pos = match.end()
                break
            if self.buf.endswith("\n"):
                last_line = self._where(len(self.buf))[0]
            self.pos = len(self.buf)
            if not self._fill():
                last_line = self._where(len(self.buf))[0]
                break
        lines = (
            f"line {first_line[0]}"
            if last_line <= first_line[0] + 1
            else f"lines {first_line[0]}-{last_line - 1}"
        )
        return Issue(
            message=f"{lines}: text that is not JSON, starting {snippet!r}",
            code="skipped-text",
            severity=Severity.ERROR,
            source=self.source,
            line=first_line[0],
            column=first_line[1],
            action="skipped it",
        )

    def _records_file(self) -> Iterator[Found | Issue]:
        head = _RECORDS_HEAD.match(self.buf, self.pos)
        assert head is not None
        if not head.group("quote"):
            yield self._issue(
                head.start("quote"),
                "the key 'Records' has no quotes",
                "unquoted-key",
                Severity.WARNING,
                'read as "Records"',
            )
        self.pos = head.end()
        yield from self._items(self.pos, "Records", in_records=True)
        if not self._skip_ws():
            if self._truncated:
                return
            yield self._issue(
                len(self.buf),
                "the file ends before the '}' that closes it",
                "truncated",
                Severity.WARNING,
                "every complete record was kept",
            )
            return
        if self.buf[self.pos] == "}":
            self.pos += 1
            return
        if self.buf[self.pos] == ",":
            others = self._other_members()
            if others is not None:
                yield self._issue(
                    self.pos,
                    f"keys beside Records at the top of the file: {others}",
                    "unexpected-keys",
                    Severity.NOTICE,
                    "read the records; the other keys are not records",
                )
                return
        yield self._issue(
            self.pos,
            "more text after the Records list, where '}' should close the file",
            "unexpected-text",
            Severity.ERROR,
            "skipped up to the next value",
        )
        self._skip_to_value()

    def _other_members(self) -> str | None:
        """
        Read ``, "key": value ... }`` after the Records list, if it is valid.

        Returns the other keys, with ``self.pos`` past the closing brace; or
        ``None``, with ``self.pos`` unchanged.
        """
        self._lookahead(_SLACK)
        # The comma stands in for the opening brace of an object of the rest.
        text = "{" + self.buf[self.pos + 1 :]
        try:
            value, end = _DECODER.raw_decode(text, 0)
        except (json.JSONDecodeError, RecursionError):
            return None
        self.pos += end
        return ", ".join(sorted(value))

    def _skip_to_value(self) -> None:
        while True:
            match = _LINE_OPENING_VALUE.search(self.buf, self.pos)
            if match is not None:
                self.pos = match.start() + 1
                return
            self.pos = len(self.buf)
            if not self._fill():
                return

    def _items(
        self, start: int, prefix: str, *, in_records: bool
    ) -> Iterator[Found | Issue]:
        self.pos = start + 1
        index = 0
        expect_item = True
        item_column = None
        after_junk = False
        while True:
            if not self._skip_ws():
                self._truncated = True
                yield self._issue(
                    len(self.buf),
                    f"the input ends inside the {prefix or 'top-level'} list",
                    "truncated",
                    Severity.WARNING,
                    "every complete item before the end was kept",
                )
                return
            char = self.buf[self.pos]
            if char == "]":
                if expect_item and index and not after_junk:
                    yield self._issue(
                        self.pos,
                        "a comma before ']'",
                        "trailing-comma",
                        Severity.WARNING,
                        "ignored it",
                    )
                self.pos += 1
                return
            if char == ",":
                if expect_item and not after_junk:
                    yield self._issue(
                        self.pos,
                        "an empty list item",
                        "extra-comma",
                        Severity.WARNING,
                        "ignored it",
                    )
                self.pos += 1
                expect_item = True
                continue
            path = f"{prefix}[{index}]"
            if char not in "{[" and char not in _SCALAR_START:
                yield self._skip_junk_in_list(path)
                # Junk such as '. . .' stands for elided items: commas around
                # it, or none, are not reported again.
                after_junk = True
                continue
            if not expect_item and not after_junk:
                yield self._issue(
                    self.pos,
                    "no ',' between two list items",
                    "missing-comma",
                    Severity.WARNING,
                    "inserted ','",
                    path,
                )
            line, column = self._where(self.pos)
            if item_column is None:
                item_column = column
            value = self._decode_record_fast() if in_records else None
            if value is not None:
                yield Found(value, path, line, column, in_records)
                index += 1
                expect_item = False
                after_junk = False
                continue
            result = self._decode(path)
            if isinstance(result, Issue):
                yield result
                self._resync(item_column)
            else:
                value, repairs = result
                yield Found(value, path, line, column, in_records, tuple(repairs))
            index += 1
            expect_item = False
            after_junk = False

    def _skip_junk_in_list(self, path: str) -> Issue:
        start = self.pos
        while True:
            match = _LIST_ITEM_BOUNDARY.search(self.buf, self.pos)
            if match is not None or not self._fill():
                break
        end = match.start() if match is not None else len(self.buf)
        snippet = self.buf[start:end].strip()
        shown = snippet if len(snippet) <= 40 else snippet[:37] + "..."
        issue = self._issue(
            start,
            f"text that is not JSON among list items: {shown!r}",
            "skipped-text",
            Severity.WARNING,
            "skipped it",
            path,
        )
        self.pos = end
        return issue

    def _resync(self, item_column: int) -> None:
        """Move to the start of the next item after an unreadable one."""
        indent = item_column - 1
        pattern = re.compile(
            r"\n[ \t]{%d}(?=\{)|\}\s*,\s*(?=\{\s*\"eventVersion\")" % indent  # noqa: UP031
        )
        while True:
            match = pattern.search(self.buf, self.pos)
            if match is not None:
                self.pos = match.end()
                return
            # Keep a little text so a match across two chunks is still found.
            self.pos = max(self.pos, len(self.buf) - 64)
            if not self._fill():
                self.pos = len(self.buf)
                return
