"""Shared fixtures and Hypothesis profiles."""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Iterator
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


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    """A real AWS API over HTTP (moto's server on 127.0.0.1); yields its URL."""
    from moto.server import ThreadedMotoServer  # noqa: PLC0415 - only when used

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield f"http://{host}:{port}"
    finally:
        server.stop()


@pytest.fixture
def aws(moto_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> str:
    """
    Point boto3's standard chain at the moto server, with its state reset.

    Yields the endpoint URL; credentials are fake and no profile or config
    file of the machine is read.
    """
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    settings_file = tmp_path / "aws-config"
    settings_file.write_text("", encoding="utf-8")
    for name, value in {
        "AWS_ENDPOINT_URL": moto_server,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_CONFIG_FILE": str(settings_file),
        "AWS_SHARED_CREDENTIALS_FILE": str(settings_file),
        "AWS_EC2_METADATA_DISABLED": "true",
    }.items():
        monkeypatch.setenv(name, value)
    reset = urllib.request.Request(  # noqa: S310 - loopback only
        f"{moto_server}/moto-api/reset", method="POST"
    )
    with urllib.request.urlopen(reset, timeout=10):  # noqa: S310
        pass
    return moto_server
