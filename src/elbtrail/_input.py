"""Bytes to text: gzip (several members, cut short), UTF-8 (with damage)."""

from __future__ import annotations

import codecs
import re
import zlib
from collections.abc import Callable, Iterable, Iterator

from ._issues import Issue, Severity

__all__ = ["CHUNK_SIZE", "decompressed", "is_gzip", "texts"]

#: How much is read from a file at a time when streaming.
CHUNK_SIZE = 1 << 20

_GZIP_MAGIC = b"\x1f\x8b"
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
    ``gzip`` writes them. A stream that is cut short, or corrupt part-way,
    yields what decompressed before the damage and reports it.
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
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    read = 0
    pending = first
    while True:
        if not pending:
            pending = next(iterator, b"")
            if not pending:
                break
        read += len(pending)
        try:
            out = inflater.decompress(pending)
        except zlib.error as error:
            report(
                Issue(
                    message=f"the gzip data is corrupt ({error}) after "
                    f"{read - len(pending)} bytes",
                    code="corrupt-gzip",
                    severity=Severity.ERROR,
                    source=source,
                    action="kept what decompressed before the damage",
                )
            )
            return
        pending = b""
        if out:
            yield out
        if inflater.eof:
            rest = inflater.unused_data
            while not rest:
                following = next(iterator, None)
                if following is None:
                    return
                rest = following
            if is_gzip(rest):
                inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
                read -= len(rest)
                pending = rest
                continue
            if rest.strip(b"\x00 \t\r\n"):
                report(
                    Issue(
                        message=f"{len(rest)} bytes after the end of the gzip data "
                        "are not gzip",
                        code="trailing-garbage",
                        severity=Severity.WARNING,
                        source=source,
                        action="ignored them",
                    )
                )
            return
    if not inflater.eof:
        tail = inflater.flush()
        if tail:
            yield tail
        report(
            Issue(
                message=f"the gzip data is cut off after {read} bytes",
                code="truncated-gzip",
                severity=Severity.WARNING,
                source=source,
                action="kept what decompressed; every complete record is read",
            )
        )


def texts(
    chunks: Iterable[bytes], source: str, report: Callable[[Issue], None]
) -> Iterator[str]:
    """
    Decode UTF-8 given in chunks, reporting (once) and replacing invalid bytes.

    A UTF-8 byte order mark is dropped.
    """
    decoder = codecs.getincrementaldecoder("utf-8-sig")("surrogateescape")
    reported = False
    for chunk in chunks:
        text = decoder.decode(chunk)
        if _LONE_SURROGATE.search(text):
            if not reported:
                reported = True
                report(
                    Issue(
                        message="the input is not valid UTF-8",
                        code="bad-encoding",
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
