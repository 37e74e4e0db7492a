"""
Realistic mixed-service CloudTrail logs for benchmarks.

Records are built from templates with random IDs, times and names, so a
100,000-record file takes seconds to write. Callers come from a pool of 300
sessions (IAM users and assumed roles), as in a real trail, where one
session makes many calls and its ``userIdentity`` repeats verbatim. About 30% are ELB calls (Classic
and v2, with and without parameters and responses, some failed); the rest
are the EC2, S3, STS, IAM, Lambda and CloudWatch calls that fill real trails.
Record sizes average about 1.5 KB, as in delivered log files.
"""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path
from typing import Any

ACCOUNT = "111122223333"
ELB = "elasticloadbalancing.amazonaws.com"


def _hex(rng: random.Random, size: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(size))


def _uuid(rng: random.Random) -> str:
    h = _hex(rng, 32)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _identity(rng: random.Random) -> dict[str, Any]:
    user = rng.choice(["deployer", "ci", "alice", "bob", "terraform"])
    if rng.random() < 0.3:
        return {
            "type": "IAMUser",
            "principalId": "AIDA" + _hex(rng, 16).upper(),
            "arn": f"arn:aws:iam::{ACCOUNT}:user/{user}",
            "accountId": ACCOUNT,
            "accessKeyId": "AKIA" + _hex(rng, 16).upper(),
            "userName": user,
        }
    role = "AROA" + _hex(rng, 16).upper()
    return {
        "type": "AssumedRole",
        "principalId": f"{role}:{user}",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/{user}-role/{user}",
        "accountId": ACCOUNT,
        "accessKeyId": "ASIA" + _hex(rng, 16).upper(),
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": role,
                "arn": f"arn:aws:iam::{ACCOUNT}:role/{user}-role",
                "accountId": ACCOUNT,
                "userName": f"{user}-role",
            },
            "webIdFederationData": {},
            "attributes": {
                "creationDate": f"2026-03-14T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z",
                "mfaAuthenticated": rng.choice(["true", "false"]),
            },
        },
    }


def _lb_arn(rng: random.Random) -> str:
    return (
        f"arn:aws:elasticloadbalancing:eu-west-1:{ACCOUNT}:loadbalancer/app/"
        f"shop-{rng.randrange(50)}/{_hex(rng, 16)}"
    )


def _tg_arn(rng: random.Random) -> str:
    return (
        f"arn:aws:elasticloadbalancing:eu-west-1:{ACCOUNT}:targetgroup/"
        f"web-{rng.randrange(50)}/{_hex(rng, 16)}"
    )


def _elb_call(
    rng: random.Random, kind: float | None = None
) -> tuple[str, str, Any, Any]:
    """(apiVersion, eventName, requestParameters, responseElements)."""
    if kind is None:
        kind = rng.random()
    if kind < 0.25:
        return (
            "2015-12-01",
            "RegisterTargets",
            {
                "targetGroupArn": _tg_arn(rng),
                "targets": [
                    {"id": f"i-{_hex(rng, 17)}", "port": 8080}
                    for _ in range(rng.randrange(1, 4))
                ],
            },
            None,
        )
    if kind < 0.45:
        return (
            "2015-12-01",
            "DescribeTargetHealth",
            {"targetGroupArn": _tg_arn(rng)},
            None,
        )
    if kind < 0.55:
        return (
            "2015-12-01",
            "CreateLoadBalancer",
            {
                "name": f"shop-{rng.randrange(50)}",
                "subnets": [f"subnet-{_hex(rng, 17)}" for _ in range(2)],
                "securityGroups": [f"sg-{_hex(rng, 17)}"],
                "scheme": "internet-facing",
                "type": "application",
            },
            {
                "loadBalancers": [
                    {
                        "loadBalancerArn": _lb_arn(rng),
                        "dNSName": f"shop-{_hex(rng, 10)}.eu-west-1.elb.amazonaws.com",
                        "canonicalHostedZoneId": "Z32O12XQLNTSW2",
                        "createdTime": "Mar 14, 2026 10:21:07 AM",
                        "loadBalancerName": "shop",
                        "scheme": "internet-facing",
                        "vpcId": f"vpc-{_hex(rng, 17)}",
                        "state": {"code": "provisioning"},
                        "type": "application",
                        "availabilityZones": [
                            {
                                "zoneName": "eu-west-1a",
                                "subnetId": f"subnet-{_hex(rng, 17)}",
                            },
                            {
                                "zoneName": "eu-west-1b",
                                "subnetId": f"subnet-{_hex(rng, 17)}",
                            },
                        ],
                        "securityGroups": [f"sg-{_hex(rng, 17)}"],
                        "ipAddressType": "ipv4",
                    }
                ]
            },
        )
    if kind < 0.7:
        return (
            "2015-12-01",
            "ModifyTargetGroupAttributes",
            {
                "targetGroupArn": _tg_arn(rng),
                "attributes": [
                    {"key": "deregistration_delay.timeout_seconds", "value": "30"}
                ],
            },
            {
                "attributes": [
                    {"key": "deregistration_delay.timeout_seconds", "value": "30"}
                ]
            },
        )
    if kind < 0.8:
        return (
            "2012-06-01",
            "RegisterInstancesWithLoadBalancer",
            {
                "loadBalancerName": f"legacy-{rng.randrange(20)}",
                "instances": [{"instanceId": f"i-{_hex(rng, 17)}"}],
            },
            {"instances": [{"instanceId": f"i-{_hex(rng, 17)}"}]},
        )
    if kind < 0.9:
        return ("2015-12-01", "DescribeLoadBalancers", None, None)
    return ("2015-12-01", "DeleteLoadBalancer", {"loadBalancerArn": _lb_arn(rng)}, None)


_OTHER = [
    ("ec2.amazonaws.com", "DescribeInstances", {"instancesSet": {}, "filterSet": {}}),
    (
        "s3.amazonaws.com",
        "GetObject",
        {"bucketName": "artifacts", "key": "build/x.tgz"},
    ),
    (
        "sts.amazonaws.com",
        "AssumeRole",
        {"roleArn": "arn:aws:iam::1:role/x", "roleSessionName": "s"},
    ),
    ("lambda.amazonaws.com", "Invoke", {"functionName": "resize"}),
    ("monitoring.amazonaws.com", "PutMetricData", {"namespace": "Shop"}),
    ("iam.amazonaws.com", "GetRole", {"roleName": "deployer-role"}),
]


def _write_call(rng: random.Random) -> tuple[str, str, Any, Any]:
    """An ELB call whose ``responseElements`` is large (creations and changes)."""
    kind = rng.random()
    if kind < 0.5:
        return _elb_call(rng, 0.5)  # CreateLoadBalancer
    if kind < 0.8:
        return _elb_call(rng, 0.6)  # ModifyTargetGroupAttributes
    tg = _tg_arn(rng)
    return (
        "2015-12-01",
        "CreateTargetGroup",
        {"name": f"web-{rng.randrange(50)}", "protocol": "HTTP", "port": 8080},
        {
            "targetGroups": [
                {
                    "targetGroupArn": tg,
                    "targetGroupName": f"web-{rng.randrange(50)}",
                    "protocol": "HTTP",
                    "port": 8080,
                    "vpcId": f"vpc-{_hex(rng, 17)}",
                    "healthCheckProtocol": "HTTP",
                    "healthCheckPort": "traffic-port",
                    "healthCheckEnabled": True,
                    "healthCheckIntervalSeconds": 30,
                    "healthCheckTimeoutSeconds": 5,
                    "healthyThresholdCount": 5,
                    "unhealthyThresholdCount": 2,
                    "healthCheckPath": "/health",
                    "matcher": {"httpCode": "200"},
                    "loadBalancerArns": [_lb_arn(rng) for _ in range(2)],
                    "targetType": "instance",
                    "protocolVersion": "HTTP1",
                    "ipAddressType": "ipv4",
                }
            ]
        },
    )


def record(
    rng: random.Random,
    elb_share: float = 0.3,
    sessions: list[dict[str, Any]] | None = None,
    mix: str = "busy",
) -> dict[str, Any]:
    """
    One realistic record; an ELB call with probability *elb_share*.

    *mix* ``"busy"`` draws the ELB calls of a busy account (registrations,
    health checks, some creations); ``"responses"`` only calls with large
    ``responseElements``.
    """
    time = f"2026-03-14T{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}Z"
    identity = rng.choice(sessions) if sessions else _identity(rng)
    out: dict[str, Any] = {
        "eventVersion": "1.11",
        "userIdentity": json.loads(json.dumps(identity)),
        "eventTime": time,
    }
    if rng.random() < elb_share:
        call = _write_call if mix == "responses" else _elb_call
        version, name, params, response = call(rng)
        source = ELB
    else:
        source, name, params = rng.choice(_OTHER)
        version, response = None, None
    out.update(
        {
            "eventSource": source,
            "eventName": name,
            "awsRegion": "eu-west-1",
            "sourceIPAddress": f"203.0.113.{rng.randrange(256)}",
            "userAgent": "aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64 botocore/1.34",
        }
    )
    if rng.random() < 0.05:
        out["errorCode"] = "AccessDenied"
        out["errorMessage"] = "User is not authorized to perform this action"
    out["requestParameters"] = params
    out["responseElements"] = response
    out["requestID"] = _uuid(rng)
    out["eventID"] = _uuid(rng)
    out["readOnly"] = name.startswith(("Describe", "Get"))
    out["eventType"] = "AwsApiCall"
    if version:
        out["apiVersion"] = version
    out["managementEvent"] = True
    out["recipientAccountId"] = ACCOUNT
    out["eventCategory"] = "Management"
    out["tlsDetails"] = {
        "tlsVersion": "TLSv1.3",
        "cipherSuite": "TLS_AES_128_GCM_SHA256",
        "clientProvidedHostHeader": f"{source.split('.')[0]}.eu-west-1.amazonaws.com",
    }
    return out


def log_bytes(
    records: int,
    seed: int = 0,
    elb_share: float = 0.3,
    *,
    callers: str = "few",
    mix: str = "busy",
) -> bytes:
    """
    A minified ``{"Records": [...]}`` file, as CloudTrail delivers it.

    *callers* ``"few"`` draws every caller from 300 sessions (one session
    makes many calls, as in a real trail); ``"distinct"`` gives each record
    a caller of its own, the worst case for sharing repeated identities.
    """
    rng = random.Random(seed)
    sessions = [_identity(rng) for _ in range(300)] if callers == "few" else None
    batch = [record(rng, elb_share, sessions, mix) for _ in range(records)]
    return json.dumps({"Records": batch}, separators=(",", ":")).encode()


def write_tree(root: Path, files: int, records_per_file: int, seed: int = 0) -> Path:
    """An ``AWSLogs/...`` tree of gzipped log files."""
    day = root / "AWSLogs" / ACCOUNT / "CloudTrail" / "eu-west-1" / "2026" / "03" / "14"
    day.mkdir(parents=True, exist_ok=True)
    for index in range(files):
        data = gzip.compress(log_bytes(records_per_file, seed + index), mtime=0)
        (
            day / f"{ACCOUNT}_CloudTrail_eu-west-1_20260314T{index:04d}Z_x.json.gz"
        ).write_bytes(data)
    return root
