"""The elbtrail command, run as a subprocess as a user would."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from tests.conftest import CORPUS, run_cli

from elbtrail._cli import _Progress, _table, main

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
MISSING_COMMA = CORPUS / "classic-guide-deleteloadbalancer-missing-comma.json"
CLEAN = CORPUS / "classic-guide-createloadbalancer.json"


class TestSummary:
    def test_summary_of_the_samples(self):
        """The README's first command: a summary of the bundled samples."""
        result = run_cli("summary", "samples/")

        assert 0 == result.returncode, result.stderr
        out = result.stdout
        assert out.startswith("29 events in samples/\n")
        assert "Duplicates: 2 record(s) delivered more than once (counted once)" in out
        assert "Time span: 2016-04-01T15:31:48Z .. 2026-03-15T16:21:30Z" in out
        assert "CreateTargetGroup [v2]" in out
        assert "deployer/deploy-4711 (AssumedRole)" in out
        assert "OperationNotPermittedException" in out
        assert "no ',' after the value of 'eventID'" in out
        assert "the gzip data is cut off" in out
        assert "" == result.stderr

    def test_summary_all_services(self):
        """--all counts the records of every service."""
        result = run_cli("summary", "--all", "samples/AWSLogs")

        assert result.stdout.startswith("28 events (all services)")


class TestEvents:
    def test_table(self):
        """The default table has a header and one row per event."""
        result = run_cli("events", str(CLEAN))

        lines = result.stdout.splitlines()
        assert 0 == result.returncode
        assert lines[0].split() == [
            "TIME",
            "ACTION",
            "RESOURCE",
            "PRINCIPAL",
            "REGION",
            "SOURCE_IP",
            "ERROR",
        ]
        assert "CreateLoadBalancer [Classic]" in lines[1]
        assert 2 == len(lines)

    def test_jsonl_prints_the_original_records(self):
        """--format jsonl prints each record exactly as read."""
        result = run_cli("events", "--format", "jsonl", str(CLEAN))

        (line,) = result.stdout.splitlines()
        assert json.loads(CLEAN.read_text(encoding="utf-8")) == json.loads(line)

    def test_json(self):
        """--format json prints one JSON array."""
        result = run_cli("events", "--format", "json", "samples/eventbridge")

        events = json.loads(result.stdout)
        assert ["CreateLoadBalancer", "CreateListener"] == [
            e["eventName"] for e in events
        ]

    def test_csv(self):
        """--format csv has a header row and quotes what needs quoting."""
        result = run_cli("events", "--format", "csv", "samples/AWSLogs")

        rows = list(csv.reader(io.StringIO(result.stdout)))
        assert [
            "time",
            "action",
            "resource",
            "principal",
            "region",
            "source_ip",
            "error",
        ] == rows[0]
        assert 27 == len(rows) - 1

    @pytest.mark.parametrize(
        ("args", "expected"),
        [
            (["--action", "DeleteLoadBalancer"], 2),
            (["--action", "deleteloadbalancer", "--errors"], 1),
            (["--principal", "alice"], 6),
            (["--since", "2026-03-14T10:30:00Z"], 23),
            (["--until", "2026-03-14T10:21:10Z", "--since", "2026-03-14"], 2),
        ],
    )
    def test_filters(self, args, expected):
        """Filters by action, errors, principal and time combine."""
        result = run_cli("events", "--format", "jsonl", *args, "samples/AWSLogs")

        assert 0 == result.returncode, result.stderr
        assert expected == len(result.stdout.splitlines())

    def test_lone_surrogate_survives_jsonl(self):
        """A record with an escaped lone surrogate is printed as valid JSON."""
        data = (
            b'{"eventSource": "elasticloadbalancing.amazonaws.com", '
            b'"eventName": "\\ud800", "apiVersion": "2015-12-01"}'
        )

        result = run_cli("events", "--format", "jsonl", "-", stdin=data)

        assert 0 == result.returncode, result.stderr
        assert "\ud800" == json.loads(result.stdout)["eventName"]

    def test_bad_time_is_a_usage_error(self):
        """An unreadable --since is exit status 2 with a one-line message."""
        result = run_cli("events", "--since", "last tuesday", str(CLEAN))

        assert 2 == result.returncode
        assert "elbtrail: error: --since: not a time: 'last tuesday'" in result.stderr
        assert "Traceback" not in result.stderr

    def test_issues_are_mentioned_on_stderr(self):
        """events says on stderr that the input had issues."""
        result = run_cli("events", str(MISSING_COMMA))

        assert 0 == result.returncode
        assert "1 issue(s) while reading" in result.stderr


class TestCheck:
    def test_clean_file_exits_zero(self):
        """A clean file: 'no issues', status 0."""
        result = run_cli("check", str(CLEAN))

        assert (0, "no issues\n") == (result.returncode, result.stdout)

    def test_damaged_file_exits_one(self):
        """Each issue is printed as file:line:col: severity: message; status 1."""
        result = run_cli("check", str(MISSING_COMMA))

        assert 1 == result.returncode
        assert (
            f"{MISSING_COMMA}:22:54: warning: no ',' after the value of 'eventID' "
            "[record 0] (inserted ',')\n"
        ) == result.stdout

    def test_issue_with_path(self):
        """Issues inside a record show their JSON path."""
        record = json.loads(CLEAN.read_text(encoding="utf-8"))
        record["requestParameters"]["listeners"][0]["instancePort"] = "eighty"
        data = json.dumps({"Records": [record]}).encode()

        result = run_cli("check", "-", stdin=data)

        assert 1 == result.returncode
        assert (
            "<stdin>: error: expected an integer, got string 'eighty' "
            "[Records[0].requestParameters.listeners[0].instancePort]"
        ) in result.stdout

    def test_notices_alone_exit_zero(self):
        """Notices (a digest file) are printed but are not damage."""
        result = run_cli("check", str(CORPUS / "cloudtrail-guide-digest-file.json"))

        assert 0 == result.returncode
        assert "notice: a CloudTrail digest file" in result.stdout

    def test_stdin(self):
        """- reads standard input, gzipped or not."""
        result = run_cli("check", "-q", "-", stdin=CLEAN.read_bytes())

        assert (0, "") == (result.returncode, result.stdout)

    def test_missing_path(self):
        """A path that does not exist: one line on stderr, status 2."""
        result = run_cli("check", "no/such/file.json")

        assert 2 == result.returncode
        assert (
            "elbtrail: error: cannot open 'no/such/file.json': "
            "no such file or directory\n"
        ) == result.stderr

    def test_usage_error(self):
        """An unknown command is a usage error."""
        result = run_cli("frobnicate")

        assert 2 == result.returncode
        assert "usage: elbtrail" in result.stderr

    def test_binary_garbage_is_not_a_crash(self):
        """Binary input is reported, not a traceback."""
        result = run_cli("check", "-", stdin=bytes(range(256)) * 4)

        assert 1 == result.returncode
        assert "Traceback" not in result.stderr


class TestProgress:
    def test_progress_is_shown_only_on_a_terminal(self):
        """The progress line goes to a terminal's stderr and is cleared at the end."""

        class Terminal(io.StringIO):
            def isatty(self) -> bool:
                return True

        terminal, pipe = Terminal(), io.StringIO()
        for stream in (terminal, pipe):
            progress = _Progress(stream)
            progress.update("big.json.gz", 1200)
            progress.done()

        assert "reading big.json.gz: 1200 records" in terminal.getvalue()
        assert terminal.getvalue().endswith("\r")
        assert "" == pipe.getvalue()


def jsonl(*args: str) -> list[dict[str, object]]:
    result = run_cli("events", "--format", "jsonl", *args)
    assert 0 == result.returncode, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


class TestFilters:
    def test_a_mistyped_action_suggests_the_closest_names(self):
        """--action DeleteLoadBalancr is a usage error that names the likely action."""
        result = run_cli("events", "--action", "DeleteLoadBalancr", "samples/")

        assert 2 == result.returncode
        assert (
            "elbtrail: error: --action: no ELB action is called 'DeleteLoadBalancr'; "
            "did you mean DeleteLoadBalancer, DeleteLoadBalancerPolicy or "
            "CreateLoadBalancer?\n"
        ) == result.stderr
        assert "" == result.stdout

    def test_an_action_like_no_other_is_still_an_error(self):
        """A name close to no action says what names look like."""
        result = run_cli("events", "--action", "xyzzy", "samples/")

        assert 2 == result.returncode
        assert "names are as in eventName, such as CreateLoadBalancer" in (
            result.stderr
        )

    def test_other_services_actions_are_allowed_with_all(self):
        """With --all, an action of another service is a filter, not an error."""
        record = json.loads(
            (CORPUS / "cloudtrail-guide-error-updatetrail-records.json").read_text(
                encoding="utf-8"
            )
        )
        data = json.dumps(record).encode()

        result = run_cli(
            "events",
            "--all",
            "--action",
            "updatetrail",
            "--format",
            "jsonl",
            "-",
            stdin=data,
        )

        assert 0 == result.returncode, result.stderr
        assert ["UpdateTrail"] == [
            json.loads(line)["eventName"] for line in result.stdout.splitlines()
        ]

    def test_every_text_filter_ignores_case(self):
        """--principal, --resource and --action match whatever the case."""
        lower = jsonl(
            "--principal", "alice", "--action", "deleteloadbalancer", "samples/"
        )
        upper = jsonl(
            "--principal", "ALICE", "--action", "DELETELOADBALANCER", "samples/"
        )

        assert 3 == len(lower)
        assert lower == upper
        assert 11 == len(jsonl("--resource", "SHOP-WEB", "samples/AWSLogs"))

    def test_resource_matches_names_and_arns_of_what_was_touched(self):
        """--resource finds calls by a part of a touched resource's name or ARN."""
        by_arn = jsonl("--resource", "targetgroup/shop-web/", "samples/AWSLogs")

        assert {
            "CreateTargetGroup",
            "CreateListener",
            "DeleteTargetGroup",
            "DeregisterTargets",
            "ModifyTargetGroup",
            "RegisterTargets",
            "ModifyTargetGroupAttributes",
        } == {e["eventName"] for e in by_arn}

    @pytest.mark.parametrize("option", ["--action", "--principal", "--resource"])
    def test_an_empty_text_filter_is_a_usage_error(self, option):
        """An empty --action, --principal or --resource is refused, not ignored."""
        result = run_cli("events", option, " ", str(CLEAN))

        assert 2 == result.returncode
        assert f"elbtrail: error: {option}: empty" in result.stderr

    def test_an_empty_window_is_a_usage_error(self):
        """--since after --until can match nothing, and says so."""
        result = run_cli(
            "events", "--since", "2026-03-15", "--until", "2026-03-01", "samples/"
        )

        assert 2 == result.returncode
        assert (
            "elbtrail: error: --since 2026-03-15 is after --until 2026-03-01: "
            "no event can match\n"
        ) == result.stderr

    def test_a_date_alone_is_the_whole_day_for_until(self):
        """--since D --until D is the whole day D."""
        day = jsonl("--since", "2026-03-14", "--until", "2026-03-14", "samples/AWSLogs")

        assert 9 == len(day)
        assert all(e["eventTime"].startswith("2026-03-14T") for e in day)

    def test_times_without_a_zone_are_utc(self):
        """A time without a zone is UTC; one with an offset is converted."""
        naive = jsonl("--since", "2026-03-14T10:30:00", "samples/AWSLogs")
        utc = jsonl("--since", "2026-03-14T10:30:00Z", "samples/AWSLogs")
        two_hours_east = jsonl(
            "--since", "2026-03-14T12:30:00+02:00", "samples/AWSLogs"
        )

        assert 23 == len(naive)
        assert naive == utc == two_hours_east

    def test_no_match_is_said_on_stderr(self):
        """Filters that match nothing say so on stderr, not on stdout."""
        result = run_cli("events", "--principal", "nobody", str(CLEAN))

        assert 0 == result.returncode
        assert "elbtrail: no event matched the filters\n" == result.stderr
        assert 1 == len(result.stdout.splitlines())  # the header


class TestOrderAndColumns:
    def test_tables_are_sorted_by_time_by_default(self):
        """The default table is oldest first, whatever the order of the files."""
        result = run_cli("events", "samples/")

        times = [line.split()[0] for line in result.stdout.splitlines()[1:]]
        assert 31 == len(times)
        assert sorted(times) == times
        assert times[0].startswith("2016-")

    def test_unsorted_tables_keep_the_reading_order(self):
        """--sort none prints the rows as read: the tree's 2026 files come first."""
        result = run_cli("events", "--sort", "none", "samples/")

        times = [line.split()[0] for line in result.stdout.splitlines()[1:]]
        assert 31 == len(times)
        assert times[0].startswith("2026-")
        assert sorted(times) != times

    def test_other_formats_sort_when_asked(self):
        """--sort time orders JSON lines too; they are in reading order otherwise."""
        as_read = [e["eventTime"] for e in jsonl("samples/")]
        by_time = [e["eventTime"] for e in jsonl("--sort", "time", "samples/")]

        assert sorted(as_read) == by_time
        assert as_read != by_time

    def test_the_resource_column_names_what_was_touched(self):
        """RESOURCE shows the balancer and listener a Classic create touched."""
        result = run_cli("events", str(CLEAN))

        header, row = result.stdout.splitlines()
        start = header.index("RESOURCE")
        assert row[start:].startswith("my-load-balancer, my-load-balancer:80  ")

    def test_long_resource_lists_are_cut_in_tables_and_whole_in_csv(self):
        """A table shows two resources and how many more; CSV gives every ARN."""
        table = run_cli("events", "--action", "CreateListener", "samples/AWSLogs")
        rows = list(
            csv.DictReader(
                io.StringIO(
                    run_cli(
                        "events",
                        "--action",
                        "CreateListener",
                        "--format",
                        "csv",
                        "samples/AWSLogs",
                    ).stdout
                )
            )
        )

        assert ", +2 " in table.stdout
        assert 4 == len(rows[0]["resource"].split(" "))
        assert all(part.startswith("arn:") for part in rows[0]["resource"].split(" "))


class TestEverydayCommandLine:
    def test_version(self):
        """--version prints the installed version and exits 0."""
        from importlib.metadata import version  # noqa: PLC0415

        result = run_cli("--version")

        assert (0, f"elbtrail {version('elbtrail')}\n") == (
            result.returncode,
            result.stdout,
        )

    def test_version_of_a_source_tree_that_was_not_installed(self, monkeypatch, capsys):
        """Without package metadata, --version says so instead of failing."""
        from importlib import metadata  # noqa: PLC0415

        from elbtrail._cli import main  # noqa: PLC0415

        def missing(name: str) -> str:
            raise metadata.PackageNotFoundError(name)

        monkeypatch.setattr(metadata, "version", missing)

        with pytest.raises(SystemExit) as stop:
            main(["--version"])

        assert 0 == stop.value.code
        assert "elbtrail (unknown: not installed)\n" == capsys.readouterr().out

    def test_summary_counts_a_redelivered_record_once(self):
        """summary drops duplicates by default and says so; --no-dedupe keeps them."""
        kept = run_cli("summary", "--no-dedupe", "samples/")

        assert kept.stdout.startswith("31 events in samples/\n")
        assert (
            "Duplicates: 2 record(s) delivered more than once "
            "(each counted; --dedupe counts once)"
        ) in kept.stdout

    def test_messages_name_the_options(self):
        """A notice about a duplicate names --dedupe, not a keyword argument."""
        result = run_cli("check", "samples/")

        assert "--dedupe drops it" in result.stdout
        assert "dedupe=True" not in result.stdout

    def test_text_files_beside_logs_are_skipped_with_a_notice(self, tmp_path):
        """README, Markdown and text files in a folder are notices, not damage."""
        for name in ("README", "PROVENANCE.md", "notes.txt", "LICENSE"):
            (tmp_path / name).write_text("Where these logs came from.\n")
        (tmp_path / "log.json").write_bytes(CLEAN.read_bytes())

        check = run_cli("check", str(tmp_path))
        events = jsonl(str(tmp_path))

        assert 0 == check.returncode, check.stdout
        assert 4 == check.stdout.count(
            "notice: a text or documentation file, not a log file"
        )
        assert 1 == len(events)

    def test_a_text_file_named_on_its_own_is_read(self, tmp_path):
        """Naming a .txt file reads it: only walks skip such names."""
        path = tmp_path / "saved.txt"
        path.write_bytes(CLEAN.read_bytes())

        assert 1 == len(jsonl(str(path)))


class TestTableLayout:
    def test_events_without_a_time_sort_last(self):
        """--sort time puts events without eventTime after the others, in order."""
        base = json.loads(CLEAN.read_text(encoding="utf-8"))
        records = [
            dict(base, eventID="late", eventTime="2026-01-02T00:00:00Z"),
            {k: v for k, v in base.items() if k != "eventTime"} | {"eventID": "x"},
            dict(base, eventID="early", eventTime="2016-01-02T00:00:00Z"),
            {k: v for k, v in base.items() if k != "eventTime"} | {"eventID": "y"},
        ]
        data = "\n".join(json.dumps(r) for r in records).encode()

        result = run_cli(
            "events", "--sort", "time", "--format", "jsonl", "-", stdin=data
        )

        assert ["early", "late", "x", "y"] == [
            json.loads(line)["eventID"] for line in result.stdout.splitlines()
        ]

    def test_a_streamed_table_is_sized_on_its_first_rows(self):
        """Columns fit the first 50 rows; a longer cell later shifts only its row."""
        rows = [["t", "a", "r", "p", "g", "s", "e"] for _ in range(60)]
        rows[55][2] = "a-much-longer-resource"
        out = io.StringIO()

        _table(iter(rows), out)

        lines = out.getvalue().splitlines()
        assert 61 == len(lines)
        assert lines[0].startswith("TIME  ACTION  RESOURCE  PRINCIPAL")
        assert lines[1].startswith("t     a       r         p")
        assert "a-much-longer-resource  p" in lines[56]


class TestSortedTables:
    def test_a_sorted_table_fits_every_row_without_holding_them(
        self, tmp_path, monkeypatch, capsys
    ):
        """A long cell anywhere widens its column; rows are sorted through runs."""
        from elbtrail import _sorting  # noqa: PLC0415 - the run size is private

        monkeypatch.setattr(_sorting, "RUN_SIZE", 3)
        records = [
            {
                "eventVersion": "1.11",
                "eventSource": "elasticloadbalancing.amazonaws.com",
                "eventName": "DeleteLoadBalancer",
                "apiVersion": "2012-06-01",
                "eventTime": f"2026-03-14T10:{59 - minute:02d}:00Z",
                "eventID": f"id-{minute}",
                "requestParameters": {
                    "loadBalancerName": "lb" if minute != 7 else "a-much-longer-name"
                },
            }
            for minute in range(10)
        ]
        (tmp_path / "log.json").write_text(json.dumps({"Records": records}))

        assert 0 == main(["events", str(tmp_path)])
        lines = capsys.readouterr().out.splitlines()

        times = [line.split()[0] for line in lines[1:]]
        assert sorted(times) == times
        assert 10 == len(times)
        column = lines[0].index("PRINCIPAL")
        assert all(line[column - 2 : column] == "  " for line in lines[1:])


def test_a_window_to_the_end_of_time_reads_everything():
    """--until 9999-12-31 (a whole day at the end of the range) is no crash."""
    result = run_cli("events", "--format", "jsonl", "--until", "9999-12-31", "samples/")

    assert 0 == result.returncode, result.stderr
    assert "Traceback" not in result.stderr
    assert 31 == len(result.stdout.splitlines())
