"""Shared fixtures and Hypothesis profiles."""

from __future__ import annotations

import gzip
import json
import os
import random
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from elbtrail import _input, _model, _prefilter, _readers, _scanner

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

# A shell starts background jobs with Ctrl-C ignored, and programs inherit
# that: the commands the Ctrl-C tests start would never see it. Python's own
# handler is reset to the default when a child program starts.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


#: The decoders a test can read with: msgspec and orjson (the fast extra),
#: orjson alone, or the standard library alone.
DECODERS = ("fast", "orjson", "pure")


def use_decoders(monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    """Make the readers use only the decoders of *kind* (see `DECODERS`)."""
    if kind in ("orjson", "pure"):
        monkeypatch.setattr(_prefilter, "enabled", False)
        monkeypatch.setattr(_input, "fast_inflate", False)
    if kind == "pure":
        monkeypatch.setattr(_readers, "orjson", None)
        monkeypatch.setattr(_scanner, "orjson", None)


@pytest.fixture(autouse=True)
def _decoders_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """``ELBTRAIL_TEST_DECODERS=pure`` runs a test without the fast extra."""
    kind = os.environ.get("ELBTRAIL_TEST_DECODERS", "fast")
    if kind not in DECODERS:
        msg = f"ELBTRAIL_TEST_DECODERS must be one of {DECODERS}, not {kind!r}"
        raise ValueError(msg)
    use_decoders(monkeypatch, kind)


@pytest.fixture(autouse=True)
def _fresh_interning() -> None:
    """
    Start every test with empty interning tables.

    Whether parts are shared depends on what was read before (see
    ``_model._Pace``); a test's sharing must not depend on the tests before it.
    """
    _model._forget_interned()


def run_cli(
    *args: str, stdin: bytes | None = None, **popen: Any
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m elbtrail ARGS`` from the checkout, as a user would."""
    result = subprocess.run(
        [sys.executable, "-m", "elbtrail", *args],
        input=stdin,
        capture_output=True,
        check=False,
        cwd=Path(__file__).resolve().parent.parent,
        **popen,
    )
    return subprocess.CompletedProcess(
        result.args,
        result.returncode,
        result.stdout.decode("utf-8"),
        result.stderr.decode("utf-8"),
    )


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


# -- a small trail of ELB calls, as a trail's bucket lays it out ----------------------


def _trail_record(rng: Any, account: str, region: str, when: str) -> dict[str, Any]:
    """One record: an ELB call of the kinds analysts ask about, or another call."""
    user = rng.choice(["alice", "bob", "deployer"])
    identity: dict[str, Any] = {
        "type": "IAMUser",
        "principalId": f"AIDA{user.upper()}",
        "arn": f"arn:aws:iam::{account}:user/{user}",
        "accountId": account,
        "userName": user,
    }
    lb_arn = (
        f"arn:aws:elasticloadbalancing:{region}:{account}:loadbalancer/app/"
        f"web-{rng.randrange(5)}/{rng.randrange(16**8):08x}"
    )
    tg_arn = (
        f"arn:aws:elasticloadbalancing:{region}:{account}:targetgroup/"
        f"tg-{rng.randrange(5)}/{rng.randrange(16**8):08x}"
    )
    kind = rng.randrange(8)
    error = None
    response: Any = None
    if kind == 0:
        name, version, params = (
            "DeleteLoadBalancer",
            "2015-12-01",
            {"loadBalancerArn": lb_arn},
        )
    elif kind == 1:
        name, version = "DeleteLoadBalancer", "2012-06-01"
        params = {"loadBalancerName": f"classic-{rng.randrange(5)}"}
    elif kind == 2:
        name, version = "CreateListener", "2015-12-01"
        params = {
            "loadBalancerArn": lb_arn,
            "protocol": rng.choice(["HTTP", "HTTPS", "TCP"]),
            "port": rng.choice([80, 443, 8080]),
            "defaultActions": [{"type": "forward", "targetGroupArn": tg_arn}],
        }
    elif kind == 3:
        name, version = "CreateLoadBalancerListeners", "2012-06-01"
        params = {
            "loadBalancerName": f"classic-{rng.randrange(5)}",
            "listeners": [
                {
                    "protocol": rng.choice(["HTTP", "http", "HTTPS", "TCP"]),
                    "loadBalancerPort": port,
                    "instanceProtocol": "HTTP",
                    "instancePort": 80,
                }
                for port in rng.sample([80, 81, 443], rng.randrange(1, 3))
            ],
        }
    elif kind == 4:
        name, version = "RegisterTargets", "2015-12-01"
        params = {
            "targetGroupArn": tg_arn,
            "targets": [{"id": f"i-{rng.randrange(16**8):08x}", "port": 80}],
        }
        error = rng.choice([None, None, "InvalidTarget"])
    elif kind == 5:
        name, version = "RegisterInstancesWithLoadBalancer", "2012-06-01"
        params = {
            "loadBalancerName": f"classic-{rng.randrange(5)}",
            "instances": [{"instanceId": f"i-{rng.randrange(16**8):08x}"}],
        }
        error = rng.choice([None, "InvalidInstance"])
    else:
        name, version, params = "DescribeInstances", "2016-11-15", {}
    record: dict[str, Any] = {
        "eventVersion": "1.11",
        "userIdentity": identity,
        "eventTime": when,
        "eventSource": "ec2.amazonaws.com"
        if name == "DescribeInstances"
        else "elasticloadbalancing.amazonaws.com",
        "eventName": name,
        "awsRegion": region,
        "sourceIPAddress": "198.51.100.7",
        "userAgent": "aws-cli/2.15.30",
    }
    if error is not None:
        record["errorCode"] = error
        record["errorMessage"] = f"{error} for the request"
    record.update(
        {
            "requestParameters": params,
            "responseElements": response,
            "requestID": f"{rng.randrange(16**32):032x}",
            "eventID": f"{rng.randrange(16**32):032x}",
            "readOnly": False,
            "eventType": "AwsApiCall",
            "apiVersion": version,
            "managementEvent": True,
            "recipientAccountId": account,
            "eventCategory": "Management",
        }
    )
    return record


def write_trail(root: Path, seed: int = 7, records_per_file: int = 12) -> Path:
    """
    Write a trail's bucket under *root*: two accounts, two regions, three days.

    Each day's first file holds calls made late the day before, so the date of
    an event and of its file's delivery differ. One file is cut short (a
    truncated gzip) and there is a digest folder to skip.
    """
    rng = random.Random(seed)  # noqa: S311 - test data, not secrets
    days = ["2026-03-30", "2026-03-31", "2026-04-01"]
    for account in ("111122223333", "444455556666"):
        for region in ("us-east-1", "eu-west-1"):
            for day_index, day in enumerate(days):
                folder = root.joinpath(
                    "AWSLogs", account, "CloudTrail", region, *day.split("-")
                )
                folder.mkdir(parents=True, exist_ok=True)
                for file_index in range(2):
                    late = file_index == 0 and day_index > 0
                    when_day = days[day_index - 1] if late else day
                    hour = 23 if late else 8 + file_index
                    records = [
                        _trail_record(
                            rng,
                            account,
                            region,
                            f"{when_day}T{hour:02d}:{rng.randrange(60):02d}:"
                            f"{rng.randrange(60):02d}Z",
                        )
                        for _ in range(records_per_file)
                    ]
                    stamp = day.replace("-", "") + f"T{file_index:02d}05Z"
                    name = (
                        f"{account}_CloudTrail_{region}_{stamp}_f{file_index}.json.gz"
                    )
                    data = gzip.compress(
                        json.dumps({"Records": records}).encode(), mtime=0
                    )
                    (folder / name).write_bytes(data)
    damaged = root / "AWSLogs/111122223333/CloudTrail/us-east-1/2026/04/01"
    whole = (damaged / next(p.name for p in sorted(damaged.iterdir()))).read_bytes()
    (
        damaged / "111122223333_CloudTrail_us-east-1_20260401T2355Z_cut.json.gz"
    ).write_bytes(whole[: len(whole) * 2 // 3])
    digest = root / "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/04/01"
    digest.mkdir(parents=True)
    (digest / "digest.json.gz").write_bytes(gzip.compress(b'{"logFiles": []}'))
    return root


@pytest.fixture(scope="session")
def elb_trail(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small trail's bucket of ELB and other calls (see ``write_trail``)."""
    return write_trail(tmp_path_factory.mktemp("trail"))


def upload_tree(root: Path, bucket: str) -> Any:
    """Put every file under *root* in a new bucket, keyed by its relative path."""
    import boto3  # noqa: PLC0415 - the S3 tests only

    s3 = boto3.client("s3")
    s3.create_bucket(Bucket=bucket)
    for file in sorted(root.rglob("*")):
        if file.is_file():
            key = file.relative_to(root).as_posix()
            s3.put_object(Bucket=bucket, Key=key, Body=file.read_bytes())
    return s3
