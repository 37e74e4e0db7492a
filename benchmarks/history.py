"""
Measure building a `History` from many generated events.

Usage::

    python benchmarks/history.py                    # 1,000,000 events
    python benchmarks/history.py --events 100000

Method: records are generated on the fly for 200 ELBv2 load balancers, each
with a listener and a target group, and 50 Classic load balancers, all
created at the start; then a mix of calls follows, one a second, on
instances drawn from a pool of 20 per load balancer or group: target
(de)registrations (40%), Classic instance (de)registrations (20%), target
group health-check changes (10%), load-balancer attribute changes (10%),
tags added (10%), rules created and deleted (5%), failed calls (5%). The
records reach `History.from_events` as typed events from
`elbtrail.parse_event`, one at a time through a generator, so what stays in
memory is what the history keeps. Reported: the wall time of parsing and
building together, the time of parsing alone (a second pass over the same
generator), and the growth of the process's peak resident set size during
the build, over its size before it. Times are wall-clock, with the
process's CPU time beside them, since on a shared machine the two differ.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import elbtrail
from elbtrail import History

ACCOUNT = "111122223333"
ARN = f"arn:aws:elasticloadbalancing:eu-west-1:{ACCOUNT}"
START = datetime(2026, 1, 1, tzinfo=timezone.utc)
CALLER = {
    "type": "AssumedRole",
    "principalId": "AROAEXAMPLE:deploy",
    "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/deploy",
    "accountId": ACCOUNT,
    "sessionContext": {
        "sessionIssuer": {
            "type": "Role",
            "arn": f"arn:aws:iam::{ACCOUNT}:role/deployer",
            "userName": "deployer",
        }
    },
}


def _record(
    n: int,
    name: str,
    api: str,
    request: dict[str, Any],
    response: dict[str, Any] | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    record = {
        "eventVersion": "1.11",
        "userIdentity": CALLER,
        "eventTime": (START + timedelta(seconds=n)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": "elasticloadbalancing.amazonaws.com",
        "eventName": name,
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "203.0.113.25",
        "userAgent": "aws-cli/2.15.30",
        "requestParameters": request,
        "responseElements": response,
        "eventID": f"{n:08x}-0000-4000-8000-000000000000",
        "apiVersion": api,
    }
    if error is not None:
        record["errorCode"] = error
    return record


def _group(i: int) -> dict[str, Any]:
    return {
        "targetGroupArn": f"{ARN}:targetgroup/tg-{i}/{i:016x}",
        "targetGroupName": f"tg-{i}",
        "protocol": "HTTP",
        "port": 8080,
        "vpcId": "vpc-0a1b2c3d4e5f67890",
        "healthCheckProtocol": "HTTP",
        "healthCheckPort": "traffic-port",
        "healthCheckPath": "/healthz",
        "healthCheckIntervalSeconds": 15,
        "matcher": {"httpCode": "200"},
        "targetType": "instance",
    }


def records(count: int, seed: int = 0) -> Iterator[dict[str, Any]]:
    """*count* records: the creates first, then the mix of calls."""
    rng = random.Random(seed)
    v2, classic = "2015-12-01", "2012-06-01"
    n = 0
    lbs, classics = 200, 50
    for i in range(lbs):
        lb = f"{ARN}:loadbalancer/app/lb-{i}/{i:016x}"
        yield _record(
            n,
            "CreateLoadBalancer",
            v2,
            {"name": f"lb-{i}", "subnets": ["subnet-1", "subnet-2"]},
            {
                "loadBalancers": [
                    {
                        "loadBalancerArn": lb,
                        "loadBalancerName": f"lb-{i}",
                        "dNSName": f"lb-{i}.eu-west-1.elb.amazonaws.com",
                        "type": "application",
                        "scheme": "internet-facing",
                        "vpcId": "vpc-0a1b2c3d4e5f67890",
                        "state": {"code": "provisioning"},
                        "availabilityZones": [
                            {"zoneName": "eu-west-1a", "subnetId": "subnet-1"},
                            {"zoneName": "eu-west-1b", "subnetId": "subnet-2"},
                        ],
                        "ipAddressType": "ipv4",
                    }
                ]
            },
        )
        yield _record(
            n + 1,
            "CreateTargetGroup",
            v2,
            {"name": f"tg-{i}", "port": 8080},
            {"targetGroups": [_group(i)]},
        )
        yield _record(
            n + 2,
            "CreateListener",
            v2,
            {"loadBalancerArn": lb},
            {
                "listeners": [
                    {
                        "listenerArn": f"{ARN}:listener/app/lb-{i}/{i:016x}/{i:016x}",
                        "loadBalancerArn": lb,
                        "port": 80,
                        "protocol": "HTTP",
                        "defaultActions": [
                            {
                                "type": "forward",
                                "targetGroupArn": _group(i)["targetGroupArn"],
                            }
                        ],
                    }
                ]
            },
        )
        n += 3
    for i in range(classics):
        yield _record(
            n,
            "CreateLoadBalancer",
            classic,
            {
                "loadBalancerName": f"classic-{i}",
                "listeners": [
                    {"protocol": "HTTP", "loadBalancerPort": 80, "instancePort": 80}
                ],
                "availabilityZones": ["eu-west-1a"],
            },
            {"dNSName": f"classic-{i}.eu-west-1.elb.amazonaws.com"},
        )
        n += 1
    rules: list[str] = []
    while n < count:
        i = rng.randrange(lbs)
        group = _group(i)["targetGroupArn"]
        roll = rng.random()
        # Each group and load balancer has a pool of 20 instances to take
        # from, so their lists stay the size real ones have.
        instance = f"i-{i:08x}{rng.randrange(20):09x}"
        if roll < 0.4:
            name = "RegisterTargets" if rng.random() < 0.6 else "DeregisterTargets"
            yield _record(
                n, name, v2, {"targetGroupArn": group, "targets": [{"id": instance}]}
            )
        elif roll < 0.6:
            k = rng.randrange(classics)
            c = f"classic-{k}"
            instance = f"i-{k:08x}{rng.randrange(20):09x}"
            name = (
                "RegisterInstancesWithLoadBalancer"
                if rng.random() < 0.6
                else "DeregisterInstancesFromLoadBalancer"
            )
            yield _record(
                n,
                name,
                classic,
                {"loadBalancerName": c, "instances": [{"instanceId": instance}]},
            )
        elif roll < 0.7:
            changed = dict(_group(i), healthCheckPath=f"/h{rng.randrange(9)}")
            yield _record(
                n,
                "ModifyTargetGroup",
                v2,
                {
                    "targetGroupArn": group,
                    "healthCheckPath": changed["healthCheckPath"],
                },
                {"targetGroups": [changed]},
            )
        elif roll < 0.8:
            attributes = [
                {
                    "key": "idle_timeout.timeout_seconds",
                    "value": str(rng.randrange(300)),
                }
            ]
            yield _record(
                n,
                "ModifyLoadBalancerAttributes",
                v2,
                {
                    "loadBalancerArn": f"{ARN}:loadbalancer/app/lb-{i}/{i:016x}",
                    "attributes": attributes,
                },
                {"attributes": attributes},
            )
        elif roll < 0.9:
            yield _record(
                n,
                "AddTags",
                v2,
                {
                    "resourceArns": [group],
                    "tags": [{"key": f"k{rng.randrange(20)}", "value": str(n)}],
                },
            )
        elif roll < 0.95:
            listener = f"{ARN}:listener/app/lb-{i}/{i:016x}/{i:016x}"
            if rules and rng.random() < 0.5:
                yield _record(
                    n,
                    "DeleteRule",
                    v2,
                    {"ruleArn": rules.pop(rng.randrange(len(rules)))},
                )
            else:
                rule = f"{ARN}:listener-rule/app/lb-{i}/{i:016x}/{i:016x}/{n:016x}"
                rules.append(rule)
                yield _record(
                    n,
                    "CreateRule",
                    v2,
                    {"listenerArn": listener, "priority": n % 50000},
                    {
                        "rules": [
                            {
                                "ruleArn": rule,
                                "priority": str(n % 50000),
                                "conditions": [
                                    {"field": "path-pattern", "values": [f"/p{n}"]}
                                ],
                                "actions": [
                                    {"type": "forward", "targetGroupArn": group}
                                ],
                                "isDefault": False,
                            }
                        ]
                    },
                )
        else:
            yield _record(
                n,
                "DeleteTargetGroup",
                v2,
                {"targetGroupArn": group},
                error="ResourceInUse",
            )
        n += 1


def _peak_rss_mib() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return usage / 1024 if sys.platform != "darwin" else usage / 2**20


def main() -> None:
    """Build the history once and print what it cost."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    args = parser.parse_args()

    before = _peak_rss_mib()
    start, cpu = time.perf_counter(), time.process_time()
    history = History.from_events(elbtrail.parse_event(r) for r in records(args.events))
    built, built_cpu = time.perf_counter() - start, time.process_time() - cpu
    peak = _peak_rss_mib() - before

    start, cpu = time.perf_counter(), time.process_time()
    for record in records(args.events):
        elbtrail.parse_event(record)
    parsed, parsed_cpu = time.perf_counter() - start, time.process_time() - cpu

    changes = history.changes()
    start = time.perf_counter()
    snapshot = history.at(changes[len(changes) // 2].call.time)
    described = snapshot.describe()
    at = time.perf_counter() - start
    print(f"events:                 {args.events:,}")
    print(f"changes / attempts:     {len(changes):,} / {len(history.attempts()):,}")
    print(f"generate+parse+build:   {built:.1f} s ({built_cpu:.1f} s CPU)")
    print(f"generate+parse only:    {parsed:.1f} s ({parsed_cpu:.1f} s CPU)")
    print(
        f"history alone:          {built - parsed:.1f} s "
        f"({built_cpu - parsed_cpu:.1f} s CPU)"
    )
    print(f"peak RSS growth:        {peak:.0f} MiB")
    print(f"at() + describe():      {at * 1000:.0f} ms ({len(snapshot)} resources,")
    print(f"                        {len(described['Targets'])} target groups)")


if __name__ == "__main__":
    main()
