"""
The history checked against a real ELB API: moto's server over HTTP.

A Hypothesis state machine sends calls of both ELB APIs through boto3 to
moto's server, writes for each the CloudTrail record AWS would (keys with
their first letter lowered, ``apiVersion``, a caller, an event time, and
``errorCode`` for a call that failed), and takes moto's ``describe-*``
answers at several moments. At the end it shuffles the records, delivers
some twice, rebuilds a `History` from them, and checks that the snapshot at
each moment describes what moto described, for every field CloudTrail
carries.

Where moto differs from AWS, or the trail cannot know, the test works around
it:

- ``RegisterInstancesWithLoadBalancer`` and
  ``DeregisterInstancesFromLoadBalancer`` answer ``Instances: []``; AWS
  answers with every instance registered after the call, so the record's
  response is built from moto's describe call right after.
- ``describe-target-groups`` lists a load balancer once per listener or rule
  that forwards to the group, and keeps listing it after they are deleted;
  AWS lists each load balancer that forwards to the group once, so the
  expected ``LoadBalancerArns`` are worked out from moto's own listeners and
  rules.
- moto accepts a second listener on a port a load balancer already listens
  on; AWS answers ``DuplicateListener``, so the test records that answer
  without sending the call.
- A load balancer's ``State`` moves from ``provisioning`` to ``active``
  without any API call; the trail can only know the first, so ``State`` is
  not compared.
- A Classic load balancer created in zones gets subnets, a security group
  and a health check chosen by the service; the trail does not carry them,
  so the history leaves them out and they are compared only where it has
  them.
- moto keeps one registration per instance in a target group, and
  deregisters an instance whatever the port; AWS keeps one per instance
  and port. The test registers each instance on one port only.
- moto repeats a Classic load balancer's ``AdditionalAttributes`` item after
  each modification; they are compared once per key.
- ``CreatedTime``: CloudTrail writes it to the second.
- A Classic call naming a load balancer that does not exist fails with a
  server error (500) in moto; AWS answers ``LoadBalancerNotFound``, so the
  test records that answer without sending the call.
- moto accepts a second policy of one name, a policy that does not exist
  on a listener, and deleting a policy in use; AWS refuses each
  (``DuplicatePolicyName``, ``PolicyNotFound``,
  ``InvalidConfigurationRequest``), so the test records that answer
  without sending the call.
- moto keeps backend-server policies only for an instance port some
  listener sends to, so the test sets them on that port.
- Listener certificates are not compared: ``describe()`` has no
  ``describe-listener-certificates`` answer, and moto takes the first
  certificate added to an HTTP listener as its default. The unit tests of
  ``test_history_appliers.py`` check them.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import urllib.request
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import botocore
import botocore.exceptions
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    rule,
    run_state_machine_as_test,
)

import elbtrail
from elbtrail import History

# Each example stands a fresh VPC up on the server and makes up to 30 calls:
# a few examples in the normal suite, 200 in the long profile.
EXAMPLES = 200 if os.environ.get("ELBTRAIL_HYPOTHESIS_PROFILE") == "long" else 6
START = datetime(2026, 3, 14, 9, 0, tzinfo=timezone.utc)
ACCOUNT = "123456789012"
ARN = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}"
CALLERS = [
    {
        "type": "IAMUser",
        "principalId": "AIDAEXAMPLEALICE",
        "arn": f"arn:aws:iam::{ACCOUNT}:user/alice",
        "accountId": ACCOUNT,
        "userName": "alice",
    },
    {
        "type": "AssumedRole",
        "principalId": "AROAEXAMPLEDEPLOY:deploy-1",
        "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/deployer/deploy-1",
        "accountId": ACCOUNT,
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROAEXAMPLEDEPLOY",
                "arn": f"arn:aws:iam::{ACCOUNT}:role/deployer",
                "accountId": ACCOUNT,
                "userName": "deployer",
            }
        },
    },
]
NAMES = st.sampled_from(["web", "api", "admin"])
TAG_KEYS = st.sampled_from(["env", "team", "cost"])
TAG_VALUES = st.sampled_from(["prod", "dev", "shop", ""])


def trail_case(value: Any) -> Any:
    """An API structure as CloudTrail writes it: each key's first letter lowered."""
    if isinstance(value, dict):
        return {k[:1].lower() + k[1:]: trail_case(v) for k, v in value.items()}
    if isinstance(value, list):
        return [trail_case(v) for v in value]
    if isinstance(value, datetime):
        # CloudTrail writes ELB's times as Java prints them.
        hour = value.hour % 12 or 12
        ampm = "AM" if value.hour < 12 else "PM"
        return f"{value:%b} {value.day}, {value.year} {hour}:{value:%M:%S} {ampm}"
    return value


class ElbMachine(RuleBasedStateMachine):
    """Calls to moto's ELB APIs, recorded as CloudTrail would record them."""

    load_balancers = Bundle("load_balancers")
    target_groups = Bundle("target_groups")
    listeners = Bundle("listeners")
    rules = Bundle("rules")
    classics = Bundle("classics")

    def __init__(self) -> None:
        super().__init__()
        endpoint = os.environ["AWS_ENDPOINT_URL"]
        reset = urllib.request.Request(  # noqa: S310 - loopback only
            f"{endpoint}/moto-api/reset", method="POST"
        )
        with urllib.request.urlopen(reset, timeout=10):  # noqa: S310
            pass
        self.ec2, self.elb, self.elbv2 = CLIENTS
        self.vpc = self.ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
        self.subnets = [
            self.ec2.create_subnet(
                VpcId=self.vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=zone
            )["Subnet"]["SubnetId"]
            for i, zone in enumerate(["us-east-1a", "us-east-1b"], start=1)
        ]
        # A third zone's subnet, for SetSubnets.
        self.spare_subnet = self.ec2.create_subnet(
            VpcId=self.vpc, CidrBlock="10.0.3.0/24", AvailabilityZone="us-east-1c"
        )["Subnet"]["SubnetId"]
        self.groups = [
            self.ec2.create_security_group(
                GroupName=f"g{i}", Description="lb", VpcId=self.vpc
            )["GroupId"]
            for i in range(2)
        ]
        self.instances = [
            i["InstanceId"]
            for i in self.ec2.run_instances(
                ImageId="ami-12345678", MinCount=3, MaxCount=3
            )["Instances"]
        ]
        self.records: list[dict[str, Any]] = []
        self.snapshots: list[tuple[datetime, dict[str, Any]]] = []
        self.clock = itertools.count(1)
        self.rng = random.Random(0)  # noqa: S311 - not for secrets
        self.priorities = itertools.count(1)

    @initialize(seed=st.integers(0, 2**32 - 1))
    def delivery(self, seed: int) -> None:
        """Draw how the records are shuffled and which are delivered twice."""
        self.rng = random.Random(seed)  # noqa: S311 - not for secrets

    # -- recording --------------------------------------------------------

    def now(self) -> datetime:
        return START + timedelta(seconds=next(self.clock))

    def classic_exists(self, name: str) -> bool:
        try:
            self.elb.describe_load_balancers(LoadBalancerNames=[name])
        except botocore.exceptions.ClientError:
            return False
        return True

    def port_taken(self, lb: str, port: int) -> bool:
        try:
            found = self.elbv2.describe_listeners(LoadBalancerArn=lb)["Listeners"]
        except botocore.exceptions.ClientError:
            return False
        return any(listener["Port"] == port for listener in found)

    def fail(
        self,
        action: str,
        code: str,
        message: str,
        api: str = "2015-12-01",
        **params: Any,
    ) -> None:
        """Record a failure AWS would answer where moto would not fail."""
        self.call(action=action, api=api, _error=(code, message), **params)

    def instance_port(self, name: str) -> int:
        """The instance port of a Classic load balancer's port 80 listener."""
        try:
            (lb,) = self.elb.describe_load_balancers(LoadBalancerNames=[name])[
                "LoadBalancerDescriptions"
            ]
        except botocore.exceptions.ClientError:
            return 80
        ports = [
            d["Listener"]["InstancePort"]
            for d in lb["ListenerDescriptions"]
            if d["Listener"]["LoadBalancerPort"] == 80
        ]
        return ports[0] if ports else 80

    def classic_policies(self, name: str) -> tuple[set[str], set[str]] | None:
        """A Classic load balancer's policy names, and those in use; or None."""
        try:
            (lb,) = self.elb.describe_load_balancers(LoadBalancerNames=[name])[
                "LoadBalancerDescriptions"
            ]
        except botocore.exceptions.ClientError:
            return None
        policies = lb["Policies"]
        names = {p["PolicyName"] for p in policies["AppCookieStickinessPolicies"]}
        names |= {p["PolicyName"] for p in policies["LBCookieStickinessPolicies"]}
        names |= set(policies["OtherPolicies"])
        used = {n for d in lb["ListenerDescriptions"] for n in d["PolicyNames"]}
        used |= {n for d in lb["BackendServerDescriptions"] for n in d["PolicyNames"]}
        return names, used

    def call(
        self,
        api: str,
        action: str,
        _error: tuple[str, str] | None = None,
        **params: Any,
    ) -> dict[str, Any] | None:
        client = self.elb if api == "2012-06-01" else self.elbv2
        method = getattr(client, _snake(action))
        time = self.now()
        record: dict[str, Any] = {
            "eventVersion": "1.11",
            "userIdentity": self.rng.choice(CALLERS),
            "eventTime": time.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "eventSource": "elasticloadbalancing.amazonaws.com",
            "eventName": action,
            "awsRegion": "us-east-1",
            "sourceIPAddress": "198.51.100.7",
            "userAgent": "aws-cli/2.31.0 md/Botocore#1.44.8",
            "requestParameters": trail_case(params),
            "requestID": f"req-{len(self.records)}",
            "eventID": f"00000000-0000-4000-8000-{len(self.records):012d}",
            "readOnly": False,
            "eventType": "AwsApiCall",
            "apiVersion": api,
            "managementEvent": True,
            "recipientAccountId": ACCOUNT,
            "eventCategory": "Management",
        }
        name = (
            params.get("LoadBalancerName") or params.get("LoadBalancerNames", [""])[0]
        )
        if (
            _error is None
            and api == "2012-06-01"
            and action not in ("CreateLoadBalancer", "DeleteLoadBalancer")
            and not self.classic_exists(name)
        ):
            # moto fails with a server error here; AWS answers this.
            message = f"There is no ACTIVE Load Balancer named '{name}'"
            _error = ("LoadBalancerNotFound", message)
        try:
            if _error is not None:
                raise _client_error(*_error, action)
            response = method(**params)
        except botocore.exceptions.ClientError as error:
            record["errorCode"] = error.response["Error"]["Code"]
            record["errorMessage"] = error.response["Error"].get("Message", "")
            record["responseElements"] = None
            self.records.append(record)
            return None
        response.pop("ResponseMetadata", None)
        if action in (
            "RegisterInstancesWithLoadBalancer",
            "DeregisterInstancesFromLoadBalancer",
        ):
            # moto answers with an empty list; AWS with every instance.
            (found,) = self.elb.describe_load_balancers(
                LoadBalancerNames=[params["LoadBalancerName"]]
            )["LoadBalancerDescriptions"]
            response = {"Instances": found["Instances"]}
        record["responseElements"] = trail_case(response) or None
        self.records.append(record)
        return response

    # -- ELBv2 ------------------------------------------------------------

    @rule(target=load_balancers, name=NAMES, tags=st.booleans())
    def create_load_balancer(self, name: str, tags: bool) -> str:
        params: dict[str, Any] = {
            "Name": name,
            "Subnets": self.subnets,
            "SecurityGroups": [self.groups[0]],
        }
        if tags:
            params["Tags"] = [{"Key": "env", "Value": "prod"}]
        response = self.call("2015-12-01", "CreateLoadBalancer", **params)
        if response is None:
            return f"{ARN}:loadbalancer/app/{name}/0"
        return response["LoadBalancers"][0]["LoadBalancerArn"]

    @rule(target=target_groups, name=NAMES, port=st.sampled_from([80, 8080]))
    def create_target_group(self, name: str, port: int) -> str:
        response = self.call(
            "2015-12-01",
            "CreateTargetGroup",
            Name=f"tg-{name}",
            Protocol="HTTP",
            Port=port,
            VpcId=self.vpc,
        )
        if response is None:
            return f"{ARN}:targetgroup/tg-{name}/0"
        return response["TargetGroups"][0]["TargetGroupArn"]

    @rule(
        target=listeners,
        lb=load_balancers,
        group=target_groups,
        port=st.sampled_from([80, 81, 8443]),
    )
    def create_listener(self, lb: str, group: str, port: int) -> str:
        params: dict[str, Any] = {
            "LoadBalancerArn": lb,
            "Protocol": "HTTP",
            "Port": port,
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": group}],
        }
        if self.port_taken(lb, port):
            # moto accepts a second listener on a port; AWS refuses it.
            self.fail(
                "CreateListener",
                "DuplicateListener",
                "A listener already exists on that port",
                **params,
            )
            return f"{lb.replace(':loadbalancer/', ':listener/')}/0"
        response = self.call("2015-12-01", "CreateListener", **params)
        if response is None:
            return f"{lb.replace(':loadbalancer/', ':listener/')}/0"
        return response["Listeners"][0]["ListenerArn"]

    @rule(listener=listeners, port=st.sampled_from([80, 81, 8443]))
    def modify_listener(self, listener: str, port: int) -> None:
        lb = listener.replace(":listener/", ":loadbalancer/").rsplit("/", 1)[0]
        if self.port_taken(lb, port):
            self.fail(
                "ModifyListener",
                "DuplicateListener",
                "A listener already exists on that port",
                ListenerArn=listener,
                Port=port,
            )
            return
        self.call("2015-12-01", "ModifyListener", ListenerArn=listener, Port=port)

    @rule(
        target=rules,
        listener=listeners,
        group=target_groups,
        path=st.sampled_from(["/a", "/b/*"]),
    )
    def create_rule(self, listener: str, group: str, path: str) -> str:
        response = self.call(
            "2015-12-01",
            "CreateRule",
            ListenerArn=listener,
            Priority=next(self.priorities),
            Conditions=[{"Field": "path-pattern", "Values": [path]}],
            Actions=[{"Type": "forward", "TargetGroupArn": group}],
        )
        if response is None:
            return f"{listener.replace(':listener/', ':listener-rule/')}/0"
        return response["Rules"][0]["RuleArn"]

    @rule(rule_arn=rules, path=st.sampled_from(["/c", "/d/*"]))
    def modify_rule(self, rule_arn: str, path: str) -> None:
        self.call(
            "2015-12-01",
            "ModifyRule",
            RuleArn=rule_arn,
            Conditions=[{"Field": "path-pattern", "Values": [path]}],
        )

    @rule(rule_arn=rules)
    def set_rule_priority(self, rule_arn: str) -> None:
        self.call(
            "2015-12-01",
            "SetRulePriorities",
            RulePriorities=[{"RuleArn": rule_arn, "Priority": next(self.priorities)}],
        )

    @rule(rule_arn=rules)
    def delete_rule(self, rule_arn: str) -> None:
        self.call("2015-12-01", "DeleteRule", RuleArn=rule_arn)

    @rule(listener=listeners)
    def delete_listener(self, listener: str) -> None:
        self.call("2015-12-01", "DeleteListener", ListenerArn=listener)

    @rule(lb=load_balancers)
    def delete_load_balancer(self, lb: str) -> None:
        self.call("2015-12-01", "DeleteLoadBalancer", LoadBalancerArn=lb)

    @rule(group=target_groups)
    def delete_target_group(self, group: str) -> None:
        self.call("2015-12-01", "DeleteTargetGroup", TargetGroupArn=group)

    @rule(group=target_groups, path=st.sampled_from(["/", "/health", "/ok"]))
    def modify_target_group(self, group: str, path: str) -> None:
        self.call(
            "2015-12-01",
            "ModifyTargetGroup",
            TargetGroupArn=group,
            HealthCheckPath=path,
            HealthCheckIntervalSeconds=15,
        )

    @rule(group=target_groups, seconds=st.sampled_from(["0", "30", "300"]))
    def modify_target_group_attributes(self, group: str, seconds: str) -> None:
        self.call(
            "2015-12-01",
            "ModifyTargetGroupAttributes",
            TargetGroupArn=group,
            Attributes=[
                {"Key": "deregistration_delay.timeout_seconds", "Value": seconds}
            ],
        )

    @rule(lb=load_balancers, seconds=st.sampled_from(["30", "60", "120"]))
    def modify_load_balancer_attributes(self, lb: str, seconds: str) -> None:
        self.call(
            "2015-12-01",
            "ModifyLoadBalancerAttributes",
            LoadBalancerArn=lb,
            Attributes=[{"Key": "idle_timeout.timeout_seconds", "Value": seconds}],
        )

    @rule(lb=load_balancers, dualstack=st.booleans())
    def set_ip_address_type(self, lb: str, dualstack: bool) -> None:
        self.call(
            "2015-12-01",
            "SetIpAddressType",
            LoadBalancerArn=lb,
            IpAddressType="dualstack" if dualstack else "ipv4",
        )

    @rule(lb=load_balancers, pick=st.sampled_from([(0, 1), (0, 2), (1, 2)]))
    def set_subnets(self, lb: str, pick: tuple[int, int]) -> None:
        subnets = [*self.subnets, self.spare_subnet]
        self.call(
            "2015-12-01",
            "SetSubnets",
            LoadBalancerArn=lb,
            Subnets=[subnets[i] for i in pick],
        )

    @rule(listener=listeners, enabled=st.booleans())
    def modify_listener_attributes(self, listener: str, enabled: bool) -> None:
        self.call(
            "2015-12-01",
            "ModifyListenerAttributes",
            ListenerArn=listener,
            Attributes=[
                {
                    "Key": "routing.http.response.server.enabled",
                    "Value": str(enabled).lower(),
                }
            ],
        )

    @rule(lb=load_balancers, both=st.booleans())
    def set_security_groups(self, lb: str, both: bool) -> None:
        groups = self.groups if both else self.groups[1:]
        self.call(
            "2015-12-01", "SetSecurityGroups", LoadBalancerArn=lb, SecurityGroups=groups
        )

    @rule(group=target_groups, instance=st.integers(0, 2), register=st.booleans())
    def targets(self, group: str, instance: int, register: bool) -> None:
        target: dict[str, Any] = {"Id": self.instances[instance]}
        # One port per instance (the group's own for the first): moto keeps
        # one registration per instance, where AWS keeps one per port.
        port = (None, 8080, 9000)[instance]
        if port is not None:
            target["Port"] = port
        action = "RegisterTargets" if register else "DeregisterTargets"
        self.call("2015-12-01", action, TargetGroupArn=group, Targets=[target])

    @rule(
        resource=st.one_of(load_balancers, target_groups),
        key=TAG_KEYS,
        value=TAG_VALUES,
        add=st.booleans(),
    )
    def tags(self, resource: str, key: str, value: str, add: bool) -> None:
        if add:
            self.call(
                "2015-12-01",
                "AddTags",
                ResourceArns=[resource],
                Tags=[{"Key": key, "Value": value}],
            )
        else:
            self.call(
                "2015-12-01", "RemoveTags", ResourceArns=[resource], TagKeys=[key]
            )

    # -- Classic ----------------------------------------------------------

    @rule(target=classics, name=NAMES, port=st.sampled_from([80, 8080]))
    def create_classic(self, name: str, port: int) -> str:
        self.call(
            "2012-06-01",
            "CreateLoadBalancer",
            LoadBalancerName=f"c-{name}",
            Listeners=[
                {"Protocol": "HTTP", "LoadBalancerPort": 80, "InstancePort": port}
            ],
            AvailabilityZones=["us-east-1a"],
            Tags=[{"Key": "team", "Value": "shop"}],
        )
        return f"c-{name}"

    @rule(name=classics, instance=st.integers(0, 2), register=st.booleans())
    def classic_instances(self, name: str, instance: int, register: bool) -> None:
        action = (
            "RegisterInstancesWithLoadBalancer"
            if register
            else "DeregisterInstancesFromLoadBalancer"
        )
        self.call(
            "2012-06-01",
            action,
            LoadBalancerName=name,
            Instances=[{"InstanceId": self.instances[instance]}],
        )

    @rule(name=classics, path=st.sampled_from(["/", "/health"]))
    def classic_health_check(self, name: str, path: str) -> None:
        self.call(
            "2012-06-01",
            "ConfigureHealthCheck",
            LoadBalancerName=name,
            HealthCheck={
                "Target": f"HTTP:80{path}",
                "Interval": 30,
                "Timeout": 5,
                "UnhealthyThreshold": 2,
                "HealthyThreshold": 3,
            },
        )

    @rule(name=classics, port=st.sampled_from([81, 443]), add=st.booleans())
    def classic_listeners(self, name: str, port: int, add: bool) -> None:
        if add:
            self.call(
                "2012-06-01",
                "CreateLoadBalancerListeners",
                LoadBalancerName=name,
                Listeners=[
                    {"Protocol": "TCP", "LoadBalancerPort": port, "InstancePort": 80}
                ],
            )
        else:
            self.call(
                "2012-06-01",
                "DeleteLoadBalancerListeners",
                LoadBalancerName=name,
                LoadBalancerPorts=[port],
            )

    @rule(name=classics, enabled=st.booleans())
    def classic_attributes(self, name: str, enabled: bool) -> None:
        self.call(
            "2012-06-01",
            "ModifyLoadBalancerAttributes",
            LoadBalancerName=name,
            LoadBalancerAttributes={"CrossZoneLoadBalancing": {"Enabled": enabled}},
        )

    @rule(name=classics, enable=st.booleans())
    def classic_zones(self, name: str, enable: bool) -> None:
        action = (
            "EnableAvailabilityZonesForLoadBalancer"
            if enable
            else "DisableAvailabilityZonesForLoadBalancer"
        )
        self.call(
            "2012-06-01",
            action,
            LoadBalancerName=name,
            AvailabilityZones=["us-east-1b"],
        )

    @rule(name=classics, policy=st.sampled_from(["sticky-lb", "sticky-app", "proxy"]))
    def classic_create_policy(self, name: str, policy: str) -> None:
        if policy == "sticky-lb":
            action = "CreateLBCookieStickinessPolicy"
            params: dict[str, Any] = {"CookieExpirationPeriod": 60}
        elif policy == "sticky-app":
            action = "CreateAppCookieStickinessPolicy"
            params = {"CookieName": "SID"}
        else:
            action = "CreateLoadBalancerPolicy"
            params = {
                "PolicyTypeName": "ProxyProtocolPolicyType",
                "PolicyAttributes": [
                    {"AttributeName": "ProxyProtocol", "AttributeValue": "true"}
                ],
            }
        found = self.classic_policies(name)
        if found is not None and policy in found[0]:
            # moto accepts a second policy of one name; AWS refuses it.
            self.fail(
                action,
                "DuplicatePolicyName",
                f"Policy {policy} already exists",
                api="2012-06-01",
                LoadBalancerName=name,
                PolicyName=policy,
                **params,
            )
            return
        self.call(
            "2012-06-01", action, LoadBalancerName=name, PolicyName=policy, **params
        )

    @rule(
        name=classics,
        policies=st.sampled_from([[], ["sticky-lb"], ["sticky-app"]]),
        backend=st.booleans(),
    )
    def classic_set_policies(
        self, name: str, policies: list[str], backend: bool
    ) -> None:
        if backend:
            action = "SetLoadBalancerPoliciesForBackendServer"
            # moto keeps backend policies only for a port a listener sends to.
            params: dict[str, Any] = {
                "InstancePort": self.instance_port(name),
                "PolicyNames": ["proxy"] if policies else [],
            }
        else:
            action = "SetLoadBalancerPoliciesOfListener"
            params = {"LoadBalancerPort": 80, "PolicyNames": policies}
        found = self.classic_policies(name)
        if found is not None and not set(params["PolicyNames"]) <= found[0]:
            # moto accepts a policy that does not exist; AWS refuses it.
            self.fail(
                action,
                "PolicyNotFound",
                "One or more specified policies were not found",
                api="2012-06-01",
                LoadBalancerName=name,
                **params,
            )
            return
        self.call("2012-06-01", action, LoadBalancerName=name, **params)

    @rule(name=classics, policy=st.sampled_from(["sticky-lb", "sticky-app", "proxy"]))
    def classic_delete_policy(self, name: str, policy: str) -> None:
        found = self.classic_policies(name)
        if found is not None and policy in found[1]:
            # moto deletes a policy in use; AWS refuses.
            self.fail(
                "DeleteLoadBalancerPolicy",
                "InvalidConfigurationRequest",
                f"Policy {policy} is in use",
                api="2012-06-01",
                LoadBalancerName=name,
                PolicyName=policy,
            )
            return
        self.call(
            "2012-06-01",
            "DeleteLoadBalancerPolicy",
            LoadBalancerName=name,
            PolicyName=policy,
        )

    @rule(name=classics, both=st.booleans())
    def classic_security_groups(self, name: str, both: bool) -> None:
        self.call(
            "2012-06-01",
            "ApplySecurityGroupsToLoadBalancer",
            LoadBalancerName=name,
            SecurityGroups=self.groups if both else self.groups[1:],
        )

    @rule(name=classics, attach=st.booleans())
    def classic_subnets(self, name: str, attach: bool) -> None:
        action = (
            "AttachLoadBalancerToSubnets" if attach else "DetachLoadBalancerFromSubnets"
        )
        self.call(
            "2012-06-01", action, LoadBalancerName=name, Subnets=[self.subnets[1]]
        )

    @rule(name=classics, key=TAG_KEYS, value=TAG_VALUES, add=st.booleans())
    def classic_tags(self, name: str, key: str, value: str, add: bool) -> None:
        if add:
            self.call(
                "2012-06-01",
                "AddTags",
                LoadBalancerNames=[name],
                Tags=[{"Key": key, "Value": value}],
            )
        else:
            self.call(
                "2012-06-01",
                "RemoveTags",
                LoadBalancerNames=[name],
                Tags=[{"Key": key}],
            )

    @rule(name=classics)
    def delete_classic(self, name: str) -> None:
        self.call("2012-06-01", "DeleteLoadBalancer", LoadBalancerName=name)

    # -- checking ---------------------------------------------------------

    @rule()
    def snapshot(self) -> None:
        self.snapshots.append((self.now(), self.describe()))

    def describe(self) -> dict[str, Any]:
        """moto's answers, in the shape of `Snapshot.describe`."""
        v2, classic = self.elbv2, self.elb
        out: dict[str, Any] = {"Tags": {}, "Attributes": {}, "Targets": {}}
        out["LoadBalancers"] = v2.describe_load_balancers()["LoadBalancers"]
        out["Listeners"] = [
            listener
            for lb in out["LoadBalancers"]
            for listener in v2.describe_listeners(
                LoadBalancerArn=lb["LoadBalancerArn"]
            )["Listeners"]
        ]
        out["Rules"] = [
            r
            for listener in out["Listeners"]
            for r in v2.describe_rules(ListenerArn=listener["ListenerArn"])["Rules"]
            if not r["IsDefault"]
        ]
        out["TargetGroups"] = v2.describe_target_groups()["TargetGroups"]
        for group in out["TargetGroups"]:
            arn = group["TargetGroupArn"]
            out["Targets"][arn] = [
                d["Target"]
                for d in v2.describe_target_health(TargetGroupArn=arn)[
                    "TargetHealthDescriptions"
                ]
            ]
            out["Attributes"][arn] = _pairs(
                v2.describe_target_group_attributes(TargetGroupArn=arn)["Attributes"]
            )
        for listener in out["Listeners"]:
            arn = listener["ListenerArn"]
            out["Attributes"][arn] = _pairs(
                v2.describe_listener_attributes(ListenerArn=arn)["Attributes"]
            )
        for lb in out["LoadBalancers"]:
            arn = lb["LoadBalancerArn"]
            out["Attributes"][arn] = _pairs(
                v2.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]
            )
        arns = [x["LoadBalancerArn"] for x in out["LoadBalancers"]] + [
            x["TargetGroupArn"] for x in out["TargetGroups"]
        ]
        if arns:
            for description in v2.describe_tags(ResourceArns=arns)["TagDescriptions"]:
                out["Tags"][description["ResourceArn"]] = _pairs(description["Tags"])
        out["LoadBalancerDescriptions"] = classic.describe_load_balancers()[
            "LoadBalancerDescriptions"
        ]
        for lb in out["LoadBalancerDescriptions"]:
            name = lb["LoadBalancerName"]
            attributes = classic.describe_load_balancer_attributes(
                LoadBalancerName=name
            )["LoadBalancerAttributes"]
            # moto repeats an additional attribute once per modification.
            extra = attributes.get("AdditionalAttributes") or []
            attributes["AdditionalAttributes"] = list(
                {a["Key"]: a for a in extra}.values()
            )
            out["Attributes"][name] = attributes
            (description,) = classic.describe_tags(LoadBalancerNames=[name])[
                "TagDescriptions"
            ]
            out["Tags"][name] = _pairs(description["Tags"])
        return json.loads(json.dumps(out, default=str))

    def teardown(self) -> None:
        self.snapshot()
        records = list(self.records)
        records += self.rng.sample(records, k=len(records) // 4)
        self.rng.shuffle(records)
        events = [elbtrail.parse_event(r) for r in records]
        history = History.from_events(events)
        for when, expected in self.snapshots:
            actual = history.at(when).describe()
            check(expected, actual, when)


def _client_error(code: str, message: str, action: str) -> Exception:
    error = {"Error": {"Code": code, "Message": message}}
    return botocore.exceptions.ClientError(error, action)  # type: ignore[arg-type]


def _snake(action: str) -> str:
    # boto3's own names (CreateLBCookieStickinessPolicy is
    # create_lb_cookie_stickiness_policy).
    return botocore.xform_name(action)


def _pairs(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {i["Key"]: i.get("Value", "") for i in items}


def _by(items: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {i[key]: i for i in items}


def _same_fields(
    expected: dict[str, Any], actual: dict[str, Any], required: set[str], where: str
) -> None:
    """Every field the history has is moto's; the required ones are there."""
    missing = required - actual.keys()
    assert not missing, f"{where}: the history lacks {sorted(missing)}"
    for name, value in actual.items():
        assert name in expected, f"{where}: {name} is not in moto's answer"
        assert expected[name] == value, f"{where}: {name}"


def check(expected: dict[str, Any], actual: dict[str, Any], when: datetime) -> None:
    at = when.isoformat()
    # ELBv2 load balancers.
    lbs = _by(expected["LoadBalancers"], "LoadBalancerArn")
    ours = _by(actual["LoadBalancers"], "LoadBalancerArn")
    assert lbs.keys() == ours.keys(), at
    for arn, theirs in lbs.items():
        mine = dict(ours[arn])
        mine.pop("State")  # moto moves it on by itself, as AWS does
        lb = dict(theirs, CreatedTime=_second(theirs["CreatedTime"]))
        mine["CreatedTime"] = _second(mine["CreatedTime"])
        _same_fields(lb, mine, set(lb) - {"State"}, f"{at} {arn}")
    # Listeners and rules.
    listeners = _by(expected["Listeners"], "ListenerArn")
    ours = _by(actual["Listeners"], "ListenerArn")
    assert listeners.keys() == ours.keys(), at
    for arn, listener in listeners.items():
        _same_fields(listener, ours[arn], set(listener), f"{at} {arn}")
    rules = _by(expected["Rules"], "RuleArn")
    ours = _by(actual["Rules"], "RuleArn")
    assert rules.keys() == ours.keys(), at
    for arn, item in rules.items():
        _same_fields(item, ours[arn], set(item), f"{at} {arn}")
    # Target groups, their targets and load balancers.
    users = _group_users(expected)
    groups = _by(expected["TargetGroups"], "TargetGroupArn")
    ours = _by(actual["TargetGroups"], "TargetGroupArn")
    assert groups.keys() == ours.keys(), at
    for arn, theirs in groups.items():
        group = dict(theirs, LoadBalancerArns=sorted(users.get(arn, ())))
        _same_fields(group, ours[arn], set(group), f"{at} {arn}")
        targets = sorted((t["Id"], t["Port"]) for t in expected["Targets"][arn])
        mine = sorted((t["Id"], t["Port"]) for t in actual["Targets"][arn])
        assert targets == mine, f"{at} {arn} targets: {targets} != {mine}"
    # Classic load balancers.
    classics = _by(expected["LoadBalancerDescriptions"], "LoadBalancerName")
    ours = _by(actual["LoadBalancerDescriptions"], "LoadBalancerName")
    assert classics.keys() == ours.keys(), at
    for name, lb in classics.items():
        required = {
            "LoadBalancerName",
            "DNSName",
            "ListenerDescriptions",
            "Policies",
            "BackendServerDescriptions",
            "AvailabilityZones",
            "Instances",
            "Scheme",
        }
        _same_fields(lb, ours[name], required, f"{at} {name}")
    # Tags are known in full for resources created in the trail.
    for rid, tags in expected["Tags"].items():
        assert tags == actual["Tags"].get(rid), f"{at} {rid} tags"
    # Attributes: every one the trail revealed has moto's value.
    for rid, attributes in actual["Attributes"].items():
        if rid not in expected["Attributes"]:
            continue  # a listener's or a gone resource's
        theirs = expected["Attributes"][rid]
        for key, value in attributes.items():
            assert theirs.get(key) == value, (
                f"{at} {rid} attribute {key}: {theirs.get(key)!r} != {value!r}"
            )


def _group_users(expected: dict[str, Any]) -> dict[str, set[str]]:
    """Which load balancers forward to each group, from moto's listeners and rules."""
    lb_of = {x["ListenerArn"]: x["LoadBalancerArn"] for x in expected["Listeners"]}
    users: dict[str, set[str]] = {}
    for listener in expected["Listeners"]:
        for action in listener["DefaultActions"]:
            users.setdefault(action["TargetGroupArn"], set()).add(
                listener["LoadBalancerArn"]
            )
    for item in expected["Rules"]:
        listener = (
            item["RuleArn"].replace(":listener-rule/", ":listener/").rsplit("/", 1)[0]
        )
        for action in item["Actions"]:
            users.setdefault(action["TargetGroupArn"], set()).add(lb_of[listener])
    return users


def _second(text: str) -> str:
    return text.replace("T", " ")[:19]


CLIENTS: tuple[Any, Any, Any] = (None, None, None)


def test_history_matches_the_elb_api(aws):
    """Snapshots of the history rebuilt from shuffled records match moto's answers."""
    global CLIENTS  # noqa: PLW0603 - the machine's clients, made once
    CLIENTS = (boto3.client("ec2"), boto3.client("elb"), boto3.client("elbv2"))
    run_state_machine_as_test(
        ElbMachine,
        settings=settings(max_examples=EXAMPLES, stateful_step_count=30),
    )


def test_every_applied_call_moto_serves_matches_the_elb_api(aws):
    """One fixed sequence through every call the machine can send, checked."""
    global CLIENTS  # noqa: PLW0603 - the machine's clients, made once
    CLIENTS = (boto3.client("ec2"), boto3.client("elb"), boto3.client("elbv2"))
    machine = ElbMachine()
    lb = machine.create_load_balancer("web", tags=True)
    group = machine.create_target_group("web", 80)
    listener = machine.create_listener(lb, group, 80)
    machine.modify_listener_attributes(listener, enabled=False)
    machine.modify_listener(listener, 81)
    rule_arn = machine.create_rule(listener, group, "/a")
    machine.set_rule_priority(rule_arn)
    machine.modify_rule(rule_arn, "/c")
    machine.set_subnets(lb, (0, 2))
    machine.set_ip_address_type(lb, dualstack=True)
    machine.set_security_groups(lb, both=True)
    machine.targets(group, 1, register=True)
    machine.snapshot()
    name = machine.create_classic("web", 8080)
    for policy in ("sticky-lb", "sticky-app", "proxy"):
        machine.classic_create_policy(name, policy)
    machine.classic_set_policies(name, ["sticky-lb"], backend=False)
    machine.classic_set_policies(name, ["sticky-lb"], backend=True)
    machine.classic_delete_policy(name, "sticky-app")
    machine.classic_delete_policy(name, "sticky-lb")  # in use: refused
    machine.classic_security_groups(name, both=False)
    machine.classic_subnets(name, attach=True)
    machine.snapshot()
    machine.classic_subnets(name, attach=False)
    machine.classic_set_policies(name, [], backend=True)
    machine.delete_rule(rule_arn)
    machine.delete_listener(listener)

    machine.teardown()

    failed = [r["eventName"] for r in machine.records if r.get("errorCode")]
    assert ["DeleteLoadBalancerPolicy"] == failed
