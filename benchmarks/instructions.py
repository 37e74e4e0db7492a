"""
Read delivered-size log files once each, for counting instructions.

Timings on a shared machine move by a tenth from run to run; instruction
counts do not, which makes them the way to compare two versions of the
typing code. Run the script under valgrind twice, reading no file and N
files, and divide the difference by N::

    python benchmarks/instructions.py --write /tmp/logs
    for n in 0 24; do
        valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null python benchmarks/instructions.py --read /tmp/logs --files $n
    done 2>&1 | grep "I *refs"

Both runs decompress every file and read one extra file first (classes
compiled, modules imported), so the difference is the reading alone.
Instruction counts understate C code that waits on memory (orjson's
decoding of a whole file): use them to compare elbtrail with itself, and
`fair.py` to compare it with the baseline.
"""

from __future__ import annotations

import argparse
import gzip
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import logs

import elbtrail

FILES = 24


def write(folder: Path, callers: str) -> None:
    """Write FILES + 1 gzipped files of 2,000 records (busy mix) to *folder*."""
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(FILES + 1):
        data = logs.log_bytes(2000, seed=1000 + index, callers=callers, mix="busy")
        (folder / f"{index:03d}.json.gz").write_bytes(gzip.compress(data, mtime=0))


def read(folder: Path, files: int) -> None:
    """Read the first *files* files once each, after the warm-up file."""
    datas = [
        gzip.decompress((folder / f"{index:03d}.json.gz").read_bytes())
        for index in range(FILES + 1)
    ]
    elbtrail.loads(datas[FILES])  # classes compiled, modules imported
    for data in datas[:files]:
        elbtrail.loads(data)


def main() -> None:
    """Write or read the files, as the arguments say."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", type=Path, help="write the files here")
    parser.add_argument("--callers", choices=["few", "distinct"], default="distinct")
    parser.add_argument("--read", type=Path, help="read the files from here")
    parser.add_argument("--files", type=int, default=FILES, choices=range(FILES + 1))
    args = parser.parse_args()
    if args.write is not None:
        write(args.write, args.callers)
    if args.read is not None:
        read(args.read, args.files)


if __name__ == "__main__":
    main()
