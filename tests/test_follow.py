"""Following a trail's SQS queue, on moto's server over HTTP."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import quote_plus

import boto3
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.trails import DAYS, PLAIN_ACCOUNT, log_file, record

import elbtrail
from elbtrail import _cli
from elbtrail._follow import log_files_in

BUCKET = "trail-bucket"
FOLDER = f"AWSLogs/{PLAIN_ACCOUNT}/CloudTrail/us-east-1/2026/03/14"


def key(number: int) -> str:
    name = f"{PLAIN_ACCOUNT}_CloudTrail_us-east-1_20260314T10{number:02d}Z_k{number}"
    return f"{FOLDER}/{name}.json.gz"


def s3_event(bucket: str, object_key: str, name: str = "ObjectCreated:Put") -> str:
    return json.dumps(
        {
            "Records": [
                {
                    "eventVersion": "2.1",
                    "eventSource": "aws:s3",
                    "awsRegion": "us-east-1",
                    "eventName": name,
                    "s3": {
                        "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
                        "object": {"key": quote_plus(object_key), "size": 100},
                    },
                }
            ]
        }
    )


def sns_envelope(message: str) -> str:
    """What SNS puts in an SQS message when raw delivery is off."""
    return json.dumps(
        {
            "Type": "Notification",
            "MessageId": "5d5b4d8b-0000-0000-0000-000000000000",
            "TopicArn": "arn:aws:sns:us-east-1:123456789012:trail-topic",
            "Message": message,
            "Timestamp": "2026-03-14T10:00:00.000Z",
            "SignatureVersion": "1",
        }
    )


class Trail:
    """A bucket of log files and a queue, on the moto server."""

    def __init__(self, visibility: int = 30) -> None:
        self.s3 = boto3.client("s3")
        self.sqs = boto3.client("sqs")
        self.s3.create_bucket(Bucket=BUCKET)
        self.url = self.sqs.create_queue(
            QueueName="trail-queue",
            Attributes={"VisibilityTimeout": str(visibility)},
        )["QueueUrl"]
        self.records: dict[str, list[dict[str, Any]]] = {}

    def put(self, object_key: str, events: int = 1) -> str:
        base = len(self.records) * 10
        when = DAYS[1]
        records = [
            record(PLAIN_ACCOUNT, "us-east-1", when, base + n) for n in range(events)
        ]
        self.records[object_key] = records
        self.s3.put_object(Bucket=BUCKET, Key=object_key, Body=log_file(records))
        return object_key

    def send(self, body: str) -> None:
        self.sqs.send_message(QueueUrl=self.url, MessageBody=body)

    def visible(self) -> int:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.url, AttributeNames=["ApproximateNumberOfMessages"]
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"])

    def waiting(self) -> int:
        attributes = self.sqs.get_queue_attributes(
            QueueUrl=self.url,
            AttributeNames=[
                "ApproximateNumberOfMessages",
                "ApproximateNumberOfMessagesNotVisible",
            ],
        )["Attributes"]
        return int(attributes["ApproximateNumberOfMessages"]) + int(
            attributes["ApproximateNumberOfMessagesNotVisible"]
        )


@pytest.fixture
def trail(aws):
    return Trail(visibility=1)


def every_shape(trail: Trail) -> tuple[list[str], list[str]]:
    """Send one message of every shape; the keys to read and the bodies to leave."""
    sns = boto3.client("sns")
    topic = sns.create_topic(Name="trail-topic")["TopicArn"]
    queue_arn = trail.sqs.get_queue_attributes(
        QueueUrl=trail.url, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    keys = [trail.put(key(n), events=n % 3 + 1) for n in range(7)]
    odd = trail.put(f"{FOLDER}/copied by hand+1 (2).json.gz")
    # CloudTrail's notification through SNS (a real topic), keys as a list.
    sns.publish(
        TopicArn=topic,
        Message=json.dumps({"s3Bucket": BUCKET, "s3ObjectKey": [keys[0], keys[1]]}),
    )
    # CloudTrail's validation message through SNS: acknowledged, nothing read.
    sns.publish(TopicArn=topic, Message="CloudTrail validation message.")
    # Raw delivery, and the key as a single string.
    trail.send(json.dumps({"s3Bucket": BUCKET, "s3ObjectKey": keys[2]}))
    # S3 event notifications, raw and in an SNS envelope; keys URL-encoded.
    trail.send(s3_event(BUCKET, keys[3]))
    trail.send(s3_event(BUCKET, odd))
    trail.send(sns_envelope(s3_event(BUCKET, keys[4])))
    trail.send(s3_event(BUCKET, keys[6], name="ObjectRemoved:Delete"))
    # EventBridge's S3 event, and S3's test event.
    trail.send(
        json.dumps(
            {
                "version": "0",
                "detail-type": "Object Created",
                "source": "aws.s3",
                "detail": {"bucket": {"name": BUCKET}, "object": {"key": keys[5]}},
            }
        )
    )
    trail.send(json.dumps({"Service": "Amazon S3", "Event": "s3:TestEvent"}))
    # A digest file named by an S3 event: skipped with a notice.
    trail.send(
        s3_event(
            BUCKET, f"AWSLogs/{PLAIN_ACCOUNT}/CloudTrail-Digest/us-east-1/d.json.gz"
        )
    )
    # Left in the queue: a shape nobody knows, and a log file that is gone.
    unknown = json.dumps({"hello": "world"})
    missing = json.dumps({"s3Bucket": BUCKET, "s3ObjectKey": [key(99)]})
    trail.send(unknown)
    trail.send(missing)
    return [keys[0], keys[1], keys[2], keys[3], odd, keys[4], keys[5]], [
        unknown,
        missing,
    ]


class TestFollow:
    def test_every_notification_shape_is_read_and_deleted(self, trail):
        read, left = every_shape(trail)
        deliveries: list[elbtrail.Delivery] = []
        summary = elbtrail.follow(
            trail.url, deliveries.append, stop_when_empty=True, wait_seconds=0
        )
        assert sorted(read) == sorted(d.key for d in deliveries)
        for delivery in deliveries:
            assert trail.records[delivery.key] == [e.to_dict() for e in delivery.result]
            assert f"s3://{BUCKET}/{delivery.key}" == delivery.url
        assert 12 == summary.received
        assert 10 == summary.deleted
        assert 2 == summary.left
        assert 7 == summary.files
        codes = sorted(i.code for i in summary.issues)
        assert ["skipped-folder", "unknown-notification", "unreadable-object"] == codes
        # Exactly the two messages it could not process are still there.
        assert 2 == trail.waiting()
        bodies = []
        for _ in range(5):
            bodies += [
                m["Body"]
                for m in trail.sqs.receive_message(
                    QueueUrl=trail.url, MaxNumberOfMessages=10, WaitTimeSeconds=2
                ).get("Messages", [])
            ]
            if len(bodies) == 2:
                break
        assert sorted(left) == sorted(bodies)

    def test_a_handler_that_raises_leaves_its_message_for_redelivery(self, trail):
        trail.put(key(1))
        trail.send(json.dumps({"s3Bucket": BUCKET, "s3ObjectKey": [key(1)]}))

        def broken(delivery: elbtrail.Delivery) -> None:
            msg = "the database is down"
            raise RuntimeError(msg)

        with pytest.raises(RuntimeError, match="the database is down"):
            elbtrail.follow(trail.url, broken, stop_when_empty=True, wait_seconds=0)
        assert 1 == trail.waiting()
        # Delivered again once its visibility timeout (1 s) is over.
        while not trail.visible():
            time.sleep(0.1)
        deliveries: list[elbtrail.Delivery] = []
        summary = elbtrail.follow(
            trail.url, deliveries.append, stop_when_empty=True, wait_seconds=0
        )
        assert [key(1)] == [d.key for d in deliveries]
        assert 1 == summary.deleted
        assert 0 == trail.waiting()

    def test_a_message_in_hand_stays_hidden_while_it_is_handled(self, aws):
        trail = Trail(visibility=2)
        trail.put(key(1))
        trail.send(json.dumps({"s3Bucket": BUCKET, "s3ObjectKey": key(1)}))
        seen_by_others: list[int] = []

        def slow(delivery: elbtrail.Delivery) -> None:
            # Longer than the visibility timeout: without extensions another
            # consumer would receive the message meanwhile.
            for _ in range(2):
                time.sleep(1.5)
                other = trail.sqs.receive_message(QueueUrl=trail.url, WaitTimeSeconds=0)
                seen_by_others.append(len(other.get("Messages", [])))

        summary = elbtrail.follow(trail.url, slow, stop_when_empty=True, wait_seconds=0)
        assert [0, 0] == seen_by_others
        assert 1 == summary.deleted
        assert 0 == trail.waiting()

    def test_the_options_are_checked(self, aws):
        with pytest.raises(ValueError, match="wait_seconds"):
            elbtrail.follow("q", print, wait_seconds=21)
        with pytest.raises(ValueError, match="max_messages"):
            elbtrail.follow("q", print, max_messages=0)


class TestShapes:
    @pytest.mark.parametrize(
        ("body", "expected"),
        [
            (
                '{"s3Bucket": "b", "s3ObjectKey": ["k1", "k2"]}',
                [("b", "k1"), ("b", "k2")],
            ),
            ('{"s3Bucket": "b", "s3ObjectKey": "k"}', [("b", "k")]),
            (sns_envelope('{"s3Bucket": "b", "s3ObjectKey": "k"}'), [("b", "k")]),
            (sns_envelope("CloudTrail validation message."), []),
            ("CloudTrail validation message.", []),
            (s3_event("b", "a b/c+d=é.json.gz"), [("b", "a b/c+d=é.json.gz")]),
            (sns_envelope(s3_event("b", "x/y.json.gz")), [("b", "x/y.json.gz")]),
            (s3_event("b", "k", name="ObjectRemoved:Delete"), []),
            ('{"Service": "Amazon S3", "Event": "s3:TestEvent"}', []),
        ],
    )
    def test_known_shapes_name_their_log_files(self, body, expected):
        assert expected == log_files_in(body)

    @pytest.mark.parametrize(
        "body",
        [
            "",
            "hello",
            "[" * 100_000 + "]" * 100_000,
            "[]",
            "null",
            '{"s3Bucket": "b"}',
            '{"s3Bucket": 5, "s3ObjectKey": "k"}',
            '{"s3Bucket": "b", "s3ObjectKey": [1]}',
            '{"s3Bucket": "b", "s3ObjectKey": {"k": 1}}',
            '{"Records": [{"eventName": "ObjectCreated:Put"}]}',
            json.dumps(
                {
                    "Records": [
                        {
                            "eventName": 1,
                            "s3": {"bucket": {"name": "b"}, "object": {"key": "k"}},
                        }
                    ]
                }
            ),
            '{"Records": [5]}',
            sns_envelope("not json"),
            '{"Type": "Notification", "Message": 5}',
            '{"source": "aws.s3", "detail-type": "Object Created", "detail": {}}',
        ],
    )
    def test_unknown_shapes_are_refused(self, body):
        with pytest.raises(
            ValueError, match=r"not a notification|s3ObjectKey|s3Bucket|S3 event"
        ):
            log_files_in(body)


class TestShapeProperties:
    @given(keys=st.lists(st.text(min_size=1), min_size=1, max_size=4))
    def test_cloudtrail_notifications_round_trip_raw_and_in_sns(self, keys):
        body = json.dumps({"s3Bucket": "b", "s3ObjectKey": keys})
        assert [("b", k) for k in keys] == log_files_in(body)
        assert [("b", k) for k in keys] == log_files_in(sns_envelope(body))

    @given(key=st.text(min_size=1))
    def test_s3_event_keys_are_url_decoded(self, key):
        assert [("b", key)] == log_files_in(s3_event("b", key))
        assert [("b", key)] == log_files_in(sns_envelope(s3_event("b", key)))

    @given(
        body=st.one_of(
            st.text(),
            st.recursive(
                st.none() | st.booleans() | st.integers() | st.text(),
                lambda inner: st.lists(inner) | st.dictionaries(st.text(), inner),
            ).map(json.dumps),
        )
    )
    def test_any_body_names_files_or_is_refused_with_a_value_error(self, body):
        try:
            found = log_files_in(body)
        except ValueError:
            return
        assert all(isinstance(b, str) and isinstance(k, str) for b, k in found)


class TestCommandLine:
    def test_follow_prints_events_and_leaves_what_it_could_not_read(
        self, trail, capsys
    ):
        read, _ = every_shape(trail)
        status = _cli.main(["follow", trail.url, "--stop-when-empty", "--wait", "0"])
        captured = capsys.readouterr()
        lines = [json.loads(line) for line in captured.out.splitlines()]
        expected = [r for k in read for r in trail.records[k]]
        key_of = lambda r: r["eventID"]  # noqa: E731
        assert sorted(expected, key=key_of) == sorted(lines, key=key_of)
        assert 1 == status
        assert "12 message(s), 7 log file(s); 10 deleted, 2 left in the queue" in (
            captured.err
        )
        assert "cannot understand the message" in captured.err
        assert 2 == trail.waiting()

    def test_an_unknown_queue_is_a_usage_error(self, aws, capsys):
        with pytest.raises(SystemExit) as exit_:
            _cli.main(
                ["follow", f"{aws}/123456789012/no-such-queue", "--stop-when-empty"]
            )
        assert 2 == exit_.value.code
        assert "elbtrail: error:" in capsys.readouterr().err

    def test_without_boto3_the_extra_is_named(self, monkeypatch, capsys):
        import sys  # noqa: PLC0415

        monkeypatch.setitem(sys.modules, "boto3", None)
        with pytest.raises(SystemExit):
            _cli.main(["follow", "https://sqs.example/1/q", "--stop-when-empty"])
        assert "pip install 'elbtrail[s3]'" in capsys.readouterr().err
