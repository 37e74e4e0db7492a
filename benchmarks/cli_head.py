"""
What ``elbtrail events TREE | head -3`` costs, streamed and sorted.

Writes a trail's folder of 100 gzipped log files holding 100,000 ELB records
to a temporary directory, then runs the command as a subprocess in four ways:
the first three lines of JSON lines, of an unsorted table and of the default
sorted table (the pipe closed after them, as ``head -3`` does), and all of it
to ``/dev/null``. For each it prints the CPU time the kernel charged to the
process (user plus system, from ``os.wait4``) and its peak memory.

Usage::

    python benchmarks/cli_head.py
"""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RECORD = ROOT / "tests" / "data" / "corpus" / "alb-guide-deleteloadbalancer.json"
FILES = 100
PER_FILE = 1_000


def write_tree(root: Path) -> None:
    """100 log files of 1,000 records each, in a trail's folder layout."""
    record = json.loads(RECORD.read_text(encoding="utf-8"))
    record["eventID"] = "@ID@"
    record["eventTime"] = "2026-03-14T@TIME@Z"
    template = json.dumps(record)
    folder = root / "AWSLogs/111122223333/CloudTrail/eu-west-1/2026/03/14"
    folder.mkdir(parents=True)
    for index in range(FILES):
        records = []
        for n in range(index * PER_FILE, (index + 1) * PER_FILE):
            time = f"{n // 3600 % 24:02d}:{n // 60 % 60:02d}:{n % 60:02d}"
            records.append(
                template.replace("@ID@", f"{n:012d}").replace("@TIME@", time)
            )
        name = f"111122223333_CloudTrail_eu-west-1_20260314T{index:04d}Z_b.json.gz"
        body = '{"Records":[' + ",".join(records) + "]}"
        (folder / name).write_bytes(gzip.compress(body.encode(), compresslevel=1))


def measure(args: list[str], lines: int | None) -> tuple[float, float]:
    """CPU seconds and peak MB of ``elbtrail ARGS``, reading *lines* (all: None)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "elbtrail", *args],
        stdout=subprocess.PIPE if lines is not None else subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if process.stdout is not None:
        for _ in range(lines or 0):
            process.stdout.readline()
        process.stdout.close()
    _, _, usage = os.wait4(process.pid, 0)
    process.returncode = 0  # reaped by wait4
    return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> int:
    """Print the measurements as a Markdown table."""
    with tempfile.TemporaryDirectory() as folder:
        tree = Path(folder)
        write_tree(tree)
        cases = [
            ("jsonl, first 3 lines", ["--format", "jsonl"], 3),
            ("table --sort none, first 3 lines", ["--sort", "none"], 3),
            ("table (sorted), first 3 lines", [], 3),
            ("jsonl, everything", ["--format", "jsonl"], None),
        ]
        print(f"{FILES * PER_FILE:,} records in {FILES} gzipped files\n")
        print("| command | CPU s | peak MB |")
        print("|---|---|---|")
        for label, args, lines in cases:
            cpu, peak = measure(["events", *args, str(tree)], lines)
            print(f"| {label} | {cpu:.2f} | {peak:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
