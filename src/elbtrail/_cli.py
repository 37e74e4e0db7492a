"""The ``elbtrail`` command: summary, events, check and history."""

from __future__ import annotations

import argparse
import csv
import difflib
import functools
import io
import itertools
import json
import os
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any, TextIO

from . import _cli_follow
from ._actions import Api, actions
from ._cli_export import add_export_arguments, export
from ._event import Event
from ._history_cli import add_parser as add_history_parser
from ._history_cli import history as history_command
from ._issues import Issue, IssueCode, ParseError
from ._readers import iter_events
from ._sorting import sorted_values
from ._sources import is_s3_url
from ._summary import Tally, action_label, principal_label
from ._terminal import csv_cell, json_text, printable
from ._timestamps import format_canonical, parse_timestamp, shifted
from ._touched import TouchedResource, touched_resources

__all__ = ["main"]

_EXIT_OK = 0
_EXIT_ISSUES = 1
_EXIT_USAGE = 2
# What a shell reports for a command stopped by Ctrl-C (128 + SIGINT).
_EXIT_INTERRUPTED = 130


class _UsageError(Exception):
    """A mistake in how the command was called: exit status 2."""


class _Progress:
    """A one-line progress report on a terminal's stderr; silent otherwise."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.enabled = stream.isatty()
        self._last = 0.0

    def update(self, source: str, records: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._last < 0.2:
            return
        self._last = now
        text = printable(f"reading {source}: {records} records")
        self.stream.write(f"\r{text[-78:]:<78}")
        self.stream.flush()

    def done(self) -> None:
        if self.enabled and self._last:
            self.stream.write("\r" + " " * 78 + "\r")
            self.stream.flush()


def _read_all(
    paths: Sequence[str],
    *,
    elb_only: bool,
    dedupe: bool,
    stdin: IO[bytes],
    progress: _Progress,
    window: dict[str, Any] | None = None,
) -> Iterator[Event | Issue]:
    """Events and issues of every path in turn; ``-`` is standard input."""
    window = window or {}
    for path in paths:
        pending: list[Issue] = []
        if path == "-":
            stream = iter_events(
                stdin,
                elb_only=elb_only,
                dedupe=dedupe,
                on_issue=pending.append,
                **window,
            )
            name = "<stdin>"
        else:
            if not is_s3_url(path) and not Path(path).exists():
                msg = f"cannot open {path!r}: no such file or directory"
                raise _UsageError(msg)
            try:
                stream = iter_events(
                    path,
                    elb_only=elb_only,
                    dedupe=dedupe,
                    on_issue=pending.append,
                    **window,
                )
            except ValueError as error:
                raise _UsageError(str(error)) from None
            name = path
        try:
            for event in stream:
                yield from pending
                pending.clear()
                yield event
                progress.update(name, stream.records)
        except ModuleNotFoundError as error:
            raise _UsageError(str(error)) from None
        except OSError as error:
            msg = f"cannot read {path!r}: {error.strerror or error}"
            raise _UsageError(msg) from None
        yield from pending


def _time(value: datetime | None) -> str:
    return format_canonical(value) if value is not None else ""


def _read_by_workers(
    args: argparse.Namespace,
    tally: Tally,
    count: Callable[[Iterator[Event | Issue]], None],
    read: Callable[[Sequence[str]], Iterator[Event | Issue]],
    progress: _Progress,
) -> bool:
    """Count the local files in worker processes; ``False`` if not worth it."""
    # Imported here: multiprocessing would add to every one-process run.
    from . import _pool  # noqa: PLC0415

    jobs = args.jobs or _pool.usable_cores()
    if jobs < 2:  # one worker would only add a process
        return False
    try:
        return _pool.summarize(
            args.paths,
            jobs=jobs,
            elb_only=not args.all,
            dedupe=args.dedupe,
            window=_reading_options(args),
            tally=tally,
            in_process=lambda path: count(read([path])),
            progress=progress.update,
        )
    except _pool.PathError as error:
        raise _UsageError(str(error)) from None


def _summary(
    args: argparse.Namespace,
    items: Iterator[Event | Issue],
    out: TextIO,
    read: Callable[[Sequence[str]], Iterator[Event | Issue]],
    progress: _Progress,
) -> int:
    tally = Tally()

    def count(items: Iterator[Event | Issue]) -> None:
        add = tally.add
        issues = tally.issues
        for item in items:
            if not isinstance(item, Issue):
                add(item)
            elif item.code is IssueCode.DUPLICATE_RECORD:
                tally.duplicates += 1
            else:
                issues.append(item)

    if args.jobs == 1 or not _read_by_workers(args, tally, count, read, progress):
        count(items)
    tally.write(
        out,
        paths=args.paths,
        all_services=args.all,
        dedupe=args.dedupe,
        max_issues=args.max_issues,
        issue_text=_issue_text,
    )
    return _EXIT_OK


# The library's messages name its keyword arguments; the command line has
# options for them.
_OPTION_NAMES = {
    "dedupe=True": "--dedupe",
    "dedupe=False": "--no-dedupe",
    "elb_only=False": "--all",
    "elb_only=True": "the default (without --all)",
}
_KEYWORDS = re.compile("|".join(re.escape(k) for k in _OPTION_NAMES))


def _for_the_command_line(text: str) -> str:
    return _KEYWORDS.sub(lambda m: _OPTION_NAMES[m.group()], text)


def _issue_text(issue: Issue) -> str:
    return _for_the_command_line(str(issue))


def _elb_action_names() -> dict[str, str]:
    """Every ELB action name, by its case-folded form."""
    return {name.casefold(): name for api in Api for name in actions(api)}


def _action_names(args: argparse.Namespace) -> set[str]:
    """The case-folded --action names; an unknown ELB action is a usage error."""
    wanted = {name.casefold(): name for name in args.action or ()}
    if not wanted or args.all:
        # Other services' calls have names elbtrail does not know.
        return set(wanted)
    known = _elb_action_names()
    for folded, name in wanted.items():
        if folded in known:
            continue
        close = difflib.get_close_matches(folded, known, n=3, cutoff=0.6)
        names = [known[c] for c in close]
        hint = (
            f"; did you mean {_either(names)}?"
            if names
            else " (names are as in eventName, such as CreateLoadBalancer)"
        )
        msg = f"--action: no ELB action is called {name!r}{hint}"
        raise _UsageError(msg)
    return set(wanted)


def _either(names: Sequence[str]) -> str:
    """``A``, ``A or B``, ``A, B or C``."""
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} or {names[-1]}"


def _window(args: argparse.Namespace) -> tuple[datetime | None, datetime | None]:
    """The --since and --until bounds, both inclusive; an empty window is an error."""
    since = _parse_time(args.since, "--since") if args.since else None
    until = _parse_time(args.until, "--until") if args.until else None
    if until is not None and _DATE_ONLY.fullmatch(args.until.strip()):
        # A day given alone is the whole day.
        until = shifted(until, timedelta(days=1) - timedelta(microseconds=1))
    if since is not None and until is not None and since > until:
        msg = f"--since {args.since} is after --until {args.until}: no event can match"
        raise _UsageError(msg)
    return since, until


_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _contains(needle: str, haystack: Iterable[str | None]) -> bool:
    """Whether *needle* is part of any of *haystack*, ignoring case."""
    return any(text is not None and needle in text.casefold() for text in haystack)


def _event_filter(args: argparse.Namespace) -> Callable[[Event], bool]:
    for option, value in (
        ("--action", args.action),
        ("--principal", [args.principal]),
        ("--resource", [args.resource]),
    ):
        if any(v is not None and not v.strip() for v in value or ()):
            msg = f"{option}: empty; give a name, or leave the option out"
            raise _UsageError(msg)
    actions = _action_names(args)
    since, until = _window(args)
    principal = args.principal.casefold() if args.principal else None
    resource = args.resource.casefold() if args.resource else None

    def keep(event: Event) -> bool:
        if actions and (event.event_name or "").casefold() not in actions:
            return False
        if args.errors and event.error_code is None:
            return False
        if principal is not None:
            identity = event.user_identity
            names = (
                [identity.principal, identity.arn, identity.principal_id]
                if identity is not None
                else []
            )
            if not _contains(principal, names):
                return False
        if resource is not None and not any(
            _contains(resource, (r.name, r.arn)) for r in touched_resources(event)
        ):
            return False
        if since is not None and (event.event_time is None or event.event_time < since):
            return False
        return not (
            until is not None and (event.event_time is None or event.event_time > until)
        )

    return keep


def _parse_time(text: str, option: str) -> datetime:
    value = parse_timestamp(text.strip())
    if value is None:
        msg = (
            f"{option}: not a time: {text!r} (use ISO 8601, e.g. 2026-01-31T12:00:00Z)"
        )
        raise _UsageError(msg)
    return value


_COLUMNS = ("time", "action", "resource", "principal", "region", "source_ip", "error")
#: How many resources a table row names before it says how many more there are.
_SHOWN_RESOURCES = 2
#: Rows a streamed table reads to size its columns before it prints.
_SIZING_ROWS = 50


def _short_resource(resource: TouchedResource) -> str:
    if resource.name is not None:
        return resource.name
    assert resource.arn is not None  # a resource has a name or an ARN
    # The resource part of an ARN ("listener/app/web/50dc.../f2f7..."); the
    # partition, service, region and account are the same on every row.
    return resource.arn.split(":", 5)[-1]


def _resource_cell(event: Event, *, full: bool) -> str:
    touched = touched_resources(event)
    if full:
        return " ".join(r.identifier for r in touched)
    shown = [_short_resource(r) for r in touched[:_SHOWN_RESOURCES]]
    if len(touched) > _SHOWN_RESOURCES:
        shown.append(f"+{len(touched) - _SHOWN_RESOURCES}")
    return ", ".join(shown)


def _row(event: Event, *, full: bool = False) -> list[str]:
    return [
        _time(event.event_time),
        action_label(event),
        _resource_cell(event, full=full),
        principal_label(event),
        event.aws_region or "",
        event.source_ip_address or "",
        event.error_code or "",
    ]


_NO_TIME = (1, 0.0)


def _time_key(event: Event) -> tuple[int, float]:
    """Oldest first; events without a time last."""
    when = event.event_time
    if when is None:
        return _NO_TIME
    return (0, when.timestamp())


def _table(
    rows: Iterator[list[str]], out: TextIO, *, widths: list[int] | None = None
) -> None:
    """
    Print *rows* as aligned columns.

    Sorted, *widths* are the columns' final widths, measured while the rows
    went into the sort and complete once the first sorted row comes out.
    Streamed (no *widths*), the columns are sized on the first rows and each
    row is printed as it is read, so the first lines come at once
    (``| head``); a longer cell later shifts its row.
    """
    streamed = widths is None
    first = list(itertools.islice(rows, _SIZING_ROWS if streamed else 1))
    if widths is None:
        widths = [
            max([len(c)] + [len(r[i]) for r in first]) for i, c in enumerate(_COLUMNS)
        ]
    header = "  ".join(
        c.upper().ljust(w) for c, w in zip(_COLUMNS, widths, strict=True)
    )
    out.write(header.rstrip() + "\n")
    for row in itertools.chain(first, rows):
        line = "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
        out.write(line.rstrip() + "\n")
        if streamed:
            out.flush()


def _measured(
    keyed: Iterator[tuple[Any, list[str]]], widths: list[int]
) -> Iterator[tuple[Any, list[str]]]:
    """Pass *keyed* rows on, widening *widths* to fit each row's cells."""
    for key, row in keyed:
        for index, cell in enumerate(row):
            widths[index] = max(widths[index], len(cell))
        yield key, row


def _json_line(event: Event) -> str:
    return json_text(json.dumps(event.to_dict(), ensure_ascii=False))


def _json_block(event: Event) -> str:
    return json_text(json.dumps(event.to_dict(), ensure_ascii=False, indent=2))


def _csv_row(event: Event) -> list[str]:
    return [csv_cell(cell) for cell in _row(event, full=True)]


def _printable_row(event: Event) -> list[str]:
    return [printable(cell) for cell in _row(event)]


# What each format keeps of an event: sorting holds these, not the events.
_RENDER: dict[str, Callable[[Event], Any]] = {
    "jsonl": _json_line,
    "json": _json_block,
    "csv": _csv_row,
    "table": _printable_row,
}


def _events(
    args: argparse.Namespace, items: Iterator[Event | Issue], out: TextIO
) -> int:
    keep = _event_filter(args)
    issues: list[Issue] = []
    matched = 0

    def selected_events() -> Iterator[Event]:
        nonlocal matched
        for item in items:
            if isinstance(item, Issue):
                issues.append(item)
            elif keep(item):
                matched += 1
                yield item

    fmt = args.format
    sort = args.sort or ("time" if fmt == "table" else "none")
    render = _RENDER[fmt]
    widths: list[int] | None = None  # a sorted table's, measured going in
    if sort == "time":
        # Stable: events of the same time stay in reading order. Memory holds
        # a bounded run of rows; longer inputs are sorted through temporary
        # files.
        keyed: Iterator[tuple[Any, Any]] = (
            (_time_key(event), render(event)) for event in selected_events()
        )
        if fmt == "table":
            widths = [len(column) for column in _COLUMNS]
            keyed = _measured(keyed, widths)
        rendered: Iterator[Any] = sorted_values(keyed)
    else:
        rendered = (render(event) for event in selected_events())
    if fmt == "jsonl":
        out.writelines(line + "\n" for line in rendered)
    elif fmt == "json":
        out.write("[")
        for index, block in enumerate(rendered):
            out.write(",\n" if index else "\n")
            out.write(block)
        out.write("\n]\n")
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(_COLUMNS)
        writer.writerows(rendered)
    else:
        _table(rendered, out, widths=widths)
    out.flush()
    if issues:
        sys.stderr.write(
            f"elbtrail: {len(issues)} issue(s) while reading; see 'elbtrail check'\n"
        )
    if not matched and _filtered(args):
        sys.stderr.write("elbtrail: no event matched the filters\n")
    return _EXIT_OK


def _filtered(args: argparse.Namespace) -> bool:
    return bool(
        args.action
        or args.principal
        or args.resource
        or args.since
        or args.until
        or args.errors
    )


def _check(
    args: argparse.Namespace, items: Iterator[Event | Issue], out: TextIO
) -> int:
    damaged = False
    count = 0
    for item in items:
        if not isinstance(item, Issue):
            continue
        count += 1
        damaged = damaged or item.is_damage
        out.write(printable(_for_the_command_line(_check_line(item))) + "\n")
    if not count and not args.quiet:
        out.write("no issues\n")
    return _EXIT_ISSUES if damaged else _EXIT_OK


def _check_line(issue: Issue) -> str:
    where = ":".join(
        str(p) for p in (issue.source, issue.line, issue.column) if p is not None
    )
    text = f"{issue.severity.value}: {issue.message}"
    if issue.path:
        text += f" [{issue.path}]"
    elif issue.record is not None:
        text += f" [record {issue.record}]"
    if issue.action:
        text += f" ({issue.action})"
    return f"{where}: {text}" if where else text


class _Version(argparse.Action):
    """``--version``: looks the version up only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **_: Any) -> None:
        super().__init__(
            option_strings,
            dest,
            nargs=0,
            default=argparse.SUPPRESS,
            help="print the version and exit",
        )

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        from importlib import metadata  # noqa: PLC0415 - only when asked

        try:
            number = metadata.version("elbtrail")
        except metadata.PackageNotFoundError:
            # Run from a source tree that was never installed.
            number = "(unknown: not installed)"
        sys.stdout.write(f"elbtrail {number}\n")
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="elbtrail",
        description="Read AWS CloudTrail records of Elastic Load Balancing API calls.",
        epilog="PATH may be a log file (gzipped or not), a folder of them, "
        "an s3://bucket/prefix URL, or - for standard input.",
    )
    parser.add_argument("--version", action=_Version)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def common(sub: argparse.ArgumentParser, *, dedupe: bool = False) -> None:
        sub.add_argument(
            "paths", nargs="+", metavar="PATH", help="files, folders, s3:// or -"
        )
        sub.add_argument(
            "--all",
            action="store_true",
            help="include the records of every AWS service, not only ELB",
        )
        sub.add_argument(
            "--dedupe",
            action=argparse.BooleanOptionalAction,
            default=dedupe,
            help="drop records delivered more than once (default: "
            + ("on" if dedupe else "off")
            + ")",
        )
        _window_options(sub)

    summary = commands.add_parser(
        "summary", help="what the logs hold: actions, principals, regions, issues"
    )
    common(summary, dedupe=True)
    summary.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        default=1,
        metavar="N",
        help="read files in N worker processes; 0 or auto: one per usable core "
        "(default 1: one process)",
    )
    summary.add_argument(
        "--max-issues",
        type=int,
        default=20,
        metavar="N",
        help="list at most N issues (default 20)",
    )

    events = commands.add_parser(
        "events",
        help="the matching events",
        description="The matching events. Text filters ignore case. Times are "
        "ISO 8601; without a zone they are UTC, and a date alone is that whole "
        "day for --until, its start for --since.",
    )
    common(events)
    events.add_argument(
        "--action",
        action="append",
        metavar="A",
        help="this eventName, such as DeleteLoadBalancer (repeatable)",
    )
    events.add_argument(
        "--principal", metavar="P", help="part of the caller's name, ARN or ID"
    )
    events.add_argument(
        "--resource",
        metavar="R",
        help="part of the name or ARN of a resource the call touched",
    )
    events.add_argument("--errors", action="store_true", help="only failed calls")
    events.add_argument(
        "--format",
        choices=("table", "json", "jsonl", "csv"),
        default="table",
        help="table (default), json, jsonl (the original records) or csv",
    )
    events.add_argument(
        "--sort",
        choices=("time", "none"),
        help="time: oldest first, after reading everything (the default for "
        "table); none: as read, printed as it goes (the default otherwise)",
    )

    check = commands.add_parser(
        "check",
        help="list every issue; exit 1 if there is damage, 0 if clean",
    )
    common(check)
    check.add_argument("-q", "--quiet", action="store_true", help="no 'no issues'")
    _cli_follow.add_parser(commands)

    export_parser = commands.add_parser(
        "export", help="write the events as a Parquet dataset (elbtrail[arrow])"
    )
    common(export_parser)
    add_export_arguments(export_parser)
    add_history_parser(commands, common)
    return parser


def _jobs(text: str) -> int:
    """``--jobs``: a count of processes, or 0 / ``auto`` for one per core."""
    if text.strip().lower() == "auto":
        return 0
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        msg = f"expected a number of processes, 0 or auto, got {text!r}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _window_options(sub: argparse.ArgumentParser) -> None:
    sub.add_argument("--since", metavar="T", help="at or after this time")
    sub.add_argument("--until", metavar="T", help="at or before this time")
    sub.add_argument(
        "--account", action="append", metavar="ID", help="account ID (repeatable)"
    )
    sub.add_argument(
        "--region", action="append", metavar="R", help="AWS region (repeatable)"
    )


def _reading_options(args: argparse.Namespace) -> dict[str, Any]:
    """The reading options that choose what is read at all."""
    since, until = _window(args)
    if args.command == "history":
        # A resource's state at --since needs every call before it: the
        # window chooses the changes shown, not what is read.
        since = until = None
    return {
        "since": since,
        "until": until,
        "accounts": args.account,
        "regions": args.region,
    }


def _history(
    args: argparse.Namespace, items: Iterator[Event | Issue], out: TextIO
) -> int:
    return history_command(args, items, out, _parse_time)


_COMMANDS = {
    "events": _events,
    "check": _check,
    "export": export,
    "history": _history,
}


def _follow(
    parser: argparse.ArgumentParser, args: argparse.Namespace, out: TextIO
) -> int:
    try:
        return _cli_follow.run(args, out)
    except BrokenPipeError:
        sys.stderr.close()
        return _EXIT_OK
    except KeyboardInterrupt:
        # The message in hand, if any, stays in the queue for redelivery.
        return 130
    except Exception as error:
        # botocore's errors carry the service's response: a usage error
        # (no such queue, access denied), not a crash.
        if not isinstance(error, (ImportError, OSError, ValueError)) and not hasattr(
            error, "response"
        ):
            raise
        parser.exit(_EXIT_USAGE, f"elbtrail: error: {error}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """
    Run the ``elbtrail`` command line and return its exit status.

    Exit status: 0 on success, 1 when ``check`` finds damage, 2 for usage
    errors and unreadable paths, 130 when interrupted (Ctrl-C).

    Added in version 0.1.0.
    """
    try:
        return _main(argv)
    except KeyboardInterrupt:
        # Ctrl-C is how people stop a long read: no traceback.
        _quiet_stdout()
        return _EXIT_INTERRUPTED


def _main(argv: Sequence[str] | None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if isinstance(sys.stdout, io.TextIOWrapper):
        # A lone surrogate (valid in a JSON escape, not in UTF-8) is written
        # as its JSON escape rather than failing the whole command.
        sys.stdout.reconfigure(errors="backslashreplace")
    out: TextIO = sys.stdout
    if args.command == "follow":
        return _follow(parser, args, out)
    progress = _Progress(sys.stderr)
    stdin: IO[bytes] = getattr(sys.stdin, "buffer", None) or io.BytesIO()
    try:
        read = functools.partial(
            _read_all,
            elb_only=not args.all,
            dedupe=args.dedupe,
            stdin=stdin,
            progress=progress,
            window=_reading_options(args),
        )
        items = read(args.paths)
        if args.command == "summary":
            status = _summary(args, items, out, read, progress)
        else:
            status = _COMMANDS[args.command](args, items, out)
    except _UsageError as error:
        progress.done()
        parser.exit(_EXIT_USAGE, printable(f"elbtrail: error: {error}") + "\n")
    except ParseError as error:  # pragma: no cover - the command never reads strictly
        progress.done()
        parser.exit(_EXIT_ISSUES, printable(f"elbtrail: {error}") + "\n")
    except BrokenPipeError:
        # The reader of our output went away (| head); that is not an error.
        _quiet_stdout()
        return _EXIT_OK
    except KeyboardInterrupt:
        progress.done()  # leave the terminal's line clean
        raise
    progress.done()
    return status


def _quiet_stdout() -> None:
    """
    Point standard output at the null device.

    Whatever is still buffered would otherwise be flushed at exit, into a
    closed pipe, and Python would print an error about it.
    """
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        # Not a real file (tests capture it); nothing is flushed at exit.
        pass
