"""The ``elbtrail history`` command: a timeline of changes, or a snapshot."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TextIO

from ._event import Event

# The history is imported when the command runs, not when the CLI starts.
if TYPE_CHECKING:
    from ._history import Change, History, Snapshot
from ._issues import Issue
from ._terminal import PrintableLines, json_text
from ._timestamps import format_canonical

__all__ = ["add_parser", "history"]

# Values longer than this are cut in the table (the JSON has them whole).
_WIDTH = 100


def add_parser(
    commands: Any, common: Callable[[argparse.ArgumentParser], None]
) -> None:
    """Add the ``history`` command to *commands* (a subparsers object)."""
    parser = commands.add_parser(
        "history",
        help="what changed, when and by whom; or every resource at one moment",
    )
    common(parser)
    parser.add_argument("--at", metavar="T", help="the state of every resource at T")
    parser.add_argument(
        "--resource",
        metavar="NAME_OR_ARN",
        help="one load balancer (with its listeners and rules) or target group",
    )
    parser.add_argument(
        "--baseline",
        metavar="FILE",
        action="append",
        help="the state at a known time: describe-* output, or AWS Config "
        "configuration items (JSON, or gzip JSON as Config delivers it); "
        "may be given more than once",
    )
    parser.add_argument(
        "--baseline-time",
        metavar="T",
        help="when the describe-* output of --baseline was taken "
        "(Config items carry their own capture times)",
    )
    # --since and --until come with the common options; here they choose the
    # changes shown, not what is read (the state needs every earlier call).
    parser.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="table (default) or json (with --at: the describe-* answers)",
    )


def _label(resource: str) -> str:
    # An ARN's account and region say little here; its resource part names it.
    return resource.split(":", 5)[5] if resource.startswith("arn:") else resource


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True)
    return text if len(text) <= _WIDTH else text[: _WIDTH - 3] + "..."


def _call_json(call: Any) -> dict[str, Any]:
    """Who made a call, when and from where: what changes and attempts share."""
    return {
        "time": format_canonical(call.time),
        "action": call.action,
        "principal": call.principal,
        "arn": call.arn,
        "sourceIPAddress": call.source_ip_address,
        "userAgent": call.user_agent,
        "eventID": call.event_id,
    }


def _change_json(change: Change) -> dict[str, Any]:
    call = change.call
    return {
        **_call_json(call),
        "resource": change.resource,
        "kind": change.kind.value,
        "known": change.known,
        "note": change.note,
        "errorCode": call.error_code,
        "fields": [
            {"name": f.name, "before": f.before, "after": f.after}
            for f in change.fields
        ],
    }


def _timeline(history: History, args: argparse.Namespace, out: TextIO) -> None:
    from ._history import Change  # noqa: PLC0415 - see the imports

    changes = history.changes(args.resource, args.since, args.until)
    related = {c.resource for c in changes}
    failed = [
        c
        for c in history.attempts(args.since, args.until)
        if args.resource is None or _names_any(c.request, related | {args.resource})
    ]
    entries: list[tuple[Any, int, Change | Any]] = [
        (c.call.time, 0, c) for c in changes
    ] + [(c.time, 1, c) for c in failed]
    entries.sort(key=lambda e: (e[0], e[1]))
    if args.format == "json":
        items = [
            _change_json(e[2]) if isinstance(e[2], Change) else _attempt_json(e[2])
            for e in entries
        ]
        out.write(json.dumps(items, indent=2, ensure_ascii=False, default=str) + "\n")
        return
    for _, _, entry in entries:
        if isinstance(entry, Change):
            call = entry.call
            mark = "" if entry.known else "  (partly known)"
            out.write(
                f"{format_canonical(call.time)}  {call.principal or '(unknown)'}  "
                f"{call.action}  {_label(entry.resource)}: {entry.note}{mark}\n"
            )
            if entry.created or entry.ended:
                continue
            out.writelines(
                f"    {field.name}: {_short(field.before)} -> {_short(field.after)}\n"
                for field in entry.fields
            )
        else:
            out.write(
                f"{format_canonical(entry.time)}  {entry.principal or '(unknown)'}  "
                f"{entry.action}  FAILED {entry.error_code}: {entry.error_message}\n"
            )
    if not entries:
        out.write("no changes\n")


def _names_any(request: Any, resources: set[str]) -> bool:
    text = json.dumps(
        request.to_dict() if hasattr(request, "to_dict") else request, default=str
    )
    return any(r in text for r in resources)


def _attempt_json(call: Any) -> dict[str, Any]:
    return {
        **_call_json(call),
        "errorCode": call.error_code,
        "errorMessage": call.error_message,
    }


def _snapshot(
    history: History, snapshot: Snapshot, args: argparse.Namespace, out: TextIO
) -> None:
    states = list(snapshot)
    if args.resource is not None:
        related = {c.resource for c in history.changes(args.resource)}
        related.add(args.resource)
        states = [s for s in states if s.id in related]
    if args.format == "json":
        # Described whole, then cut: a target group's load balancers follow
        # from listeners that the selection may leave out.
        text = json.dumps(
            _select(snapshot.describe(), {s.id for s in states}),
            indent=2,
            ensure_ascii=False,
        )
        out.write(text + "\n")
        return
    out.write(f"{len(states)} resources at {format_canonical(snapshot.time)}\n")
    for state in states:
        known = "" if state.complete else "  (partly known)"
        out.write(f"\n{state.kind.value}  {_label(state.id)}{known}\n")
        out.writelines(
            f"    {name}: {_short(_plain(value))}\n"
            for name, value in state.description.items()
        )
        for name, value in (("Tags", state.tags), ("Attributes", state.attributes)):
            if value is not None:
                out.write(f"    {name}: {_short(_plain(value))}\n")
        targets = getattr(state, "targets", None)
        if targets is not None:
            out.write(f"    Targets: {_short(_plain(targets))}\n")


_ID_FIELDS = {
    "LoadBalancerDescriptions": "LoadBalancerName",
    "LoadBalancers": "LoadBalancerArn",
    "Listeners": "ListenerArn",
    "Rules": "RuleArn",
    "TargetGroups": "TargetGroupArn",
    "TrustStores": "TrustStoreArn",
}


def _select(described: dict[str, Any], ids: set[str]) -> dict[str, Any]:
    """Keep the parts of a described snapshot that are about *ids*."""
    selected: dict[str, Any] = {}
    for key, value in described.items():
        if isinstance(value, dict):
            selected[key] = {k: v for k, v in value.items() if k in ids}
        else:
            selected[key] = [i for i in value if i.get(_ID_FIELDS[key]) in ids]
    return selected


def _plain(value: Any) -> Any:
    from ._describe import plain  # noqa: PLC0415 - a leaf helper

    return plain(value)


class _JsonText(PrintableLines):
    """JSON output with the controls `json.dumps` leaves raw escaped."""

    def write(self, text: str) -> int:
        """Write *text* as `json_text()` makes it."""
        return self.stream.write(json_text(text))


def history(
    args: argparse.Namespace,
    items: Iterator[Event | Issue],
    out: TextIO,
    parse_time: Callable[[str, str], Any],
) -> int:
    """Run ``elbtrail history``; *parse_time* turns option text into a time."""
    for option in ("since", "until", "at", "baseline_time"):
        value = getattr(args, option)
        if value is not None:
            name = "--" + option.replace("_", "-")
            setattr(args, option, parse_time(value, name))
    baseline: list[Any] | None = None
    if args.baseline_time is not None and not args.baseline:
        sys.stderr.write("elbtrail: --baseline-time needs --baseline\n")
        return 2
    for path in args.baseline or ():
        try:
            loaded = _load_json(path)
        except (OSError, ValueError) as error:
            sys.stderr.write(f"elbtrail: --baseline {path}: {error}\n")
            return 2
        baseline = (baseline or []) + (loaded if isinstance(loaded, list) else [loaded])
    damaged = 0

    def events() -> Iterator[Event]:
        nonlocal damaged
        for item in items:
            if isinstance(item, Issue):
                # Records delivered twice are notices; the history counts
                # them once anyway.
                damaged += item.is_damage
            else:
                yield item

    from ._history import History  # noqa: PLC0415 - see the imports

    try:
        built = History.from_events(
            events(), baseline=baseline, baseline_time=args.baseline_time
        )
    except (TypeError, ValueError) as error:
        if baseline is None:
            raise
        sys.stderr.write(f"elbtrail: --baseline: {error}\n")
        return 2
    for notice in built.notices:
        sys.stderr.write(f"elbtrail: --baseline: {notice}\n")
    # Names, tags and messages come from whoever made the calls: no control
    # character of theirs reaches the terminal.
    out = PrintableLines(out) if args.format == "table" else _JsonText(out)  # type: ignore[assignment]
    if args.at is not None:
        _snapshot(built, built.at(args.at), args, out)
    else:
        _timeline(built, args, out)
    if damaged:
        sys.stderr.write(
            f"elbtrail: {damaged} issue(s) while reading; see 'elbtrail check'\n"
        )
    return 0


def _load_json(path: str) -> Any:
    """The JSON of the file at *path*, gzip or not (Config delivers gzip)."""
    with open(path, "rb") as file:  # noqa: PTH123 - a path given as text
        data = file.read()
    if data[:2] == b"\x1f\x8b":
        import gzip  # noqa: PLC0415 - only for compressed baselines
        import zlib  # noqa: PLC0415

        try:
            data = gzip.decompress(data)
        except (EOFError, zlib.error) as error:
            msg = f"damaged gzip data ({error})"
            raise ValueError(msg) from None
    return json.loads(data)
