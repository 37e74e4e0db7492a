"""
Measure elbtrail against untyped decoding under the same conditions.

Usage::

    python benchmarks/fair.py                   # every scenario, 7 rounds
    python benchmarks/fair.py --quick           # fewer files and rounds
    python benchmarks/fair.py --scenarios 2000-few big-few --rounds 5
    python benchmarks/fair.py --cli             # whole processes: summary vs a script

Method (the same for every contender, elbtrail and baselines alike):

- Input: gzipped minified log files written by ``benchmarks/logs.py``, at the
  sizes CloudTrail delivers (500, 2,000 and 5,000 records a file) and one big
  file of 100,000 records; about 30% ELB calls; callers drawn from 300
  sessions ("few") or a new caller for every record ("distinct"); the
  "responses" mix holds only ELB calls with large ``responseElements``.
- Work inside the clock: read each file from disk, decompress it, decode it,
  keep what the user asked for. The baseline keeps the ELB records as plain
  dicts (``gzip`` + ``orjson.loads`` + a filter on ``eventSource``); it also
  runs with ISA-L's gzip, which elbtrail's fast extra uses; the floor
  is a hand-written msgspec envelope that never turns non-ELB records into
  Python objects; elbtrail's contenders call ``elbtrail.read`` per file.
- Garbage collector: paused for every contender while the clock runs (a
  full collection runs before each measurement, outside the clock), so no
  contender pays or is spared collections the other is not. Results are
  kept alive until the clock stops and freed outside it.
- Clocks: CPU time of the process (``time.process_time``) and wall time.
- Rounds: every contender runs once to warm up, then all contenders run in
  turn, round after round, so drift of the machine reaches all of them; the
  tables give the median and the min-max spread of the ratio to the
  baseline, round by round.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import gzip
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import orjson

import elbtrail

sys.path.insert(0, str(Path(__file__).parent))
import logs

ELB = b"elasticloadbalancing.amazonaws.com"

# name: (records per file, number of files, callers, mix)
SCENARIOS: dict[str, tuple[int, int, str, str]] = {
    "500-few": (500, 40, "few", "busy"),
    "500-distinct": (500, 40, "distinct", "busy"),
    "2000-few": (2000, 10, "few", "busy"),
    "2000-distinct": (2000, 10, "distinct", "busy"),
    "5000-few": (5000, 4, "few", "busy"),
    "5000-distinct": (5000, 4, "distinct", "busy"),
    "2000-responses": (2000, 10, "distinct", "responses"),
    "big-few": (100_000, 1, "few", "busy"),
    "big-distinct": (100_000, 1, "distinct", "busy"),
}
BASELINE = "gzip + orjson.loads + keep ELB dicts"


def _baseline(paths: Sequence[Path]) -> object:
    kept = []
    for path in paths:
        records = orjson.loads(gzip.decompress(path.read_bytes()))["Records"]
        kept.append([r for r in records if r.get("eventSource") == ELB.decode()])
    return kept


try:
    import msgspec
except ImportError:  # the floor row is left out
    msgspec = None

if msgspec is not None:

    class Envelope(msgspec.Struct, rename="camel"):
        """The envelope fields a user reads, typed by msgspec."""

        event_version: str | None = None
        user_identity: dict[str, Any] | None = None
        event_time: str | None = None
        event_source: str | None = None
        event_name: str | None = None
        aws_region: str | None = None
        source_ip_address: str | None = msgspec.field(
            default=None, name="sourceIPAddress"
        )
        user_agent: str | None = None
        error_code: str | None = None
        error_message: str | None = None
        request_parameters: dict[str, Any] | None = None
        response_elements: dict[str, Any] | None = None
        request_id: str | None = msgspec.field(default=None, name="requestID")
        event_id: str | None = msgspec.field(default=None, name="eventID")
        api_version: str | None = None
        recipient_account_id: str | None = None

    class Log(msgspec.Struct):
        """A log file; its records stay raw bytes until chosen."""

        Records: list[msgspec.Raw]


def _msgspec_floor() -> Callable[[Sequence[Path]], object] | None:
    if msgspec is None:
        return None
    decode_log = msgspec.json.Decoder(Log).decode
    decode_event = msgspec.json.Decoder(Envelope).decode
    # A byte scan of each record's span: only ELB records become objects.
    marker = b'"eventSource":"' + ELB + b'"'

    def floor(paths: Sequence[Path]) -> object:
        kept = []
        for path in paths:
            log = decode_log(gzip.decompress(path.read_bytes()))
            kept.append([decode_event(r) for r in log.Records if marker in bytes(r)])
        return kept

    return floor


try:
    from isal import igzip
except ImportError:  # the ISA-L baseline row is left out
    igzip = None


def _isal_baseline(paths: Sequence[Path]) -> object:
    assert igzip is not None
    kept = []
    for path in paths:
        records = orjson.loads(igzip.decompress(path.read_bytes()))["Records"]
        kept.append([r for r in records if r.get("eventSource") == ELB.decode()])
    return kept


def contenders() -> dict[str, Callable[[Sequence[Path]], object]]:
    """The functions timed, each over a list of gzipped log files."""
    out: dict[str, Callable[[Sequence[Path]], object]] = {BASELINE: _baseline}
    if igzip is not None:
        # elbtrail's fast extra inflates with ISA-L: the same baseline with it.
        out["baseline with ISA-L's gzip"] = _isal_baseline
    floor = _msgspec_floor()
    if floor is not None:
        out["floor: msgspec envelope, raw pre-filter"] = floor
    out["elbtrail.read(file), typed ELB events"] = lambda paths: [
        elbtrail.read(p) for p in paths
    ]
    out["elbtrail.read(file, elb_only=False)"] = lambda paths: [
        elbtrail.read(p, elb_only=False) for p in paths
    ]
    return out


def _measure(function: Callable[[], object]) -> tuple[float, float]:
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        cpu, wall = time.process_time(), time.perf_counter()
        result = function()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    finally:
        if enabled:
            gc.enable()
    del result  # freed outside the clock
    gc.collect()
    return cpu, wall


def write_scenario(root: Path, name: str) -> list[Path]:
    """Write the gzipped files of scenario *name* under *root*."""
    size, files, callers, mix = SCENARIOS[name]
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(files):
        path = folder / f"{index:03d}.json.gz"
        data = logs.log_bytes(size, seed=index, callers=callers, mix=mix)
        path.write_bytes(gzip.compress(data, mtime=0))
        paths.append(path)
    return paths


def run_scenario(paths: Sequence[Path], rounds: int) -> dict[str, dict[str, Any]]:
    """CPU and wall seconds of every contender, round by round."""
    functions = contenders()
    for function in functions.values():  # warm up: imports, compiling, caches
        function(paths)
    cpu: dict[str, list[float]] = {name: [] for name in functions}
    wall: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(rounds):
        for name, function in functions.items():
            c, w = _measure(lambda f=function: f(paths))  # type: ignore[misc]
            cpu[name].append(c)
            wall[name].append(w)
    out = {}
    for name in functions:
        cpu_ratios = [a / b for a, b in zip(cpu[name], cpu[BASELINE], strict=True)]
        wall_ratios = [a / b for a, b in zip(wall[name], wall[BASELINE], strict=True)]
        out[name] = {
            "cpu": statistics.median(cpu[name]),
            "wall": statistics.median(wall[name]),
            "cpu_ratio": statistics.median(cpu_ratios),
            "cpu_spread": (min(cpu_ratios), max(cpu_ratios)),
            "wall_ratio": statistics.median(wall_ratios),
        }
    return out


_PLAIN_SCRIPT = """\
import gzip, os, sys
from collections import Counter
import orjson
counts = Counter()
for folder, _, names in os.walk(sys.argv[1]):
    for name in names:
        data = open(os.path.join(folder, name), "rb").read()
        if name.endswith(".gz"):
            data = gzip.decompress(data)
        for r in orjson.loads(data)["Records"]:
            if r.get("eventSource") == "elasticloadbalancing.amazonaws.com":
                counts[r["eventName"]] += 1
print(sum(counts.values()), "ELB events"); print(counts.most_common())
"""


def _adopt_orphans() -> bool:
    """
    Become the parent of our descendants' orphans (Linux), so they are waited for.

    ``elbtrail summary --jobs`` forks its workers from a fork server that
    outlives it by a moment; without this, nobody we wait for reaps the
    server, and the workers' CPU time is lost from the figures.
    """
    if not sys.platform.startswith("linux"):
        return False
    import ctypes  # noqa: PLC0415 - Linux only

    libc = ctypes.CDLL(None, use_errno=True)
    return libc.prctl(36, 1, 0, 0, 0) == 0  # PR_SET_CHILD_SUBREAPER


def _process(argv: list[str]) -> tuple[float, float]:
    """
    CPU seconds of the command and every process it started, and wall seconds.

    The CPU time is what the kernel charged to the processes this one has
    waited for, before and after: the command, its children (each reaped by
    its parent), and any orphan handed to us (see `_adopt_orphans`), which
    is waited for too.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    _, status, _ = os.wait4(child.pid, 0)
    wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    # Orphans (a fork server) end once the command has gone; until no child is left.
    with contextlib.suppress(ChildProcessError):
        while True:
            os.wait4(-1, 0)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if child.returncode not in (0, 1):  # summary exits 1 when it repaired something
        msg = f"{argv} exited with {child.returncode}"
        raise RuntimeError(msg)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def _parallel_check() -> float:
    """Wall time of two busy processes at once over one alone (median of 3)."""
    busy = [sys.executable, "-c", "sum(range(30_000_000))"]
    ratios = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run(busy, check=True)
        one = time.perf_counter() - start
        start = time.perf_counter()
        pair = [subprocess.Popen(busy) for _ in range(2)]
        for child in pair:
            child.wait()
        ratios.append((time.perf_counter() - start) / one)
    return statistics.median(ratios)


def whole_process(root: Path, records: int, rounds: int) -> None:
    """``elbtrail summary TREE`` against a plain orjson script, as processes."""
    adopted = _adopt_orphans()
    tree = logs.write_tree(root / "tree", max(1, records // 2000), 2000)
    script = root / "plain.py"
    script.write_text(_PLAIN_SCRIPT, encoding="utf-8")
    isal_script = root / "plain_isal.py"
    isal_script.write_text(
        _PLAIN_SCRIPT.replace("import gzip,", "from isal import igzip as gzip; import"),
        encoding="utf-8",
    )
    summary = [sys.executable, "-m", "elbtrail", "summary", str(tree)]
    commands = {
        "plain orjson script": [sys.executable, str(script), str(tree)],
        **(
            {
                "plain script, ISA-L's gzip": [
                    sys.executable,
                    str(isal_script),
                    str(tree),
                ]
            }
            if igzip is not None
            else {}
        ),
        "elbtrail summary --jobs 1": [*summary, "--jobs", "1"],
        "elbtrail summary --jobs 2": [*summary, "--jobs", "2"],
        "import elbtrail + first read": [
            sys.executable,
            "-c",
            "import sys, elbtrail; elbtrail.read(sys.argv[1])",
            str(next(tree.rglob("*.json.gz"))),
        ],
    }
    for argv in commands.values():
        _process(argv)
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, argv in commands.items():
            results[name].append(_process(argv))
    base = results["plain orjson script"]
    print(f"\nWhole processes, a tree of {records:,} records (files of 2,000):\n")
    print(
        "Cores free for the measurement: two busy processes at once took "
        f"{_parallel_check():.2f}x the wall time of one (1.00x: two cores "
        "free; 2.00x: one)\n"
    )
    if not adopted:
        print("(not Linux: the CPU time of --jobs 2 misses its workers)\n")
    print("| command | CPU s | wall s | CPU ratio (min-max) | wall ratio (min-max) |")
    print("|---|---|---|---|---|")
    for name, runs in results.items():
        cpu_ratios = [a[0] / b[0] for a, b in zip(runs, base, strict=True)]
        wall_ratios = [a[1] / b[1] for a, b in zip(runs, base, strict=True)]
        cpu = statistics.median(r[0] for r in runs)
        wall = statistics.median(r[1] for r in runs)
        print(
            f"| {name} | {cpu:.3f} | {wall:.3f} | "
            f"{statistics.median(cpu_ratios):.2f}x "
            f"({min(cpu_ratios):.2f}-{max(cpu_ratios):.2f}) | "
            f"{statistics.median(wall_ratios):.2f}x "
            f"({min(wall_ratios):.2f}-{max(wall_ratios):.2f}) |"
        )


def main() -> None:
    """Run the scenarios and print Markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scenarios", nargs="+", choices=list(SCENARIOS))
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="3 rounds, small files")
    parser.add_argument("--cli", action="store_true", help="whole-process figures")
    parser.add_argument("--cli-records", type=int, default=100_000)
    args = parser.parse_args()
    rounds = 3 if args.quick else args.rounds
    names = args.scenarios or (
        ["500-few", "2000-few", "2000-distinct"] if args.quick else list(SCENARIOS)
    )
    print(
        f"Python {sys.version.split()[0]}, orjson {orjson.__version__}, "
        f"elbtrail {elbtrail.__version__}, {os.cpu_count()} CPUs, {rounds} rounds, "
        "GC paused for every contender"
    )
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        if args.cli:
            whole_process(root, args.cli_records, rounds)
            return
        for name in names:
            paths = write_scenario(root, name)
            results = run_scenario(paths, rounds)
            size, files, callers, mix = SCENARIOS[name]
            print(
                f"\n{name}: {files} file(s) of {size:,} records, {callers} callers, "
                f"{mix} mix; median per file\n"
            )
            print("| contender | CPU ms/file | wall ms/file | CPU ratio (min-max) |")
            print("|---|---|---|---|")
            for contender, r in results.items():
                low, high = r["cpu_spread"]
                print(
                    f"| {contender} | {r['cpu'] / files * 1000:.1f} | "
                    f"{r['wall'] / files * 1000:.1f} | {r['cpu_ratio']:.2f}x "
                    f"({low:.2f}-{high:.2f}) |"
                )


if __name__ == "__main__":
    main()
