"""The ``elbtrail export`` command: log files to a Parquet dataset."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO, TextIO

from ._arrow import Located
from ._issues import Issue
from ._layout import Selection
from ._located import iter_located
from ._parquet import PARTITION_KEYS, write
from ._sources import S3Url, is_s3_url

__all__ = ["add_export_arguments", "export"]

_EXIT_OK = 0
_EXIT_USAGE = 2


def add_export_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of ``export`` (beside the paths and --all, --dedupe)."""
    parser.add_argument(
        "--to",
        required=True,
        metavar="DIR",
        help="the dataset's directory: events in DIR/events, issues in DIR/issues",
    )
    parser.add_argument(
        "--partition-by",
        default="account,region,date",
        metavar="KEYS",
        help="comma-separated partition keys among account, region and date "
        "(default account,region,date; '' for none)",
    )
    parser.add_argument(
        "--append",
        action="store_true",
        help="add to a dataset already in DIR instead of requiring it empty",
    )


def _sources(
    paths: list[str],
    stdin: IO[bytes],
    *,
    elb_only: bool,
    dedupe: bool,
    selection: Selection,
) -> Callable[[Callable[[Issue], None]], Iterable[Located]]:
    for path in paths:
        if is_s3_url(path):
            # Checked before the output directory is made.
            S3Url.parse(path)
        elif path != "-" and not Path(path).exists():
            msg = f"cannot open {path!r}: no such file or directory"
            raise _ExportError(msg)

    def located(sink: Callable[[Issue], None]) -> Iterator[Located]:
        for path in paths:
            source = stdin if path == "-" else path
            for event, name, index, record in iter_located(
                source,
                elb_only=elb_only,
                dedupe=dedupe,
                on_issue=sink,
                selection=selection,
            ):
                yield event, "<stdin>" if path == "-" else name, index, record

    return located


def _keys(text: str) -> list[str]:
    keys = [k.strip() for k in text.split(",") if k.strip()]
    unknown = [k for k in keys if k not in PARTITION_KEYS]
    if unknown:
        msg = (
            f"--partition-by: unknown key(s) {', '.join(unknown)}; "
            f"use {', '.join(PARTITION_KEYS)}"
        )
        raise _ExportError(msg)
    return keys


class _ExportError(Exception):
    """A mistake in how ``export`` was called: exit status 2."""


def export(
    args: argparse.Namespace,
    items: Iterator[object],  # noqa: ARG001 - export reads the paths itself
    out: TextIO,
) -> int:
    """
    Write the events of ``args.paths`` to ``args.to`` as Parquet.

    ``--since``, ``--until``, ``--account`` and ``--region`` select the
    events, and prune what is listed and read, as for the other commands.

    The command reads the files itself rather than through *items*, so that
    each row records its file and record index.
    """
    # Imported here: _cli imports this module.
    from ._cli import _reading_options  # noqa: PLC0415

    try:
        keys = _keys(args.partition_by)
        stdin: IO[bytes] = sys.stdin.buffer
        located = _sources(
            args.paths,
            stdin,
            elb_only=not args.all,
            dedupe=args.dedupe,
            selection=Selection.of(**_reading_options(args)),
        )
        result = write(
            located,
            args.to,
            partition_by=keys,
            append=args.append,
            row_group_rows=4096,
            max_open_files=16,
            on_issue=None,
        )
    except (_ExportError, ValueError, OSError, ModuleNotFoundError) as error:
        sys.stderr.write(f"elbtrail: error: {error}\n")
        return _EXIT_USAGE
    data_files = len(result.files) - (1 if result.issues else 0)
    out.write(
        f"wrote {result.events} events to {result.directory / 'events'} "
        f"({data_files} files)\n"
    )
    if result.issues:
        out.write(
            f"{result.issues} issue(s) while reading, written to "
            f"{result.directory / 'issues'}; see 'elbtrail check'\n"
        )
    return _EXIT_OK
