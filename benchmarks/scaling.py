"""
Time against size for the input shapes that once took quadratic time.

Each shape is read at a base size and at twice and four times that; time
that grows linearly gives a ratio of about 2 for each doubling. A ratio
above 2.2 is reported as a failure (exit status 1). Times are CPU time,
the best of five rounds. Sizes are kept small so the whole run takes a few
minutes.

    python benchmarks/scaling.py
"""

from __future__ import annotations

import copy
import gzip
import io
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import elbtrail
from elbtrail import _readers

CORPUS = Path(__file__).parent.parent / "tests" / "data" / "corpus"
RECORD = json.loads((CORPUS / "classic-guide-createloadbalancer.json").read_text())


def _records(count: int) -> list[dict[str, object]]:
    out = []
    for index in range(count):
        record = copy.deepcopy(RECORD)
        record["eventID"] = f"id-{index}"
        record["requestParameters"]["loadBalancerName"] = f"lb-{index}"
        out.append(record)
    return out


def shared_event_id(size: int) -> Callable[[], object]:
    """Records sharing one eventID with different content (size records)."""
    records = _records(size)
    for record in records:
        record["eventID"] = "the-same"
    data = json.dumps({"Records": records}).encode()
    return lambda: elbtrail.loads(data, dedupe=True)


def sorted_keys_gzip(size: int) -> Callable[[], object]:
    """A valid gzipped log with sorted keys (eventVersion not first), streamed."""
    data = gzip.compress(
        json.dumps({"Records": _records(size)}, sort_keys=True).encode()
    )
    return lambda: sum(1 for _ in elbtrail.iter_events(io.BytesIO(data)))


def sorted_keys_missing_comma(size: int) -> Callable[[], object]:
    """The same with one missing comma, so the whole file is scanned."""
    text = json.dumps({"Records": _records(size)}, sort_keys=True)
    text = text.replace('"lb-1", ', '"lb-1" ', 1)
    data = text.encode()
    return lambda: elbtrail.loads(data)


def open_brace_lines(size: int) -> Callable[[], object]:
    """``{`` and a line break, repeated: every line an unreadable value."""
    data = b"{\n" * (size * 500)
    return lambda: elbtrail.loads(data)


def junk_in_a_list(size: int) -> Callable[[], object]:
    """Junk between records of a Records list, streamed in chunks."""
    pieces = [json.dumps(r) for r in _records(size)]
    data = ('{"Records": [' + ", . . . junk . . . ,".join(pieces) + "]}").encode()
    data = data.replace(b". . . junk", b"x" * 2000 + b" junk")

    def run() -> object:
        return sum(1 for _ in elbtrail.iter_events(io.BytesIO(data)))

    return run


def long_junk_in_a_list(size: int) -> Callable[[], object]:
    """One run of junk of *size* KiB inside a list, streamed in chunks."""
    pieces = [json.dumps(r) for r in _records(2)]
    junk = "\x1b[0m" + "x" * (size * 1024)
    data = ('{"Records": [' + pieces[0] + "," + junk + pieces[1] + "]}").encode()
    return lambda: sum(1 for _ in elbtrail.iter_events(io.BytesIO(data)))


SHAPES: list[tuple[str, Callable[[int], Callable[[], object]], int]] = [
    ("records sharing one eventID (records)", shared_event_id, 2000),
    ("gzipped, keys sorted, streamed (records)", sorted_keys_gzip, 8000),
    ("keys sorted, one missing comma (records)", sorted_keys_missing_comma, 4000),
    ("'{' and a line break repeated (K lines)", open_brace_lines, 50),
    ("junk between records, streamed (records)", junk_in_a_list, 4000),
    ("one run of junk in a list, streamed (KiB)", long_junk_in_a_list, 16_000),
]


def _best(run: Callable[[], object], rounds: int = 5) -> float:
    # CPU time of this process, the best of a few rounds: on a shared
    # machine, wall time mostly measures the neighbours.
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def main() -> int:
    """Time each shape at 1x, 2x and 4x its base size; print a Markdown table."""
    # Stream in small chunks, as for files far larger than these.
    _readers.WHOLE_FILE_LIMIT = 0
    failed = False
    sys.stdout.write(
        "| shape | size | 1x | 2x | 4x | 2x/1x | 4x/2x |\n"
        "|---|---|---|---|---|---|---|\n"
    )
    for name, make, base in SHAPES:
        times = [_best(make(base * factor)) for factor in (1, 2, 4)]
        ratios = (times[1] / times[0], times[2] / times[1])
        failed = failed or max(ratios) > 2.2
        sys.stdout.write(
            f"| {name} | {base:,} | {times[0]:.3f} s | {times[1]:.3f} s "
            f"| {times[2]:.3f} s | {ratios[0]:.2f} | {ratios[1]:.2f} |\n"
        )
        sys.stdout.flush()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
