"""
Peak memory of reading files that are read at once rather than streamed.

Files up to 4 MiB (decompressed) are decoded at once, and with the ``fast``
extra and ``elb_only=True`` a delivered (one-line) file up to 8 MiB is split
at once. This measures ``iter_events`` over such files in a fresh
interpreter, with the ``fast`` extra and without it (msgspec, ISA-L and
orjson turned off, as if not installed): the figure is its peak resident
memory (``VmHWM``) less that of an interpreter that imports elbtrail and
opens the file without reading it. Without the extra, a file over 4 MiB is
streamed record by record.

    python benchmarks/at_once_memory.py
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import logs

_SCRIPT = """
import sys, elbtrail
from elbtrail import _input, _prefilter, _readers, _scanner
path, what, kind = sys.argv[1:]
if kind == "without":
    _prefilter.enabled = False
    _input.fast_inflate = False
    _readers.orjson = _scanner.orjson = None
if what == "read":
    stream = elbtrail.iter_events(path)
    count = sum(1 for _ in stream)
else:
    open(path, "rb").close()
with open("/proc/self/status") as status:
    print(next(int(line.split()[1]) for line in status if line.startswith("VmHWM")))
"""

MIB = 1 << 20


def _log_of_size(megabytes: float, elb_share: float) -> bytes:
    """The largest delivered log of at most *megabytes* MiB (records by 100)."""
    low, high = 100, 100
    while len(logs.log_bytes(high, seed=1, elb_share=elb_share)) <= megabytes * MIB:
        low, high = high, high * 2
    while high - low > 100:
        middle = (low + high) // 200 * 100
        size = len(logs.log_bytes(middle, seed=1, elb_share=elb_share))
        low, high = (middle, high) if size <= megabytes * MIB else (low, middle)
    return logs.log_bytes(low, seed=1, elb_share=elb_share)


def _tiny(record: bytes) -> bytes:
    """4 MiB of records that are all *record*."""
    count = (4 * MIB - 20) // (len(record) + 1)
    return b'{"Records":[' + b",".join([record] * count) + b"]}"


def cases() -> dict[str, bytes]:
    """The files measured, by description."""
    return {
        "delivered file, 30% ELB calls": _log_of_size(7.5, 0.3),
        "delivered file of ELB calls only": _log_of_size(8, 1.0),
        "delivered file of ELB calls only, decoded at once": _log_of_size(4, 1.0),
        "empty records (`{}`)": _tiny(b"{}"),
        "one-digit numbers as records": _tiny(b"1"),
    }


def _peak(path: Path, what: str, kind: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(path), what, kind],
        capture_output=True,
        text=True,
        check=True,
    )
    return int(done.stdout)


def main() -> None:
    """Measure every case both ways; print a Markdown table."""
    sys.stdout.write(
        "| file | with `fast` | without |\n|---|---|---|\n",
    )
    with tempfile.TemporaryDirectory() as folder:
        for name, data in cases().items():
            path = Path(folder) / "log.json"
            path.write_bytes(data)
            growth = [
                (_peak(path, "read", kind) - _peak(path, "open", kind)) / 1024
                for kind in ("with", "without")
            ]
            size = len(data) / MIB
            sys.stdout.write(
                f"| {name} ({size:.1f} MiB) | {growth[0]:.0f} MiB "
                f"| {growth[1]:.0f} MiB |\n"
            )
            sys.stdout.flush()


if __name__ == "__main__":
    main()
