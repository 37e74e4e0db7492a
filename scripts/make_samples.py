"""
Write the bundled sample data under ``samples/``.

The files are written by this script rather than by hand so they can be
rebuilt identically (gzip without a timestamp, fixed IDs). Identities,
accounts and addresses are the documentation placeholders AWS uses.

- ``samples/aws-docs/``: the two records printed by the AWS ELB guide, as
  printed (the DeleteLoadBalancer one lacks a comma after ``eventID``).
- ``samples/AWSLogs/...``: a trail's bucket for one account and region: two
  delivered log files (minified, gzipped, mixed services, as CloudTrail
  writes them), a digest file, and one file cut short by a failed copy.
- ``samples/eventbridge/elb-api-calls.jsonl``: EventBridge deliveries
  collected one per line.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ACCOUNT = "111122223333"
REGION = "eu-west-1"
SEED = Path(__file__).resolve().parent.parent.parent / "shared" / "seed"

ELB = "elasticloadbalancing.amazonaws.com"
LB_ARN = (
    f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:"
    "loadbalancer/app/shop-frontend/50dc6c495c0c9188"
)
TG_ARN = (
    f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:"
    "targetgroup/shop-web/73e2d6bc24d8a067"
)
LISTENER_ARN = (
    f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:"
    "listener/app/shop-frontend/50dc6c495c0c9188/f2f7dc8efc522ab2"
)
CERT_ARN = (
    f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/3a7e4c1d-5b2f-4e0a-9d1c-8f6b2a9e7c10"
)


def deployer() -> dict[str, Any]:
    """An assumed role used by a deployment pipeline."""
    return {
        "type": "AssumedRole",
        "principalId": "AROAEXAMPLEROLEID1234:deploy-4711",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/deploy-4711",
        "accountId": ACCOUNT,
        "accessKeyId": "ASIAEXAMPLEKEY000001",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROAEXAMPLEROLEID1234",
                "arn": f"arn:aws:iam::{ACCOUNT}:role/deployer",
                "accountId": ACCOUNT,
                "userName": "deployer",
            },
            "webIdFederationData": {},
            "attributes": {
                "creationDate": "2026-03-14T10:02:11Z",
                "mfaAuthenticated": "false",
            },
        },
    }


def alice() -> dict[str, Any]:
    """An IAM user at the console."""
    return {
        "type": "IAMUser",
        "principalId": "AIDAEXAMPLEUSERID0001",
        "arn": f"arn:aws:iam::{ACCOUNT}:user/alice",
        "accountId": ACCOUNT,
        "accessKeyId": "ASIAEXAMPLEKEY000002",
        "userName": "alice",
        "sessionContext": {
            "attributes": {
                "creationDate": "2026-03-14T09:55:40Z",
                "mfaAuthenticated": "true",
            }
        },
    }


def autoscaling() -> dict[str, Any]:
    """EC2 Auto Scaling registering instances through its service-linked role."""
    return {
        "type": "AssumedRole",
        "principalId": "AROAEXAMPLEASGROLE001:AutoScaling",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/"
        "AWSServiceRoleForAutoScaling/AutoScaling",
        "accountId": ACCOUNT,
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROAEXAMPLEASGROLE001",
                "arn": f"arn:aws:iam::{ACCOUNT}:role/aws-service-role/"
                "autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling",
                "accountId": ACCOUNT,
                "userName": "AWSServiceRoleForAutoScaling",
            },
            "attributes": {
                "creationDate": "2026-03-14T10:20:02Z",
                "mfaAuthenticated": "false",
            },
        },
        "invokedBy": "autoscaling.amazonaws.com",
    }


_COUNTER = [0]


def record(
    name: str,
    identity: dict[str, Any],
    time: str,
    params: Any,
    response: Any = None,
    *,
    source: str = ELB,
    api: str | None = "2015-12-01",
    read_only: bool = False,
    agent: str = "aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64 botocore/1.34",
    ip: str = "203.0.113.25",
    **extra: Any,
) -> dict[str, Any]:
    """One CloudTrail record in the field order CloudTrail writes."""
    _COUNTER[0] += 1
    n = _COUNTER[0]
    out: dict[str, Any] = {
        "eventVersion": "1.11",
        "userIdentity": identity,
        "eventTime": time,
        "eventSource": source,
        "eventName": name,
        "awsRegion": REGION,
        "sourceIPAddress": ip,
        "userAgent": agent,
    }
    out.update({k: v for k, v in extra.items() if k in ("errorCode", "errorMessage")})
    out["requestParameters"] = params
    out["responseElements"] = response
    out["requestID"] = f"{n:08x}-3c1e-4a7b-9f0d-5e2a8c6b4d1f"
    out["eventID"] = f"{n:08x}-7d4c-4e2b-8a1f-0c9e6b3a5d2e"
    out["readOnly"] = read_only
    out["eventType"] = "AwsApiCall"
    if api is not None:
        out["apiVersion"] = api
    out["managementEvent"] = True
    out["recipientAccountId"] = ACCOUNT
    out["eventCategory"] = "Management"
    out["tlsDetails"] = {
        "tlsVersion": "TLSv1.3",
        "cipherSuite": "TLS_AES_128_GCM_SHA256",
        "clientProvidedHostHeader": f"elasticloadbalancing.{REGION}.amazonaws.com",
    }
    out.update(
        {k: v for k, v in extra.items() if k not in ("errorCode", "errorMessage")}
    )
    return out


def first_file() -> list[dict[str, Any]]:
    """A deployment: target group, load balancer, listener, targets; plus noise."""
    lb = {
        "loadBalancerArn": LB_ARN,
        "dNSName": "shop-frontend-1234567890.eu-west-1.elb.amazonaws.com",
        "canonicalHostedZoneId": "Z32O12XQLNTSW2",
        "createdTime": "Mar 14, 2026 10:21:07 AM",
        "loadBalancerName": "shop-frontend",
        "scheme": "internet-facing",
        "vpcId": "vpc-0a1b2c3d4e5f67890",
        "state": {"code": "provisioning"},
        "type": "application",
        "availabilityZones": [
            {"zoneName": "eu-west-1a", "subnetId": "subnet-0aa11bb22cc33dd44"},
            {"zoneName": "eu-west-1b", "subnetId": "subnet-0ee55ff66aa77bb88"},
        ],
        "securityGroups": ["sg-0123456789abcdef0"],
        "ipAddressType": "ipv4",
    }
    return [
        record(
            "CreateTargetGroup",
            deployer(),
            "2026-03-14T10:20:58Z",
            {
                "name": "shop-web",
                "protocol": "HTTP",
                "port": 8080,
                "vpcId": "vpc-0a1b2c3d4e5f67890",
                "healthCheckPath": "/healthz",
                "healthCheckIntervalSeconds": 15,
                "healthyThresholdCount": 3,
                "targetType": "instance",
            },
            {
                "targetGroups": [
                    {
                        "targetGroupArn": TG_ARN,
                        "targetGroupName": "shop-web",
                        "protocol": "HTTP",
                        "port": 8080,
                        "vpcId": "vpc-0a1b2c3d4e5f67890",
                        "healthCheckProtocol": "HTTP",
                        "healthCheckPort": "traffic-port",
                        "healthCheckEnabled": True,
                        "healthCheckIntervalSeconds": 15,
                        "healthCheckTimeoutSeconds": 5,
                        "healthyThresholdCount": 3,
                        "unhealthyThresholdCount": 2,
                        "healthCheckPath": "/healthz",
                        "matcher": {"httpCode": "200"},
                        "targetType": "instance",
                        "protocolVersion": "HTTP1",
                        "ipAddressType": "ipv4",
                    }
                ]
            },
        ),
        record(
            "DescribeInstances",
            deployer(),
            "2026-03-14T10:21:01Z",
            {"instancesSet": {}, "filterSet": {}},
            None,
            source="ec2.amazonaws.com",
            api=None,
            read_only=True,
        ),
        record(
            "CreateLoadBalancer",
            deployer(),
            "2026-03-14T10:21:07Z",
            {
                "name": "shop-frontend",
                "subnets": ["subnet-0aa11bb22cc33dd44", "subnet-0ee55ff66aa77bb88"],
                "securityGroups": ["sg-0123456789abcdef0"],
                "scheme": "internet-facing",
                "type": "application",
                "ipAddressType": "ipv4",
                "tags": [{"key": "team", "value": "shop"}],
            },
            {"loadBalancers": [lb]},
        ),
        record(
            "CreateListener",
            deployer(),
            "2026-03-14T10:21:12Z",
            {
                "loadBalancerArn": LB_ARN,
                "protocol": "HTTPS",
                "port": 443,
                "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                "certificates": [{"certificateArn": CERT_ARN}],
                "defaultActions": [{"type": "forward", "targetGroupArn": TG_ARN}],
            },
            {
                "listeners": [
                    {
                        "listenerArn": LISTENER_ARN,
                        "loadBalancerArn": LB_ARN,
                        "port": 443,
                        "protocol": "HTTPS",
                        "certificates": [{"certificateArn": CERT_ARN}],
                        "sslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
                        "defaultActions": [
                            {"type": "forward", "targetGroupArn": TG_ARN, "order": 1}
                        ],
                    }
                ]
            },
        ),
        record(
            "GetObject",
            alice(),
            "2026-03-14T10:22:30Z",
            {"bucketName": "shop-artifacts", "key": "release/4711.tar.gz"},
            None,
            source="s3.amazonaws.com",
            api=None,
            read_only=True,
        ),
        record(
            "RegisterTargets",
            autoscaling(),
            "2026-03-14T10:23:45Z",
            {
                "targetGroupArn": TG_ARN,
                "targets": [
                    {"id": "i-0abc1234def567890", "port": 8080},
                    {"id": "i-0123abcd4567ef890", "port": 8080},
                ],
            },
            None,
            agent="autoscaling.amazonaws.com",
            ip="autoscaling.amazonaws.com",
        ),
    ]


def second_file() -> list[dict[str, Any]]:
    """Changes by hand at the console, a failed call, and a Classic teardown."""
    return [
        record(
            "ModifyTargetGroupAttributes",
            alice(),
            "2026-03-14T10:31:19Z",
            {
                "targetGroupArn": TG_ARN,
                "attributes": [
                    {"key": "deregistration_delay.timeout_seconds", "value": "30"},
                    {"key": "stickiness.enabled", "value": "true"},
                ],
            },
            {
                "attributes": [
                    {"key": "deregistration_delay.timeout_seconds", "value": "30"},
                    {"key": "stickiness.enabled", "value": "true"},
                ]
            },
            agent="AWS Internal",
            sessionCredentialFromConsole="true",
        ),
        record(
            "DeleteLoadBalancer",
            alice(),
            "2026-03-14T10:33:02Z",
            {"loadBalancerArn": LB_ARN},
            None,
            agent="AWS Internal",
            sessionCredentialFromConsole="true",
            errorCode="OperationNotPermittedException",
            errorMessage="Load balancer 'shop-frontend' cannot be deleted because "
            "deletion protection is enabled",
        ),
        record(
            "DescribeLoadBalancers",
            {
                "type": "AWSService",
                "invokedBy": "resource-explorer-2.amazonaws.com",
            },
            "2026-03-14T10:34:10Z",
            None,
            None,
            read_only=True,
            agent="resource-explorer-2.amazonaws.com",
            ip="resource-explorer-2.amazonaws.com",
        ),
        record(
            "DeleteLoadBalancer",
            alice(),
            "2026-03-14T10:36:40Z",
            {"loadBalancerName": "legacy-shop"},
            None,
            api="2012-06-01",
            agent="AWS Internal",
        ),
        record(
            "PutMetricData",
            deployer(),
            "2026-03-14T10:37:00Z",
            {"namespace": "Shop/Release"},
            None,
            source="monitoring.amazonaws.com",
            api=None,
        ),
    ]


def gz(data: bytes) -> bytes:
    """Gzip without a timestamp, so the bytes are reproducible."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as handle:
        handle.write(data)
    return buffer.getvalue()


def minified(records: list[dict[str, Any]]) -> bytes:
    """A log file as CloudTrail writes it: one line, no spaces."""
    return json.dumps({"Records": records}, separators=(",", ":")).encode()


def main() -> None:
    """Write every sample file."""
    if SAMPLES.exists():
        shutil.rmtree(SAMPLES)
    docs = SAMPLES / "aws-docs"
    docs.mkdir(parents=True)
    seed = (SEED / "000_eaa116fa4f989cd3.txt").read_text(encoding="utf-8")
    blocks = re.findall(r"```\n(.*?\n)```", seed, flags=re.DOTALL)
    (docs / "classic-createloadbalancer.json").write_text(blocks[0], encoding="utf-8")
    (docs / "classic-deleteloadbalancer-missing-comma.json").write_text(
        blocks[1], encoding="utf-8"
    )

    day = SAMPLES / "AWSLogs" / ACCOUNT / "CloudTrail" / REGION / "2026" / "03" / "14"
    day.mkdir(parents=True)
    prefix = f"{ACCOUNT}_CloudTrail_{REGION}_20260314T"
    (day / f"{prefix}1025Z_h8Lx0Tq3WbY2Kd9V.json.gz").write_bytes(
        gz(minified(first_file()))
    )
    second = gz(minified(second_file()))
    (day / f"{prefix}1040Z_Qa7Zp1Mc5Rn8Ue3F.json.gz").write_bytes(second)
    # A copy that failed part-way: only the first two thirds arrived.
    (day / f"{prefix}1040Z_Qa7Zp1Mc5Rn8Ue3F.json.gz.partial").write_bytes(
        second[: len(second) * 2 // 3]
    )
    digest = SAMPLES / "AWSLogs" / ACCOUNT / "CloudTrail-Digest" / REGION / "2026"
    digest = digest / "03" / "14"
    digest.mkdir(parents=True)
    (
        digest
        / f"{ACCOUNT}_CloudTrail-Digest_{REGION}_shop_{REGION}_20260314T110000Z.json.gz"
    ).write_bytes(
        gz(
            json.dumps(
                {
                    "awsAccountId": ACCOUNT,
                    "digestStartTime": "2026-03-14T10:00:00Z",
                    "digestEndTime": "2026-03-14T11:00:00Z",
                    "logFiles": [],
                }
            ).encode()
        )
    )

    bridge = SAMPLES / "eventbridge"
    bridge.mkdir()
    lines = []
    for index, rec in enumerate(first_file()[2:4]):
        lines.append(
            json.dumps(
                {
                    "version": "0",
                    "id": f"6a7e8feb-b491-4cf7-a9f1-bf3703467{index:03d}",
                    "detail-type": "AWS API Call via CloudTrail",
                    "source": "aws.elasticloadbalancing",
                    "account": ACCOUNT,
                    "time": rec["eventTime"],
                    "region": REGION,
                    "resources": [],
                    "detail": rec,
                }
            )
        )
    (bridge / "elb-api-calls.jsonl").write_text(
        "\n".join(lines) + "\n", encoding="utf-8"
    )


if __name__ == "__main__":
    main()
