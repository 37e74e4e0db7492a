"""Reading log files straight from S3, on moto's server over HTTP."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any

import attrs
import boto3
import pytest
from tests.trails import (
    DAYS,
    ORG_ACCOUNTS,
    PLAIN_ACCOUNT,
    log_file,
    record,
    trail_objects,
    write_tree,
)

import elbtrail
from elbtrail import _cli, _s3

BUCKET = "trail-bucket"


def upload(objects: dict[str, bytes], bucket: str = BUCKET) -> Any:
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=bucket)
    with ThreadPoolExecutor(8) as pool:
        list(
            pool.map(
                lambda item: s3.put_object(Bucket=bucket, Key=item[0], Body=item[1]),
                objects.items(),
            )
        )
    return s3


def listed_prefixes(client: Any) -> list[dict[str, Any]]:
    """Record the parameters of every ListObjectsV2 call *client* makes."""
    calls: list[dict[str, Any]] = []

    def record_call(params: dict[str, Any], **_: Any) -> None:
        calls.append(dict(params))

    client.meta.events.register("before-parameter-build.s3.ListObjectsV2", record_call)
    return calls


def comparable(result: elbtrail.LogResult, root: str) -> tuple[list[Any], list[Any]]:
    """Events and issues, with the local root or the bucket URL cut off sources."""
    issues = [
        attrs.evolve(i, source=(i.source or "").removeprefix(root))
        for i in result.issues
    ]
    return [e.to_dict() for e in result], issues


@pytest.fixture
def trail(aws, tmp_path):
    objects = trail_objects()
    upload(objects)
    return write_tree(tmp_path, objects)


WINDOW = {"since": "2026-03-13T23:00:00Z", "until": "2026-03-14T12:30:00Z"}


class TestSameAsOnDisk:
    @pytest.mark.parametrize(
        "options",
        [
            {},
            WINDOW,
            {**WINDOW, "accounts": [ORG_ACCOUNTS[0]], "regions": ["eu-west-1"]},
        ],
    )
    def test_a_bucket_reads_as_the_same_tree_on_disk(self, trail, options):
        """Organization and plain trails, digests and Insights skipped alike."""
        local = elbtrail.read(trail / "AWSLogs", **options)
        remote = elbtrail.read(f"s3://{BUCKET}/AWSLogs/", **options)
        assert comparable(local, str(trail) + "/") == comparable(
            remote, f"s3://{BUCKET}/"
        )
        assert len(remote) > 0
        assert {"CloudTrail-Digest", "CloudTrail-Insight"} <= {
            i.source.rsplit("/", 1)[-1] for i in remote.issues
        } or options.get("accounts")

    def test_iter_events_streams_the_same_events(self, trail):
        read = elbtrail.read(f"s3://{BUCKET}/AWSLogs/", **WINDOW)
        stream = elbtrail.iter_events(f"s3://{BUCKET}/AWSLogs/", **WINDOW)
        assert [e.to_dict() for e in read] == [e.to_dict() for e in stream]
        assert list(read.issues) == list(stream.issues)

    def test_a_prefix_without_its_slash_and_a_single_key_are_read(self, trail):
        whole = elbtrail.read(trail / "AWSLogs")
        assert [e.to_dict() for e in whole] == [
            e.to_dict() for e in elbtrail.read(f"s3://{BUCKET}/AWSLogs")
        ]
        key = next(
            k for k in trail_objects() if k.endswith("T1205Z_Ab00000000000003.json.gz")
        )
        one = elbtrail.read(f"s3://{BUCKET}/{key}")
        assert 1 == len(one)

    def test_folder_markers_are_not_read(self, trail):
        s3 = boto3.client("s3")
        for folder in ("AWSLogs/", f"AWSLogs/{PLAIN_ACCOUNT}/CloudTrail/"):
            s3.put_object(Bucket=BUCKET, Key=folder, Body=b"")
        remote = elbtrail.read(f"s3://{BUCKET}/AWSLogs/", **WINDOW)
        local = elbtrail.read(trail / "AWSLogs", **WINDOW)
        assert comparable(local, str(trail) + "/") == comparable(
            remote, f"s3://{BUCKET}/"
        )

    def test_local_and_s3_sources_mix_in_a_list(self, trail):
        plain = f"AWSLogs/{PLAIN_ACCOUNT}/"
        org = "AWSLogs/o-abcdef1234/"
        mixed = elbtrail.read([trail / plain, f"s3://{BUCKET}/{org}"], **WINDOW)
        assert [e.to_dict() for e in elbtrail.read(trail / "AWSLogs", **WINDOW)] == [
            e.to_dict() for e in mixed
        ]


class TestPruning:
    def test_days_outside_the_window_are_never_listed(self, trail):
        client = boto3.client("s3")
        calls = listed_prefixes(client)
        result = elbtrail.read(
            f"s3://{BUCKET}/AWSLogs/",
            since="2026-03-14T02:00:00Z",
            until="2026-03-14T20:00:00Z",
            s3_client=client,
        )
        assert len(result) == 3 * 2
        prefixes = [c["Prefix"] for c in calls]
        assert all(c.get("Delimiter") == "/" for c in calls)
        assert not [p for p in prefixes if p.endswith("/2026/03/13/")]
        assert 6 == len([p for p in prefixes if p.endswith("/2026/03/14/")])
        # Digest and Insights folders are not listed either.
        assert not [p for p in prefixes if "CloudTrail-" in p]

    def test_accounts_and_regions_are_never_listed_when_ruled_out(self, trail):
        client = boto3.client("s3")
        calls = listed_prefixes(client)
        elbtrail.read(
            f"s3://{BUCKET}/AWSLogs/",
            accounts=[PLAIN_ACCOUNT],
            regions=["us-east-1"],
            s3_client=client,
        )
        prefixes = [c["Prefix"] for c in calls]
        assert not [p for p in prefixes if any(a in p for a in ORG_ACCOUNTS)]
        assert not [p for p in prefixes if "eu-west-1" in p]
        assert f"AWSLogs/{PLAIN_ACCOUNT}/CloudTrail/us-east-1/2026/03/13/" in prefixes

    def test_without_options_the_tree_is_listed_level_by_level(self, trail):
        client = boto3.client("s3")
        calls = listed_prefixes(client)
        elbtrail.read(f"s3://{BUCKET}/AWSLogs/", s3_client=client)
        assert all(c.get("Delimiter") == "/" for c in calls)
        assert "" not in [c["Prefix"] for c in calls]


class TestFailures:
    def test_an_object_that_cannot_be_read_is_an_issue_and_the_read_goes_on(
        self, trail
    ):
        client = boto3.client("s3")
        broken = next(k for k in trail_objects() if "_CloudTrail_eu-west-1_" in k)

        def lose(params: dict[str, Any], **_: Any) -> None:
            if params["Key"] == broken:
                params["Key"] = broken + ".gone"

        client.meta.events.register("before-parameter-build.s3.GetObject", lose)
        result = elbtrail.read(f"s3://{BUCKET}/AWSLogs/", s3_client=client)
        whole = elbtrail.read(trail / "AWSLogs")
        [issue] = [i for i in result.issues if i.code == "unreadable-object"]
        assert f"s3://{BUCKET}/{broken}" == issue.source
        assert "NoSuchKey" in issue.message
        assert issue.severity is elbtrail.Severity.ERROR
        assert len(whole) - 2 == len(result)
        assert result.damaged

    def test_strict_mode_stops_at_a_broken_object_and_ends_the_pool(self, trail):
        s3 = boto3.client("s3")
        s3.put_object(Bucket=BUCKET, Key="AWSLogs/broken.json", Body=b"{not json")
        with pytest.raises(elbtrail.ParseError) as caught:
            elbtrail.read(f"s3://{BUCKET}/AWSLogs/", strict=True)
        # Even while the traceback, and so the reading frame, is still held.
        assert caught.traceback
        assert not [
            t for t in threading.enumerate() if t.name.startswith("elbtrail-s3")
        ]
        stream = elbtrail.iter_events(f"s3://{BUCKET}/AWSLogs/", strict=True)
        with pytest.raises(elbtrail.ParseError) as caught:
            list(stream)
        assert caught.traceback
        assert not [
            t for t in threading.enumerate() if t.name.startswith("elbtrail-s3")
        ]

    def test_a_missing_bucket_is_file_not_found(self, aws):
        with pytest.raises(FileNotFoundError, match="s3://no-such-bucket/AWSLogs/"):
            elbtrail.read("s3://no-such-bucket/AWSLogs/")
        with pytest.raises(FileNotFoundError, match="NoSuchBucket"):
            list(elbtrail.iter_events("s3://no-such-bucket/"))

    def test_a_url_without_a_bucket_is_refused(self):
        with pytest.raises(ValueError, match="no bucket in 's3:///AWSLogs'"):
            elbtrail.read("s3:///AWSLogs")

    def test_without_boto3_an_s3_source_names_the_extra(self, monkeypatch):
        monkeypatch.setitem(sys.modules, "boto3", None)
        with pytest.raises(ModuleNotFoundError, match=r"pip install 'elbtrail\[s3\]'"):
            elbtrail.read("s3://bucket/AWSLogs/")
        # A local read does not need it.
        assert 0 == len(elbtrail.read([]))

    def test_importing_and_reading_locally_never_imports_boto3(self):
        code = (
            "import sys, elbtrail; elbtrail.read('samples/');"
            "elbtrail.iter_events('samples/', since='2020-01-01');"
            "assert 'boto3' not in sys.modules and 'botocore' not in sys.modules"
        )
        subprocess.run([sys.executable, "-c", code], check=True)

    def test_a_folder_that_cannot_be_listed_is_an_issue_and_the_read_goes_on(
        self, trail
    ):
        client = boto3.client("s3")
        region = f"AWSLogs/{PLAIN_ACCOUNT}/CloudTrail/eu-west-1/"

        def refuse(params: dict[str, Any], **_: Any) -> None:
            if params["Prefix"] == region:
                params["Bucket"] = "no-such-bucket"

        client.meta.events.register("before-parameter-build.s3.ListObjectsV2", refuse)
        result = elbtrail.read(f"s3://{BUCKET}/AWSLogs/", s3_client=client)
        [issue] = [i for i in result.issues if i.code == "unreadable-folder"]
        assert f"s3://{BUCKET}/{region}" == issue.source
        assert "NoSuchBucket" in issue.message
        everything = elbtrail.read(trail / "AWSLogs")
        assert len(everything) - 2 * 5 == len(result)

    @pytest.mark.parametrize(
        ("code", "kind"),
        [
            ("NoSuchBucket", FileNotFoundError),
            ("AccessDenied", PermissionError),
            ("SlowDown", OSError),
        ],
    )
    def test_listing_errors_become_the_matching_os_error(self, code, kind):
        from botocore.exceptions import ClientError  # noqa: PLC0415

        error = ClientError({"Error": {"Code": code, "Message": "m"}}, "ListObjectsV2")
        mapped = _s3._listing_error("b", "AWSLogs/", error)
        assert type(mapped) is kind
        assert f"cannot list s3://b/AWSLogs/: {code}: m" == str(mapped)

    def test_the_default_client_retries_in_standard_mode(self, aws, monkeypatch):
        assert "standard" == _s3.make_client(8).meta.config.retries["mode"]
        monkeypatch.setenv("AWS_RETRY_MODE", "adaptive")
        assert "adaptive" == _s3.make_client(8).meta.config.retries["mode"]
        monkeypatch.setenv("AWS_RETRY_MODE", "legacy")
        assert "standard" == _s3.make_client(8).meta.config.retries["mode"]
        assert 20 <= _s3.make_client(20).meta.config.max_pool_connections

    def test_a_download_that_breaks_off_keeps_what_was_read(self):
        class Breaking:
            def __init__(self) -> None:
                self.calls = 0

            def read(self, size: int | None) -> bytes:
                self.calls += 1
                if self.calls > 1:
                    raise ConnectionResetError(104, "Connection reset by peer")
                return b"0123"

            def close(self) -> None:
                pass

        issues: list[elbtrail.Issue] = []
        body = _s3._Body(Breaking(), "s3://b/k", issues.append)
        assert b"0123" == body.read(4)
        assert b"" == body.read(4)
        assert "broke off after 4 bytes" in issues[0].message
        assert "s3://b/k" == issues[0].source


class TestLargeAndMany:
    def test_a_large_object_is_streamed_with_the_same_events(self, aws, monkeypatch):
        records = [
            record(PLAIN_ACCOUNT, "us-east-1", trail_time(minute), minute)
            for minute in range(50)
        ]
        data = log_file(records)
        upload({"big.json.gz": data})
        monkeypatch.setattr(_s3, "PREFETCH_LIMIT", 100)
        streamed = elbtrail.iter_events(f"s3://{BUCKET}/big.json.gz")
        assert records == [e.to_dict() for e in streamed]
        assert [] == list(streamed.issues)

    def test_iter_events_fetches_only_a_few_objects_ahead(self, trail):
        client = boto3.client("s3")
        fetched: list[str] = []
        client.meta.events.register(
            "before-parameter-build.s3.GetObject",
            lambda params, **_: fetched.append(params["Key"]),
        )
        stream = elbtrail.iter_events(
            f"s3://{BUCKET}/AWSLogs/", max_workers=2, s3_client=client
        )
        next(stream)
        assert 1 <= len(fetched) <= 2 * 2
        rest = list(stream)
        assert len(elbtrail.read(trail / "AWSLogs")) == 1 + len(rest)
        assert 36 == len(fetched)  # every log file once; no digest, no Insights

    def test_two_thousand_small_files_are_read_concurrently_in_key_order(self, aws):
        objects = {
            f"AWSLogs/{PLAIN_ACCOUNT}/CloudTrail/us-east-1/2026/03/14/"
            f"{PLAIN_ACCOUNT}_CloudTrail_us-east-1_20260314T{n // 60:02d}{n % 60:02d}Z_"
            f"{n:04d}.json.gz": gzip.compress(
                json.dumps(
                    {"Records": [record(PLAIN_ACCOUNT, "us-east-1", trail_time(n), n)]}
                ).encode(),
                mtime=0,
            )
            for n in range(2000)
        }
        upload(objects)
        result = elbtrail.read(f"s3://{BUCKET}/AWSLogs/", max_workers=8)
        assert 2000 == len(result)
        ids = [e.event_id for e in result]
        assert ids == sorted(ids)
        streamed = elbtrail.iter_events(f"s3://{BUCKET}/AWSLogs/", max_workers=4)
        assert ids[:10] == [next(streamed).event_id for _ in range(10)]
        assert any(t.name.startswith("elbtrail-s3") for t in threading.enumerate())
        streamed._events.close()  # abandoned part-way: the pool shuts down
        assert not [
            t for t in threading.enumerate() if t.name.startswith("elbtrail-s3")
        ]


def trail_time(minutes: int) -> datetime:
    return DAYS[1] + timedelta(minutes=minutes)


class TestCommandLine:
    def test_events_reads_a_bucket_with_a_window_and_accounts(self, trail, capsys):
        status = _cli.main(
            [
                "events",
                f"s3://{BUCKET}/AWSLogs/",
                "--since",
                WINDOW["since"],
                "--until",
                WINDOW["until"],
                "--account",
                ORG_ACCOUNTS[1],
                "--region",
                "us-east-1",
                "--format",
                "jsonl",
            ]
        )
        assert 0 == status
        lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        expected = elbtrail.read(
            trail / "AWSLogs",
            **WINDOW,
            accounts=[ORG_ACCOUNTS[1]],
            regions=["us-east-1"],
        )
        assert [e.to_dict() for e in expected] == lines
        assert len(lines) > 0

    def test_summary_and_check_take_the_window_too(self, trail, capsys):
        assert 0 == _cli.main(
            ["summary", f"s3://{BUCKET}/AWSLogs/", "--since", "2026-03-14T12:00:00Z"]
        )
        out = capsys.readouterr().out
        assert out.startswith("18 events in s3://")
        assert 0 == _cli.main(
            ["check", f"s3://{BUCKET}/AWSLogs/", "--region", "eu-west-1", "-q"]
        )

    def test_a_missing_bucket_is_a_usage_error(self, aws, capsys):
        with pytest.raises(SystemExit) as exit_:
            _cli.main(["summary", "s3://no-such-bucket/"])
        assert 2 == exit_.value.code
        assert "NoSuchBucket" in capsys.readouterr().err
