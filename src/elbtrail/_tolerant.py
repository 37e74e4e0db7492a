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

__all__ = ["MAX_DEPTH", "Repair", "TolerantParser", "Unrecoverable"]

#: Deeper nesting is refused; CloudTrail records nest a handful of levels.
MAX_DEPTH = 200

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?")
_UNCLOSED_KEY = re.compile(r"\s*([^\s\"]+?)\s*:\s*\Z")
_BARE_KEY = re.compile(r"[A-Za-z_$][\w$-]*(?=\s*:)")
_LIST_ITEM_BOUNDARY = re.compile(r"[\[{\]\",]")
_VALUE_START = frozenset('{["-0123456789tfn')
_LITERALS = (("true", True), ("false", False), ("null", None))
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

    def __init__(self, message: str, offset: int, *, truncated: bool = False) -> None:
        """Say what stopped the parser and where."""
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.truncated = truncated


class TolerantParser:
    """Parse one JSON value from ``text[start:]``, repairing what it can."""

    def __init__(self, text: str, start: int = 0) -> None:
        """Prepare to read *text* from offset *start*."""
        self.text = text
        self.pos = start
        self.repairs: list[Repair] = []

    def _skip_ws(self) -> None:
        self.pos = _WS.match(self.text, self.pos).end()  # type: ignore[union-attr]

    def _peek(self) -> str:
        self._skip_ws()
        if self.pos >= len(self.text):
            msg = "the input ends in the middle of a value"
            raise Unrecoverable(msg, self.pos, truncated=True)
        return self.text[self.pos]

    def _repair(self, offset: int, code: str, message: str, action: str) -> None:
        self.repairs.append(Repair(offset, code, message, action))

    def parse(self) -> Any:
        """Read one value and return it; ``self.pos`` is then just past it."""
        return self._value(0)

    def _value(self, depth: int) -> Any:
        if depth > MAX_DEPTH:
            msg = f"values nested deeper than {MAX_DEPTH} levels"
            raise Unrecoverable(msg, self.pos)
        char = self._peek()
        if char == "{":
            return self._object(depth + 1)
        if char == "[":
            return self._array(depth + 1)
        if char == '"':
            return self._string()
        match = _NUMBER.match(self.text, self.pos)
        if match is not None:
            self.pos = match.end()
            number = match.group()
            if "." in number or "e" in number or "E" in number:
                return float(number)
            return int(number)
        for word, value in _LITERALS:
            if self.text.startswith(word, self.pos):
                self.pos += len(word)
                return value
        snippet = self.text[self.pos : self.pos + 20].split("\n")[0]
        msg = f"expected a JSON value, found {snippet!r}"
        raise Unrecoverable(msg, self.pos)

    def _string(self) -> str:
        start = self.pos
        try:
            value, self.pos = _scanstring(self.text, start + 1, False)  # noqa: FBT003
        except ValueError as error:
            truncated = "Unterminated" in str(error)
            msg = "a string is not closed" if truncated else "a string is malformed"
            raise Unrecoverable(msg, start, truncated=truncated) from None
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
                bare = _BARE_KEY.match(self.text, self.pos)
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
        if _NUMBER.match(self.text, self.pos):
            return True
        return any(self.text.startswith(word, self.pos) for word, _ in _LITERALS)

    def _skip_junk(self) -> None:
        start = self.pos
        match = _LIST_ITEM_BOUNDARY.search(self.text, self.pos)
        end = match.start() if match is not None else len(self.text)
        snippet = self.text[start:end].strip()
        self.pos = end
        shown = snippet if len(snippet) <= 40 else snippet[:37] + "..."
        self._repair(
            start,
            "skipped-text",
            f"text that is not JSON among list items: {shown!r}",
            "skipped it",
        )
        if match is None:
            msg = "the input ends inside a list"
            raise Unrecoverable(msg, end, truncated=True)
