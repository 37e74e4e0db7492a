"""elbtrail.dask: a trail read on a real dask.distributed cluster of processes."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from datetime import datetime, timezone

import dask
import pyarrow as pa
import pytest
from dask.distributed import Client, LocalCluster

import elbtrail
import elbtrail.dask
from elbtrail._located import iter_located

# datetime.UTC is Python 3.11+.
UTC = timezone.utc  # noqa: UP017, RUF100
PLACE = ("source", "record_index")


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

        expected = [
            e
            for e in elbtrail.read(elb_trail)
            if e.recipient_account_id == "111122223333"
            and e.aws_region == "us-east-1"
            and since <= e.event_time <= until
        ]
        assert expected
        assert rows(elbtrail.to_arrow(expected)) == rows(frame)


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
            ({"sources": "s3://bucket/AWSLogs/"}, NotImplementedError, "local paths"),
            ({"sources": "nowhere"}, FileNotFoundError, "no such file"),
            ({"since": "last week"}, ValueError, "since: not a time"),
            ({"until": 5}, TypeError, "until: expected a datetime"),
            ({"accounts": "111122223333"}, TypeError, "a list of names"),
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
