"""The command line on a big input: output that streams, pipes that close, Ctrl-C."""

from __future__ import annotations

import gzip
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from tests.conftest import CORPUS

ROOT = Path(__file__).resolve().parent.parent
RECORDS = 100_000
PER_FILE = 1_000
COMMAND = [sys.executable, "-m", "elbtrail"]

pytestmark = pytest.mark.skipif(
    sys.platform == "win32", reason="signals and ptys as on POSIX systems"
)


def _records(start: int, count: int) -> list[str]:
    record = json.loads(
        (CORPUS / "alb-guide-deleteloadbalancer.json").read_text(encoding="utf-8")
    )
    record["eventID"] = "@ID@"
    record["eventTime"] = "2026-03-14T@TIME@Z"
    template = json.dumps(record)
    return [
        template.replace("@ID@", f"{n:012d}").replace(
            "@TIME@", f"{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}"
        )
        for n in range(start, start + count)
    ]


@pytest.fixture(scope="module")
def big_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A trail's folder of 100 gzipped log files, 100,000 ELB records in all."""
    root = tmp_path_factory.mktemp("big")
    folder = root / "AWSLogs/111122223333/CloudTrail/eu-west-1/2026/03/14"
    folder.mkdir(parents=True)
    for index in range(RECORDS // PER_FILE):
        body = ",".join(_records(index * PER_FILE, PER_FILE))
        name = f"111122223333_CloudTrail_eu-west-1_20260314T{index:04d}Z_big.json.gz"
        (folder / name).write_bytes(
            gzip.compress(('{"Records":[' + body + "]}").encode(), compresslevel=1)
        )
    return root


# Runs the command with an audit hook that counts the log files the process
# opens, and writes the count out when it exits.
_COUNTING = """
import atexit, os, runpy, sys

opened = set()


def hook(event, args):
    if event == "open" and isinstance(args[0], (str, os.PathLike)):
        path = os.fspath(args[0])
        if isinstance(path, str) and path.endswith(".json.gz"):
            opened.add(path)


def report():
    with open(os.environ["OPENED_LOG"], "w") as out:
        out.write(str(len(opened)))


sys.addaudithook(hook)
atexit.register(report)
runpy.run_module("elbtrail", run_name="__main__", alter_sys=True)
"""


def _first_lines_then_close(
    args: list[str], lines: int, count: Path
) -> tuple[list[bytes], int, int, bytes]:
    """
    Run elbtrail like ``elbtrail ARGS | head -LINES``.

    Returns the lines read, the exit status, how many log files the process
    opened, and its stderr.
    """
    process = subprocess.Popen(
        [sys.executable, "-c", _COUNTING, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=dict(os.environ, OPENED_LOG=str(count)),
    )
    assert process.stdout is not None
    assert process.stderr is not None
    got = [process.stdout.readline() for _ in range(lines)]
    process.stdout.close()
    process.wait(timeout=120)
    stderr = process.stderr.read()
    process.stderr.close()
    return got, process.returncode, int(count.read_text(encoding="utf-8")), stderr


class TestHead:
    @pytest.mark.parametrize(
        "args",
        [["--sort", "none"], ["--format", "jsonl"], ["--format", "csv"]],
        ids=["table", "jsonl", "csv"],
    )
    def test_head_stops_the_work(self, big_tree, tmp_path, args):
        """`events TREE | head -3` prints at once and stops when the pipe closes."""
        lines, status, opened, stderr = _first_lines_then_close(
            ["events", *args, str(big_tree)], 3, tmp_path / "opened.txt"
        )

        assert 0 == status, stderr
        assert all(line.endswith(b"\n") for line in lines)
        assert b"" == stderr  # no BrokenPipeError, no traceback
        # The first of the 100 files holds the lines; at most one more is
        # opened before the closed pipe is noticed.
        assert 1 <= opened <= 2

    def test_sorted_tables_read_everything(self, big_tree, tmp_path):
        """The default sorted table reads the whole tree before its first line."""
        small = tmp_path / "small"
        folder = next(big_tree.rglob("*.json.gz")).parent
        (small / "logs").mkdir(parents=True)
        for path in sorted(folder.iterdir())[:5]:
            (small / "logs" / path.name).write_bytes(path.read_bytes())

        _, status, opened, _ = _first_lines_then_close(
            ["events", str(small)], 3, tmp_path / "opened.txt"
        )

        assert (0, 5) == (status, opened)

    def test_a_closed_pipe_leaves_most_of_stdin_unread(self, big_tree):
        """Reading standard input, the command takes only a bounded part of it."""
        data = ("\n".join(_records(0, RECORDS)) + "\n").encode()
        process = subprocess.Popen(
            [*COMMAND, "events", "--format", "jsonl", "-"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
            bufsize=0,  # count what the pipe took, not what a buffer holds
        )
        assert process.stdin is not None
        assert process.stdout is not None
        assert process.stderr is not None
        written = 0

        def feed() -> None:
            nonlocal written
            assert process.stdin is not None
            try:
                view = memoryview(data)
                while written < len(data):
                    written += process.stdin.write(view[written : written + (1 << 16)])
            except BrokenPipeError:
                pass
            finally:
                process.stdin.close()

        feeder = threading.Thread(target=feed)
        feeder.start()
        first = process.stdout.readline()
        process.stdout.close()
        process.wait(timeout=120)
        feeder.join(timeout=120)
        stderr = process.stderr.read()
        process.stderr.close()

        assert "000000000000" == json.loads(first)["eventID"]
        assert (0, b"") == (process.returncode, stderr)
        # At most the first 4 MiB (read whole) and a chunk beyond, of ~100 MB.
        assert written < len(data) // 10


class TestInterrupt:
    def test_ctrl_c_while_streaming_exits_130_quietly(self, big_tree):
        """SIGINT during `events --format jsonl` exits 130 with no traceback."""
        process = subprocess.Popen(
            [*COMMAND, "events", "--format", "jsonl", str(big_tree)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
        )
        assert process.stdout is not None
        process.stdout.readline()  # it is running and reading
        process.send_signal(signal.SIGINT)
        _, stderr = process.communicate(timeout=120)

        assert 130 == process.returncode
        assert b"" == stderr

    def test_ctrl_c_while_sorting_exits_130_quietly(self, big_tree):
        """SIGINT while a sorted table is still reading exits 130, line cleared."""
        import pty  # noqa: PLC0415 - POSIX only

        controller, terminal = pty.openpty()
        process = subprocess.Popen(
            [*COMMAND, "events", str(big_tree)],
            stdout=subprocess.DEVNULL,
            stderr=terminal,
            cwd=ROOT,
        )
        os.close(terminal)
        seen = b""
        deadline = time.monotonic() + 120
        # The progress line on the terminal shows the read is under way.
        while b"records" not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 1)
            if ready:
                seen += os.read(controller, 4096)
        process.send_signal(signal.SIGINT)
        status = process.wait(timeout=120)
        rest = b""
        while select.select([controller], [], [], 0.2)[0]:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal's other end is closed
                break
            if not chunk:
                break
            rest += chunk
        os.close(controller)

        assert b"records" in seen
        assert 130 == status
        assert b"Traceback" not in seen + rest
        assert b"KeyboardInterrupt" not in seen + rest
        # The progress line is blanked out, so the prompt starts clean.
        assert (seen + rest).endswith(b"\r" + b" " * 78 + b"\r")
