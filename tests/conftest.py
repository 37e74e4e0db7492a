"""Shared fixtures and Hypothesis profiles."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

DATA = Path(__file__).parent / "data"
CORPUS = DATA / "corpus"

# Bounded for the normal suite; "long" runs through `nox -s property_tests`.
settings.register_profile(
    "default",
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "long",
    max_examples=2000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("ELBTRAIL_HYPOTHESIS_PROFILE", "default"))


def corpus_record(name: str) -> dict[str, Any]:
    """A record from the public corpus that is valid JSON."""
    value: dict[str, Any] = json.loads((CORPUS / name).read_text(encoding="utf-8"))
    return value


@pytest.fixture
def classic_create() -> dict[str, Any]:
    """The seed's CreateLoadBalancer record (Classic)."""
    return corpus_record("classic-guide-createloadbalancer.json")


@pytest.fixture
def v2_create() -> dict[str, Any]:
    """The NLB guide's CreateLoadBalancer record (ELBv2)."""
    return corpus_record("nlb-guide-createloadbalancer-network.json")
