"""
Coverage-guided fuzzing of ``elbtrail.loads`` with atheris.

Run through nox: ``nox -s fuzz -- -max_total_time=300``. The contract under
test is h11's: whatever the bytes, ``loads`` returns a result in tolerant
mode, and in strict mode either returns one or raises ``ParseError``; any
other exception is a bug. Save an input that breaks it under
``tests/fuzz/regressions/`` so the normal test suite keeps checking it.
"""

from __future__ import annotations

import contextlib
import sys

import atheris

with atheris.instrument_imports():
    import elbtrail


def test_one_input(data: bytes) -> None:
    """Feed one input to the tolerant and the strict reader."""
    result = elbtrail.loads(data)
    for event in result.events:
        event.to_dict()
    with contextlib.suppress(elbtrail.ParseError):
        elbtrail.loads(data, strict=True)


def main() -> None:
    """Start atheris with the command-line arguments (corpus folder, options)."""
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
