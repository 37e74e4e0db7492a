"""
Skipping the records of other services before they become Python objects.

A busy account's log files hold mostly calls to other services. With the
``fast`` extra, msgspec splits a log file into the raw bytes of its records
(checking the JSON's structure on the way), a byte search picks the records
that can be ELB calls, and only those are decoded, by orjson, as the whole
file would have been. Anything unusual (damage, other shapes than
``{"Records": [...]}``, text that is not UTF-8, a record orjson refuses)
sends the file back to the readers' usual path, so the events and issues are
the same either way.
"""

from __future__ import annotations

import array
import bisect
import functools
import itertools
import operator
from collections.abc import Iterator
from typing import Any

from ._decoders import orjson

__all__ = ["can_split", "elb_candidates", "skippable"]

# A record whose bytes hold neither this nor an escape sequence cannot have
# ``"eventSource": "elasticloadbalancing.amazonaws.com"``, however it is
# spaced: an escaped letter would need ``\u``.
_MARKER = b"elasticloadbalancing"
_ESCAPE = b"\\u"
_TEXT_MARKER = _MARKER.decode()
_TEXT_ESCAPE = _ESCAPE.decode()
_OBJECT = b"{"[0]
_SEPARATOR = b"\0"
_BACKSLASH = b"\\"
# A file is split only if it has at most one comma in this many bytes:
# CloudTrail's records have one in about 40.
_MOST_COMMAS = 16
# msgspec's errors are ValueErrors, and so is the UnicodeDecodeError it
# raises for a key that is not UTF-8.
_REFUSED = (ValueError, RecursionError)


@functools.cache
def _splitter() -> Any:
    """The msgspec decoder of a log file into raw records, made on first use."""
    try:
        import msgspec  # noqa: PLC0415 - optional, and slow to import
    except ImportError:
        return None

    # A log file: its records stay raw bytes; other keys are refused.
    log = msgspec.defstruct(
        "Log", [("Records", list[msgspec.Raw])], forbid_unknown_fields=True
    )
    return msgspec.json.Decoder(log).decode


#: Whether msgspec may be used, when it is installed (tests turn it off).
enabled = True


@functools.cache
def _validator() -> Any:
    """The msgspec decoder that checks a text is JSON, building nothing."""
    import msgspec  # noqa: PLC0415 - optional, and slow to import

    return msgspec.json.Decoder(msgspec.Raw).decode


def skippable(text: str) -> bool:
    """
    Whether the text of a record is valid JSON that cannot be an ELB call.

    For the scanner, which then need not decode it (see `elb_candidates`
    for why the text settles it).
    """
    if _TEXT_MARKER in text or _TEXT_ESCAPE in text:
        return False
    try:
        _validator()(text)
    except _REFUSED:
        return False
    return True


def can_split() -> bool:
    """Whether `elb_candidates` can split files (the fast extra is installed)."""
    return enabled and orjson is not None and _splitter() is not None


def elb_candidates(
    data: bytes, *, check_density: bool = False
) -> tuple[int, list[tuple[int, Any]]] | None:
    """
    The records of a log file that may be ELB calls, decoded, with their places.

    Returns:
        How many records the file holds, and the position and decoded value
        of every record that may be an ELB call. ``None`` when the file
        must be read the usual way: the fast extra is missing, the input is
        not a whole, valid ``{"Records": [...]}`` document of objects in
        UTF-8, orjson refuses one of the chosen records, or, with
        *check_density*, the file holds more than one comma in 16 bytes.

    Split, a file of tiny records takes many times its size in memory (a
    file of more than one record in 16 bytes is not looked at further).
    Up to 4 MiB, that is about what decoding it whole takes, so the check
    that comes before the split is left to larger files, which would
    otherwise be streamed in bounded memory.
    """
    decode = _splitter() if enabled else None
    if decode is None or orjson is None:
        return None
    if check_density and data.count(b",") > len(data) // _MOST_COMMAS:
        return None
    try:
        records = decode(data).Records
    except _REFUSED:
        return None
    if len(records) > len(data) // _MOST_COMMAS:
        return None  # tiny records: what follows would take even more
    if not records:
        return 0, []
    if not data.isascii():
        # msgspec passes over the bytes of strings it does not decode.
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return None
    # One buffer of the records, NUL between them (JSON text has none): the
    # searches below run in C over it, not in Python over each record.
    joined = _SEPARATOR.join(records)
    # Where each record ends in `joined`: its length and a separator a record.
    ends = array.array(
        "q",
        map(operator.add, itertools.accumulate(map(len, records)), itertools.count(1)),
    )
    firsts = operator.itemgetter(0, *ends[:-1])(joined) if len(ends) > 1 else ()
    if joined[0] != _OBJECT or firsts.count(_OBJECT) != len(firsts):
        return None  # a record that is not an object: the usual path says so
    chosen = set(_holding(joined, _MARKER, ends))
    if _BACKSLASH in joined:
        chosen.update(_holding(joined, _ESCAPE, ends))
    view = memoryview(joined)
    loads = orjson.loads
    found: list[tuple[int, Any]] = []
    try:
        for index in sorted(chosen):
            start = ends[index - 1] if index else 0
            found.append((index, loads(view[start : ends[index] - 1])))
    except (orjson.JSONDecodeError, RecursionError):
        return None
    return len(records), found


def _holding(joined: bytes, text: bytes, ends: array.array[int]) -> Iterator[int]:
    """The indexes of the records whose bytes hold *text*."""
    at = joined.find(text)
    while at >= 0:
        index = bisect.bisect_right(ends, at)
        yield index
        at = joined.find(text, ends[index])
