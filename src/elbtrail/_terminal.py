"""
Text made safe to print: no control characters reach a terminal or a sheet.

Event fields come from whoever made the API call (a user agent, a load
balancer's name, an error message), so they may hold terminal escape
sequences (clear the screen, set the window title, move the cursor) or
text a spreadsheet runs as a formula. Every field the command line prints
goes through here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TextIO

__all__ = ["PrintableLines", "csv_cell", "json_text", "printable"]

# C0 and C1 controls, DEL, line and paragraph separators, the bidirectional
# overrides and isolates (which reorder what a terminal shows), and lone
# surrogates (which cannot be written as UTF-8).
_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
# What json.dumps leaves raw: everything above but C0 (which it escapes
# inside strings, and which outside them is the indentation's white space).
_RAW_IN_JSON = re.compile(
    "[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
# What makes a spreadsheet read a cell as a formula, first character only:
# the four operators (and their full-width forms), a tab and a carriage
# return (which some spreadsheets skip before looking again).
_FORMULA_TRIGGERS = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    short = _SHORT.get(char)
    if short is not None:
        return short
    code = ord(char)
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def printable(text: str) -> str:
    r"""
    *text* with every control character written as an escape (``\\x1b``).

    A backslash is doubled only where the text holds a control character,
    so ordinary text is shown unchanged.
    """
    if _CONTROL.search(text) is None:
        return text
    return _CONTROL.sub(_escape, text.replace("\\", "\\\\"))


def csv_cell(text: str) -> str:
    """A CSV cell that no spreadsheet runs as a formula, with no control character."""
    if text[:1] in _FORMULA_TRIGGERS:
        text = "'" + text
    return printable(text)


def json_text(text: str) -> str:
    r"""
    JSON text (from `json.dumps`) with the controls it leaves raw escaped.

    `json.dumps` escapes C0 controls; C1 controls, separators, bidirectional
    marks and lone surrogates stay raw with ``ensure_ascii=False``. Written
    as ``\\uXXXX`` escapes, the JSON means the same.
    """
    return _RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


class PrintableLines:
    """
    A text stream that escapes control characters in what is written to it.

    Line breaks are kept, so a multi-line report keeps its layout; every
    other control character in a line is escaped as by `printable()`.
    """

    def __init__(self, stream: TextIO) -> None:
        """Write to *stream*."""
        self.stream = stream

    def write(self, text: str) -> int:
        """Write *text* with its lines made printable."""
        return self.stream.write("\n".join(map(printable, text.split("\n"))))

    def writelines(self, lines: Iterable[str]) -> None:
        """Write each of *lines* as `write()` does."""
        for line in lines:
            self.write(line)

    def flush(self) -> None:
        """Flush the stream."""
        self.stream.flush()
