"""
Measure elbtrail's columns: to_arrow, write_parquet, Dask, and export memory.

Usage::

    python benchmarks/columns.py                 # everything, default sizes
    python benchmarks/columns.py --records 30000 --skip-memory
    python benchmarks/columns.py --memory-only --memory-limit-mib 64

Method:

- Input: the mixed-service logs of ``benchmarks/logs.py`` (about 1.15 KB a
  record, 30% ELB calls) as gzipped files of 2,000 records in an
  ``AWSLogs`` tree, spread over 28 days and 3 Regions so the dataset has
  many partitions.
- ``to_arrow``: the ELB events of the tree, parsed beforehand, turned into a
  table; median of 3 rounds after a warm-up. ``write_parquet``: from the
  gzipped tree to a dataset, parsing included; median of 3 rounds. Both run
  on one core, so records per second are per core.
- Dask: ``elbtrail.dask.read`` over the same tree on a ``LocalCluster`` of
  1 and then 2 worker processes (one thread each), computing the number of
  events and issues, so every partition is parsed on a worker and only
  counts come back; median of 3 rounds after a warm-up, cluster start-up
  excluded.
- Export memory: ``elbtrail export`` runs in a fresh interpreter over a tree
  whose decompressed size is ten times the limit; the figure is the growth
  of its peak resident memory (``VmHWM``) over a baseline interpreter that
  imports the same modules (and lets pyarrow make its own lazy imports,
  pandas among them) and exports nothing. The run fails if the growth
  exceeds the limit. The generated data is deleted afterwards.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import elbtrail
import elbtrail.dask

sys.path.insert(0, str(Path(__file__).parent))
import logs

REGIONS = ("eu-west-1", "us-east-1", "ap-southeast-2")


def write_tree(root: Path, records: int, per_file: int = 2000, seed: int = 0) -> int:
    """An ``AWSLogs`` tree over 28 days and 3 Regions; returns its plain size."""
    plain = 0
    for index in range(max(1, records // per_file)):
        day = 1 + index % 28
        region = REGIONS[index % len(REGIONS)]
        data = logs.log_bytes(per_file, seed + index)
        # The templates write one day and Region; spread them out.
        data = data.replace(b'"2026-03-14T', f'"2026-03-{day:02d}T'.encode())
        data = data.replace(
            b'"awsRegion":"eu-west-1"', f'"awsRegion":"{region}"'.encode()
        )
        plain += len(data)
        folder = root.joinpath(
            "AWSLogs", logs.ACCOUNT, "CloudTrail", region, "2026", "03", f"{day:02d}"
        )
        folder.mkdir(parents=True, exist_ok=True)
        name = (
            f"{logs.ACCOUNT}_CloudTrail_{region}_202603{day:02d}T{index:05d}Z_x.json.gz"
        )
        (folder / name).write_bytes(gzip.compress(data, compresslevel=1, mtime=0))
    return plain


def _median(function: Callable[[], object], rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def throughput(records: int, rounds: int) -> None:
    """Records per second of to_arrow and write_parquet on one core."""
    with tempfile.TemporaryDirectory() as folder:
        tree = Path(folder) / "bucket"
        write_tree(tree, records)
        result = elbtrail.read(tree)
        events = list(result.events)
        elbtrail.to_arrow(events)  # warm up
        arrow = _median(lambda: elbtrail.to_arrow(events), rounds)
        read = _median(lambda: elbtrail.read(tree), rounds)
        runs = iter(range(rounds))

        def export() -> None:
            out = Path(folder) / f"out{next(runs)}"
            elbtrail.write_parquet(tree, out)

        parquet = _median(export, rounds)
        print(f"\n{result.records:,} records, {len(events):,} ELB events")
        print("| step | time | records per second | ELB events per second |")
        print("|---|---|---|---|")
        print(f"| `to_arrow(events)` | {arrow:.2f} s | | {len(events) / arrow:,.0f} |")
        print(
            f"| `read(tree)` (parsing alone) | {read:.2f} s | "
            f"{result.records / read:,.0f} | {len(events) / read:,.0f} |"
        )
        print(
            f"| `write_parquet(tree, dir)` | {parquet:.2f} s | "
            f"{result.records / parquet:,.0f} | {len(events) / parquet:,.0f} |"
        )


def dask_speedup(records: int, rounds: int) -> None:
    """The same read on 1 and 2 worker processes."""
    import dask  # noqa: PLC0415
    from dask.distributed import Client, LocalCluster, get_task_stream  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as folder:
        tree = Path(folder) / "bucket"
        write_tree(tree, records)
        size = sum(p.stat().st_size for p in tree.rglob("*.gz"))
        partition = max(1, size // 8)
        times = {}
        busy: dict[str, float] = {}
        load = os.getloadavg()[0]
        for workers in (1, 2):
            with (
                LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=":0",
                ) as cluster,
                Client(cluster),
            ):

                def run() -> None:
                    trail = elbtrail.dask.read(tree, partition_size=partition)
                    dask.compute(trail.events.shape[0], trail.issues.shape[0])

                run()  # warm up: workers import elbtrail and the models
                times[workers] = _median(run, rounds)
                if workers == 2:
                    with get_task_stream() as stream:
                        run()
                    for task in stream.data:
                        seconds = sum(
                            s["stop"] - s["start"]
                            for s in task["startstops"]
                            if s["action"] == "compute"
                        )
                        busy[task["worker"]] = busy.get(task["worker"], 0) + seconds
        trail = elbtrail.dask.read(tree, partition_size=partition)
        print(f"\nDask, {records:,} records in {trail.events.npartitions} partitions:")
        print("| workers | time | records per second |")
        print("|---|---|---|")
        for workers, seconds in times.items():
            print(f"| {workers} | {seconds:.2f} s | {records / seconds:,.0f} |")
        print(f"speed-up with 2 workers: {times[1] / times[2]:.2f}x")
        print(
            "2 workers, seconds computing each: "
            + ", ".join(f"{seconds:.2f}" for seconds in busy.values())
        )
        print(
            f"load average (1 min) before: {load:.1f}, after: "
            f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
        )


_EXPORT = """
import sys
import pyarrow, pyarrow.parquet
pyarrow.array([0])  # pyarrow's own lazy imports (pandas, when installed)
import elbtrail, elbtrail._cli, elbtrail._parquet
from elbtrail import classic, v2
tree, out = sys.argv[1], sys.argv[2]
if tree != "-":
    elbtrail._cli.main(["export", tree, "--to", out])
# VmHWM belongs to this process image; ru_maxrss would carry the parent's.
with open("/proc/self/status") as status:
    print(next(int(line.split()[1]) for line in status if line.startswith("VmHWM")))
"""


def _peak_kib(tree: str, out: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", _EXPORT, tree, out],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout.strip().splitlines()[-1])


def export_memory(limit_mib: int) -> bool:
    """Peak memory growth of ``elbtrail export`` on a tree ten times the limit."""
    records = int(limit_mib * 10 * 2**20 / 1150) + 2000
    folder = tempfile.mkdtemp()
    try:
        tree = Path(folder) / "bucket"
        plain = write_tree(tree, records)
        stored = sum(p.stat().st_size for p in tree.rglob("*.gz"))
        baseline = _peak_kib("-", "")
        peak = _peak_kib(str(tree), str(Path(folder) / "out"))
        growth = (peak - baseline) / 1024
        written = sum(p.stat().st_size for p in (Path(folder) / "out").rglob("*"))
    finally:
        shutil.rmtree(folder)
    print(
        f"\nexport memory: {records:,} records, {plain / 2**20:,.0f} MiB of JSON "
        f"({stored / 2**20:,.0f} MiB gzipped, {plain / 2**20 / limit_mib:.1f}x the "
        f"limit), {written / 2**20:,.0f} MiB of Parquet written"
    )
    print(
        f"peak memory growth over the baseline: {growth:.1f} MiB "
        f"(limit {limit_mib} MiB; baseline {baseline / 1024:.0f} MiB)"
    )
    return growth <= limit_mib


def main() -> int:
    """Run the measurements and print them as Markdown tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=60_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--memory-limit-mib", type=int, default=128)
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--memory-only", action="store_true")
    args = parser.parse_args()
    print(f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
    if not args.memory_only:
        throughput(args.records, args.rounds)
        if not args.skip_dask:
            dask_speedup(args.records, args.rounds)
    if args.skip_memory:
        return 0
    return 0 if export_memory(args.memory_limit_mib) else 1


if __name__ == "__main__":
    sys.exit(main())
