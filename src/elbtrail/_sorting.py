"""
Sorting more rows than memory should hold.

Rows are sorted in runs of a bounded size; when there is more than one run,
each is written to a temporary file and the runs are merged as they are read
back. Memory holds one run and one row of each other run, whatever the
number of rows.
"""

from __future__ import annotations

import heapq
import pickle
import tempfile
from collections.abc import Iterable, Iterator
from typing import IO, Any, TypeVar

__all__ = ["RUN_SIZE", "sorted_values"]

#: Rows sorted in memory at once; more are spilled to temporary files.
RUN_SIZE = 50_000

V = TypeVar("V")

# (key, position in the input, value): the position keeps the sort stable
# and spares comparing values, which may not be comparable.
_Row = tuple[Any, int, Any]


def _order(row: _Row) -> tuple[Any, int]:
    return row[0], row[1]


def _spill(run: list[_Row]) -> IO[bytes]:
    # The file is private to this process and deleted when closed.
    file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by the caller
    dump = pickle.Pickler(file, protocol=pickle.HIGHEST_PROTOCOL).dump
    for row in run:
        dump(row)
    file.seek(0)
    return file


def _rows_of(file: IO[bytes]) -> Iterator[_Row]:
    # Only rows this process wrote to its own deleted-on-close file are read.
    load = pickle.Unpickler(file).load  # noqa: S301 - see above
    try:
        while True:
            yield load()
    except EOFError:
        return


def sorted_values(
    items: Iterable[tuple[Any, V]], *, run_size: int | None = None
) -> Iterator[V]:
    """
    Yield the values of ``(key, value)`` *items* in the order of their keys.

    Stable: values of equal keys keep their input order. At most *run_size*
    rows (`RUN_SIZE` by default) are held in memory; values must be
    picklable when there are more.
    """
    if run_size is None:
        run_size = RUN_SIZE
    runs: list[IO[bytes]] = []
    batch: list[_Row] = []
    try:
        for position, (key, value) in enumerate(items):
            batch.append((key, position, value))
            if len(batch) >= run_size:
                batch.sort(key=_order)
                runs.append(_spill(batch))
                batch = []
        batch.sort(key=_order)
        if not runs:
            for row in batch:
                yield row[2]
            return
        merged = heapq.merge(*(_rows_of(f) for f in runs), batch, key=_order)
        for row in merged:
            yield row[2]
    finally:
        for file in runs:
            file.close()
