"""
Following a trail: CloudTrail's notifications from SQS, each new log file read.

A message is deleted only after every log file it names was read and the
handler returned for each: at-least-once delivery, never a silent loss.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import unquote_plus

import attrs

from ._issues import Issue, Severity
from ._readers import LogResult, loads

__all__ = ["Delivery", "FollowSummary", "follow", "log_files_in"]

# What CloudTrail sends through SNS when a topic is first set on a trail.
_VALIDATION = "CloudTrail validation message."
# Visibility extensions happen this often, as a share of the timeout.
_HEARTBEAT_SHARE = 0.5


@attrs.frozen
class Delivery:
    """
    One log file named by a notification, read, as `follow()` hands it over.

    Attributes:
        bucket: The bucket of the log file.
        key: The key of the log file.
        result: Its events and issues, as `elbtrail.read()` gives them.
        message_id: The SQS message that named it.

    Added in version 0.1.0.
    """

    bucket: str
    key: str
    result: LogResult
    message_id: str

    @property
    def url(self) -> str:
        """The log file as ``s3://bucket/key``."""
        return f"s3://{self.bucket}/{self.key}"


@attrs.frozen
class FollowSummary:
    """
    What `follow()` did before it stopped.

    Attributes:
        received: How many distinct messages were received.
        deleted: How many were processed completely and deleted.
        left: How many were left in the queue (an unknown shape, a log file
            that could not be read), to be delivered again or dead-lettered.
        files: How many log files were read and handed to the handler.
        issues: Every issue found, notices included.

    Added in version 0.1.0.
    """

    received: int
    deleted: int
    left: int
    files: int
    issues: tuple[Issue, ...]


class _UnknownShapeError(ValueError):
    """A message in no shape that names CloudTrail log files."""


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return text


def _keys(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(k, str) for k in value):
        return value
    msg = f"s3ObjectKey is neither a key nor a list of keys: {value!r:.80}"
    raise _UnknownShapeError(msg)


def _s3_records(records: list[Any]) -> list[tuple[str, str]]:
    """Keys of an S3 event notification (URL-encoded there), created objects only."""
    found: list[tuple[str, str]] = []
    for record in records:
        try:
            name = record["eventName"]
            bucket = record["s3"]["bucket"]["name"]
            key = record["s3"]["object"]["key"]
        except (KeyError, TypeError):
            msg = (
                f"an S3 event record without eventName, bucket or key: {record!r:.120}"
            )
            raise _UnknownShapeError(msg) from None
        if not all(isinstance(v, str) for v in (name, bucket, key)):
            msg = (
                f"an S3 event record with a value that is not a string: {record!r:.120}"
            )
            raise _UnknownShapeError(msg)
        if name.startswith("ObjectCreated:"):
            found.append((bucket, unquote_plus(key)))
    return found


def _log_files(value: Any) -> list[tuple[str, str]]:
    if value == _VALIDATION:
        return []
    if not isinstance(value, dict):
        msg = f"not a notification of new log files: {value!r:.120}"
        raise _UnknownShapeError(msg)
    if value.get("Type") == "Notification" and isinstance(value.get("Message"), str):
        # The SNS envelope: what it carries is a JSON text, or the plain
        # validation message.
        return _log_files(_json(value["Message"]))
    if "s3Bucket" in value and "s3ObjectKey" in value:
        bucket = value["s3Bucket"]
        if not isinstance(bucket, str):
            msg = f"s3Bucket is not a bucket name: {bucket!r:.80}"
            raise _UnknownShapeError(msg)
        return [(bucket, key) for key in _keys(value["s3ObjectKey"])]
    records = value.get("Records")
    if isinstance(records, list) and records:
        return _s3_records(records)
    if value.get("Event") == "s3:TestEvent":
        return []
    detail = value.get("detail")
    if value.get("source") == "aws.s3" and isinstance(detail, dict):
        # EventBridge's S3 events: keys are not URL-encoded there.
        if value.get("detail-type") != "Object Created":
            return []
        try:
            bucket, key = detail["bucket"]["name"], detail["object"]["key"]
        except (KeyError, TypeError):
            msg = "an EventBridge S3 event without bucket or key"
            raise _UnknownShapeError(msg) from None
        if isinstance(bucket, str) and isinstance(key, str):
            return [(bucket, key)]
    msg = f"not a notification of new log files: {json.dumps(value)[:120]}"
    raise _UnknownShapeError(msg)


def log_files_in(body: str) -> list[tuple[str, str]]:
    """
    The ``(bucket, key)`` of every log file a message body names.

    Accepts CloudTrail's notification (``{"s3Bucket", "s3ObjectKey"}``, keys
    as a list or a single string), raw or in an SNS envelope; S3 event
    notifications, raw or in SNS (URL-encoded keys), and EventBridge's S3
    events. CloudTrail's validation message and S3's test event name no
    files. Anything else raises ``ValueError``.
    """
    return _log_files(_json(body))


def _client(service: str) -> Any:
    from ._s3 import make_client  # noqa: PLC0415 - boto3 only when following

    return make_client(1, service)


class _Heartbeat:
    """Extends the visibility of the messages in hand until they are done."""

    def __init__(self, sqs: Any, queue_url: str, timeout: int) -> None:
        self.sqs = sqs
        self.queue_url = queue_url
        self.timeout = timeout
        self.receipts: dict[str, str] = {}
        self.failures: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="elbtrail-visibility", daemon=True
        )

    def _run(self) -> None:
        interval = max(self.timeout * _HEARTBEAT_SHARE, 0.2)
        while not self._stop.wait(interval):
            with self._lock:
                entries = list(self.receipts.items())
            for start in range(0, len(entries), 10):
                self._extend(entries[start : start + 10])

    def _extend(self, entries: list[tuple[str, str]]) -> None:
        try:
            response = self.sqs.change_message_visibility_batch(
                QueueUrl=self.queue_url,
                Entries=[
                    {
                        "Id": str(index),
                        "ReceiptHandle": receipt,
                        "VisibilityTimeout": self.timeout,
                    }
                    for index, (_, receipt) in enumerate(entries)
                ],
            )
        except Exception as error:  # noqa: BLE001 - reported by the loop
            with self._lock:
                self.failures.extend((m, str(error)) for m, _ in entries)
            return
        for failed in response.get("Failed", ()):
            message = entries[int(failed["Id"])][0]
            with self._lock:
                self.failures.append((message, failed.get("Message") or "failed"))

    @contextmanager
    def running(self, messages: Iterable[dict[str, Any]]) -> Iterator[None]:
        with self._lock:
            self.receipts = {m["MessageId"]: m["ReceiptHandle"] for m in messages}
        if self.timeout > 0:
            self._thread.start()
        try:
            yield
        finally:
            self._stop.set()
            if self._thread.is_alive():
                self._thread.join()

    def done(self, message_id: str) -> list[str]:
        """Stop extending *message_id*; the failures to extend it, if any."""
        with self._lock:
            self.receipts.pop(message_id, None)
            failed = [why for m, why in self.failures if m == message_id]
            self.failures = [f for f in self.failures if f[0] != message_id]
        return failed


class _Follower:
    def __init__(
        self,
        queue_url: str,
        handler: Callable[[Delivery], object],
        *,
        sqs: Any,
        s3: Any,
        visibility_timeout: int,
        elb_only: bool,
        dedupe: bool,
        on_issue: Callable[[Issue], None] | None,
    ) -> None:
        self.queue_url = queue_url
        self.handler = handler
        self.sqs = sqs
        self.s3 = s3
        self.visibility_timeout = visibility_timeout
        self.elb_only = elb_only
        self.dedupe = dedupe
        self.on_issue = on_issue
        self.issues: list[Issue] = []
        self.deleted = 0
        self.files = 0

    def report(self, issue: Issue) -> None:
        self.issues.append(issue)
        if self.on_issue is not None:
            self.on_issue(issue)

    def _where(self, message: dict[str, Any]) -> str:
        return f"{self.queue_url} message {message['MessageId']}"

    def batch(self, messages: list[dict[str, Any]]) -> None:
        heartbeat = _Heartbeat(self.sqs, self.queue_url, self.visibility_timeout)
        with heartbeat.running(messages):
            for message in messages:
                try:
                    complete = self.message(message)
                finally:
                    failures = heartbeat.done(message["MessageId"])
                for why in failures[:1]:
                    self.report(
                        Issue(
                            message=f"could not extend the message's visibility: {why}",
                            code="visibility-not-extended",
                            severity=Severity.WARNING,
                            source=self._where(message),
                            action="went on; the message may be delivered again",
                        )
                    )
                if complete:
                    self.delete(message)

    def message(self, message: dict[str, Any]) -> bool:
        """Read and hand over every log file of *message*; whether all were."""
        try:
            files = log_files_in(message.get("Body", ""))
        except _UnknownShapeError as error:
            self.report(
                Issue(
                    message=f"cannot understand the message: {error}",
                    code="unknown-notification",
                    severity=Severity.ERROR,
                    source=self._where(message),
                    action="left it in the queue",
                )
            )
            return False
        from ._s3 import skipped_key, unreadable_object  # noqa: PLC0415

        complete = True
        for bucket, key in files:
            skipped = skipped_key(bucket, key)
            if skipped is not None:
                self.report(skipped)
                continue
            url = f"s3://{bucket}/{key}"
            try:
                body = self.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            except Exception as error:  # noqa: BLE001 - reported; the message stays
                self.report(
                    attrs.evolve(
                        unreadable_object(url, error),
                        action=f"left {self._where(message)} in the queue",
                    )
                )
                complete = False
                continue
            result = loads(body, elb_only=self.elb_only, dedupe=self.dedupe, source=url)
            for issue in result.issues:
                self.report(issue)
            self.handler(Delivery(bucket, key, result, message["MessageId"]))
            self.files += 1
        return complete

    def delete(self, message: dict[str, Any]) -> None:
        try:
            self.sqs.delete_message(
                QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"]
            )
        except Exception as error:  # noqa: BLE001 - reported; redelivery is harmless
            self.report(
                Issue(
                    message=f"could not delete the message: {error}",
                    code="undeleted-message",
                    severity=Severity.WARNING,
                    source=self._where(message),
                    action="its log files may be handed over again",
                )
            )
            return
        self.deleted += 1


def follow(
    queue_url: str,
    handler: Callable[[Delivery], object],
    *,
    stop_when_empty: bool = False,
    wait_seconds: int = 20,
    max_messages: int = 10,
    visibility_timeout: int | None = None,
    elb_only: bool = True,
    dedupe: bool = False,
    on_issue: Callable[[Issue], None] | None = None,
    sqs_client: Any = None,
    s3_client: Any = None,
) -> FollowSummary:
    """
    Follow a trail: read each log file its SQS queue announces, hand it over.

    The queue receives CloudTrail's notifications (trail → SNS topic → SQS
    queue) or S3 event notifications for the trail's bucket; every shape is
    recognised (see `log_files_in`). For each log file named, *handler* is
    called with a `Delivery`. A message is deleted only after *handler*
    returned for all its files: if *handler* raises, the exception propagates,
    ``follow`` stops, and the message stays in the queue to be delivered
    again (at-least-once). A message that is not understood, or names a log
    file that cannot be read, is an `Issue` and stays in the queue too (for
    its dead-letter queue). While messages are in hand their visibility is
    extended, so long files are not delivered twice.

    Args:
        queue_url: The SQS queue's URL.
        handler: Called with each log file read.
        stop_when_empty: Return once no message is waiting that was not
            already tried in this call; otherwise follow until interrupted.
        wait_seconds: Long-polling wait of each receive (0 to 20).
        max_messages: Messages received at a time (1 to 10).
        visibility_timeout: Seconds a message in hand stays hidden from other
            consumers, renewed while it is processed; the queue's own by default.
        elb_only: Keep only Elastic Load Balancing records.
        dedupe: Drop records delivered twice within one log file.
        on_issue: Called with each issue as it is found.
        sqs_client: A boto3 SQS client; by default from boto3's standard chain.
        s3_client: A boto3 S3 client; by default from boto3's standard chain.

    Returns:
        What was done, when ``stop_when_empty`` ends the loop.

    Raises:
        ModuleNotFoundError: Without boto3 (the ``s3`` extra).
        Exception: Whatever *handler* raises, after which the message stays.

    Added in version 0.1.0.
    """
    if not 0 <= wait_seconds <= 20:
        msg = f"wait_seconds: expected 0 to 20, got {wait_seconds!r}"
        raise ValueError(msg)
    if not 1 <= max_messages <= 10:
        msg = f"max_messages: expected 1 to 10, got {max_messages!r}"
        raise ValueError(msg)
    sqs = sqs_client if sqs_client is not None else _client("sqs")
    s3 = s3_client if s3_client is not None else _client("s3")
    if visibility_timeout is None:
        attributes = sqs.get_queue_attributes(
            QueueUrl=queue_url, AttributeNames=["VisibilityTimeout"]
        )["Attributes"]
        visibility_timeout = int(attributes["VisibilityTimeout"])
    follower = _Follower(
        queue_url,
        handler,
        sqs=sqs,
        s3=s3,
        visibility_timeout=visibility_timeout,
        elb_only=elb_only,
        dedupe=dedupe,
        on_issue=on_issue,
    )
    tried: set[str] = set()
    while True:
        response = sqs.receive_message(
            QueueUrl=queue_url,
            MaxNumberOfMessages=max_messages,
            WaitTimeSeconds=wait_seconds,
            VisibilityTimeout=visibility_timeout,
        )
        messages = response.get("Messages", [])
        if stop_when_empty:
            messages = [m for m in messages if m["MessageId"] not in tried]
            if not messages:
                break
        tried.update(m["MessageId"] for m in messages)
        follower.batch(messages)
    return FollowSummary(
        received=len(tried),
        deleted=follower.deleted,
        left=len(tried) - follower.deleted,
        files=follower.files,
        issues=tuple(follower.issues),
    )
