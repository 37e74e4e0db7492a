"""What a user may pass as a source: paths, ``s3://`` URLs, binary streams, lists."""

from __future__ import annotations

import io
import os
from collections.abc import Iterable, Mapping
from typing import IO, Any

import attrs

__all__ = ["ACCEPTED", "S3Url", "Source", "is_s3_url", "resolve"]

#: What ``read`` and ``iter_events`` accept, for error messages.
ACCEPTED = (
    "a path (str or os.PathLike) to a file or folder, an s3://bucket/prefix URL, "
    "a binary stream (opened with 'rb'), or a list of these"
)

Source = str | os.PathLike[str] | IO[bytes] | Iterable[Any]

_SCHEME = "s3://"


@attrs.frozen
class S3Url:
    """An ``s3://bucket/prefix`` source: every object whose key starts with prefix."""

    bucket: str
    prefix: str

    @classmethod
    def parse(cls, text: str) -> S3Url:
        """Split ``s3://bucket/prefix``; the prefix may be empty."""
        bucket, _, prefix = text[len(_SCHEME) :].partition("/")
        if not bucket:
            msg = f"no bucket in {text!r}; expected s3://bucket/prefix"
            raise ValueError(msg)
        return cls(bucket, prefix)

    def __str__(self) -> str:
        """The URL."""
        return f"{_SCHEME}{self.bucket}/{self.prefix}"


def is_s3_url(text: str) -> bool:
    """Whether *text* names an S3 location rather than a local path."""
    return text[: len(_SCHEME)].lower() == _SCHEME


def _misuse(source: object, function: str) -> TypeError:
    kind = type(source).__name__
    if isinstance(source, (bytes, bytearray, memoryview)):
        hint = "; for data already in memory, use elbtrail.loads()"
    elif isinstance(source, Mapping):
        hint = "; for one record (a dict), use elbtrail.parse_event()"
    elif isinstance(source, io.TextIOBase) or _is_text_stream(source):
        hint = "; open the file in binary mode ('rb'), or pass its path"
    else:
        hint = ""
    return TypeError(f"{function}() takes {ACCEPTED}; got {kind}{hint}")


def _is_text_stream(source: object) -> bool:
    mode = getattr(source, "mode", None)
    return isinstance(mode, str) and "b" not in mode and hasattr(source, "read")


def resolve(
    source: object, function: str = "read"
) -> list[str | os.PathLike[str] | IO[bytes] | S3Url]:
    """
    Check *source* and flatten it into the single sources it names, in order.

    Raises:
        TypeError: For anything but what `ACCEPTED` says, with a hint for
            the usual mistakes (bytes, a record dict, a text stream).
        ValueError: For an ``s3://`` URL without a bucket.
    """
    if isinstance(source, str):
        if is_s3_url(source):
            return [S3Url.parse(source)]
        return [source]
    if isinstance(source, os.PathLike):
        return [source]
    if isinstance(source, (bytes, bytearray, memoryview, Mapping, io.TextIOBase)):
        raise _misuse(source, function)
    if hasattr(source, "read"):
        if _is_text_stream(source):
            raise _misuse(source, function)
        stream: IO[bytes] = source  # type: ignore[assignment]  # duck-typed stream
        return [stream]
    if isinstance(source, Iterable):
        flat: list[str | os.PathLike[str] | IO[bytes] | S3Url] = []
        for item in source:
            if isinstance(item, (str, os.PathLike)) or hasattr(item, "read"):
                flat.extend(resolve(item, function))
            else:
                raise _misuse(item, function)
        return flat
    raise _misuse(source, function)
