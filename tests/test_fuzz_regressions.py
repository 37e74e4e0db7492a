"""Inputs found by fuzzing (tests/fuzz/regressions/), kept as regression tests."""

from __future__ import annotations

import contextlib
import importlib.util
import random
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


def _harness():
    """The fuzz harness, imported from its file (it is no package)."""
    spec = importlib.util.spec_from_file_location(
        "fuzz_readers", Path(__file__).parent / "fuzz" / "fuzz_readers.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("path", REGRESSIONS, ids=lambda p: p.name)
def test_fuzz_input_meets_the_whole_contract(path):
    """Every reader agrees on it, and it prints as strict JSON."""
    _harness().check(b"\x00" + path.read_bytes())


def test_recipes_keep_every_recoverable_record():
    """A short fixed run of the harness's recipes, in the normal suite."""
    harness = _harness()
    rng = random.Random(20261125)  # noqa: S311 - reproducible, not secret
    for _ in range(150):
        harness.check(bytes([1]) + rng.randbytes(rng.choice([64, 512, 2048])))


def test_a_recipe_knows_what_it_cut():
    """The harness's bookkeeping: a cut record is not expected back."""
    harness = _harness()
    cuts = 0
    for seed in range(300):
        case = harness.build_case(random.Random(seed).randbytes(512))  # noqa: S311
        for step in case.recipe:
            if step.startswith("cut "):
                cuts += 1
                assert step.removeprefix("cut ") not in case.kept
    assert cuts
