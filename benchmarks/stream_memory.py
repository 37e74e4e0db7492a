"""
Peak memory of ``iter_events`` over logs of 128 MB, 512 MB and 1 GB.

The logs are written to ``benchmarks/data/`` (git-ignored) record by
record, as CloudTrail delivers them (one minified line), and deleted
afterwards. Each measurement runs in a fresh interpreter; the figure is its
peak resident memory (``VmHWM``) less that of an interpreter that imports
elbtrail and opens the file without reading it.

    python benchmarks/stream_memory.py [SIZE_MB ...]
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import logs

DATA = Path(__file__).parent / "data"

_SCRIPT = """
import sys, time, elbtrail
path, what = sys.argv[1], sys.argv[2]
start = time.perf_counter()
if what == "iter_events":
    stream = elbtrail.iter_events(path, elb_only=False)
    count = sum(1 for _ in stream)
    issues = len(stream.issues)
else:
    open(path, "rb").close()
    count = issues = 0
seconds = time.perf_counter() - start
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM"))
print(peak, count, issues, round(seconds, 1))
"""


def write_log(path: Path, megabytes: int, seed: int = 0) -> int:
    """A minified log file of about *megabytes* MB; returns its records."""
    rng = random.Random(seed)
    sessions = [logs._identity(rng) for _ in range(300)]  # noqa: SLF001
    target = megabytes * 1_000_000
    written = 0
    count = 0
    with path.open("wb") as out:
        out.write(b'{"Records":[')
        while written < target:
            batch = [logs.record(rng, 0.3, sessions) for _ in range(2000)]
            text = json.dumps(batch, separators=(",", ":"))[1:-1].encode()
            if count:
                out.write(b",")
            out.write(text)
            written += len(text)
            count += len(batch)
        out.write(b"]}")
    return count


def _run(path: Path, what: str) -> list[float]:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(path), what],
        capture_output=True,
        text=True,
        check=True,
    )
    return [float(x) for x in done.stdout.split()]


def main(sizes: list[int]) -> None:
    """Write each log, measure, delete it; print a Markdown table."""
    DATA.mkdir(exist_ok=True)
    sys.stdout.write(
        "| log | records | iter_events peak growth | time |\n|---|---|---|---|\n"
    )
    for megabytes in sizes:
        path = DATA / f"stream-{megabytes}mb.json"
        try:
            start = time.perf_counter()
            records = write_log(path, megabytes)
            sys.stderr.write(f"wrote {path} in {time.perf_counter() - start:.0f} s\n")
            base = _run(path, "none")[0]
            peak, count, issues, seconds = _run(path, "iter_events")
            assert count == records, (count, records)
            assert issues == 0, issues
            size = path.stat().st_size / 2**20
            sys.stdout.write(
                f"| {size:,.0f} MiB | {records:,} | {(peak - base) / 1024:.0f} MiB "
                f"| {seconds:.1f} s |\n"
            )
            sys.stdout.flush()
        finally:
            path.unlink(missing_ok=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [128, 512, 1024])
