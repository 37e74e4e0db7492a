"""Bytes to text: gzip (several members, cut short), UTF-8 (with damage)."""

from __future__ import annotations

import codecs
import itertools
import re
import zlib
from collections.abc import Callable, Generator, Iterable, Iterator
from typing import Any

from ._issues import Issue, IssueCode, Severity

__all__ = ["CHUNK_SIZE", "decompressed", "inflated_at_once", "is_gzip", "texts"]


def _isal_zlib() -> Any:
    """ISA-L's zlib module (the fast extra): it inflates about 3 times as fast."""
    try:
        from isal import isal_zlib  # noqa: PLC0415 - optional
    except ImportError:
        return None
    return isal_zlib


_fast_zlib: Any = _isal_zlib()

#: Whether ISA-L may be used, when it is installed (tests turn it off).
fast_inflate = True

#: How much is read from a file at a time when streaming.
CHUNK_SIZE = 1 << 20

_GZIP_MAGIC = b"\x1f\x8b"
# The magic and the only compression method: where a member may start.
_GZIP_HEADER = b"\x1f\x8b\x08"
_LONE_SURROGATE = re.compile("[\udc80-\udcff]")


def is_gzip(head: bytes) -> bool:
    """Whether *head* starts a gzip stream."""
    return head[:2] == _GZIP_MAGIC


def decompressed(
    chunks: Iterable[bytes], source: str, report: Callable[[Issue], None]
) -> Iterator[bytes]:
    """
    Decompress gzip data given in chunks; plain data passes through.

    Several gzip members one after another are read as one stream, as
    ``gzip`` writes them. No piece yielded is larger than `CHUNK_SIZE`,
    whatever the compression ratio. A member that is corrupt part-way yields
    what decompressed before the damage; reading goes on at the next member
    found after it. A stream cut short yields what decompressed.
    """
    iterator = iter(chunks)
    first = b""
    for chunk in iterator:
        first += chunk
        if len(first) >= 2:
            break
    if not is_gzip(first):
        if first:
            yield first
        yield from iterator
        return
    yield from _Inflater(iterator, source, report).run(first)


def inflated_at_once(
    chunks: Iterator[bytes], most: int
) -> tuple[bytes | None, Iterator[bytes]]:
    """
    The whole of a clean gzip input, decompressed by ISA-L, if it is small.

    Returns the decompressed bytes, or ``None`` when the input is not gzip,
    takes more than *most* bytes compressed or decompressed, or is anything
    but whole, undamaged gzip members one after another (ISA-L passes over
    reserved header flags, which zlib refuses: they are looked for here);
    then also the chunks to read the usual way (those consumed here come
    first), which reports what is wrong exactly as it would have. So the
    fast path only ever takes inputs on which both agree: the same bytes,
    and nothing to say.
    """
    if _fast_zlib is None or not fast_inflate:
        return None, chunks
    seen: list[bytes] = []
    try:
        data = _inflate(chunks, seen, most)
    except (_fast_zlib.error, ValueError):  # damage: the usual path says where
        data = None
    if data is None:
        return None, itertools.chain(seen, chunks)
    return data, iter(())


def _inflate(chunks: Iterator[bytes], seen: list[bytes], most: int) -> bytes | None:
    """`inflated_at_once`'s work; what it consumes is added to *seen*."""
    pieces: list[bytes] = []
    room = most + 1
    # The compressed bytes held are bounded too: headers, empty members and
    # empty blocks give no output, and could otherwise be held without end.
    held = 0
    members = 0
    inflater = None  # between members
    start = b""  # the first bytes of a member whose header is not all here
    for chunk in chunks:
        seen.append(chunk)
        held += len(chunk)
        if held > most or (len(seen) == 1 and len(chunk) >= 2 and not is_gzip(chunk)):
            return None
        pending = start + chunk if start else chunk
        start = b""
        step = _size_hint(chunk)
        full = False
        while pending or full:
            if inflater is None:
                if len(pending) < _FLAGS_END:
                    start = pending
                    break
                if pending[_FLAGS] & _RESERVED_FLAGS:
                    return None  # zlib refuses these; ISA-L would not
                inflater = _fast_zlib.decompressobj(zlib.MAX_WBITS | 16)
            out = inflater.decompress(pending, min(step, room))
            room -= len(out)
            if room <= 0:
                return None
            pieces.append(out)
            if inflater.eof:
                # A member ends; the next one starts in what is left.
                members += 1
                pending = inflater.unused_data
                inflater = None
                full = False
            else:
                pending = inflater.unconsumed_tail
                full = len(out) == step
                step *= 2
    if inflater is not None or start or not members:
        return None  # cut short, followed by a few bytes, or empty
    return b"".join(pieces)


# A gzip header's flag byte, and the bits RFC 1952 reserves (zero).
_FLAGS = 3
_FLAGS_END = _FLAGS + 1
_RESERVED_FLAGS = 0xE0


def _size_hint(chunk: bytes) -> int:
    """
    How much to let ISA-L write at once: the size a member's trailer gives.

    ISA-L sets aside all the room it is given, so room far beyond the
    output costs page faults; a trailer that lies only costs more calls.
    """
    return max(int.from_bytes(chunk[-4:], "little") + 1, 1 << 16)


class _Inflater:
    """Gzip members one after another, in bounded pieces, skipping damage."""

    def __init__(
        self, chunks: Iterator[bytes], source: str, report: Callable[[Issue], None]
    ) -> None:
        self.chunks = chunks
        self.source = source
        self.report = report
        # Compressed bytes consumed before the pending ones.
        self.offset = 0
        # Where the damage being skipped began, and why.
        self.damage: tuple[int, str] | None = None

    def _next(self) -> bytes:
        return next(self.chunks, b"")

    def run(self, pending: bytes) -> Iterator[bytes]:
        inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
        # Whether the last call filled its output: more may wait inside.
        full = False
        while True:
            if not pending and not full:
                pending = self._next()
                if not pending:
                    break
            try:
                out = inflater.decompress(pending, CHUNK_SIZE)
            except zlib.error as error:
                if self.damage is None:
                    self.damage = (self.offset, str(error))
                pending = yield from self._resync(pending)
                inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
                full = False
                continue
            full = len(out) == CHUNK_SIZE
            if out:
                if self.damage is not None:
                    self._report_damage(skipped_to=self.offset)
                yield out
            if inflater.eof:
                full = False
                rest = inflater.unused_data
                self.offset += len(pending) - len(rest)
                while not rest:
                    rest = self._next()
                    if not rest:
                        return
                if not is_gzip(rest):
                    rest = yield from self._after_end(rest)
                    if not rest:
                        return
                inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
                pending = rest
                continue
            tail = inflater.unconsumed_tail
            self.offset += len(pending) - len(tail)
            pending = tail
        if self.damage is not None:
            self._report_damage(skipped_to=None)
            return
        if not inflater.eof:
            tail = inflater.flush()
            if tail:
                yield tail
            self.report(
                Issue(
                    message=f"the gzip data is cut off after {self.offset} bytes",
                    code=IssueCode.TRUNCATED_GZIP,
                    severity=Severity.WARNING,
                    source=self.source,
                    action="kept what decompressed; every complete record is read",
                )
            )

    def _resync(self, pending: bytes) -> Generator[bytes, None, bytes]:
        """Drop bytes up to the next gzip header after the start of *pending*."""
        search_from = 1
        while True:
            found = pending.find(_GZIP_HEADER, search_from)
            if found >= 0:
                self.offset += found
                return pending[found:]
            # Keep the last bytes: a header may be split between two chunks.
            keep = len(_GZIP_HEADER) - 1
            self.offset += max(len(pending) - keep, 0)
            pending = pending[-keep:]
            following = self._next()
            if not following:
                self.offset += len(pending)
                return b""
            pending += following
            search_from = 0
        yield b""  # pragma: no cover - makes this a generator

    def _after_end(self, rest: bytes) -> Generator[bytes, None, bytes]:
        """Bytes after a complete member that are not gzip: skip them."""
        start = self.offset
        found = rest.find(_GZIP_HEADER)
        while found < 0:
            following = self._next()
            if not following:
                break
            keep = len(_GZIP_HEADER) - 1
            self.offset += max(len(rest) - keep, 0)
            rest = rest[-keep:] + following
            found = rest.find(_GZIP_HEADER)
        skipped = rest if found < 0 else rest[:found]
        if found < 0:
            self.offset += len(rest)
        else:
            self.offset += found
        if self.offset > start and (
            skipped.strip(b"\x00 \t\r\n") or self.offset - start > len(skipped)
        ):
            self.report(
                Issue(
                    message=f"{self.offset - start} bytes after the end of the gzip "
                    "data are not gzip",
                    code=IssueCode.TRAILING_GARBAGE,
                    severity=Severity.WARNING,
                    source=self.source,
                    action="ignored them"
                    if found < 0
                    else "skipped them; read on from the next gzip member",
                )
            )
        return b"" if found < 0 else rest[found:]
        yield b""  # pragma: no cover - makes this a generator

    def _report_damage(self, skipped_to: int | None) -> None:
        assert self.damage is not None
        start, reason = self.damage
        self.damage = None
        if skipped_to is None:
            action = "kept what decompressed before the damage"
        else:
            action = (
                f"kept what decompressed before the damage; skipped "
                f"{skipped_to - start} bytes to the next gzip member"
            )
        self.report(
            Issue(
                message=f"the gzip data is corrupt ({reason}) after {start} bytes",
                code=IssueCode.CORRUPT_GZIP,
                severity=Severity.ERROR,
                source=self.source,
                action=action,
            )
        )


def texts(
    chunks: Iterable[bytes], source: str, report: Callable[[Issue], None]
) -> Iterator[str]:
    """
    Decode UTF-8 given in chunks, reporting (once) and replacing invalid bytes.

    A UTF-8 byte order mark is dropped; a UTF-16 one makes the text UTF-16.
    """
    iterator = iter(chunks)
    first = next(iterator, b"")
    if first[:2] in _UTF16_BOMS:
        yield from _utf16(itertools.chain([first], iterator), source, report)
        return
    decoder = codecs.getincrementaldecoder("utf-8-sig")("surrogateescape")
    reported = False
    for chunk in itertools.chain([first], iterator):
        text = decoder.decode(chunk)
        # Invalid bytes become lone surrogates: ASCII text (which Python
        # knows without looking) has none.
        if not text.isascii() and _LONE_SURROGATE.search(text):
            if not reported:
                reported = True
                report(
                    Issue(
                        message="the input is not valid UTF-8",
                        code=IssueCode.BAD_ENCODING,
                        severity=Severity.WARNING,
                        source=source,
                        action="replaced the invalid bytes with U+FFFD",
                    )
                )
            text = _LONE_SURROGATE.sub("\ufffd", text)
        if text:
            yield text
    tail = decoder.decode(b"", final=True)
    if tail:
        yield _LONE_SURROGATE.sub("\ufffd", tail)


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _utf16(
    chunks: Iterable[bytes], source: str, report: Callable[[Issue], None]
) -> Iterator[str]:
    """Decode UTF-16 with a byte order mark, reporting invalid code units once."""
    decoder = codecs.getincrementaldecoder("utf-16")("replace")
    reported = False
    for chunk in chunks:
        text = decoder.decode(chunk)
        if "\ufffd" in text and not reported:
            reported = True
            report(
                Issue(
                    message="the input is not valid UTF-16",
                    code=IssueCode.BAD_ENCODING,
                    severity=Severity.WARNING,
                    source=source,
                    action="replaced the invalid code units with U+FFFD",
                )
            )
        if text:
            yield text
    tail = decoder.decode(b"", final=True)
    if tail:
        yield tail
