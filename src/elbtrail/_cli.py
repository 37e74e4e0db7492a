"""The ``elbtrail`` command: summary, events and check."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, TextIO

from ._event import Event
from ._issues import Issue, ParseError
from ._readers import iter_events
from ._terminal import csv_cell, json_text, printable
from ._timestamps import format_canonical, parse_timestamp

__all__ = ["main"]

_EXIT_OK = 0
_EXIT_ISSUES = 1
_EXIT_USAGE = 2

_API_LABELS = {"2012-06-01": "Classic", "2015-12-01": "v2"}


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
) -> Iterator[Event | Issue]:
    """Events and issues of every path in turn; ``-`` is standard input."""
    for path in paths:
        pending: list[Issue] = []
        if path == "-":
            stream = iter_events(
                stdin, elb_only=elb_only, dedupe=dedupe, on_issue=pending.append
            )
            name = "<stdin>"
        else:
            if not Path(path).exists():
                msg = f"cannot open {path!r}: no such file or directory"
                raise _UsageError(msg)
            stream = iter_events(
                path, elb_only=elb_only, dedupe=dedupe, on_issue=pending.append
            )
            name = path
        try:
            for event in stream:
                yield from pending
                pending.clear()
                yield event
                progress.update(name, stream.records)
        except OSError as error:
            msg = f"cannot read {path!r}: {error.strerror or error}"
            raise _UsageError(msg) from None
        yield from pending


def _principal(event: Event) -> str:
    identity = event.user_identity
    if identity is None:
        return "(no identity)"
    name = identity.principal or "(unknown)"
    return f"{name} ({identity.type})" if identity.type else name


def _action_label(event: Event) -> str:
    api = _API_LABELS.get(event.api_version or "")
    if api is None:
        action = event.action
        api = _API_LABELS.get(action.api.value) if action is not None else None
    name = event.event_name or "(no eventName)"
    return f"{name} [{api}]" if api else name


def _time(value: datetime | None) -> str:
    return format_canonical(value) if value is not None else ""


def _print_counter(out: TextIO, title: str, counter: Counter[str]) -> None:
    out.write(f"\n{title}\n")
    if not counter:
        out.write("  (none)\n")
        return
    shown = {key: printable(key) for key in counter}
    width = max(len(k) for k in shown.values())
    out.writelines(
        f"  {shown[key]:<{width}}  {count:>6}\n"
        for key, count in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    )


def _summary(
    args: argparse.Namespace, items: Iterator[Event | Issue], out: TextIO
) -> int:
    actions: Counter[str] = Counter()
    principals: Counter[str] = Counter()
    regions: Counter[str] = Counter()
    errors: Counter[str] = Counter()
    issues: list[Issue] = []
    first: datetime | None = None
    last: datetime | None = None
    count = 0
    for item in items:
        if isinstance(item, Issue):
            issues.append(item)
            continue
        count += 1
        actions[_action_label(item)] += 1
        principals[_principal(item)] += 1
        regions[item.aws_region or "(no region)"] += 1
        if item.error_code is not None:
            errors[item.error_code] += 1
        if item.event_time is not None:
            first = item.event_time if first is None else min(first, item.event_time)
            last = item.event_time if last is None else max(last, item.event_time)
    kind = "events" if not args.all else "events (all services)"
    out.write(printable(f"{count} {kind} in {', '.join(args.paths)}") + "\n")
    if first is not None and last is not None:
        out.write(f"Time span: {_time(first)} .. {_time(last)}\n")
    _print_counter(out, "Actions", actions)
    _print_counter(out, "Principals", principals)
    _print_counter(out, "Regions", regions)
    _print_counter(out, "Error codes", errors)
    out.write(f"\nIssues ({len(issues)})\n")
    out.writelines(
        f"  {printable(str(issue))}\n" for issue in issues[: args.max_issues]
    )
    if len(issues) > args.max_issues:
        out.write(f"  ... and {len(issues) - args.max_issues} more (elbtrail check)\n")
    if not issues:
        out.write("  (none)\n")
    return _EXIT_OK


def _event_filter(args: argparse.Namespace) -> Callable[[Event], bool]:
    actions = {a.lower() for a in args.action or ()}
    since = _parse_time(args.since, "--since") if args.since else None
    until = _parse_time(args.until, "--until") if args.until else None

    def keep(event: Event) -> bool:
        if actions and (event.event_name or "").lower() not in actions:
            return False
        if args.errors and event.error_code is None:
            return False
        if args.principal:
            identity = event.user_identity
            names = (
                [identity.principal, identity.arn, identity.principal_id]
                if identity is not None
                else []
            )
            if not any(n and args.principal in n for n in names):
                return False
        if since is not None and (event.event_time is None or event.event_time < since):
            return False
        return not (
            until is not None and (event.event_time is None or event.event_time > until)
        )

    return keep


def _parse_time(text: str, option: str) -> datetime:
    value = parse_timestamp(text)
    if value is None:
        msg = (
            f"{option}: not a time: {text!r} (use ISO 8601, e.g. 2026-01-31T12:00:00Z)"
        )
        raise _UsageError(msg)
    return value


_COLUMNS = ("time", "action", "principal", "region", "source_ip", "error")


def _row(event: Event) -> list[str]:
    return [
        _time(event.event_time),
        _action_label(event),
        _principal(event),
        event.aws_region or "",
        event.source_ip_address or "",
        event.error_code or "",
    ]


def _printable_row(event: Event) -> list[str]:
    return [printable(cell) for cell in _row(event)]


def _events(
    args: argparse.Namespace, items: Iterator[Event | Issue], out: TextIO
) -> int:
    keep = _event_filter(args)
    issues: list[Issue] = []

    def selected_events() -> Iterator[Event]:
        for item in items:
            if isinstance(item, Issue):
                issues.append(item)
            elif keep(item):
                yield item

    selected = selected_events()
    fmt = args.format
    if fmt == "jsonl":
        out.writelines(
            json_text(json.dumps(event.to_dict(), ensure_ascii=False)) + "\n"
            for event in selected
        )
    elif fmt == "json":
        out.write("[")
        for index, event in enumerate(selected):
            out.write(",\n" if index else "\n")
            out.write(
                json_text(json.dumps(event.to_dict(), ensure_ascii=False, indent=2))
            )
        out.write("\n]\n")
    elif fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(_COLUMNS)
        for event in selected:
            writer.writerow([csv_cell(cell) for cell in _row(event)])
    else:
        rows = [_printable_row(event) for event in selected]
        widths = [
            max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(_COLUMNS)
        ]
        header = "  ".join(
            c.upper().ljust(w) for c, w in zip(_COLUMNS, widths, strict=True)
        )
        out.write(header.rstrip() + "\n")
        for row in rows:
            line = "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
            out.write(line.rstrip() + "\n")
    if issues:
        sys.stderr.write(
            f"elbtrail: {len(issues)} issue(s) while reading; see 'elbtrail check'\n"
        )
    return _EXIT_OK


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
        out.write(printable(_check_line(item)) + "\n")
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="elbtrail",
        description="Read AWS CloudTrail records of Elastic Load Balancing API calls.",
        epilog="PATH may be a log file (gzipped or not), a folder of them, or - "
        "for standard input.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def common(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("paths", nargs="+", metavar="PATH", help="files, folders or -")
        sub.add_argument(
            "--all",
            action="store_true",
            help="include the records of every AWS service, not only ELB",
        )
        sub.add_argument(
            "--dedupe",
            action="store_true",
            help="drop records delivered more than once",
        )

    summary = commands.add_parser(
        "summary", help="what the logs hold: actions, principals, regions, issues"
    )
    common(summary)
    summary.add_argument(
        "--max-issues",
        type=int,
        default=20,
        metavar="N",
        help="list at most N issues (default 20)",
    )

    events = commands.add_parser("events", help="the matching events")
    common(events)
    events.add_argument(
        "--action", action="append", metavar="A", help="eventName (repeatable)"
    )
    events.add_argument(
        "--principal", metavar="P", help="part of the caller's name or ARN"
    )
    events.add_argument("--since", metavar="T", help="at or after this time")
    events.add_argument("--until", metavar="T", help="at or before this time")
    events.add_argument("--errors", action="store_true", help="only failed calls")
    events.add_argument(
        "--format",
        choices=("table", "json", "jsonl", "csv"),
        default="table",
        help="table (default), json, jsonl (the original records) or csv",
    )

    check = commands.add_parser(
        "check",
        help="list every issue; exit 1 if there is damage, 0 if clean",
    )
    common(check)
    check.add_argument("-q", "--quiet", action="store_true", help="no 'no issues'")
    return parser


_COMMANDS = {"summary": _summary, "events": _events, "check": _check}


def main(argv: Sequence[str] | None = None) -> int:
    """
    Run the ``elbtrail`` command line and return its exit status.

    Exit status: 0 on success, 1 when ``check`` finds damage, 2 for usage
    errors and unreadable paths.

    Added in version 0.1.0.
    """
    parser = _parser()
    args = parser.parse_args(argv)
    if isinstance(sys.stdout, io.TextIOWrapper):
        # A lone surrogate (valid in a JSON escape, not in UTF-8) is written
        # as its JSON escape rather than failing the whole command.
        sys.stdout.reconfigure(errors="backslashreplace")
    out: TextIO = sys.stdout
    progress = _Progress(sys.stderr)
    stdin: IO[bytes] = getattr(sys.stdin, "buffer", None) or io.BytesIO()
    try:
        items = _read_all(
            args.paths,
            elb_only=not args.all,
            dedupe=args.dedupe,
            stdin=stdin,
            progress=progress,
        )
        status = _COMMANDS[args.command](args, items, out)
    except _UsageError as error:
        progress.done()
        parser.exit(_EXIT_USAGE, printable(f"elbtrail: error: {error}") + "\n")
    except ParseError as error:  # pragma: no cover - the command never reads strictly
        progress.done()
        parser.exit(_EXIT_ISSUES, printable(f"elbtrail: {error}") + "\n")
    except BrokenPipeError:
        # The reader of our output went away (| head); that is not an error.
        sys.stderr.close()
        return _EXIT_OK
    progress.done()
    return status
