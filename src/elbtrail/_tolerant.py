"""
A JSON parser that repairs the damage seen in published CloudTrail records.

It is only used where the fast decoder has already refused the input, so it
favours recovering and explaining over speed. Each repair is recorded with
its offset; anything it cannot repair raises `Unrecoverable` with the
offset where reading stopped.

Repairs, each made only where the input is otherwise unreadable:

- a missing comma between two members or two array items;
- a key without its closing quote (``"protocol: "HTTP"``);
- a missing colon between a key and its value;
- a key without quotes (``Records: [``, as one AWS guide prints it);
- a trailing comma before ``}`` or ``]``;
- text that is no JSON value among array items (``. . .`` elision lines,
  garbage), skipped up to the next item.
"""

from __future__ import annotations

import re
from json import decoder as _json_decoder
from typing import Any

import attrs

from ._decoders import MAX_DEPTH, bad_constant, number
from ._reports import junk_in_list

__all__ = ["Repair", "TolerantParser", "Unrecoverable", "junk_end"]

# Records are refused past MAX_DEPTH wherever they were decoded; the margin
# lets the documents around them (a log file, an array) be read first.
_PARSER_DEPTH = MAX_DEPTH + 8

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
# A whole JSON string, checked before it is decoded, so that a bad one costs
# only its own length to find.
# Strings are checked by stepping from one quote or backslash to the next
# (a search in C): a regular expression repeating a group would keep state
# for every escape, and a string of millions of them would take gigabytes.
_STRING_STOP = re.compile(r'["\\]')
_SIMPLE_ESCAPES = frozenset('"\\/bfnrt')
_HEX4 = re.compile(r"[0-9a-fA-F]{4}")
_HEX_CUT = re.compile(r"[0-9a-fA-F]{0,3}")


def _string_problem(text: str, start: int, end: int) -> str | None:
    """
    What is wrong with the string whose quote is at *start*, if anything.

    ``"truncated"`` when it runs to *end* (an escape cut by the end counts
    as the end), ``"malformed"`` for a bad escape, ``None`` when it closes.
    """
    pos = start + 1
    search = _STRING_STOP.search
    while True:
        found = search(text, pos, end)
        if found is None:
            return "truncated"
        pos = found.start()
        if text[pos] == '"':
            return None
        if pos + 1 >= end:
            return "truncated"
        char = text[pos + 1]
        if char in _SIMPLE_ESCAPES:
            pos += 2
        elif char == "u" and _HEX4.match(text, pos + 2, end):
            pos += 6
        elif char == "u" and _HEX_CUT.fullmatch(text, pos + 2, end):
            return "truncated"
        else:
            return "malformed"


_UNCLOSED_KEY = re.compile(r"\s*([^\s\"]+?)\s*:\s*\Z")
_BARE_KEY = re.compile(r"[A-Za-z_$][\w$-]*(?=\s*:)")
# Text that is no JSON value among list items: anything up to the next item,
# comma or closing bracket; a terminal escape sequence counts as text, even
# though it holds a '['.
_JUNK = re.compile(
    r"(?:[^\[{\]\",\x1b]+"
    r"|\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]*(?:\x07|\x1b\\)?|.?))+",
    re.DOTALL,
)
_VALUE_START = frozenset('{["-0123456789tfnNI')
_LITERALS = (("true", True), ("false", False), ("null", None))
_CONSTANTS = ("NaN", "Infinity", "-Infinity")
# The C string scanner behind json; not in the stubs, but public since 2.6.
_scanstring: Any = _json_decoder.scanstring  # type: ignore[attr-defined]


@attrs.frozen
class Repair:
    """One repair: where, what was wrong, and what was done."""

    offset: int
    code: str
    message: str
    action: str


class Unrecoverable(ValueError):  # noqa: N818 - reads as a state, like StopIteration
    """The input cannot be read past *offset*; *truncated* when it just ended."""

    def __init__(
        self,
        message: str,
        offset: int,
        *,
        truncated: bool = False,
        code: str = "unreadable",
    ) -> None:
        """Say what stopped the parser, where, and the issue code it makes."""
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.truncated = truncated
        self.code = code


def junk_end(text: str, start: int, end: int) -> int:
    """Where the text that is no JSON value at ``text[start:end]`` ends."""
    match = _JUNK.match(text, start, end)
    return match.end() if match is not None else start


class TolerantParser:
    """
    Parse one JSON value from ``text[start:end]``, repairing what it can.

    The value must end before *end* (where the next record starts, when it
    is known), so that damage never reaches into the next record.
    """

    def __init__(self, text: str, start: int = 0, end: int | None = None) -> None:
        """Prepare to read *text* from offset *start*, up to *end*."""
        self.text = text
        self.pos = start
        self.end = len(text) if end is None else end
        self.repairs: list[Repair] = []

    def _skip_ws(self) -> None:
        self.pos = _WS.match(self.text, self.pos, self.end).end()  # type: ignore[union-attr]

    def _peek(self) -> str:
        self._skip_ws()
        if self.pos >= self.end:
            msg = "the input ends in the middle of a value"
            raise Unrecoverable(msg, self.pos, truncated=True)
        return self.text[self.pos]

    def _repair(self, offset: int, code: str, message: str, action: str) -> None:
        self.repairs.append(Repair(offset, code, message, action))

    def parse(self) -> Any:
        """Read one value and return it; ``self.pos`` is then just past it."""
        return self._value(0)

    def _value(self, depth: int) -> Any:
        if depth > _PARSER_DEPTH:
            msg = f"values nested deeper than {MAX_DEPTH} levels"
            raise Unrecoverable(msg, self.pos, code="too-deep")
        char = self._peek()
        if char == "{":
            return self._object(depth + 1)
        if char == "[":
            return self._array(depth + 1)
        if char == '"':
            return self._string()
        for word in _CONSTANTS:
            if self.text.startswith(word, self.pos, self.end):
                self.pos += len(word)
                return bad_constant(word)
        match = _NUMBER.match(self.text, self.pos, self.end)
        if match is not None:
            self.pos = match.end()
            return number(match.group())
        for word, value in _LITERALS:
            if self.text.startswith(word, self.pos, self.end):
                self.pos += len(word)
                return value
        snippet = self.text[self.pos : self.pos + 20].split("\n")[0]
        msg = f"expected a JSON value, found {snippet!r}"
        raise Unrecoverable(msg, self.pos)

    def _string(self) -> str:
        start = self.pos
        problem = _string_problem(self.text, start, self.end)
        if problem is not None:
            truncated = problem == "truncated"
            msg = "a string is not closed" if truncated else "a string is malformed"
            raise Unrecoverable(msg, start, truncated=truncated)
        value, self.pos = _scanstring(self.text, start + 1, False)  # noqa: FBT003
        text: str = value
        return text

    def _object(self, depth: int) -> dict[str, Any]:
        self.pos += 1
        out: dict[str, Any] = {}
        if self._peek() == "}":
            self.pos += 1
            return out
        while True:
            char = self._peek()
            if char == "}" and out:
                # A trailing comma was skipped on the way here.
                self.pos += 1
                return out
            key_start = self.pos
            if char == '"':
                key = self._string()
            else:
                bare = _BARE_KEY.match(self.text, self.pos, self.end)
                if bare is None:
                    snippet = self.text[self.pos : self.pos + 20].split("\n")[0]
                    msg = f"expected a key in quotes, found {snippet!r}"
                    raise Unrecoverable(msg, self.pos)
                key = bare.group()
                self.pos = bare.end()
                self._repair(
                    key_start,
                    "unquoted-key",
                    f"the key {key!r} has no quotes",
                    f'read as "{key}"',
                )
            value_start = self.pos
            char = self._peek()
            if char == ":":
                self.pos += 1
            else:
                unclosed = _UNCLOSED_KEY.match(key)
                if unclosed is not None and self.text[value_start - 1] == '"':
                    # "protocol: "HTTP": the quote taken as the key's end opens
                    # the value.
                    key = unclosed.group(1)
                    self.pos = value_start - 1
                    self._repair(
                        key_start,
                        "unclosed-key",
                        f"the key {key!r} has no closing quote",
                        f'read as "{key}": followed by its value',
                    )
                elif char in _VALUE_START:
                    self._repair(
                        value_start,
                        "missing-colon",
                        f"no ':' after the key {key!r}",
                        "inserted ':'",
                    )
                else:
                    snippet = self.text[self.pos : self.pos + 20].split("\n")[0]
                    msg = f"expected ':' after the key {key!r}, found {snippet!r}"
                    raise Unrecoverable(msg, self.pos)
            out[key] = self._value(depth)
            after = self.pos
            char = self._peek()
            if char == ",":
                self.pos += 1
                if self._peek() == "}":
                    self._repair(
                        self.pos, "trailing-comma", "a comma before '}'", "ignored it"
                    )
                continue
            if char == "}":
                self.pos += 1
                return out
            if char == '"':
                self._repair(
                    after,
                    "missing-comma",
                    f"no ',' after the value of {key!r}",
                    "inserted ','",
                )
                continue
            snippet = self.text[self.pos : self.pos + 20].split("\n")[0]
            msg = f"expected ',' or '}}' after the value of {key!r}, found {snippet!r}"
            raise Unrecoverable(msg, self.pos)

    def _array(self, depth: int) -> list[Any]:
        self.pos += 1
        out: list[Any] = []
        expect_item = True
        while True:
            char = self._peek()
            if char == "]":
                if expect_item and out:
                    self._repair(
                        self.pos, "trailing-comma", "a comma before ']'", "ignored it"
                    )
                self.pos += 1
                return out
            if char == ",":
                if expect_item:
                    self._repair(
                        self.pos, "extra-comma", "an empty list item", "ignored it"
                    )
                self.pos += 1
                expect_item = True
                continue
            if char not in _VALUE_START or not self._looks_like_value():
                self._skip_junk()
                continue
            if not expect_item:
                self._repair(
                    self.pos,
                    "missing-comma",
                    "no ',' between list items",
                    "inserted ','",
                )
            out.append(self._value(depth))
            expect_item = False

    def _looks_like_value(self) -> bool:
        char = self.text[self.pos]
        if char in '{["':
            return True
        if _NUMBER.match(self.text, self.pos, self.end):
            return True
        return any(
            self.text.startswith(word, self.pos, self.end)
            for word in ("true", "false", "null", *_CONSTANTS)
        )

    def _skip_junk(self) -> None:
        start = self.pos
        end = max(junk_end(self.text, start, self.end), start + 1)
        self.pos = end
        self._repair(
            start, "skipped-text", junk_in_list(self.text[start:end]), "skipped it"
        )
        if end >= self.end:
            msg = "the input ends inside a list"
            raise Unrecoverable(msg, end, truncated=True)
