"""What ``elbtrail summary`` counts, and how it prints it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TextIO

from ._event import Event
from ._issues import Issue
from ._terminal import printable
from ._timestamps import format_canonical

__all__ = ["Labels", "Tally", "action_label", "labels", "principal_label"]

_API_LABELS = {"2012-06-01": "Classic", "2015-12-01": "v2"}

#: What an event is counted under: action, principal, region, error code.
Labels = tuple[str, str, str, "str | None"]


def principal_label(event: Event) -> str:
    """The caller as a summary names it: ``name (type)``."""
    identity = event.user_identity
    if identity is None:
        return "(no identity)"
    name = identity.principal or "(unknown)"
    return f"{name} ({identity.type})" if identity.type else name


def action_label(event: Event) -> str:
    """The action with its API: ``CreateListener [v2]``."""
    api = _API_LABELS.get(event.api_version or "")
    if api is None:
        action = event.action
        api = _API_LABELS.get(action.api.value) if action is not None else None
    name = event.event_name or "(no eventName)"
    return f"{name} [{api}]" if api else name


def labels(event: Event) -> Labels:
    """Everything the summary counts an event under, in one tuple."""
    return (
        action_label(event),
        principal_label(event),
        event.aws_region or "(no region)",
        event.error_code,
    )


class Tally:
    """
    The counts of a summary, built event by event or merged from parts.

    Counting one tuple of labels per event, rather than four counters, keeps
    the work per event to one dictionary update.
    """

    def __init__(self) -> None:
        self.counts: Counter[Labels] = Counter()
        # Action labels by (eventName, apiVersion), all they depend on.
        self._actions: dict[tuple[str | None, str | None], str] = {}
        self.first: datetime | None = None
        self.last: datetime | None = None
        self.duplicates = 0
        self.issues: list[Issue] = []

    def add(self, event: Event) -> None:
        """Count *event*."""
        key = (event.event_name, event.api_version)
        action = self._actions.get(key)
        if action is None:
            action = self._actions[key] = action_label(event)
        self.counts[
            action,
            principal_label(event),
            event.aws_region or "(no region)",
            event.error_code,
        ] += 1
        when = event.event_time
        if when is not None:
            if self.first is None or when < self.first:
                self.first = when
            if self.last is None or when > self.last:
                self.last = when

    def span(self, first: datetime | None, last: datetime | None) -> None:
        """
        Widen the time span to *first* .. *last*.

        Of equal times (the same instant in two zones), the one met first is
        kept, at either end, so merging parts in reading order gives what
        counting event by event gives.
        """
        if first is not None and (self.first is None or first < self.first):
            self.first = first
        if last is not None and (self.last is None or last > self.last):
            self.last = last

    def write(
        self,
        out: TextIO,
        *,
        paths: Sequence[str],
        all_services: bool,
        dedupe: bool,
        max_issues: int,
        issue_text: Callable[[Issue], str],
    ) -> None:
        """Print the summary to *out*."""
        actions: Counter[str] = Counter()
        principals: Counter[str] = Counter()
        regions: Counter[str] = Counter()
        errors: Counter[str] = Counter()
        for (action, principal, region, error), number in self.counts.items():
            if not number:
                continue
            actions[action] += number
            principals[principal] += number
            regions[region] += number
            if error is not None:
                errors[error] += number
        count = sum(self.counts.values())
        kind = "events" if not all_services else "events (all services)"
        out.write(printable(f"{count} {kind} in {', '.join(paths)}") + "\n")
        if self.duplicates:
            counted = "counted once" if dedupe else "each counted; --dedupe counts once"
            out.write(
                f"Duplicates: {self.duplicates} record(s) delivered more than once "
                f"({counted})\n"
            )
        if self.first is not None and self.last is not None:
            out.write(
                f"Time span: {format_canonical(self.first)} .. "
                f"{format_canonical(self.last)}\n"
            )
        _write_counter(out, "Actions", actions)
        _write_counter(out, "Principals", principals)
        _write_counter(out, "Regions", regions)
        _write_counter(out, "Error codes", errors)
        issues = self.issues
        out.write(f"\nIssues ({len(issues)})\n")
        out.writelines(
            f"  {printable(issue_text(issue))}\n" for issue in issues[:max_issues]
        )
        if len(issues) > max_issues:
            out.write(f"  ... and {len(issues) - max_issues} more (elbtrail check)\n")
        if not issues:
            out.write("  (none)\n")


def _write_counter(out: TextIO, title: str, counter: Counter[str]) -> None:
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
