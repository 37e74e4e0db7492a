"""
``elbtrail summary`` over many files, read by worker processes.

Each worker reads whole files and sends back what the summary needs of
them: counts by labels, the time span, the issues, and the ``eventID`` of
each event, never the events. The parent takes the parts in reading order
(the order of a sorted walk) and decides duplicates as one reader would: it
replays the reader's window of recent ``eventID``s, and only for an
``eventID`` met again does it ask for the records' fingerprints. So the
output is the output of one process, byte for byte.
"""

from __future__ import annotations

import contextlib
import math
import multiprocessing
import os
import signal
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple

import attrs

from . import _readers
from ._decoders import fingerprint
from ._issues import Issue, IssueCode, Severity
from ._layout import Selection
from ._readers import iter_events, walk
from ._sources import is_s3_url
from ._summary import Labels, Tally, labels

__all__ = ["PathError", "poolable", "summarize", "usable_cores"]

#: Files a task holds at most; fewer when there are few files a worker.
MAX_CHUNK = 4
#: Tasks handed out ahead of the one being merged, per worker: enough to keep
#: every worker busy, few enough that finished parts do not pile up.
AHEAD = 4


class PathError(Exception):
    """A path named on the command line that cannot be read."""


def usable_cores() -> int:
    """The cores this process may run on (what ``--jobs auto`` means)."""
    count: Callable[[], int | None] | None = getattr(os, "process_cpu_count", None)
    if count is not None:  # Python 3.13
        return count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


class FilePart(NamedTuple):
    """What a worker sends back for one file."""

    records: int
    issues: list[Issue]
    counts: list[tuple[Labels, int]]
    first: datetime | None
    last: datetime | None
    #: (index among the file's events, eventID, labels if counted) of every
    #: event with a text eventID, in order.
    keys: list[tuple[int, str, Labels | None]]
    #: An error that stopped the reading, and whether it came on opening.
    error: OSError | None = None
    at_open: bool = False


class Options(NamedTuple):
    """The reading options a worker needs."""

    elb_only: bool
    window: dict[str, Any]


def read_file(path: str, options: Options) -> FilePart:
    """Read one file as the summary needs it (in a worker, or in the parent)."""
    selection = Selection.of(**options.window)
    everything = selection.everything
    issues: list[Issue] = []
    counts: dict[Labels, int] = {}
    # One tuple for equal labels, so that pickling sends it once.
    interned: dict[Labels, Labels] = {}
    keys: list[tuple[int, str, Labels | None]] = []
    first: datetime | None = None
    last: datetime | None = None
    # Duplicates are decided by the parent, across files.
    stream = iter_events(path, elb_only=options.elb_only, on_issue=issues.append)
    index = -1
    try:
        for index, event in enumerate(stream):
            label: Labels | None = None
            if everything or selection.keeps(event):
                found = labels(event)
                label = interned.setdefault(found, found)
                counts[label] = counts.get(label, 0) + 1
                when = event.event_time
                if when is not None:
                    if first is None or when < first:
                        first = when
                    if last is None or when > last:
                        last = when
            event_id = event.event_id
            if event_id.__class__ is str:
                keys.append((index, event_id, label))
    except OSError as error:
        # Opening a file raises; reading it reports issues instead.
        at_open = index < 0 and not stream.records and not issues
        return FilePart(0, [], [], None, None, [], error, at_open=at_open)
    kept = [i for i in issues if i.code is not IssueCode.DUPLICATE_RECORD]
    return FilePart(stream.records, kept, list(counts.items()), first, last, keys)


def read_files(paths: Sequence[str], options: Options) -> list[FilePart]:
    """A worker's task: several files, to keep the messages few."""
    return [read_file(path, options) for path in paths]


def fingerprints(
    path: str, options: Options, indexes: Sequence[int]
) -> dict[int, bytes]:
    """The fingerprints of the file's events at *indexes*, read again."""
    wanted = set(indexes)
    found: dict[int, bytes] = {}
    stream = iter_events(path, elb_only=options.elb_only)
    try:
        for index, event in enumerate(stream):
            if index in wanted:
                found[index] = fingerprint(event.to_dict())
                if len(found) == len(wanted):
                    break
    except OSError:
        pass  # gone since the first reading: its events match nothing
    return found


def _start_worker() -> None:
    """
    Leave Ctrl-C to the command, and end with it.

    The command ends its workers on Ctrl-C; killed (``kill``, out of
    memory), it cannot, and a worker waiting for work would wait forever.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_end_with, args=(parent,), daemon=True).start()


def _end_with(parent: multiprocessing.process.BaseProcess) -> None:
    parent.join()  # until the command has gone
    os._exit(1)


def poolable(path: str) -> bool:
    """Whether a command-line path is a local folder or file workers can read."""
    if path == "-" or is_s3_url(path):
        return False
    candidate = Path(path)
    return candidate.is_dir() or candidate.is_file()


# A file's place: (file number, the file, whether the command line named it).
_File = tuple[int, str, bool]


def _entries(path: str, selection: Selection) -> list[Issue | _File]:
    """A path's files and the notices of walking it, in reading order."""
    if not Path(path).is_dir():
        return [(0, path, True)]
    entries: list[Issue | _File] = []
    # The walk's notices go in between the files, where the walk met them.
    entries.extend(
        (0, str(file), False) for file in walk(Path(path), entries.append, selection)
    )
    return entries


def _context() -> multiprocessing.context.BaseContext:
    """The forkserver method where there is one (fork is unsafe beside threads)."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        # Workers fork from a server that has imported elbtrail once, with
        # the per-action models that every worker would otherwise load.
        context.set_forkserver_preload([__name__, "elbtrail.classic", "elbtrail.v2"])
        return context
    return multiprocessing.get_context("spawn")


@contextlib.contextmanager
def _sigint_blocked() -> Iterator[None]:
    """
    Hold Ctrl-C back while workers start: they inherit the blocked signal.

    The parent gets the held signal once this ends.
    """
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


class _Pool:
    """A process pool that ends its workers at once when reading stops."""

    def __init__(self, jobs: int) -> None:
        self.jobs = jobs
        self.executor: ProcessPoolExecutor | None = ProcessPoolExecutor(
            max_workers=jobs, mp_context=_context(), initializer=_start_worker
        )

    def submit(self, function: Callable[..., Any], *args: Any) -> Future[Any] | None:
        """Hand *function* to a worker; ``None`` once the pool is broken."""
        if self.executor is None:
            return None
        try:
            with _sigint_blocked():
                return self.executor.submit(function, *args)
        except (BrokenProcessPool, OSError):
            # No worker could be started (or one died): the files are read here.
            self.close(abort=True)
            return None

    def close(self, *, abort: bool) -> None:
        """Let the workers go; with *abort*, end them where they are."""
        executor = self.executor
        if executor is None:
            return
        if not abort:
            executor.shutdown(wait=True)
            self.executor = None
            return
        self.executor = None
        # Python before 3.14 has no way to end the workers but their processes.
        processes = list(getattr(executor, "_processes", {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            with contextlib.suppress(OSError):
                process.terminate()
        for process in processes:
            process.join()


def _result(future: Future[Any] | None, fallback: Callable[[], Any]) -> Any:
    """A task's result; a worker that died is replaced by the parent."""
    if future is not None:
        try:
            return future.result()
        except (BrokenProcessPool, CancelledError):
            pass
    # A worker crashed (or was killed): read here, as one process would.
    return fallback()


def _parts(pool: _Pool, files: Sequence[_File], options: Options) -> Iterator[FilePart]:
    """The parts of *files*, in order, read ahead by the workers."""
    size = max(1, min(MAX_CHUNK, math.ceil(len(files) / (pool.jobs * AHEAD))))
    chunks = [
        [path for _, path, _ in files[start : start + size]]
        for start in range(0, len(files), size)
    ]
    pending: deque[tuple[list[str], Future[Any] | None]] = deque()
    upcoming = iter(chunks)
    for chunk in upcoming:
        pending.append((chunk, pool.submit(read_files, chunk, options)))
        if len(pending) >= pool.jobs * AHEAD:
            break
    while pending:
        chunk, future = pending.popleft()
        parts = _result(future, lambda c=chunk: read_files(c, options))  # type: ignore[misc]
        for chunk_next in upcoming:
            pending.append((chunk_next, pool.submit(read_files, chunk_next, options)))
            break
        yield from parts


class _Dedupe:
    """
    The reader's duplicate decisions, replayed on eventIDs.

    The reader remembers the last `DEDUPE_WINDOW` eventIDs (in the order
    they were first met); a record whose eventID is remembered is a
    duplicate when its fingerprint equals one met under that eventID. Which
    eventIDs are remembered depends on eventIDs alone, so this pass needs
    no fingerprint: it lists the events whose eventID came again, and the
    fingerprints are fetched for those only.
    """

    def __init__(self) -> None:
        self.seen: OrderedDict[str, Any] = OrderedDict()
        self.window = _readers.DEDUPE_WINDOW
        # (table, first holder or None, event); an event is
        # (file number, index among its events, labels if counted).
        self.again: list[tuple[int, Any, Any]] = []
        self._tables = 0

    def see(self, number: int, keys: list[tuple[int, str, Labels | None]]) -> None:
        seen = self.seen
        for index, event_id, label in keys:
            held = seen.get(event_id)
            if held is None:
                seen[event_id] = (number, index, label)
                if len(seen) > self.window:
                    seen.popitem(last=False)
            elif held.__class__ is tuple:
                self._tables += 1
                seen[event_id] = self._tables
                self.again.append((self._tables, held, (number, index, label)))
            else:
                self.again.append((held, None, (number, index, label)))


def _unreadable(path: str, error: OSError) -> Issue:
    # As the reader reports a file of a tree it cannot open.
    return Issue(
        message=f"cannot read the file: {error.strerror or error}",
        code=IssueCode.UNREADABLE_FILE,
        severity=Severity.ERROR,
        source=path,
        action="skipped it",
    )


def summarize(
    paths: Sequence[str],
    *,
    jobs: int,
    elb_only: bool,
    dedupe: bool,
    window: dict[str, Any],
    tally: Tally,
    in_process: Callable[[str], None],
    progress: Callable[[str, int], None],
) -> bool:
    """
    Count *paths* into *tally*, local files and folders in *jobs* workers.

    Other paths (``-``, S3) are read by *in_process* at their turn. Returns
    ``False``, having read nothing, when there are fewer than two files for
    workers: one process reads them sooner.

    Raises:
        PathError: A path on the command line cannot be read.
    """
    options = Options(elb_only, window)
    selection = Selection.of(**window)
    plan: list[list[Issue | _File] | None] = []
    files: list[_File] = []
    for path in paths:
        if not poolable(path):
            plan.append(None)
            continue
        entries = _entries(path, selection)
        for at, entry in enumerate(entries):
            if not isinstance(entry, Issue):
                entries[at] = numbered = (len(files), entry[1], entry[2])
                files.append(numbered)
        plan.append(entries)
    if len(files) < 2:
        return False
    pool = _Pool(min(jobs, len(files)))
    try:
        parts = _parts(pool, files, options)
        scopes: list[_Dedupe] = []
        for path, planned in zip(paths, plan, strict=True):
            if planned is None:
                in_process(path)
                continue
            scope = _Dedupe()
            scopes.append(scope)
            _merge(path, planned, parts, scope, tally, progress)
        _decide(pool, scopes, files, options, tally, dedupe=dedupe)
        pool.close(abort=False)
    except BaseException:
        pool.close(abort=True)
        raise
    return True


def _merge(
    path: str,
    entries: list[Issue | _File],
    parts: Iterator[FilePart],
    scope: _Dedupe,
    tally: Tally,
    progress: Callable[[str, int], None],
) -> None:
    """Merge the parts of one command-line path, in reading order."""
    offset = 0
    for entry in entries:
        if isinstance(entry, Issue):
            tally.issues.append(entry)
            continue
        number, name, named = entry
        if named and not Path(name).exists():
            msg = f"cannot open {name!r}: no such file or directory"
            raise PathError(msg)
        part = next(parts)
        if part.error is not None:
            if named or not part.at_open:
                # As one process stops on an error it cannot report.
                msg = f"cannot read {path!r}: {part.error.strerror or part.error}"
                raise PathError(msg)
            tally.issues.append(_unreadable(name, part.error))
            continue
        if offset:
            # Records are counted across the files of one path.
            tally.issues.extend(
                i if i.record is None else attrs.evolve(i, record=i.record + offset)
                for i in part.issues
            )
        else:
            tally.issues.extend(part.issues)
        offset += part.records
        for key, number_of in part.counts:
            tally.counts[key] += number_of
        tally.span(part.first, part.last)
        scope.see(number, part.keys)
        progress(name, offset)


def _decide(
    pool: _Pool,
    scopes: list[_Dedupe],
    files: Sequence[_File],
    options: Options,
    tally: Tally,
    *,
    dedupe: bool,
) -> None:
    """Fetch the fingerprints the duplicates need, and count the duplicates."""
    wanted: dict[int, set[int]] = {}
    for scope in scopes:
        for _, holder, event in scope.again:
            for number, index, _ in (holder, event) if holder else (event,):
                wanted.setdefault(number, set()).add(index)
    if not wanted:
        return
    futures = {
        number: pool.submit(fingerprints, files[number][1], options, sorted(indexes))
        for number, indexes in wanted.items()
    }
    found: dict[tuple[int, int], bytes] = {}
    for number, future in futures.items():
        path, indexes = files[number][1], sorted(wanted[number])
        marks = _result(
            future,
            lambda p=path, i=indexes: fingerprints(p, options, i),  # type: ignore[misc]
        )
        found.update(((number, index), mark) for index, mark in marks.items())

    def mark_of(event: tuple[int, int, Labels | None]) -> Any:
        # A file changed since its first reading may lack the event: then
        # it is itself, equal to no other.
        return found.get((event[0], event[1]), event)

    for scope in scopes:
        tables: dict[int, dict[Any, Any]] = {}
        for table, holder, event in scope.again:
            if holder is not None:
                tables[table] = {mark_of(holder): holder}
            marks = tables[table]
            mark = mark_of(event)
            if mark not in marks:
                marks[mark] = event
                continue
            tally.duplicates += 1
            if dedupe and event[2] is not None:
                tally.counts[event[2]] -= 1
