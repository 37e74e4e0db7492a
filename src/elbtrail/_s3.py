"""
Log files in S3: listing a trail's layout level by level, fetching concurrently.

boto3 is imported here only, and only when an ``s3://`` source is read.
"""

from __future__ import annotations

import importlib
import io
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import IO, Any

import attrs

from ._issues import Issue, Severity
from ._layout import Selection, skipped_folder
from ._sources import S3Url

__all__ = [
    "DEFAULT_WORKERS",
    "PREFETCH_LIMIT",
    "S3Object",
    "S3Reader",
    "make_client",
    "skipped_key",
]

#: Objects fetched at once when ``max_workers`` is not given.
DEFAULT_WORKERS = 8
#: Objects up to this size are fetched whole by the pool; larger ones are
#: streamed a chunk at a time when they are read.
PREFETCH_LIMIT = 8 << 20

_EXTRA = "pip install 'elbtrail[s3]'"


def _boto3() -> Any:
    try:
        return importlib.import_module("boto3")
    except ImportError:
        msg = f"reading s3:// sources needs boto3, which is not installed: {_EXTRA}"
        raise ModuleNotFoundError(msg, name="boto3") from None


def make_client(max_workers: int, service: str = "s3") -> Any:
    """
    A client from boto3's standard chain (credentials, region, endpoint).

    Transient errors are retried in botocore's ``standard`` retry mode, or
    in ``adaptive`` mode when the environment or the AWS config file asks
    for it (botocore's own default, ``legacy``, retries less).
    """
    boto3 = _boto3()
    # Installed with boto3.
    from botocore.config import Config  # noqa: PLC0415
    from botocore.session import get_session  # noqa: PLC0415

    core = get_session()
    mode = core.get_config_variable("retry_mode")
    config = Config(
        retries={"mode": "adaptive" if mode == "adaptive" else "standard"},
        max_pool_connections=max(10, max_workers + 2),
    )
    return boto3.session.Session(botocore_session=core).client(service, config=config)


def skipped_key(bucket: str, key: str) -> Issue | None:
    """The notice for a key inside a digest or Insights folder, if it is in one."""
    parts = key.split("/")[:-1]
    for depth, name in enumerate(parts):
        issue = skipped_folder(f"s3://{bucket}/{'/'.join(parts[: depth + 1])}", name)
        if issue is not None:
            return attrs.evolve(issue, source=f"s3://{bucket}/{key}")
    return None


def _error_text(error: Exception) -> str:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        details = response.get("Error", {})
        code = details.get("Code") or "error"
        message = details.get("Message") or ""
        return f"{code}: {message}" if message else str(code)
    return str(error) or type(error).__name__


def _error_code(error: Exception) -> str:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code") or "")
    return ""


def unreadable_object(url: str, error: Exception) -> Issue:
    """The issue for an object that could not be fetched."""
    return Issue(
        message=f"cannot read the object: {_error_text(error)}",
        code="unreadable-object",
        severity=Severity.ERROR,
        source=url,
        action="skipped it",
    )


@attrs.frozen
class S3Object:
    """An object's key and stored size, as listed."""

    key: str
    size: int


class _Body(io.RawIOBase):
    """An object's body, read in chunks; a broken download ends it with an issue."""

    def __init__(self, body: Any, url: str, report: Callable[[Issue], None]) -> None:
        self._body = body
        self._url = url
        self._report = report
        self._read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data: bytes = self._body.read(len(buffer))
        except Exception as error:  # noqa: BLE001 - any transport error ends the body
            self._report(
                Issue(
                    message=f"the download broke off after {self._read} bytes: "
                    f"{_error_text(error)}",
                    code="unreadable-object",
                    severity=Severity.ERROR,
                    source=self._url,
                    action="kept what was read",
                )
            )
            return 0
        self._read += len(data)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._body.close()
        super().close()


class S3Reader:
    """Lists and fetches the log files of ``s3://`` sources for one read."""

    def __init__(
        self,
        *,
        client: Any,
        max_workers: int | None,
        selection: Selection,
        report: Callable[[Issue], None],
    ) -> None:
        """Use *client*, or one from boto3's standard chain when ``None``."""
        workers = DEFAULT_WORKERS if max_workers is None else max_workers
        self.workers = workers
        self._client = client
        self.selection = selection
        self.report = report

    @property
    def client(self) -> Any:
        """The S3 client, made on first use."""
        if self._client is None:
            self._client = make_client(self.workers)
        return self._client

    def objects(self, url: S3Url) -> Iterator[S3Object]:
        """
        The objects under *url* that may hold selected events, in key order.

        Each level is listed with a ``/`` delimiter: a folder the selection
        rules out (another account, region or day) is never listed.
        """
        yield from self._level(url.bucket, url.prefix, root=True)

    def _level(self, bucket: str, prefix: str, *, root: bool) -> Iterator[S3Object]:
        folders: list[str] = []
        client = self.client
        try:
            paginator = client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=bucket, Prefix=prefix, Delimiter="/"):
                for item in page.get("Contents", ()):
                    key = item["Key"]
                    # A key ending in "/" is a console's folder marker, empty.
                    if key.endswith("/"):
                        continue
                    if self.selection.keeps_file(key.rpartition("/")[2]):
                        yield S3Object(key, int(item.get("Size", 0)))
                folders.extend(p["Prefix"] for p in page.get("CommonPrefixes", ()))
        except Exception as error:
            if root:
                raise _listing_error(bucket, prefix, error) from error
            self.report(
                Issue(
                    message=f"cannot list the folder: {_error_text(error)}",
                    code="unreadable-folder",
                    severity=Severity.ERROR,
                    source=f"s3://{bucket}/{prefix}",
                    action="skipped it",
                )
            )
            return
        for folder in folders:
            parts = folder.rstrip("/").split("/")
            skipped = skipped_folder(f"s3://{bucket}/{folder.rstrip('/')}", parts[-1])
            if skipped is not None:
                self.report(skipped)
            elif self.selection.keeps_folder(parts):
                yield from self._level(bucket, folder, root=False)

    def _fetch(self, bucket: str, item: S3Object) -> IO[bytes] | Issue:
        url = f"s3://{bucket}/{item.key}"
        try:
            response = self._client.get_object(Bucket=bucket, Key=item.key)
            if item.size > PREFETCH_LIMIT:
                return io.BufferedReader(_Body(response["Body"], url, self.report))
            return io.BytesIO(response["Body"].read())
        except Exception as error:  # noqa: BLE001 - reported, and the read goes on
            return unreadable_object(url, error)

    def files(self, url: S3Url) -> Iterator[tuple[str, IO[bytes]]]:
        """
        The log files under *url*, as ``(s3://bucket/key, stream)``, in key order.

        A bounded pool fetches ahead: at most twice ``max_workers`` objects
        are in flight or waiting, so memory does not grow with the listing.
        """
        return self.fetch(url.bucket, self.objects(url))

    def fetch(
        self, bucket: str, objects: Iterable[S3Object]
    ) -> Iterator[tuple[str, IO[bytes]]]:
        """
        The given *objects* of *bucket*, as ``(s3://bucket/key, stream)``, in order.

        Fetched ahead by the same bounded pool as `files`; an object that
        cannot be fetched is reported and left out.
        """
        # Made before the pool starts: the fetching threads share it.
        _ = self.client
        pool = ThreadPoolExecutor(self.workers, thread_name_prefix="elbtrail-s3")
        pending: deque[tuple[str, Future[IO[bytes] | Issue]]] = deque()
        try:
            for item in objects:
                pending.append(
                    (
                        f"s3://{bucket}/{item.key}",
                        pool.submit(self._fetch, bucket, item),
                    )
                )
                if len(pending) >= 2 * self.workers:
                    yield from self._ready(pending.popleft())
            while pending:
                yield from self._ready(pending.popleft())
        finally:
            for _, future in pending:
                future.cancel()
            pool.shutdown(wait=True, cancel_futures=True)
            for _, future in pending:
                if future.done() and not future.cancelled():
                    result = future.result()
                    if not isinstance(result, Issue):
                        result.close()

    def _ready(
        self, entry: tuple[str, Future[IO[bytes] | Issue]]
    ) -> Iterator[tuple[str, IO[bytes]]]:
        name, future = entry
        result = future.result()
        if isinstance(result, Issue):
            self.report(result)
            return
        with result:
            yield name, result


def _listing_error(bucket: str, prefix: str, error: Exception) -> OSError:
    code = _error_code(error)
    text = f"cannot list s3://{bucket}/{prefix}: {_error_text(error)}"
    if code in {"NoSuchBucket", "NoSuchKey", "404"}:
        return FileNotFoundError(text)
    if code in {"AccessDenied", "403", "AllAccessDisabled", "InvalidAccessKeyId"}:
        return PermissionError(text)
    return OSError(text)
