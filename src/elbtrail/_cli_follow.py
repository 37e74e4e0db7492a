"""The ``elbtrail follow`` command: a trail's new events, as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, TextIO

from ._follow import Delivery, follow
from ._issues import Issue
from ._terminal import json_text, printable

__all__ = ["add_parser", "run"]


def add_parser(commands: Any) -> None:
    """Register ``follow`` with the command line's subcommands."""
    sub = commands.add_parser(
        "follow",
        help="print the events of each new log file a trail's SQS queue announces",
        description="Receive CloudTrail's notifications from an SQS queue, read "
        "each new log file, print its events as JSON lines, and delete each "
        "message once its files were printed. Messages that cannot be "
        "understood or read are left in the queue.",
    )
    sub.add_argument("queue_url", metavar="QUEUE_URL", help="the SQS queue's URL")
    sub.add_argument(
        "--all",
        action="store_true",
        help="include the records of every AWS service, not only ELB",
    )
    sub.add_argument(
        "--stop-when-empty",
        action="store_true",
        help="stop once no new message is waiting (for batch jobs)",
    )
    sub.add_argument(
        "--wait",
        type=int,
        default=20,
        choices=range(21),
        metavar="SECONDS",
        help="long-polling wait of each receive, 0 to 20 (default 20)",
    )
    sub.add_argument(
        "--visibility-timeout",
        type=int,
        metavar="SECONDS",
        help="how long a message in hand stays hidden, renewed while it is "
        "read (default: the queue's)",
    )


def run(args: argparse.Namespace, out: TextIO) -> int:
    """Follow the queue; 1 if messages were left in the queue, else 0."""

    def handler(delivery: Delivery) -> None:
        out.writelines(
            json_text(json.dumps(event.to_dict(), ensure_ascii=False)) + "\n"
            for event in delivery.result
        )
        # Printed before the message is deleted: a reader of a pipe sees
        # every event whose message is gone.
        out.flush()

    def show(issue: Issue) -> None:
        sys.stderr.write(printable(f"elbtrail: {issue}") + "\n")

    summary = follow(
        args.queue_url,
        handler,
        stop_when_empty=args.stop_when_empty,
        wait_seconds=args.wait,
        visibility_timeout=args.visibility_timeout,
        elb_only=not args.all,
        on_issue=show,
    )
    sys.stderr.write(
        f"elbtrail: {summary.received} message(s), {summary.files} log file(s); "
        f"{summary.deleted} deleted, {summary.left} left in the queue\n"
    )
    return 1 if summary.left else 0
