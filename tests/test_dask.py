"""elbtrail.dask: a trail read on a real dask.distributed cluster of processes."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections import Counter
from datetime import datetime, timezone

import cloudpickle
import dask
import pyarrow as pa
import pytest
from dask.distributed import Client, LocalCluster
from tests.conftest import upload_tree

import elbtrail
import elbtrail.dask
from elbtrail._located import iter_located

# datetime.UTC is Python 3.11+.
UTC = timezone.utc  # noqa: UP017, RUF100
PLACE = ("source", "record_index")
BUCKET = "trail-bucket"


@pytest.fixture(scope="module")
def client():
    """Two worker processes of one thread each, closed after the module."""
    with (
        LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            dashboard_address=":0",
            memory_limit="1GiB",
        ) as cluster,
        Client(cluster) as connected,
    ):
        yield connected


def rows(frame) -> list[str]:
    """Rows of a pandas frame or Arrow table, as sortable text, without places."""
    table = (
        frame
        if isinstance(frame, pa.Table)
        else pa.Table.from_pandas(frame, preserve_index=False)
    )
    table = table.drop_columns(list(PLACE))
    return sorted(repr(sorted(row.items())) for row in table.to_pylist())


class TestCluster:
    def test_the_cluster_gives_the_rows_of_to_arrow(self, client, elb_trail):
        """Partitions parsed on two worker processes give to_arrow's rows."""
        trail = elbtrail.dask.read(elb_trail, partition_size="4KiB")

        events, issues = client.compute([trail.events, trail.issues], sync=True)
        result = elbtrail.read(elb_trail)

        assert trail.events.npartitions > 4
        assert rows(elbtrail.to_arrow(result.events)) == rows(events)
        workers = client.run(lambda: __import__("os").getpid())
        assert 2 == len(set(workers.values()))
        # Duplicates are found within a partition; everything else is the same.
        assert Counter(
            i.code for i in result.issues if i.code != "duplicate-record"
        ) == Counter(c for c in issues["code"] if c != "duplicate-record")

    def test_rows_say_which_file_and_record_they_are(self, client, elb_trail):
        """source and record_index are those of reading the files in place."""
        events = elbtrail.dask.read_events(elb_trail, partition_size="8KiB")

        frame = client.compute(events, sync=True)

        expected = Counter(
            (name, index, event.event_id)
            for event, name, index, _ in iter_located(elb_trail)
        )
        assert expected == Counter(
            zip(frame["source"], frame["record_index"], frame["event_id"], strict=True)
        )

    def test_selection_matches_filtering_the_events(self, client, elb_trail):
        """since, until, accounts and regions keep exactly the events they say."""
        since = datetime(2026, 3, 31, tzinfo=UTC)
        until = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
        events = elbtrail.dask.read_events(
            elb_trail,
            since="2026-03-31T00:00:00Z",
            until=until,
            accounts=["111122223333"],
            regions=["us-east-1"],
        )

        frame = client.compute(events, sync=True)

        filtered = [
            e
            for e in elbtrail.read(elb_trail)
            if e.recipient_account_id == "111122223333"
            and e.aws_region == "us-east-1"
            and since <= e.event_time <= until
        ]
        selected = elbtrail.read(
            elb_trail,
            since=since,
            until=until,
            accounts=["111122223333"],
            regions=["us-east-1"],
        )
        assert filtered
        # The rows of read() with the same options: the same layout pruning.
        assert rows(elbtrail.to_arrow(selected.events)) == rows(frame)
        # Pruning leaves out only a late copy (the cut file, named as
        # delivered a day after its events): every selected event is there.
        assert {e.event_id for e in filtered} == set(frame["event_id"])


class TestListing:
    def test_the_awslogs_layout_is_pruned(self, elb_trail):
        """Other accounts, Regions and deliveries before since are not listed."""
        everything = elbtrail.dask.read(elb_trail, partition_size=1)
        pruned = elbtrail.dask.read(
            elb_trail,
            since="2026-04-01",
            accounts=["444455556666"],
            regions=["eu-west-1"],
            partition_size=1,
        )

        # One file a partition: the partitions count the files listed.
        assert 25 == everything.events.npartitions
        assert 2 == pruned.events.npartitions

    def test_one_account_or_region_may_be_a_string(self, elb_trail):
        """As for elbtrail.read(), a string is one name, not its characters."""
        one = elbtrail.dask.read(
            elb_trail, accounts="444455556666", regions="eu-west-1", partition_size=1
        )
        listed = elbtrail.dask.read(
            elb_trail,
            accounts=["444455556666"],
            regions=["eu-west-1"],
            partition_size=1,
        )

        assert 6 == one.events.npartitions == listed.events.npartitions
        frame = one.events.compute(scheduler="sync")
        assert {"444455556666"} == set(frame["recipient_account_id"])
        assert {"eu-west-1"} == set(frame["aws_region"])

    def test_one_partition_reports_the_same_issues_as_read(self, elb_trail):
        """Read in one partition, the issues are exactly those of read()."""
        trail = elbtrail.dask.read(elb_trail)

        issues = trail.issues.compute(scheduler="sync")

        # The same issues; the walk and the listing may meet folders in
        # another order.
        assert sorted(i.code.value for i in elbtrail.read(elb_trail).issues) == sorted(
            issues["code"]
        )

    def test_events_and_issues_together_parse_each_partition_once(
        self, elb_trail, monkeypatch
    ):
        """Computing both collections reads every partition's files once."""
        calls = []
        parse = elbtrail.dask._parse_partition

        def counted(files, options):
            calls.append(files)
            return parse(files, options)

        monkeypatch.setattr(elbtrail.dask, "_parse_partition", counted)
        trail = elbtrail.dask.read(elb_trail, partition_size="16KiB")

        dask.compute(trail.events, trail.issues, scheduler="sync")

        assert trail.events.npartitions == len(calls)
        assert len(set(calls)) == len(calls)

    def test_nothing_to_read_gives_empty_frames_with_the_schema(self, tmp_path):
        """An empty folder: no rows, every column."""
        trail = elbtrail.dask.read(tmp_path)

        events = trail.events.compute(scheduler="sync")

        assert 0 == len(events)
        assert elbtrail.to_arrow([]).schema.names == list(events.columns)

    @pytest.mark.parametrize(
        ("kwargs", "error", "message"),
        [
            ({"sources": io.BytesIO(b"{}")}, TypeError, "takes paths and s3://"),
            ({"sources": "s3://"}, ValueError, "no bucket"),
            ({"sources": "nowhere"}, FileNotFoundError, "no such file"),
            ({"since": "last week"}, ValueError, "since: not a time"),
            ({"until": 5}, TypeError, "until: expected a datetime"),
            ({"accounts": [111122223333]}, TypeError, "accounts: expected strings"),
            ({"since": "2026-04-02", "until": "2026-04-01"}, ValueError, "is after"),
            ({"since": datetime(2026, 4, 1)}, ValueError, "no time zone"),  # noqa: DTZ001 - naive, to be refused
            ({"partition_size": 0}, ValueError, "partition_size"),
        ],
    )
    def test_mistakes_are_refused_with_what_was_wrong(
        self, elb_trail, kwargs, error, message
    ):
        """Bad sources and options fail at once, naming the option."""
        arguments = {"sources": elb_trail, **kwargs}

        with pytest.raises(error, match=message):
            elbtrail.dask.read(**arguments)


class TestImport:
    def test_import_elbtrail_does_not_load_dask(self):
        """elbtrail.dask is loaded on first use, not by import elbtrail."""
        code = (
            "import sys, elbtrail; print('dask' in sys.modules);"
            "elbtrail.dask; print('dask' in sys.modules)"
        )

        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )

        assert ["False", "True"] == out.stdout.split()

    def test_results_compute_with_the_default_scheduler(self, elb_trail):
        """Without a cluster, dask's default scheduler computes the same rows."""
        with dask.config.set(scheduler="threads"):
            frame = elbtrail.dask.read_events(elb_trail).compute()

        assert len(elbtrail.read(elb_trail)) == len(frame)


ENVIRONMENT = (
    "AWS_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_DEFAULT_REGION",
    "AWS_CONFIG_FILE",
    "AWS_SHARED_CREDENTIALS_FILE",
    "AWS_EC2_METADATA_DISABLED",
)


# Workers cannot import this test module (pytest imports it by path), so the
# functions it sends them travel by value.
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def _set_environment(values):
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    return previous


def _restore_environment(previous):
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def cluster_aws(client, aws):
    """
    The aws fixture's settings on the workers too.

    The cluster started before the test set them: as on any cluster, each
    worker's own environment gives boto3 its endpoint and credentials.
    """
    values = {name: os.environ[name] for name in ENVIRONMENT}
    previous = client.run(_set_environment, values)
    yield aws
    for worker, saved in previous.items():
        client.run(_restore_environment, saved, workers=[worker])


def comparable_issues(frame, root: str) -> Counter:
    return Counter(
        (code, (source or "").replace(root, ""))
        for code, source in zip(frame["code"], frame["source"], strict=True)
    )


class TestS3:
    def test_a_bucket_gives_the_rows_of_the_tree_on_disk(
        self, client, cluster_aws, elb_trail
    ):
        """Keys listed here, fetched by the workers: the rows of to_arrow(read())."""
        upload_tree(elb_trail, BUCKET)
        remote = elbtrail.dask.read(f"s3://{BUCKET}/", partition_size="4KiB")
        local = elbtrail.dask.read(elb_trail, partition_size="4KiB")

        events, issues, local_issues = client.compute(
            [remote.events, remote.issues, local.issues], sync=True
        )

        assert remote.events.npartitions == local.events.npartitions > 4
        assert rows(elbtrail.to_arrow(elbtrail.read(elb_trail).events)) == rows(events)
        expected = Counter(
            (name.removeprefix(f"{elb_trail}/"), index, event.event_id)
            for event, name, index, _ in iter_located(elb_trail)
        )
        assert expected == Counter(
            zip(
                [s.removeprefix(f"s3://{BUCKET}/") for s in events["source"]],
                events["record_index"],
                events["event_id"],
                strict=True,
            )
        )
        assert comparable_issues(local_issues, f"{elb_trail}/") == comparable_issues(
            issues, f"s3://{BUCKET}/"
        )

    def test_the_selection_prunes_and_filters_a_bucket_as_a_tree(
        self, client, cluster_aws, elb_trail
    ):
        """since, accounts and regions: the same keys listed, the same rows kept."""
        upload_tree(elb_trail, BUCKET)
        options = {
            "since": "2026-04-01",
            "accounts": ["444455556666"],
            "regions": ["eu-west-1"],
            "partition_size": 1,
        }
        remote = elbtrail.dask.read(f"s3://{BUCKET}/AWSLogs", **options)
        local = elbtrail.dask.read(elb_trail / "AWSLogs", **options)

        remote_events, local_events = client.compute(
            [remote.events, local.events], sync=True
        )

        # One file a partition: the partitions count the files listed.
        assert 2 == remote.events.npartitions == local.events.npartitions
        assert len(remote_events) > 0
        assert rows(local_events) == rows(remote_events)
        assert set(remote_events["recipient_account_id"]) == {"444455556666"}

    def test_tasks_carry_keys_and_options_only(self, cluster_aws, elb_trail):
        """No endpoint, credentials or client travel with the tasks."""
        upload_tree(elb_trail, BUCKET)
        trail = elbtrail.dask.read(f"s3://{BUCKET}/", partition_size="4KiB")

        graph = cloudpickle.dumps(dict(trail.events.__dask_graph__()))

        assert cluster_aws.encode() not in graph
        assert b"testing" not in graph
        assert b"botocore" not in graph
        assert f"s3://{BUCKET}/AWSLogs/".encode() in graph

    def test_an_object_gone_after_the_listing_is_an_issue(self, aws, elb_trail):
        """A task that cannot fetch a key reports it and reads the others."""
        s3 = upload_tree(elb_trail, BUCKET)
        trail = elbtrail.dask.read(f"s3://{BUCKET}/")
        key = "AWSLogs/444455556666/CloudTrail/eu-west-1/2026/03/30/"
        key += "444455556666_CloudTrail_eu-west-1_20260330T0005Z_f0.json.gz"
        s3.delete_object(Bucket=BUCKET, Key=key)

        events, issues = dask.compute(trail.events, trail.issues, scheduler="sync")

        gone = issues[issues["code"] == "unreadable-object"]
        assert [f"s3://{BUCKET}/{key}"] == list(gone["source"])
        assert ["skipped it"] == list(gone["action"])
        assert len(events) > 0
        assert f"s3://{BUCKET}/{key}" not in set(events["source"])

    def test_a_missing_bucket_fails_at_once(self, aws):
        """The listing happens in read(): a missing bucket is FileNotFoundError."""
        with pytest.raises(FileNotFoundError, match="no-such-bucket"):
            elbtrail.dask.read("s3://no-such-bucket/AWSLogs/")
