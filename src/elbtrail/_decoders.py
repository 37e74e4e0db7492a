"""
The JSON decoders the readers use, each with the same limits.

orjson is used only from `ORJSON_MIN` on (older versions crash the
interpreter on deep nesting); otherwise the standard library decodes. Every
path refuses nesting deeper than `MAX_DEPTH`, and no path lets a number JSON
cannot carry through as a number: ``NaN``, ``Infinity``, ``1e400`` and
integers of more than `MAX_INT_DIGITS` digits are kept as their text, each
with a ``bad-number`` issue.
"""

from __future__ import annotations

import functools
import json
import math
from collections.abc import Callable, Iterable
from typing import Any

from ._issues import Issue, IssueCode, Severity
from ._model import JsonPath, render_path

__all__ = [
    "MAX_DEPTH",
    "MAX_INT_DIGITS",
    "ORJSON_MIN",
    "Decoder",
    "bad_constant",
    "bad_numbers",
    "fingerprint",
    "holds",
    "holds_bad_number",
    "kept_too_deep",
    "marks",
    "number",
    "orjson",
    "too_deep",
]

#: The oldest orjson trusted: earlier versions overflow the C stack on deep
#: nesting instead of raising.
ORJSON_MIN = (3, 9)
#: The deepest nesting of lists and objects in a record that is read; deeper
#: records are dropped with a ``too-deep`` issue. CloudTrail records nest a
#: handful of levels; this is also the most orjson writes back.
MAX_DEPTH = 254
#: The longest integer read as a number (Python's own limit for converting
#: text to ``int``); longer ones are kept as text.
MAX_INT_DIGITS = 4300


def _version(text: str) -> tuple[int, ...]:
    parts: list[int] = []
    for part in text.split(".")[:3]:
        digits = "".join(c for c in part if c.isdigit())
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts)


def _safe_orjson() -> Any:
    try:
        import orjson as module  # noqa: PLC0415 - optional, checked before use
    except ImportError:
        return None
    if _version(getattr(module, "__version__", "0")) < ORJSON_MIN:
        return None
    return module


#: orjson when it is installed at a safe version, else ``None``.
orjson: Any = _safe_orjson()


class _BadNumber(str):
    """A number JSON cannot carry, kept as its text while decoding."""

    __slots__ = ()


# How many bad numbers were made, ever: a decode that changes it holds one.
# It only grows, so a racing thread can only make a decode look suspect.
_made = [0]


def _bad(text: str) -> Any:
    _made[0] += 1
    return _BadNumber(text)


def _constant(text: str) -> Any:
    return _bad(text)


def bad_constant(text: str) -> Any:
    """``NaN``, ``Infinity`` or ``-Infinity``, marked as a bad number."""
    return _bad(text)


def number(text: str) -> Any:
    """The number written as *text* in JSON, or a marked bad number."""
    if "." in text or "e" in text or "E" in text:
        return _float(text)
    return _int(text)


def marks() -> int:
    """How many bad numbers were ever marked (compare before and after)."""
    return _made[0]


def _float(text: str) -> Any:
    value = float(text)
    if math.isinf(value):
        return _bad(text)
    return value


def _int(text: str) -> Any:
    digits = len(text) - (text[0] == "-")
    if digits > MAX_INT_DIGITS:
        return _bad(text)
    return int(text)


_PLAIN = json.JSONDecoder(parse_float=_float, parse_constant=_constant)
_WITH_INTS = json.JSONDecoder(
    parse_float=_float, parse_constant=_constant, parse_int=_int
)
_INT_LIMIT = "integer string conversion"


#: The white space JSON allows between values (``str.strip`` takes more).
_JSON_SPACE = " \t\n\r"


class Decoder:
    """
    The standard library's decoder, with the limits applied.

    A value it returns may hold bad numbers as markers: `marked` says whether
    the last decode made any, and `bad_numbers` turns them into text and
    issues.
    """

    def __init__(self) -> None:
        """Start with nothing decoded."""
        self.marked = False

    def raw_decode(self, text: str, start: int = 0) -> tuple[Any, int]:
        """
        Decode the value at ``text[start:]``; return it and where it ends.

        Raises:
            json.JSONDecodeError: When the text is not valid JSON there, or
                nests deeper than Python can follow.
        """
        before = _made[0]
        try:
            value, end = self._raw_decode(text, start)
        finally:
            self.marked = _made[0] != before
        return value, end

    @staticmethod
    def _raw_decode(text: str, start: int) -> tuple[Any, int]:
        try:
            try:
                return _PLAIN.raw_decode(text, start)
            except ValueError as error:
                if isinstance(error, json.JSONDecodeError) or (
                    _INT_LIMIT not in str(error)
                ):
                    raise
            return _WITH_INTS.raw_decode(text, start)
        except RecursionError:
            msg = "nested too deeply"
            raise json.JSONDecodeError(msg, text, start) from None

    def loads(self, text: str) -> Any:
        """Decode a whole text, which holds one value and white space."""
        value, end = self.raw_decode(text, len(text) - len(text.lstrip(_JSON_SPACE)))
        if text[end:].strip(_JSON_SPACE):
            msg = "extra data"
            raise json.JSONDecodeError(msg, text, end)
        return value


def holds(value: Any, test: Callable[[Any], bool]) -> bool:
    """Whether a decoded *value* holds a scalar for which *test* is true."""
    stack = [value]
    while stack:
        current = stack.pop()
        kind = current.__class__
        if kind is dict:
            stack.extend(current.values())
        elif kind is list:
            stack.extend(current)
        elif test(current):
            return True
    return False


def holds_bad_number(value: Any) -> bool:
    """Whether a decoded *value* holds a bad number marked by `Decoder`."""
    return holds(value, _is_bad_number)


def _is_bad_number(value: Any) -> bool:
    return value.__class__ is _BadNumber


def bad_numbers(
    value: Any, path: JsonPath, source: str, line: int | None
) -> tuple[Any, list[Issue]]:
    """
    Replace the bad numbers in a decoded *value* by plain text.

    Returns the value and one ``bad-number`` issue per number. Cheap when
    there are none: only values that hold one are walked.
    """
    if value.__class__ is _BadNumber:
        return str(value), [_bad_number_issue(value, path, source, line)]
    if value.__class__ is not dict and value.__class__ is not list:
        return value, []
    issues: list[Issue] = []
    stack: list[tuple[Any, JsonPath]] = [(value, path)]
    while stack:
        container, where = stack.pop()
        keys = (
            container.keys() if container.__class__ is dict else range(len(container))
        )
        for key in keys:
            item = container[key]
            kind = item.__class__
            if kind is _BadNumber:
                container[key] = str(item)
                issues.append(_bad_number_issue(item, (where, key), source, line))
            elif kind is dict or kind is list:
                stack.append((item, (where, key)))
    return value, issues


def _bad_number_issue(
    text: str, path: JsonPath, source: str, line: int | None
) -> Issue:
    shown = text if len(text) <= 20 else f"{text[:12]}... ({len(text)} characters)"
    return Issue(
        message=f"the number {shown} cannot be carried by JSON as a number",
        code=IssueCode.BAD_NUMBER,
        severity=Severity.WARNING,
        source=source,
        path=render_path(path) or None,
        line=line,
        action="kept its text as a string",
    )


def too_deep(value: Any) -> bool:
    """Whether *value* nests lists and objects deeper than `MAX_DEPTH`."""
    if orjson is not None:
        try:
            # orjson refuses to write deeper than MAX_DEPTH, at C speed.
            orjson.dumps(value)
        except (TypeError, orjson.JSONEncodeError):
            pass
        else:
            return False
    stack = [(value, 1)]
    while stack:
        container, depth = stack.pop()
        if depth > MAX_DEPTH:
            return True
        items = container.values() if container.__class__ is dict else container
        for item in items:
            kind = item.__class__
            if kind is dict or kind is list:
                stack.append((item, depth + 1))
    return False


def kept_too_deep(kept: Iterable[tuple[Any, JsonPath]], record_path: JsonPath) -> bool:
    """
    Whether values kept at their JSON paths make their record too deep.

    *kept* pairs each object or list a record kept as read with its JSON
    path, a chain of ``(parent, key)`` pairs that starts from
    *record_path*, the record's own. The record, at depth 1, nests deeper
    than `MAX_DEPTH` exactly when a value does, counted from the record:
    each value is checked inside as many lists as it is levels below it.
    """
    for value, where in kept:
        wrapped, place = value, where
        while place is not record_path and place.__class__ is tuple:
            place = place[0]
            wrapped = [wrapped]
        if too_deep(wrapped):
            return True
    return False


def fingerprint(record: Any) -> bytes:
    """
    A digest of a record's content, equal for equal records only.

    Keys are sorted, so the order they arrived in does not matter.
    """
    text: bytes | None = None
    if orjson is not None:
        try:
            text = b"o" + orjson.dumps(record, option=orjson.OPT_SORT_KEYS)
        except (TypeError, orjson.JSONEncodeError):
            # An integer beyond 64 bits, or a lone surrogate.
            text = None
    if text is None:
        text = (
            b"j"
            + json.dumps(
                record, sort_keys=True, separators=(",", ":"), allow_nan=False
            ).encode()
        )
    # SHA-256 runs in CPU instructions of its own on most machines, about
    # 1.5 times as fast as BLAKE2b on a record; 16 bytes of it are plenty.
    digest: bytes = _sha256()(text).digest()[:16]
    return digest


@functools.cache
def _sha256() -> Any:
    """Return SHA-256, imported on first use: importing hashlib loads OpenSSL."""
    import hashlib  # noqa: PLC0415

    return hashlib.sha256
