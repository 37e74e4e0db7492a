"""
Split text into JSON values and ``Records`` items, recovering from damage.

The scanner reads text in chunks, so a file of any size passes through a
bounded buffer: it holds at most the value being read (up to `MAX_VALUE`
characters) and a chunk. ``{"Records": [...]}`` files and top-level arrays
are read item by item, as is a large top-level object: each item is decoded
by orjson or the standard library's C decoder, and only an item they refuse
goes to the tolerant parser, which may not read past the start of the next
record. Where even that fails, the scanner goes on at the start of the next
record, so one damaged record costs only that record.

Every search looks at each character a bounded number of times (searches
that fail remember how far they looked), so time grows linearly with the
input, whatever the damage.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import attrs

from ._decoders import Decoder, bad_numbers, marks
from ._decoders import orjson as _safe_orjson
from ._issues import Issue, IssueCode, Severity
from ._model import JsonPath, render_path
from ._reports import keys_beside_records, skipped_text
from ._tolerant import TolerantParser, Unrecoverable, junk_end

#: orjson at a safe version, or ``None`` (tests set it to ``None``).
orjson: Any = _safe_orjson

__all__ = ["MAX_VALUE", "SKIPPED", "Found", "Scanner"]

_WS = re.compile(r"[ \t\n\r]*")
_RECORDS_HEAD = re.compile(r'\{\s*(?P<quote>"?)Records(?P=quote)\s*:\s*(?=\[)')
# The closing brace of a record, seen from what follows it in a Records list.
_RECORD_END = re.compile(r'\}(?=\s*(?:,\s*\{\s*"eventVersion"|\]\s*\}))')
_MINIFIED_BOUNDARY = '},{"eventVersion"'
# The first key of a record: CloudTrail writes eventVersion first; with keys
# sorted, one of the others comes first.
_RECORD_OPENING = (
    r'\{\s*"(?:eventVersion|additionalEventData|apiVersion|awsRegion)"\s*:'
)
_SCALAR_START = frozenset('"-0123456789tfnNI')
# Where a JSON value may start after text that is none, at the top level: a
# line that opens an object or a list, or an object with a key.
_TOP_VALUE_AHEAD = re.compile(r'\n(?=[ \t]*[{\[])|(?=\{\s*")')

#: The largest single value read whole; CloudTrail events are at most 1 MB.
MAX_VALUE = 64 << 20
#: A top-level object bigger than this is read member by member.
_WHOLE_OBJECT = 8 << 20
#: Characters kept from the end of the buffer when a search fails there, so
#: a match that spans two chunks is still found.
_KEEP = 256
# Characters at the end of a slice within which a decoder error may be the
# slice's cut, not damage ("tr" of a cut "true").
_CUT_SLACK = 16


class _Skipped:
    """The type of `SKIPPED`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "SKIPPED"


#: What the scanner gives for a record its *skip* function chose.
SKIPPED = _Skipped()


@attrs.frozen
class Found:
    """
    One value the scanner found.

    Attributes:
        value: The decoded value.
        path: Its JSON path in the document (``Records[3]``, ``[2]`` or root).
        line: The 1-based line it starts on.
        column: The 1-based column it starts at.
        in_records: Whether it is an item of a ``Records`` list (so a record).
        repairs: Syntax repairs made to read it.
    """

    value: Any
    path: JsonPath
    line: int | None
    column: int | None
    in_records: bool
    repairs: tuple[Issue, ...] = ()


class _TooBig(Exception):  # noqa: N818 - a signal between two methods
    """The value at the scanner's position needs more than the room given."""


class Scanner:
    """Iterate over the values in a text given as chunks of ``str``."""

    def __init__(
        self,
        chunks: Iterable[str],
        source: str,
        *,
        skip: Callable[[str], bool] | None = None,
    ) -> None:
        """
        Read *chunks* in order; *source* names the input in issues.

        *skip*, if given, tells which records of a ``Records`` list need not
        be decoded: their text is valid JSON, and they are left out anyway.
        Each is given as `SKIPPED`.
        """
        self._chunks = iter(chunks)
        self._skip = skip
        self.source = source
        self.buf = ""
        self.pos = 0
        self.eof = False
        # Characters dropped from the front of the buffer so far.
        self._base = 0
        self._lines_before = 0
        self._column_before = 0
        self._truncated = False
        self._decoder = Decoder()
        # Whether records are laid out on one line, as CloudTrail delivers
        # them; learnt from the first record boundary found.
        self._minified = False
        # Newlines are counted once, forward, up to the last position asked
        # about.
        self._counted_pos = 0
        self._counted_lines = 0
        self._last_newline = -1
        # Searches that failed, by pattern: how far (absolute) they looked.
        self._looked: dict[str, tuple[int, int | None, int]] = {}
        # The end (absolute) of the last slice orjson refused.
        self._fast_refused = -1

    # -- buffer ------------------------------------------------------------

    def _fill(self, want: int = 1) -> bool:
        """Add at least *want* characters to the buffer; ``False`` at the end."""
        if self.eof:
            return False
        parts: list[str] = []
        got = 0
        while got < want:
            chunk = next(self._chunks, None)
            if chunk is None:
                self.eof = True
                break
            parts.append(chunk)
            got += len(chunk)
        if not parts:
            return False
        if self.pos:
            consumed = self.buf[: self.pos]
            newlines = consumed.count("\n")
            if newlines:
                self._lines_before += newlines
                self._column_before = len(consumed) - consumed.rfind("\n") - 1
            else:
                self._column_before += len(consumed)
            self._base += self.pos
            parts.insert(0, self.buf[self.pos :])
            self.pos = 0
            self._counted_pos = 0
            self._counted_lines = 0
            self._last_newline = -1
        else:
            parts.insert(0, self.buf)
        self.buf = "".join(parts)
        return True

    def _where(self, pos: int) -> tuple[int, int]:
        if pos < self._counted_pos:
            newlines = self.buf.count("\n", pos, self._counted_pos)
            self._counted_lines -= newlines
            self._last_newline = self.buf.rfind("\n", 0, pos)
        else:
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
        missing = size - (len(self.buf) - self.pos)
        if missing > 0:
            self._fill(missing)

    def _consume_to(self, pattern: re.Pattern[str]) -> re.Match[str] | None:
        """
        Move to the next match of *pattern*, reading on as needed.

        ``None`` at the end of the input, with ``self.pos`` at the end.
        """
        while True:
            match = pattern.search(self.buf, self.pos)
            if match is not None and (match.end() < len(self.buf) or self.eof):
                self.pos = match.end()
                return match
            # Not found, or found at the very end, where a lookahead may not
            # have seen what follows: keep a little and read on.
            self.pos = max(self.pos, len(self.buf) - _KEEP)
            if not self._fill():
                if match is not None:
                    self.pos = match.end()
                    return match
                self.pos = len(self.buf)
                return None

    def _find_ahead(self, key: str, pattern: re.Pattern[str], start: int) -> int | None:
        """
        The start of the next match of *pattern* at or after *start*.

        Only the buffer is searched; a failed search remembers how far it
        looked (by *key*), so the same text is never searched twice.
        """
        begin = start
        looked = self._looked.get(key)
        absolute = self._base + start
        if looked is not None:
            since, found, until = looked
            if since <= absolute:
                if found is not None and found >= absolute:
                    return found - self._base
                if found is None:
                    begin = max(start, until - self._base - _KEEP)
        match = pattern.search(self.buf, begin)
        found_at = None if match is None else self._base + match.start()
        self._looked[key] = (absolute, found_at, self._base + len(self.buf))
        return None if match is None else match.start()

    def _issue(
        self,
        pos: int,
        message: str,
        code: IssueCode,
        severity: Severity,
        action: str,
        path: JsonPath = "",
    ) -> Issue:
        line, column = self._where(pos)
        return Issue(
            message=message,
            code=code,
            severity=severity,
            source=self.source,
            path=render_path(path) or None,
            line=line,
            column=column,
            action=action,
        )

    # -- values --------------------------------------------------------------

    def _numbers(
        self, value: Any, path: JsonPath, line: int | None
    ) -> tuple[Any, list[Issue]]:
        return bad_numbers(value, path, self.source, line)

    def _decode(
        self, path: JsonPath, indent: int | None, room: int | None = None
    ) -> tuple[Any, list[Issue]] | Issue:
        """
        Decode the value at ``self.pos``; on failure return the issue.

        ``self.pos`` ends just past the value, or where reading goes on.
        The standard decoder sees a slice of the buffer that grows four
        times at each try, so an error costs only the text around it.
        Raises `_TooBig` when the value needs more than *room* characters.
        """
        room = MAX_VALUE if room is None else min(room, MAX_VALUE)
        newline = self.buf.find("\n", self.pos, self.pos + 65536)
        window = max(4096, newline - self.pos + 1)
        while True:
            stop = min(len(self.buf), self.pos + window)
            piece = self.buf[self.pos : stop]
            try:
                value, end = self._decoder.raw_decode(piece, 0)
            except json.JSONDecodeError as error:
                cut = error.pos >= len(piece) - _CUT_SLACK or error.msg.startswith(
                    "Unterminated string"
                )
                if not cut:
                    break
                if stop - self.pos >= room:
                    raise _TooBig from None
                if stop < len(self.buf):
                    window = min(window * 4, room)
                    continue
                if self._fill(max(len(self.buf) - self.pos, 1)):
                    window = len(self.buf) - self.pos
                    continue
                break
            else:
                if (
                    end == len(piece)
                    and stop == len(self.buf)
                    and (value.__class__ in (int, float) or self._decoder.marked)
                    and stop - self.pos < room
                    and self._fill(max(len(self.buf) - self.pos, 1))
                ):
                    # A number at the end of what was read may go on in the
                    # next chunk ("-1" then "4").
                    window = len(self.buf) - self.pos
                    continue
                if self._decoder.marked:
                    line = self._where(self.pos)[0]
                    self.pos += end
                    return self._numbers(value, path, line)
                self.pos += end
                return value, []
        return self._decode_tolerantly(path, indent)

    def _decode_whole(self, path: JsonPath) -> tuple[Any, list[Issue]] | Issue:
        """Decode the value at ``self.pos`` (a member of an object)."""
        try:
            return self._decode(path, None)
        except _TooBig:
            return self._too_large(path, None)

    def _next_start(self, indent: int | None, *, in_records: bool) -> int | None:
        """Where the next record (or top-level value) starts, if in the buffer."""
        alternatives = []
        if indent is not None:
            alternatives.append(r"\n[ \t]{%d}(?=[{\[])" % indent)  # noqa: UP031
        if in_records or indent is None or indent == 0:
            alternatives.append(_RECORD_OPENING)
        key = f"{indent}:{in_records}"
        pattern = _start_pattern("|".join(alternatives))
        found = self._find_ahead(key, pattern, self.pos + 1)
        if found is None:
            return None
        # A line break found is the one before the value: start on the value.
        return found + 1 if self.buf[found] == "\n" else found

    def _decode_tolerantly(
        self, path: JsonPath, indent: int | None
    ) -> tuple[Any, list[Issue]] | Issue:
        # Items of a list (Records or a top-level array) are records, as are
        # values at the start of a line.
        in_records = isinstance(path, tuple) or indent == 0
        while True:
            limit = self._next_start(indent, in_records=in_records)
            end = len(self.buf) if limit is None else limit
            before = marks()
            parser = TolerantParser(self.buf, self.pos, end)
            try:
                value = parser.parse()
            except Unrecoverable as error:
                # Without the next record's start in the buffer, the parser
                # may have run into that record; more of the input tells
                # where it starts, as it does when the input is read whole.
                if (
                    limit is None
                    and len(self.buf) - self.pos < MAX_VALUE
                    and self._fill(max(len(self.buf) - self.pos, 1))
                ):
                    continue
                return self._unreadable(error, path, limit, indent)
            repairs = [
                self._issue(
                    r.offset,
                    r.message,
                    IssueCode(r.code),
                    Severity.WARNING,
                    r.action,
                    path,
                )
                for r in parser.repairs
            ]
            line = self._where(self.pos)[0]
            self.pos = parser.pos
            if marks() != before:
                value, numbers = self._numbers(value, path, line)
                repairs.extend(numbers)
            return value, repairs

    def _unreadable(
        self,
        error: Unrecoverable,
        path: JsonPath,
        limit: int | None,
        indent: int | None,
    ) -> Issue:
        if error.truncated and limit is not None:
            issue = self._issue(
                self.pos,
                "this value is cut off where the next record starts",
                IssueCode.TRUNCATED,
                Severity.ERROR,
                "dropped the incomplete value; read on from the next record",
                path,
            )
        elif error.truncated:
            issue = self._issue(
                self.pos,
                "the input ends inside this value: it is cut off",
                IssueCode.TRUNCATED,
                Severity.ERROR,
                "the incomplete value was dropped",
                path,
            )
        else:
            issue = self._issue(
                error.offset,
                error.message,
                IssueCode(error.code),
                Severity.ERROR,
                "the value was dropped; read on from the next record",
                path,
            )
        if limit is not None:
            self.pos = limit
        else:
            # Where the parser stopped may be past the next record's opening
            # (a string left open swallows it): look again from the start.
            self.pos += 1
            self._skip_to_start(indent, in_records=True)
        return issue

    def _too_large(self, path: JsonPath, indent: int | None) -> Issue:
        issue = self._issue(
            self.pos,
            f"a single value larger than {MAX_VALUE >> 20} MiB",
            IssueCode.TOO_LARGE,
            Severity.ERROR,
            "dropped it; read on from the next record",
            path,
        )
        self.pos += 1
        self._skip_to_start(indent, in_records=True)
        return issue

    def _skip_to_start(self, indent: int | None, *, in_records: bool) -> None:
        """Move to the start of the next record, reading on as needed."""
        alternatives = [_RECORD_OPENING] if in_records else []
        if indent is not None:
            alternatives.append(r"\n[ \t]{%d}(?=[{\[])" % indent)  # noqa: UP031
        pattern = _start_pattern("|".join(alternatives) or r"\n")
        match = self._consume_to(pattern)
        if match is not None:
            self.pos = match.start() + (self.buf[match.start()] == "\n")

    def _decode_record_fast(self) -> Any:  # a record, SKIPPED or None
        """
        Decode a record of a ``Records`` list with orjson, or return ``None``.

        The record's end is guessed as the first ``}`` followed by the start
        of the next record (``, {"eventVersion"``) or the end of the list.
        The guess is safe: a slice that ends anywhere but at the record's own
        closing brace is not one valid JSON object, so orjson refuses it, and
        the caller falls back to the standard decoder. A guess that failed is
        not tried again for the records before it.
        """
        if orjson is None:
            return None
        stop = -1
        if self._minified:
            # Delivered log files are one line: a plain search is enough.
            stop = self.buf.find(_MINIFIED_BOUNDARY, self.pos) + 1
        if stop <= 0:
            found = self._find_ahead("record-end", _RECORD_END, self.pos)
            if found is None:
                return None
            stop = found + 1
            self._minified = self.buf.startswith(_MINIFIED_BOUNDARY, found)
        if self._base + stop <= self._fast_refused or stop - self.pos > MAX_VALUE:
            return None
        text = self.buf[self.pos : stop]
        if self._skip is not None and self._skip(text):
            self.pos = stop
            return SKIPPED
        try:
            value = orjson.loads(text)
        except orjson.JSONDecodeError:
            self._fast_refused = self._base + stop
            return None
        if value.__class__ is not dict:
            return None
        self.pos = stop
        return value

    # -- the document ----------------------------------------------------------

    def __iter__(self) -> Iterator[Found | Issue | _Skipped]:
        """Yield every value found, and an issue for everything that was not."""
        if not self._skip_ws():
            yield Issue(
                message="the input is empty",
                code=IssueCode.EMPTY,
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
                yield from self._items("", in_records=False)
            elif char == "{" or char in _SCALAR_START:
                yield from self._top_value()
            else:
                yield self._skip_junk()

    def _top_value(self) -> Iterator[Found | Issue | _Skipped]:
        line, column = self._where(self.pos)
        start = self._base + self.pos
        try:
            result = self._decode(
                "",
                column - 1,
                _WHOLE_OBJECT if self.buf[self.pos] == "{" else MAX_VALUE,
            )
        except _TooBig:
            if self.buf[self.pos] == "{":
                yield from self._members(line, column)
            else:
                yield self._too_large("", column - 1)
            return
        if isinstance(result, Issue):
            yield result
            if self._base + self.pos <= start:
                self._skip_line()
            return
        value, repairs = result
        yield Found(value, "", line, column, False, tuple(repairs))  # noqa: FBT003

    def _members(self, line: int, column: int) -> Iterator[Found | Issue | _Skipped]:
        """
        Read a large top-level object member by member.

        A ``Records`` list among its members is read item by item, as in a
        log file; the other members are decoded whole.
        """
        self.pos += 1
        others: dict[str, Any] = {}
        records = False
        while True:
            if not self._skip_ws():
                yield self._issue(
                    len(self.buf),
                    "the input ends inside the top-level object",
                    IssueCode.TRUNCATED,
                    Severity.WARNING,
                    "every complete member was kept",
                )
                return
            char = self.buf[self.pos]
            if char == "}":
                self.pos += 1
                break
            if char == ",":
                self.pos += 1
                continue
            key = self._decode_whole("") if char == '"' else None
            if key is None or isinstance(key, Issue) or key[0].__class__ is not str:
                yield self._issue(
                    self.pos,
                    "expected a key in quotes in the top-level object",
                    IssueCode.UNREADABLE,
                    Severity.ERROR,
                    "skipped up to the next value",
                )
                self._skip_to_value()
                return
            name = key[0]
            if not self._skip_ws() or self.buf[self.pos] != ":":
                continue
            self.pos += 1
            if not self._skip_ws():
                continue
            if name == "Records" and self.buf[self.pos] == "[":
                records = True
                yield from self._items("Records", in_records=True)
                continue
            result = self._decode_whole(name)
            if isinstance(result, Issue):
                yield result
                continue
            others[name] = result[0]
            yield from result[1]
        if records:
            if others:
                yield keys_beside_records(others, self.source, "", line)
            return
        yield Found(others, "", line, column, False)  # noqa: FBT003

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
        """Skip text up to the next place a JSON value may start."""
        start = self.pos
        first = self._where(start)
        snippet = self.buf[start : start + 40]
        self.pos += 1
        match = self._consume_to(_TOP_VALUE_AHEAD)
        if match is None:
            last = self._where(len(self.buf))[0]
            if self.buf.endswith("\n"):
                last -= 1
        else:
            self.pos = match.start() + (self.buf[match.start()] == "\n")
            last = self._where(match.start())[0]
        return skipped_text(
            snippet,
            self.source,
            "",
            first[0],
            first[1],
            last_line=last,
            in_list=False,
        )

    def _records_file(self) -> Iterator[Found | Issue | _Skipped]:
        head = _RECORDS_HEAD.match(self.buf, self.pos)
        assert head is not None
        line = self._where(self.pos)[0]
        if not head.group("quote"):
            yield self._issue(
                head.start("quote"),
                "the key 'Records' has no quotes",
                IssueCode.UNQUOTED_KEY,
                Severity.WARNING,
                'read as "Records"',
            )
        self.pos = head.end()
        yield from self._items("Records", in_records=True)
        if not self._skip_ws():
            if self._truncated:
                return
            yield self._issue(
                len(self.buf),
                "the file ends before the '}' that closes it",
                IssueCode.TRUNCATED,
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
                yield keys_beside_records(others, self.source, "", line)
                return
        yield self._issue(
            self.pos,
            "more text after the Records list, where '}' should close the file",
            IssueCode.UNEXPECTED_TEXT,
            Severity.ERROR,
            "skipped up to the next value",
        )
        self._skip_to_value()

    def _other_members(self) -> list[str] | None:
        """
        Read ``, "key": value ... }`` after the Records list, if it is valid.

        Returns the other keys, with ``self.pos`` past the closing brace; or
        ``None``, with ``self.pos`` unchanged.
        """
        self.pos += 1
        keys: list[str] = []
        while True:
            if not self._skip_ws() or self.buf[self.pos] != '"':
                break
            key = self._decode_whole("")
            if isinstance(key, Issue) or key[0].__class__ is not str:
                break
            if not self._skip_ws() or self.buf[self.pos] != ":":
                break
            self.pos += 1
            if not self._skip_ws():
                break
            value = self._decode_whole("")
            if isinstance(value, Issue):
                break
            keys.append(key[0])
            if not self._skip_ws():
                break
            if self.buf[self.pos] == "}":
                self.pos += 1
                return keys
            if self.buf[self.pos] != ",":
                break
            self.pos += 1
        return None

    def _skip_to_value(self) -> None:
        match = self._consume_to(_LINE_OPENING_VALUE)
        if match is not None:
            self.pos = match.start() + 1

    def _items(
        self, prefix: JsonPath, *, in_records: bool
    ) -> Iterator[Found | Issue | _Skipped]:
        self.pos += 1
        index = 0
        expect_item = True
        indent = None
        after_junk = False
        while True:
            if not self._skip_ws():
                self._truncated = True
                yield self._issue(
                    len(self.buf),
                    f"the input ends inside the {render_path(prefix) or 'top-level'} "
                    "list",
                    IssueCode.TRUNCATED,
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
                        IssueCode.TRAILING_COMMA,
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
                        IssueCode.EXTRA_COMMA,
                        Severity.WARNING,
                        "ignored it",
                    )
                self.pos += 1
                expect_item = True
                continue
            path: JsonPath = (prefix, index)
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
                    IssueCode.MISSING_COMMA,
                    Severity.WARNING,
                    "inserted ','",
                    path,
                )
            line, column = self._where(self.pos)
            if indent is None:
                indent = column - 1
            value = self._decode_record_fast() if in_records else None
            if value is SKIPPED:
                yield SKIPPED
            elif value is not None:
                yield Found(value, path, line, column, in_records)
            else:
                try:
                    result = self._decode(path, indent)
                except _TooBig:
                    result = self._too_large(path, indent)
                if isinstance(result, Issue):
                    yield result
                    # Reading went on at the next item: whatever lay between
                    # (a comma or not) was part of the damage.
                    index += 1
                    expect_item = False
                    after_junk = True
                    continue
                value, repairs = result
                yield Found(value, path, line, column, in_records, tuple(repairs))
            index += 1
            expect_item = False
            after_junk = False

    def _skip_junk_in_list(self, path: JsonPath) -> Issue:
        line, column = self._where(self.pos)
        snippet = self.buf[self.pos : self.pos + 41]
        end = junk_end(self.buf, self.pos, len(self.buf))
        while end >= len(self.buf):
            # The junk runs to the end of the buffer: drop it and read on,
            # looking again at the last few characters (an escape sequence
            # may be split between two chunks).
            self.pos = max(self.pos, len(self.buf) - 16)
            if not self._fill():
                break
            end = junk_end(self.buf, self.pos, len(self.buf))
        else:
            if len(snippet) > end - self.pos:
                snippet = self.buf[self.pos : end]
        self.pos = max(end, self.pos + 1)
        return skipped_text(snippet, self.source, path, line, column, in_list=True)


_LINE_OPENING_VALUE = re.compile(r"\n\s*[\[{]")
_PATTERNS: dict[str, re.Pattern[str]] = {}


def _start_pattern(text: str) -> re.Pattern[str]:
    pattern = _PATTERNS.get(text)
    if pattern is None:
        if len(_PATTERNS) > 64:
            _PATTERNS.clear()
        pattern = _PATTERNS[text] = re.compile(text)
    return pattern
