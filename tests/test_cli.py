"""The elbtrail command, run as a subprocess as a user would."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import CORPUS

from elbtrail._cli import _Progress

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
MISSING_COMMA = CORPUS / "classic-guide-deleteloadbalancer-missing-comma.json"
CLEAN = CORPUS / "classic-guide-createloadbalancer.json"


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "elbtrail", *args],
        input=stdin,
        capture_output=True,
        check=False,
        cwd=ROOT,
    )
    return subprocess.CompletedProcess(
        result.args,
        result.returncode,
        result.stdout.decode("utf-8"),
        result.stderr.decode("utf-8"),
    )


class TestSummary:
    def test_summary_of_the_samples(self):
        """The README's first command: a summary of the bundled samples."""
        result = run("summary", "samples/")

        assert 0 == result.returncode, result.stderr
        out = result.stdout
        assert out.startswith("31 events in samples/")
        assert "Time span: 2016-04-01T15:31:48Z .. 2026-03-15T16:21:30Z" in out
        assert "CreateTargetGroup [v2]" in out
        assert "deployer/deploy-4711 (AssumedRole)" in out
        assert "OperationNotPermittedException" in out
        assert "no ',' after the value of 'eventID'" in out
        assert "the gzip data is cut off" in out
        assert "" == result.stderr

    def test_summary_all_services(self):
        """--all counts the records of every service."""
        result = run("summary", "--all", "samples/AWSLogs")

        assert result.stdout.startswith("30 events (all services)")


class TestEvents:
    def test_table(self):
        """The default table has a header and one row per event."""
        result = run("events", str(CLEAN))

        lines = result.stdout.splitlines()
        assert 0 == result.returncode
        assert lines[0].split() == [
            "TIME",
            "ACTION",
            "PRINCIPAL",
            "REGION",
            "SOURCE_IP",
            "ERROR",
        ]
        assert "CreateLoadBalancer [Classic]" in lines[1]
        assert 2 == len(lines)

    def test_jsonl_prints_the_original_records(self):
        """--format jsonl prints each record exactly as read."""
        result = run("events", "--format", "jsonl", str(CLEAN))

        (line,) = result.stdout.splitlines()
        assert json.loads(CLEAN.read_text(encoding="utf-8")) == json.loads(line)

    def test_json(self):
        """--format json prints one JSON array."""
        result = run("events", "--format", "json", "samples/eventbridge")

        events = json.loads(result.stdout)
        assert ["CreateLoadBalancer", "CreateListener"] == [
            e["eventName"] for e in events
        ]

    def test_csv(self):
        """--format csv has a header row and quotes what needs quoting."""
        result = run("events", "--format", "csv", "samples/AWSLogs")

        rows = list(csv.reader(io.StringIO(result.stdout)))
        assert ["time", "action", "principal", "region", "source_ip", "error"] == rows[
            0
        ]
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
        result = run("events", "--format", "jsonl", *args, "samples/AWSLogs")

        assert 0 == result.returncode, result.stderr
        assert expected == len(result.stdout.splitlines())

    def test_lone_surrogate_survives_jsonl(self):
        """A record with an escaped lone surrogate is printed as valid JSON."""
        data = (
            b'{"eventSource": "elasticloadbalancing.amazonaws.com", '
            b'"eventName": "\\ud800", "apiVersion": "2015-12-01"}'
        )

        result = run("events", "--format", "jsonl", "-", stdin=data)

        assert 0 == result.returncode, result.stderr
        assert "\ud800" == json.loads(result.stdout)["eventName"]

    def test_bad_time_is_a_usage_error(self):
        """An unreadable --since is exit status 2 with a one-line message."""
        result = run("events", "--since", "last tuesday", str(CLEAN))

        assert 2 == result.returncode
        assert "elbtrail: error: --since: not a time: 'last tuesday'" in result.stderr
        assert "Traceback" not in result.stderr

    def test_issues_are_mentioned_on_stderr(self):
        """events says on stderr that the input had issues."""
        result = run("events", str(MISSING_COMMA))

        assert 0 == result.returncode
        assert "1 issue(s) while reading" in result.stderr


class TestCheck:
    def test_clean_file_exits_zero(self):
        """A clean file: 'no issues', status 0."""
        result = run("check", str(CLEAN))

        assert (0, "no issues\n") == (result.returncode, result.stdout)

    def test_damaged_file_exits_one(self):
        """Each issue is printed as file:line:col: severity: message; status 1."""
        result = run("check", str(MISSING_COMMA))

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

        result = run("check", "-", stdin=data)

        assert 1 == result.returncode
        assert (
            "<stdin>: error: expected an integer, got string 'eighty' "
            "[Records[0].requestParameters.listeners[0].instancePort]"
        ) in result.stdout

    def test_notices_alone_exit_zero(self):
        """Notices (a digest file) are printed but are not damage."""
        result = run("check", str(CORPUS / "cloudtrail-guide-digest-file.json"))

        assert 0 == result.returncode
        assert "notice: a CloudTrail digest file" in result.stdout

    def test_stdin(self):
        """- reads standard input, gzipped or not."""
        result = run("check", "-q", "-", stdin=CLEAN.read_bytes())

        assert (0, "") == (result.returncode, result.stdout)

    def test_missing_path(self):
        """A path that does not exist: one line on stderr, status 2."""
        result = run("check", "no/such/file.json")

        assert 2 == result.returncode
        assert (
            "elbtrail: error: cannot open 'no/such/file.json': "
            "no such file or directory\n"
        ) == result.stderr

    def test_usage_error(self):
        """An unknown command is a usage error."""
        result = run("frobnicate")

        assert 2 == result.returncode
        assert "usage: elbtrail" in result.stderr

    def test_binary_garbage_is_not_a_crash(self):
        """Binary input is reported, not a traceback."""
        result = run("check", "-", stdin=bytes(range(256)) * 4)

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
