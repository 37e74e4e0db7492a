"""Parquet datasets: layout, round trip, bounded buffers, DuckDB, ``export``."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest
from tests.conftest import upload_tree

import elbtrail
from elbtrail import _located, _parquet
from elbtrail._cli import main

# datetime.UTC is Python 3.11+.
UTC = timezone.utc  # noqa: UP017, RUF100
DOCS = Path(__file__).parent.parent / "docs" / "analysis.md"


def sql_blocks() -> list[str]:
    text = DOCS.read_text(encoding="utf-8")
    return re.findall(r"```sql\n(.*?)```", text, flags=re.DOTALL)


@pytest.fixture(scope="module")
def exported(elb_trail, tmp_path_factory):
    """The trail written once as a dataset, with what was read from it."""
    out = tmp_path_factory.mktemp("export") / "export"
    written = elbtrail.write_parquet(elb_trail, out)
    return out, written, elbtrail.read(elb_trail)


@pytest.fixture
def con(exported, monkeypatch):
    """DuckDB, in the directory that holds ``export/``, with the docs' view."""
    out, _, _ = exported
    monkeypatch.chdir(out.parent)
    connection = duckdb.connect()
    connection.execute(sql_blocks()[0])
    yield connection
    connection.close()


def event_date(event):
    return event.event_time.astimezone(UTC).date().isoformat()


class TestLayout:
    def test_partitions_are_the_events_account_region_and_date(self, exported):
        """Each row sits under its own event's account, region and UTC date."""
        out, written, result = exported
        table = ds.dataset(out / "events", partitioning="hive").to_table()
        rows = table.select(
            ["account", "region", "date", "recipient_account_id", "aws_region"]
        ).to_pylist()

        assert len(result.events) == written.events == table.num_rows
        assert Counter(
            (e.recipient_account_id, e.aws_region, event_date(e)) for e in result
        ) == Counter((str(r["account"]), r["region"], str(r["date"])) for r in rows)
        assert all(r["account"] == r["recipient_account_id"] for r in rows)

    def test_events_delivered_the_next_day_are_under_their_own_date(self, exported):
        """A call at 23:xx delivered after midnight is in the day it was made."""
        out, _, result = exported
        late = [
            e for e in result if e.event_time.hour == 23 and e.aws_region == "us-east-1"
        ]
        folder = out / "events/account=111122223333/region=us-east-1"

        assert late
        assert {event_date(e) for e in late} <= {
            p.name.removeprefix("date=") for p in folder.iterdir()
        }

    def test_the_round_trip_holds_through_parquet(self, exported):
        """Read back from Parquet, every event gives back its record."""
        out, _, result = exported
        table = pq.read_table(out / "events")

        back = elbtrail.from_arrow(table.sort_by([("source", "ascending")]))

        assert sorted(str(e.to_dict()) for e in result) == sorted(
            str(e.to_dict()) for e in back
        )

    def test_rows_say_where_they_came_from(self, exported, elb_trail):
        """source and record_index point at the record in its file."""
        out, _, _ = exported
        rows = pq.read_table(out / "events").to_pylist()

        for row in rows[:40]:
            records = elbtrail.read(row["source"], elb_only=False).events
            by_index = {
                i: e for i, e in enumerate(records) if e.event_id == row["event_id"]
            }
            assert row["record_index"] in by_index

    def test_issues_are_written_beside_the_events(self, exported):
        """Every issue of reading is a row of export/issues, damage included."""
        out, written, result = exported
        issues = pq.read_table(out / "issues").to_pylist()

        assert written.issues == len(result.issues) == len(issues)
        assert Counter(i.code for i in result.issues) == Counter(
            i["code"] for i in issues
        )
        assert "truncated-gzip" in {i["code"] for i in issues}

    def test_missing_partition_values_use_hives_null(self, tmp_path):
        """An event without a region or time lands in the Hive default partition."""
        event = elbtrail.parse_event({"eventName": "X", "recipientAccountId": "1"})

        elbtrail.write_parquet([event], tmp_path / "out")

        folder = "region=__HIVE_DEFAULT_PARTITION__/date=__HIVE_DEFAULT_PARTITION__"
        assert (tmp_path / "out/events/account=1" / folder).is_dir()
        row = duckdb.execute(
            "SELECT region, date FROM read_parquet(?, hive_partitioning = true)",
            [f"{tmp_path}/out/events/**/*.parquet"],
        ).fetchall()
        assert [(None, None)] == row

    def test_odd_partition_values_stay_inside_the_directory(self, tmp_path):
        """A region of '../..' or with '/' is escaped, not followed."""
        events = [
            elbtrail.parse_event({"awsRegion": r, "recipientAccountId": "1"})
            for r in ("../..", "a/b", "é")
        ]

        written = elbtrail.write_parquet(
            events, tmp_path / "out", partition_by=["region"]
        )

        assert 3 == len(written.files)
        for path in written.files:
            assert (tmp_path / "out/events") in path.parents
        back = ds.dataset(
            tmp_path / "out/events", partitioning=ds.HivePartitioning.discover()
        ).to_table()
        assert {"../..", "a/b", "é"} == set(back.column("aws_region").to_pylist())


class TestOptions:
    def test_a_non_empty_directory_is_refused(self, tmp_path):
        """Nothing is written over an existing dataset unless asked to append."""
        (tmp_path / "old.txt").write_text("x")

        with pytest.raises(FileExistsError, match="not empty"):
            elbtrail.write_parquet([], tmp_path)

    def test_append_adds_files(self, tmp_path, elb_trail):
        """Appending twice gives every row twice, in files of different names."""
        first = elbtrail.write_parquet(elb_trail, tmp_path, partition_by=())
        second = elbtrail.write_parquet(
            elb_trail, tmp_path, partition_by=(), append=True
        )

        assert pq.read_table(tmp_path / "events").num_rows == 2 * first.events
        assert not set(first.files) & set(second.files)

    def test_unknown_partition_keys_are_refused(self, tmp_path):
        """partition_by names only account, region and date."""
        with pytest.raises(ValueError, match="partition_by must name"):
            elbtrail.write_parquet([], tmp_path, partition_by=["acount"])

    def test_events_and_streams_are_accepted(self, tmp_path, elb_trail):
        """A LogResult or an EventStream is written with its issues."""
        stream = elbtrail.iter_events(elb_trail)

        written = elbtrail.write_parquet(stream, tmp_path / "out")

        assert len(stream.issues) == written.issues > 0
        assert pq.read_table(tmp_path / "out/events").column("source").null_count > 0

    def test_a_binary_stream_is_read(self, tmp_path):
        """A file object is read like a file."""
        data = (
            Path("tests/data/corpus") / "alb-guide-createloadbalancer.json"
        ).read_bytes()

        written = elbtrail.write_parquet(io.BytesIO(data), tmp_path / "out")

        assert 1 == written.events

    def test_buffers_and_open_files_stay_bounded(
        self, tmp_path, elb_trail, monkeypatch
    ):
        """Whatever the partitions, rows held and files open stay under their caps."""
        seen = {"buffered": 0, "open": 0}
        write = _parquet._PartitionedWriter.write

        def watched(self, batch):
            write(self, batch)
            seen["buffered"] = max(seen["buffered"], self.buffered)
            seen["open"] = max(seen["open"], len(self.writers))

        monkeypatch.setattr(_parquet._PartitionedWriter, "write", watched)
        monkeypatch.setattr(_parquet, "BATCH_ROWS", 7)

        written = elbtrail.write_parquet(
            elb_trail, tmp_path / "out", row_group_rows=5, max_open_files=2
        )

        assert seen["buffered"] <= 5 * 2
        assert seen["open"] <= 2
        assert written.events == pq.read_table(tmp_path / "out/events").num_rows


class TestDuplicates:
    def test_duplicates_are_found_as_read_finds_them(self, exported):
        """Within the window of event IDs, the same duplicates as read()."""
        out, _, result = exported
        issues = pq.read_table(out / "issues").to_pylist()

        # Compared by file and JSON path: read() numbers records across the
        # whole tree, the export within each file, as the source column says.
        assert [
            (i.source, i.path) for i in result.issues if i.code == "duplicate-record"
        ] == [
            (i["source"], i["path"]) for i in issues if i["code"] == "duplicate-record"
        ]

    def test_the_window_of_event_ids_is_bounded(self, elb_trail, monkeypatch):
        """However long the trail, only the last SEEN_EVENT_IDS IDs are kept."""
        sizes = []
        event = _located._Locating.event

        def watched(self, *args):
            found = event(self, *args)
            sizes.append(len(self._seen))
            return found

        monkeypatch.setattr(_located, "SEEN_EVENT_IDS", 10)
        monkeypatch.setattr(_located._Locating, "event", watched)

        count = sum(1 for _ in _located.iter_located(elb_trail))

        assert count == len(elbtrail.read(elb_trail)) > 10
        assert 10 == max(sizes)


class TestDuckDB:
    def test_the_docs_queries_are_the_ones_tested(self):
        """The analysis page has the view, three questions and the issues query."""
        assert 5 == len(sql_blocks())

    def test_who_deleted_load_balancers(self, con, exported):
        """The first question's answer matches the typed events'."""
        _, _, result = exported
        start = datetime(2026, 1, 1, tzinfo=UTC)
        end = datetime(2026, 4, 1, tzinfo=UTC)
        expected: dict[tuple[str, str], list[str]] = {}
        for e in result:
            if (
                e.event_name == "DeleteLoadBalancer"
                and e.error_code is None
                and start <= e.event_time < end
            ):
                lb = next(
                    t
                    for t in elbtrail.touched_resources(e)
                    if t.kind.value == "load-balancer"
                )
                key = (e.user_identity.principal, e.user_identity.arn)
                expected.setdefault(key, []).append(lb.arn or lb.name)

        rows = con.execute(sql_blocks()[1]).fetchall()

        assert len(expected) == len(rows) > 1
        assert {k: sorted(v) for k, v in expected.items()} == {
            (p, a): sorted(lbs) for p, a, _, lbs in rows
        }
        assert [len(v) for v in expected.values()] != []
        assert all(n == len(lbs) for _, _, n, lbs in rows)
        assert rows == sorted(rows, key=lambda r: (-r[2], r[0]))

    def test_listeners_opened_on_plain_http(self, con, exported):
        """The second question's answer matches the typed events'."""
        _, _, result = exported
        expected = []
        for e in result:
            if e.error_code is not None:
                continue
            params = e.request_parameters
            if e.event_name == "CreateListener":
                if (
                    str(getattr(params.protocol, "value", params.protocol)).upper()
                    == "HTTP"
                ):
                    expected.append(
                        (e.event_time, "v2", params.load_balancer_arn, params.port)
                    )
            elif e.event_name in ("CreateLoadBalancer", "CreateLoadBalancerListeners"):
                expected.extend(
                    (
                        e.event_time,
                        "classic",
                        params.load_balancer_name,
                        listener.load_balancer_port,
                    )
                    for listener in params.listeners or ()
                    if str(listener.protocol).upper() == "HTTP"
                )

        rows = con.execute(sql_blocks()[2]).fetchall()

        assert len(rows) > 2
        assert sorted(expected) == sorted(
            (t, api, lb, port) for t, _, api, lb, port in rows
        )

    def test_failed_target_registrations(self, con, exported):
        """The third question's answer matches the typed events'."""
        _, _, result = exported
        names = ("RegisterInstancesWithLoadBalancer", "RegisterTargets")
        calls = Counter(e.event_name for e in result if e.event_name in names)
        failed = Counter(
            e.event_name for e in result if e.event_name in names and e.error_code
        )

        rows = con.execute(sql_blocks()[3]).fetchall()

        assert [(n, calls[n], failed[n]) for n in names] == [r[:3] for r in rows]
        assert all(0 < f < c for _, c, f, *_ in rows)

    def test_issues_query(self, con, exported):
        """The issues query lists every issue of reading."""
        _, _, result = exported

        rows = con.execute(sql_blocks()[4]).fetchall()

        assert len(result.issues) == len(rows)


class TestExportCommand:
    def test_export_writes_a_dataset(self, tmp_path, elb_trail, capsys):
        """elbtrail export SOURCES --to DIR writes events and issues."""
        status = main(["export", str(elb_trail), "--to", str(tmp_path / "out")])

        out = capsys.readouterr().out
        assert 0 == status
        table = pq.read_table(tmp_path / "out/events")
        assert f"wrote {table.num_rows} events" in out
        assert "issue(s) while reading" in out

    def test_export_refuses_unknown_keys_and_missing_paths(self, tmp_path, capsys):
        """Mistakes in the call exit 2 with a message saying what was wrong."""
        missing = main(["export", str(tmp_path / "nope"), "--to", str(tmp_path / "o")])
        keys = main(
            ["export", "samples", "--to", str(tmp_path / "o"), "--partition-by", "day"]
        )

        err = capsys.readouterr().err
        assert (2, 2) == (missing, keys)
        assert "no such file" in err
        assert "unknown key(s) day" in err
        assert not (tmp_path / "o").exists()

    def test_export_reads_standard_input(self, tmp_path, monkeypatch, capsys):
        """'-' reads a log file from standard input."""
        data = (
            Path("tests/data/corpus") / "alb-guide-createloadbalancer.json"
        ).read_bytes()
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))

        status = main(
            ["export", "-", "--to", str(tmp_path / "o"), "--partition-by", ""]
        )

        assert 0 == status
        table = pq.read_table(tmp_path / "o/events")
        assert ["<stdin>"] == table.column("source").to_pylist()


class TestDocs:
    def test_the_schema_table_lists_every_column_in_order(self):
        """The analysis page's schema table is the schema, column for column."""
        text = DOCS.read_text(encoding="utf-8")
        table = text[text.index("| column | type |") :].split("\n\n")[0]
        documented = re.findall(r"^\| `(\w+)` \|", table, flags=re.MULTILINE)

        assert elbtrail.to_arrow([]).schema.names == documented

    def test_the_spark_function_reads_binary_file_batches(self, elb_trail):
        """The recipe's function turns binaryFile rows into elbtrail's batches."""
        text = DOCS.read_text(encoding="utf-8")
        code = next(
            block
            for block in re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)
            if "def parse(batches)" in block
        )
        namespace: dict[str, object] = {}
        exec(code, namespace)  # noqa: S102 - the documentation's own example
        files = sorted(elb_trail.rglob("*.json.gz"))[:3]
        batch = pa.record_batch(
            {
                "path": [str(f) for f in files],
                "modificationTime": pa.array([0] * 3, pa.timestamp("us")),
                "length": [f.stat().st_size for f in files],
                "content": pa.array([f.read_bytes() for f in files], pa.binary()),
            }
        )

        out = pa.Table.from_batches(list(namespace["parse"]([batch])))

        expected = elbtrail.to_arrow(
            [e for f in files for e in elbtrail.read(f).events]
        )
        assert expected.num_rows == out.num_rows > 0
        assert expected.schema == out.schema
        assert [str(f) for f in files] == sorted(set(out.column("source").to_pylist()))


BUCKET = "trail-bucket"


def dataset_rows(directory: Path, folder: str, root: str) -> list[str]:
    """A dataset's rows as sorted text, with *root* cut out of sources and messages."""
    table = ds.dataset(directory / folder, partitioning="hive").to_table()
    rows = []
    for row in table.to_pylist():
        for name in ("source", "message"):
            if isinstance(row.get(name), str):
                row[name] = row[name].replace(root, "")
        rows.append(repr(sorted(row.items())))
    return sorted(rows)


class TestFromS3:
    def test_export_of_a_bucket_equals_the_export_of_the_tree(
        self, aws, elb_trail, tmp_path, capsys
    ):
        """The same files in a bucket give the same events and issues, row for row."""
        upload_tree(elb_trail, BUCKET)

        local = main(["export", str(elb_trail), "--to", str(tmp_path / "local")])
        remote = main(["export", f"s3://{BUCKET}/", "--to", str(tmp_path / "s3")])

        capsys.readouterr()
        assert (0, 0) == (local, remote)
        for folder in ("events", "issues"):
            assert dataset_rows(
                tmp_path / "local", folder, str(elb_trail) + "/"
            ) == dataset_rows(tmp_path / "s3", folder, f"s3://{BUCKET}/")
        sources = pq.read_table(tmp_path / "s3/events").column("source").to_pylist()
        assert all(s.startswith(f"s3://{BUCKET}/AWSLogs/") for s in sources)

    def test_the_window_and_accounts_select_in_a_bucket_as_on_disk(
        self, aws, elb_trail, tmp_path, capsys
    ):
        """--since/--until/--account/--region keep exactly the events they say."""
        upload_tree(elb_trail, BUCKET)
        options = [
            "--since",
            "2026-03-31",
            "--until",
            "2026-03-31",
            "--account",
            "111122223333",
            "--region",
            "us-east-1",
        ]

        local = main(["export", str(elb_trail), "--to", str(tmp_path / "l"), *options])
        remote = main(
            ["export", f"s3://{BUCKET}/", "--to", str(tmp_path / "r"), *options]
        )

        capsys.readouterr()
        assert (0, 0) == (local, remote)
        expected = {
            e.event_id
            for e in elbtrail.read(elb_trail)
            if e.recipient_account_id == "111122223333"
            and e.aws_region == "us-east-1"
            and event_date(e) == "2026-03-31"
        }
        assert expected
        for out in ("l", "r"):
            ids = pq.read_table(tmp_path / out / "events").column("event_id")
            assert expected == set(ids.to_pylist())
        assert dataset_rows(tmp_path / "l", "events", str(elb_trail) + "/") == (
            dataset_rows(tmp_path / "r", "events", f"s3://{BUCKET}/")
        )

    def test_write_parquet_takes_a_bucket_and_the_selection(
        self, aws, elb_trail, tmp_path
    ):
        """The function takes the same URL and options as read()."""
        upload_tree(elb_trail, BUCKET)
        options = {"since": "2026-04-01T00:00:00Z", "regions": ["eu-west-1"]}

        out = tmp_path / "out"
        written = elbtrail.write_parquet(f"s3://{BUCKET}/AWSLogs", out, **options)

        expected = elbtrail.read(f"s3://{BUCKET}/AWSLogs", **options)
        assert len(expected) == written.events > 0
        ids = pq.read_table(out / "events").column("event_id").to_pylist()
        assert sorted(e.event_id for e in expected) == sorted(ids)

    def test_objects_are_fetched_a_few_at_a_time_ahead_of_the_writing(
        self, aws, elb_trail, tmp_path
    ):
        """The located stream behind export never fetches the whole listing."""
        import boto3  # noqa: PLC0415 - the S3 tests only

        upload_tree(elb_trail, BUCKET)
        client = boto3.client("s3")
        fetched: list[str] = []
        client.meta.events.register(
            "before-parameter-build.s3.GetObject",
            lambda params, **_: fetched.append(params["Key"]),
        )
        stream = _located.iter_located(
            f"s3://{BUCKET}/", s3_client=client, max_workers=2
        )

        next(stream)
        ahead = len(fetched)
        rest = list(stream)

        assert 1 <= ahead <= 2 * 2
        assert len(elbtrail.read(elb_trail)) == 1 + len(rest)
        assert 25 == len(fetched)  # every log file once, no digest

    def test_a_url_without_a_bucket_is_refused_before_writing(self, tmp_path, capsys):
        """s3:// alone exits 2 and creates nothing."""
        status = main(["export", "s3://", "--to", str(tmp_path / "o")])

        assert 2 == status
        assert "no bucket" in capsys.readouterr().err
        assert not (tmp_path / "o").exists()

    def test_a_missing_bucket_is_a_usage_error(self, aws, tmp_path, capsys):
        """A bucket that does not exist exits 2, naming it."""
        status = main(["export", "s3://no-such-bucket/", "--to", str(tmp_path / "o")])

        assert 2 == status
        assert "no-such-bucket" in capsys.readouterr().err


class TestSelection:
    def test_events_already_read_are_selected_too(self, elb_trail, tmp_path):
        """The options select among given events as they do among files."""
        result = elbtrail.read(elb_trail)

        written = elbtrail.write_parquet(
            result, tmp_path, accounts="444455556666", until="2026-03-31T23:59:59Z"
        )

        expected = [
            e
            for e in result
            if e.recipient_account_id == "444455556666"
            and event_date(e) <= "2026-03-31"
        ]
        assert 0 < len(expected) == written.events < len(result)
        table = pq.read_table(tmp_path / "events")
        assert {"444455556666"} == set(table.column("account").to_pylist())


class TestLongPartitionValues:
    def test_a_region_longer_than_a_file_name_is_written_under_a_short_folder(
        self, tmp_path
    ):
        """A damaged awsRegion cannot abort the export with 'File name too long'."""
        regions = ["é" * 45, "é" * 45 + "x", "eu-west-1"]
        records = [
            {
                "eventVersion": "1.11",
                "eventSource": "elasticloadbalancing.amazonaws.com",
                "eventName": "DeleteLoadBalancer",
                "apiVersion": "2012-06-01",
                "eventTime": "2026-03-14T10:00:00Z",
                "eventID": f"id-{index}",
                "awsRegion": region,
                "recipientAccountId": "111122223333",
            }
            for index, region in enumerate(regions)
        ]
        log = tmp_path / "log.json"
        log.write_text(json.dumps({"Records": records}))

        elbtrail.write_parquet(log, tmp_path / "out")

        folders = sorted(
            p.name for p in (tmp_path / "out" / "events").glob("account=*/region=*")
        )
        assert 3 == len(folders)  # distinct values, distinct folders
        assert all(len(name.encode()) <= 255 for name in folders)
        table = ds.dataset(tmp_path / "out" / "events", format="parquet").to_table()
        assert sorted(regions) == sorted(table.column("aws_region").to_pylist())
