"""
Measure elbtrail against decoding the same bytes untyped.

Usage::

    python benchmarks/run.py                  # sizes 10k, 30k, 100k records
    python benchmarks/run.py --sizes 20000 --rounds 5
    python benchmarks/run.py --memory-only    # peak memory of iter_events

Method: for each size, a minified mixed-service log (30% ELB records, about
1.15 KB a record) is generated once, and as many records again as a tree of
gzipped files of 2,000 records each, as CloudTrail delivers them. Each contender runs in the same process
on the same bytes, in turn, for several rounds; the median time of each is
compared with the median of ``orjson.loads``. The garbage collector is left
at its defaults for every contender (elbtrail pauses it itself while it
builds objects). Peak memory is measured in a fresh subprocess per
contender, as the growth of the maximum resident set size over a baseline
run that imports everything and reads the input file but parses nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import orjson

import elbtrail

sys.path.insert(0, str(Path(__file__).parent))
import logs


def _time(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def _contenders(data: bytes, big: Path, tree: Path) -> dict[str, Callable[[], object]]:
    return {
        "orjson.loads": lambda: orjson.loads(data),
        "json.loads": lambda: json.loads(data),
        "elbtrail.loads (ELB, typed)": lambda: elbtrail.loads(data),
        "elbtrail.loads(elb_only=False)": lambda: elbtrail.loads(data, elb_only=False),
        "elbtrail.iter_events (one file)": lambda: sum(
            1 for _ in elbtrail.iter_events(big)
        ),
        "elbtrail.iter_events (tree)": lambda: sum(
            1 for _ in elbtrail.iter_events(tree)
        ),
        "elbtrail.read (tree)": lambda: elbtrail.read(tree),
    }


def speed(records: int, rounds: int) -> dict[str, float]:
    """Median seconds of each contender for one log size."""
    data = logs.log_bytes(records)
    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "log.json"
        big.write_bytes(data)
        # The same number of records as delivered: gzipped files of 2,000.
        tree = logs.write_tree(Path(folder) / "bucket", max(1, records // 2000), 2000)
        contenders = _contenders(data, big, tree)
        for function in contenders.values():  # warm up: compile, caches
            function()
        times: dict[str, list[float]] = {name: [] for name in contenders}
        for _ in range(rounds):
            for name, function in contenders.items():
                times[name].append(_time(function))
    return {name: statistics.median(values) for name, values in times.items()}


_MEMORY_SCRIPT = """
import sys
import orjson, json, elbtrail
path, what = sys.argv[1], sys.argv[2]
data = open(path, "rb").read() if what not in ("iter_events", "none-stream") else None
if what == "orjson.loads":
    value = orjson.loads(data)
elif what == "json.loads":
    value = json.loads(data)
elif what == "loads":
    value = elbtrail.loads(data)
elif what == "loads-all":
    value = elbtrail.loads(data, elb_only=False)
elif what == "iter_events":
    count = sum(1 for _ in elbtrail.iter_events(path))
# VmHWM belongs to this process image; ru_maxrss would carry the parent's.
with open("/proc/self/status") as status:
    print(next(int(line.split()[1]) for line in status if line.startswith("VmHWM")))
"""


def _peak_kib(path: Path, what: str) -> int:
    out = subprocess.run(
        [sys.executable, "-c", _MEMORY_SCRIPT, str(path), what],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.strip())


def memory(records: int) -> dict[str, float]:
    """Peak memory growth in MiB of each contender over the baseline."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "log.json"
        path.write_bytes(logs.log_bytes(records))
        size = path.stat().st_size / 2**20
        baseline_stream = _peak_kib(path, "none-stream")
        baseline_file = _peak_kib(path, "none")
        out = {"file size (MiB)": size}
        for what in ("orjson.loads", "json.loads", "loads", "loads-all"):
            out[what] = (_peak_kib(path, what) - baseline_file) / 1024
        out["iter_events"] = (_peak_kib(path, "iter_events") - baseline_stream) / 1024
        return out


def import_time() -> float:
    """Median wall time of ``import elbtrail`` in a fresh interpreter (ms)."""
    runs = []
    for _ in range(7):
        out = subprocess.run(
            [
                sys.executable,
                "-c",
                (
                    "import time; s = time.perf_counter(); import elbtrail; "
                    "print(time.perf_counter() - s)"
                ),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(float(out.stdout))
    return statistics.median(runs) * 1000


def main() -> None:
    """Run the measurements and print them as Markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000]
    )
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--memory-records", type=int, default=80_000)
    parser.add_argument("--memory-only", action="store_true")
    args = parser.parse_args()
    print(
        f"Python {sys.version.split()[0]}, orjson {orjson.__version__}, {os.cpu_count()} CPUs"
    )
    if not args.memory_only:
        results = {size: speed(size, args.rounds) for size in args.sizes}
        names = list(next(iter(results.values())))
        print(
            "\n| contender | " + " | ".join(f"{s:,} records" for s in args.sizes) + " |"
        )
        print("|---|" + "---|" * len(args.sizes))
        for name in names:
            cells = []
            for size in args.sizes:
                base = results[size]["orjson.loads"]
                cells.append(
                    f"{results[size][name]:.3f} s ({results[size][name] / base:.2f}x)"
                )
            print(f"| {name} | " + " | ".join(cells) + " |")
        print("\nTime per record (µs), to check linear growth:")
        for name in names:
            per = [results[s][name] / s * 1e6 for s in args.sizes]
            print(f"  {name}: " + ", ".join(f"{p:.1f}" for p in per))
    mem = memory(args.memory_records)
    print(f"\nPeak memory growth over the baseline, {args.memory_records:,} records:")
    for name, value in mem.items():
        print(f"  {name}: {value:.1f} MiB")
    print(f"\nimport elbtrail: {import_time():.1f} ms (median of 7 fresh interpreters)")


if __name__ == "__main__":
    main()
