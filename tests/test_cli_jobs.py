"""``elbtrail summary --jobs``: worker processes give the output of one process."""

from __future__ import annotations

import contextlib
import copy
import ctypes
import gzip
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import CORPUS, run_cli, upload_tree, write_trail

from elbtrail import _pool, _readers
from elbtrail._cli import main
from elbtrail._pool import usable_cores

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
MISSING_COMMA = CORPUS / "classic-guide-deleteloadbalancer-missing-comma.json"


def summary(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run ``elbtrail summary`` in this process (its workers are real ones)."""
    status = main(["summary", *args])
    out, err = capsys.readouterr()
    return status, out, err


def gz(path: Path, records: list[dict[str, Any]]) -> None:
    path.write_bytes(gzip.compress(json.dumps({"Records": records}).encode(), mtime=0))


def damaged_tree(root: Path) -> Path:
    """
    A trail's bucket with damage and records delivered twice.

    Besides ``write_trail``'s truncated gzip and digest folder: a file
    delivered again under another name in another folder, a record twice in
    one file, a record that shares its eventID with another but differs, a
    record whose eventID is not text, a file with a missing comma and a
    README.
    """
    write_trail(root)
    day = root / "AWSLogs/444455556666/CloudTrail/eu-west-1/2026/03/31"
    first = min(day.iterdir())
    again = root / "AWSLogs/111122223333/CloudTrail/us-east-1/2026/04/01"
    shutil.copy(
        first, again / "111122223333_CloudTrail_us-east-1_20260401T1205Z_again.json.gz"
    )
    records = json.loads(gzip.decompress(first.read_bytes()))["Records"]
    elb = [r for r in records if r["eventSource"].startswith("elasticloadbalancing")]
    changed = copy.deepcopy(elb[0])
    changed["sourceIPAddress"] = "203.0.113.99"
    odd = copy.deepcopy(elb[1])
    odd["eventID"] = 12345
    gz(
        day / "444455556666_CloudTrail_eu-west-1_20260331T2300Z_twice.json.gz",
        [elb[1], elb[1], changed, odd, odd],
    )
    shutil.copy(
        MISSING_COMMA,
        day / "444455556666_CloudTrail_eu-west-1_20260331T2359Z_comma.json",
    )
    (day / "README.md").write_text("not a log\n", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return damaged_tree(tmp_path_factory.mktemp("jobs"))


OPTION_SETS = [
    [],
    ["--no-dedupe"],
    ["--all"],
    ["--max-issues", "2"],
    ["--since", "2026-03-31", "--until", "2026-03-31"],
    ["--account", "444455556666", "--region", "eu-west-1"],
]


class TestSameOutput:
    @pytest.mark.parametrize("options", OPTION_SETS, ids=" ".join)
    def test_damaged_tree_with_duplicates(self, capsys, tree, options):
        """Two workers and one per core print what one process prints."""
        one = summary(capsys, "-j", "1", str(tree), *options)
        assert one == summary(capsys, "-j", "2", str(tree), *options)

    def test_workers_do_the_reading(self, capsys, tree, monkeypatch):
        """With workers, the command reads no file itself (unless one dies)."""
        one = summary(capsys, "-j", "1", str(tree))

        # Workers import their own copies; only the command's are replaced
        # (pickled by name, they still name the workers' functions).
        for name in ("read_files", "fingerprints", "read_file"):

            def not_here(*args: object) -> None:
                raise AssertionError(args)

            not_here.__module__, not_here.__qualname__ = _pool.__name__, name
            monkeypatch.setattr(_pool, name, not_here)

        assert one == summary(capsys, "-j", "2", str(tree))

    def test_one_worker_per_core(self, capsys, tree):
        """auto (and 0) use every usable core, with the same output."""
        one = summary(capsys, "-j", "1", str(tree))
        assert one == summary(capsys, "--jobs", "auto", str(tree))
        assert one == summary(capsys, "-j0", str(tree))

    def test_the_tree_has_what_the_comparison_needs(self, capsys, tree):
        """The tree's duplicates, damage and notices all reach the summary."""
        _, out, _ = summary(capsys, "-j", "2", "--max-issues", "100", str(tree))

        # The ten ELB records of the file delivered again, a record in its
        # file and twice more in another, and the four complete records of
        # write_trail's truncated copy; not the record that only shares an
        # eventID, nor those whose eventID is a number.
        assert "Duplicates: 16 record(s) delivered more than once" in out
        assert "the gzip data is cut off" in out
        assert "no ',' after the value of 'eventID'" in out
        assert "a text or documentation file" in out
        assert "CloudTrail-Digest" in out
        assert "eventID: expected a string, got integer 12345" in out

    def test_record_numbers_count_across_the_files_of_a_path(self, capsys, tree):
        """Issues name records as one reader counts them over a whole tree."""
        _, out, _ = summary(capsys, "-j", "2", "--max-issues", "100", str(tree))

        numbers = [
            int(line.split("record ")[1].split(":")[0])
            for line in out.splitlines()
            if ": record " in line
        ]
        assert numbers
        assert max(numbers) > 12  # beyond the first file's records

    def test_several_paths_each_counted_on_its_own(self, capsys, tree):
        """Duplicates and record numbers start again with each path."""
        folders = [
            str(tree / "AWSLogs/444455556666"),
            str(tree / "AWSLogs/111122223333"),
            str(next((tree / "AWSLogs/444455556666").rglob("*twice.json.gz"))),
        ]
        one = summary(capsys, "-j", "1", *folders)
        assert one == summary(capsys, "-j", "2", *folders)

    def test_bundled_samples_as_processes(self):
        """The README's command, run as a user runs it, with and without workers."""
        one = run_cli("summary", "samples/")
        assert 0 == one.returncode
        for jobs in ("2", "auto"):
            result = run_cli("summary", "--jobs", jobs, "samples/")
            assert (one.returncode, one.stdout, one.stderr) == (
                result.returncode,
                result.stdout,
                result.stderr,
            )

    def test_dedupe_window_forgets_as_the_reader_does(
        self, capsys, tmp_path, monkeypatch, classic_create
    ):
        """An eventID met again after it left the window is not a duplicate."""
        monkeypatch.setattr(_readers, "DEDUPE_WINDOW", 3)
        records = []
        for name in "abcd":
            record = copy.deepcopy(classic_create)
            record["eventID"] = f"{name}-id"
            records.append(record)
        gz(tmp_path / "1.json.gz", records)
        # In file 2, "a" has left a window of three eventIDs and is new
        # again; "d" has not. In file 3, both are duplicates.
        gz(tmp_path / "2.json.gz", [records[0], records[3]])
        gz(tmp_path / "3.json.gz", [records[3], records[0]])

        one = summary(capsys, "-j", "1", str(tmp_path))

        assert one[1].startswith(f"5 events in {tmp_path}\nDuplicates: 3 record(s)")
        assert one == summary(capsys, "-j", "2", str(tmp_path))

    def test_standard_input_and_s3_are_read_at_their_turn(
        self, capsys, tree, aws, monkeypatch
    ):
        """Paths workers do not read are read by the command itself, in order."""
        upload_tree(tree / "AWSLogs/111122223333", "jobs")
        data = MISSING_COMMA.read_bytes()
        paths = ["s3://jobs/", str(tree / "AWSLogs/444455556666"), "-"]

        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
        one = summary(capsys, "-j", "1", *paths)
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(data)))
        two = summary(capsys, "-j", "2", *paths)

        # (stderr holds the S3 server's log.)
        assert one[:2] == two[:2]
        assert "<stream>:22:54: record 0:" in one[1]
        assert "s3://jobs/" in one[1]


def _drop_file_access() -> None:
    """Run as a root without the power to read any file (or as a user)."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


class TestFailures:
    def test_unreadable_file_in_a_tree(self, tmp_path):
        """A file no one may read is the same issue with and without workers."""
        damaged_tree(tmp_path)
        locked = next(tmp_path.rglob("*_again.json.gz"))
        locked.chmod(0)

        one = run_cli("summary", "-j", "1", str(tmp_path), preexec_fn=_drop_file_access)
        two = run_cli("summary", "-j", "2", str(tmp_path), preexec_fn=_drop_file_access)

        assert f"{locked}: cannot read the file: Permission denied" in one.stdout
        assert (one.returncode, one.stdout, one.stderr) == (
            two.returncode,
            two.stdout,
            two.stderr,
        )

    def test_unreadable_file_named_on_the_command_line(self, tmp_path):
        """A named file no one may read stops the command, as without workers."""
        readable = tmp_path / "a.json"
        shutil.copy(MISSING_COMMA, readable)
        locked = tmp_path / "b.json"
        shutil.copy(MISSING_COMMA, locked)
        locked.chmod(0)
        paths = [str(readable), str(locked)]

        one = run_cli("summary", "-j", "1", *paths, preexec_fn=_drop_file_access)
        two = run_cli("summary", "-j", "2", *paths, preexec_fn=_drop_file_access)

        assert 2 == one.returncode
        assert (
            f"elbtrail: error: cannot read '{locked}': Permission denied\n"
            == one.stderr
        )
        assert (one.returncode, one.stdout, one.stderr) == (
            two.returncode,
            two.stdout,
            two.stderr,
        )

    @pytest.mark.parametrize("jobs", ["1", "2"])
    def test_missing_path_after_a_folder(self, capsys, tree, jobs):
        """A path that does not exist is the same usage error."""
        with pytest.raises(SystemExit) as stopped:
            main(["summary", "-j", jobs, str(tree), str(tree / "nothing")])

        assert 2 == stopped.value.code
        out, err = capsys.readouterr()
        missing = f"cannot open '{tree}/nothing': no such file or directory"
        assert ("", f"elbtrail: error: {missing}\n") == (out, err)

    def test_worker_that_crashes(self, tmp_path, tree):
        """A worker that dies mid-read: its files are read by the command itself."""
        copy_of = tmp_path / "tree"
        shutil.copytree(tree, copy_of)
        day = next(copy_of.rglob("2026/03/31"))
        shutil.copy(next(day.glob("*.json.gz")), day / "zz-crash.json.gz")
        hooks = tmp_path / "hooks"
        hooks.mkdir()
        # Worker processes (and their fork server) die opening the file.
        (hooks / "sitecustomize.py").write_text(
            "import os, pathlib, sys\n"
            "if 'multiprocessing' in ' '.join(sys.orig_argv):\n"
            "    real = pathlib.Path.open\n"
            "    def deadly(self, *args, **kwargs):\n"
            "        if self.name == 'zz-crash.json.gz':\n"
            f"            open({str(hooks / 'crashed')!r}, 'w').close()\n"
            "            os._exit(9)\n"
            "        return real(self, *args, **kwargs)\n"
            "    pathlib.Path.open = deadly\n",
            encoding="utf-8",
        )
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(hooks), *sys.path])}

        one = run_cli("summary", "-j", "1", str(copy_of), env=env)
        two = run_cli("summary", "-j", "2", str(copy_of), env=env)

        assert 0 == one.returncode
        assert (hooks / "crashed").exists()  # a worker did die
        assert (one.returncode, one.stdout, one.stderr) == (
            two.returncode,
            two.stdout,
            two.stderr,
        )

    def test_ctrl_c_stops_every_process(self, tmp_path, classic_create):
        """Ctrl-C: exit status 130, nothing printed, and no worker left behind."""
        token, child = _busy_command(tmp_path, classic_create)
        try:
            os.killpg(child.pid, signal.SIGINT)  # as a terminal does
            out, err = child.communicate(timeout=60)
        finally:
            _end(child)

        assert (130, b"", b"") == (child.returncode, out, err)
        assert [] == _left_running(token)

    def test_workers_end_with_a_killed_command(self, tmp_path, classic_create):
        """A command killed outright leaves no worker waiting for work."""
        token, child = _busy_command(tmp_path, classic_create)
        try:
            child.kill()
            child.communicate(timeout=60)
        finally:
            _end(child)

        assert [] == _left_running(token)


def _busy_command(
    folder: Path, record: dict[str, Any]
) -> tuple[str, subprocess.Popen[bytes]]:
    """A summary with two workers, a few seconds of reading, under way."""
    records = []
    for number in range(3000):
        one = copy.deepcopy(record)
        one["eventID"] = f"{number}-{uuid.uuid4()}"
        records.append(one)
    gz(folder / "000.json.gz", records)
    data = (folder / "000.json.gz").read_bytes()
    # Enough to read for seconds, however fast reading becomes.
    for number in range(1, 80):
        (folder / f"{number:03d}.json.gz").write_bytes(data)
    token = f"ELBTRAIL_TEST_{uuid.uuid4().hex}"
    child = subprocess.Popen(
        [sys.executable, "-m", "elbtrail", "summary", "-j", "2", str(folder)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, token: "1"},
        start_new_session=True,
    )
    # The command, the fork server (or none) and two workers.
    if not _wait_for(lambda: len(_marked(token)) >= 3):
        _end(child)
        pytest.fail("no workers started")
    time.sleep(0.3)
    return token, child


def _left_running(token: str) -> list[int]:
    """The processes still marked with *token* after a while, now ended."""
    _wait_for(lambda: not _marked(token), seconds=10)
    left = _marked(token)
    for pid in left:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    return left


def _end(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.kill()
        child.wait()


def _marked(token: str) -> list[int]:
    """The processes whose environment holds *token*."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if token.encode() + b"=" in environ:
            found.append(int(entry.name))
    return found


def _wait_for(condition: Any, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


class TestOption:
    @pytest.mark.parametrize("value", ["-1", "x", "1.5", ""])
    def test_bad_values_are_usage_errors(self, value):
        """--jobs takes a count, 0 or auto; anything else is exit status 2."""
        result = run_cli("summary", "--jobs", value, "samples/")

        assert 2 == result.returncode
        assert (
            f"argument -j/--jobs: expected a number of processes, 0 or auto, "
            f"got {value!r}" in result.stderr
        )
        assert "Traceback" not in result.stderr

    def test_auto_on_one_core_is_one_process(self):
        """On one core, auto means one process, and the output is the same."""
        cpu = min(os.sched_getaffinity(0))

        def one_core() -> None:
            os.sched_setaffinity(0, {cpu})

        cores = subprocess.run(
            [
                sys.executable,
                "-c",
                "from elbtrail._pool import usable_cores; print(usable_cores())",
            ],
            capture_output=True,
            check=True,
            text=True,
            preexec_fn=one_core,
        )
        assert "1\n" == cores.stdout
        one = run_cli("summary", "samples/")
        auto = run_cli("summary", "-j", "auto", "samples/", preexec_fn=one_core)
        assert (one.returncode, one.stdout) == (auto.returncode, auto.stdout)

    def test_usable_cores_follow_the_affinity(self):
        """auto counts the cores this process may use, not the machine's."""
        assert len(os.sched_getaffinity(0)) == usable_cores()
