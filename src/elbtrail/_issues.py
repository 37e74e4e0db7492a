"""Problems found while reading, and the exception strict mode raises."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence

import attrs

__all__ = ["Issue", "ParseError", "Severity"]


class Severity(enum.Enum):
    """
    How much an `Issue` matters.

    Added in version 0.1.0.
    """

    #: Data was lost: a record, or a value that could not be kept typed.
    ERROR = "error"
    #: Damage was repaired; the data was kept, possibly reinterpreted.
    WARNING = "warning"
    #: Nothing is wrong with the data, but something was decided for it
    #: (a duplicate delivery, a skipped digest file, a guessed API version).
    NOTICE = "notice"


@attrs.frozen(kw_only=True)
class Issue:
    """
    One problem found in the input, with where it was and what was done about it.

    Attributes:
        message: What is wrong, in words a person understands.
        code: A stable, machine-readable name for the kind of problem
            (``"wrong-type"``, ``"missing-comma"``, ``"truncated"``, ...).
        severity: How much it matters; strict mode raises on errors and warnings.
        source: The file (or ``"<stdin>"``, ``"<bytes>"``) the problem was in.
        record: The index of the record in its source, counting every record
            seen, ELB or not.
        path: The JSON path of the value, such as
            ``Records[3].requestParameters.listeners[0].instancePort``.
        line: The 1-based line of syntax damage, or of the record's start.
        column: The 1-based column on that line.
        action: What elbtrail did about it ("kept the raw value", "record
            dropped", ...).

    Added in version 0.1.0.
    """

    message: str
    code: str
    severity: Severity = Severity.ERROR
    source: str | None = None
    record: int | None = None
    path: str | None = None
    line: int | None = None
    column: int | None = None
    action: str | None = None

    def __str__(self) -> str:
        """Render as ``source:line:column: path: message (action)``."""
        where = [p for p in (self.source, self.line, self.column) if p is not None]
        parts: list[str] = []
        if where:
            parts.append(":".join(str(p) for p in where))
        if self.record is not None and not self.path:
            parts.append(f"record {self.record}")
        if self.path:
            parts.append(self.path)
        text = ": ".join([*parts, self.message]) if parts else self.message
        if self.action:
            text = f"{text} ({self.action})"
        return f"{self.severity.value}: {text}"

    @property
    def is_damage(self) -> bool:
        """Whether strict mode raises on this issue (errors and warnings)."""
        return self.severity is not Severity.NOTICE


class ParseError(ValueError):
    """
    Raised in strict mode when the input is damaged or a value has the wrong type.

    Args:
        issues: Every problem found in the record or file that failed.

    The message is the first issue's text, followed by how many more there were.

    Added in version 0.1.0.
    """

    def __init__(self, issues: Iterable[Issue]) -> None:
        """Carry *issues*; the message is derived from them."""
        self.issues: Sequence[Issue] = tuple(issues)
        super().__init__(*self.issues)

    def __str__(self) -> str:
        """Show the first issue and how many others there were."""
        if not self.issues:
            return "invalid CloudTrail input"
        first = str(self.issues[0])
        more = len(self.issues) - 1
        return f"{first} (and {more} more)" if more else first

    def __reduce__(self) -> tuple[type[ParseError], tuple[Sequence[Issue]]]:
        """Pickle with the issues, so the error crosses process boundaries."""
        return (type(self), (self.issues,))
