"""Problems found while reading, and the exception strict mode raises."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence

import attrs

__all__ = ["Issue", "IssueCode", "ParseError", "Severity"]


class Severity(enum.Enum):
    """
    How much an `Issue` matters; ordered ``NOTICE < WARNING < ERROR``.

    ``issue.severity >= Severity.WARNING`` selects damage.

    Added in version 0.1.0.
    """

    #: Data was lost: a record, or a value that could not be kept typed.
    ERROR = "error"
    #: Damage was repaired; the data was kept, possibly reinterpreted.
    WARNING = "warning"
    #: Nothing is wrong with the data, but something was decided for it
    #: (a duplicate delivery, a skipped digest file, a guessed API version).
    NOTICE = "notice"

    @property
    def _rank(self) -> int:
        return _RANKS[self.value]

    def __lt__(self, other: object) -> bool:
        """Whether this severity is lower than *other*."""
        if not isinstance(other, Severity):
            return NotImplemented
        return self._rank < other._rank

    def __le__(self, other: object) -> bool:
        """Whether this severity is at most *other*."""
        if not isinstance(other, Severity):
            return NotImplemented
        return self._rank <= other._rank

    def __gt__(self, other: object) -> bool:
        """Whether this severity is higher than *other*."""
        if not isinstance(other, Severity):
            return NotImplemented
        return self._rank > other._rank

    def __ge__(self, other: object) -> bool:
        """Whether this severity is at least *other*."""
        if not isinstance(other, Severity):
            return NotImplemented
        return self._rank >= other._rank


_RANKS = {"notice": 0, "warning": 1, "error": 2}


class IssueCode(str, enum.Enum):
    """
    The kinds of `Issue`: a stable name for each, compared equal to its text.

    ``IssueCode.MISSING_COMMA == "missing-comma"``; the documentation lists
    every code with an example of the input that causes it.

    Added in version 0.1.0.
    """

    # Syntax repaired (warnings).
    #: No comma between two members or list items: one was inserted.
    MISSING_COMMA = "missing-comma"
    #: A comma before a closing bracket or brace: ignored.
    TRAILING_COMMA = "trailing-comma"
    #: Two commas in a row, an empty list item: ignored.
    EXTRA_COMMA = "extra-comma"
    #: No colon between a key and its value: one was inserted.
    MISSING_COLON = "missing-colon"
    #: A key without its closing quote (``"protocol: "HTTP"``).
    UNCLOSED_KEY = "unclosed-key"
    #: A key without quotes (``Records: [``).
    UNQUOTED_KEY = "unquoted-key"
    #: Text that is not JSON (elision lines, log prefixes, terminal codes).
    SKIPPED_TEXT = "skipped-text"
    #: Text after a log file's ``Records`` list where ``}`` should be.
    UNEXPECTED_TEXT = "unexpected-text"
    #: The input ends inside a value, a list or the file.
    TRUNCATED = "truncated"
    #: A value that cannot be read, even with repairs: dropped.
    UNREADABLE = "unreadable"
    #: Nesting deeper than `elbtrail` reads: the value is dropped.
    TOO_DEEP = "too-deep"
    #: A single value larger than `elbtrail` holds in memory: dropped.
    TOO_LARGE = "too-large"
    #: A number JSON cannot carry (``NaN``, ``1e400``, 5,000 digits): kept as text.
    BAD_NUMBER = "bad-number"
    # Bytes.
    #: Bytes that are not UTF-8: replaced with U+FFFD.
    BAD_ENCODING = "bad-encoding"
    #: Gzip data that is corrupt part-way.
    CORRUPT_GZIP = "corrupt-gzip"
    #: Gzip data cut off before its end.
    TRUNCATED_GZIP = "truncated-gzip"
    #: Bytes after the end of the gzip data that are not gzip.
    TRAILING_GARBAGE = "trailing-garbage"
    # Shapes.
    #: The input holds nothing.
    EMPTY = "empty"
    #: ``Records`` is not a list.
    NOT_A_LOG_FILE = "not-a-log-file"
    #: Where a record should be, something that is not a JSON object.
    NOT_A_RECORD = "not-a-record"
    #: A JSON object that is no record, log file or known wrapper.
    UNRECOGNISED = "unrecognised"
    #: Keys beside ``Records`` at the top of a log file (a notice).
    UNEXPECTED_KEYS = "unexpected-keys"
    #: A CloudTrail digest file, which holds no events (a notice).
    DIGEST_FILE = "digest-file"
    #: A record delivered a second time (a notice).
    DUPLICATE_RECORD = "duplicate-record"
    # Records.
    #: A value whose type is not the documented one: kept verbatim.
    WRONG_TYPE = "wrong-type"
    #: An ``eventName`` with no model in its API (a notice).
    UNKNOWN_ACTION = "unknown-action"
    #: An ``apiVersion`` that is neither Classic nor ELBv2.
    UNKNOWN_API_VERSION = "unknown-api-version"
    #: No ``apiVersion``: the API was decided from the parameters (a notice).
    GUESSED_API_VERSION = "guessed-api-version"
    # Trees and files.
    #: A digest or Insights folder, not entered (a notice).
    SKIPPED_FOLDER = "skipped-folder"
    #: A file that could not be opened or read.
    UNREADABLE_FILE = "unreadable-file"
    #: A folder whose entries could not be listed.
    UNREADABLE_FOLDER = "unreadable-folder"
    #: A FIFO, device or socket in a tree: not read (a notice).
    SPECIAL_FILE = "special-file"
    #: A symbolic link leading out of the tree or back into a folder above it.
    SKIPPED_LINK = "skipped-link"
    #: A README, Markdown or text file in a tree: not read (a notice).
    SKIPPED_FILE = "skipped-file"
    #: More issues than are kept: the rest were counted, not stored.
    TOO_MANY_ISSUES = "too-many-issues"
    # Single records given to parse_event().
    #: A whole log file (``{"Records": [...]}``) where one record was expected.
    LOG_FILE_NOT_RECORD = "log-file-not-record"
    #: An empty mapping where a record was expected (a notice).
    EMPTY_RECORD = "empty-record"
    # Reading from AWS.
    #: An S3 object that could not be listed or fetched: named by bucket and key.
    UNREADABLE_OBJECT = "unreadable-object"
    #: An SQS message in no shape a trail's notification takes: left in the queue.
    UNKNOWN_NOTIFICATION = "unknown-notification"
    #: A message's visibility could not be extended while it was read.
    VISIBILITY_NOT_EXTENDED = "visibility-not-extended"
    #: A processed message that could not be deleted: it may come again.
    UNDELETED_MESSAGE = "undeleted-message"

    def __str__(self) -> str:
        """Return the code's text, on every Python version."""
        return self.value

    def __format__(self, spec: str) -> str:
        """Format the code's text, on every Python version."""
        return format(self.value, spec)


def _issue_code(value: str) -> IssueCode:
    """Accept a code's text as well as the `IssueCode` itself."""
    try:
        return IssueCode(value)
    except ValueError:
        msg = (
            f"unknown issue code {value!r}; the codes are listed by elbtrail.IssueCode"
        )
        raise ValueError(msg) from None


@attrs.frozen(kw_only=True)
class Issue:
    """
    One problem found in the input, with where it was and what was done about it.

    Attributes:
        message: What is wrong, in words a person understands.
        code: A stable, machine-readable name for the kind of problem, an
            `IssueCode` (equal to its text: ``"wrong-type"``,
            ``"missing-comma"``, ...); its text is accepted too.
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
    code: IssueCode = attrs.field(converter=_issue_code)
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
