"""Inputs found by fuzzing (tests/fuzz/regressions/), kept as regression tests."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

import elbtrail

REGRESSIONS = sorted(
    p
    for p in (Path(__file__).parent / "fuzz" / "regressions").iterdir()
    if p.name != "README.md"
)


@pytest.mark.parametrize("path", REGRESSIONS, ids=lambda p: p.name)
def test_fuzz_input_is_read_without_crashing(path):
    """Tolerant reading returns a result; strict reading raises only ParseError."""
    data = path.read_bytes()

    result = elbtrail.loads(data)
    for event in result.events:
        event.to_dict()
    with contextlib.suppress(elbtrail.ParseError):
        elbtrail.loads(data, strict=True)
