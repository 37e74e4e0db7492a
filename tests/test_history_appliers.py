"""What each ELB call does to the history, one action at a time."""

from __future__ import annotations

import itertools
from typing import Any

from tests.test_history import record

import elbtrail
from elbtrail import History

CLASSIC = "2012-06-01"
V2 = "2015-12-01"
ARN = "arn:aws:elasticloadbalancing:eu-west-1:111122223333"
LB = f"{ARN}:loadbalancer/app/shop/50dc6c495c0c9188"
LISTENER = f"{ARN}:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2"
RULE_1 = f"{ARN}:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/1a1a1a1a"
RULE_2 = f"{ARN}:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/2b2b2b2b"
TG = f"{ARN}:targetgroup/shop-web/73e2d6bc24d8a067"
STORE = f"{ARN}:truststore/partners/0f1e2d3c4b5a6978"
CERT_1 = "arn:aws:acm:eu-west-1:111122223333:certificate/11111111-aaaa"
CERT_2 = "arn:aws:acm:eu-west-1:111122223333:certificate/22222222-bbbb"
CERT_3 = "arn:aws:acm:eu-west-1:111122223333:certificate/33333333-cccc"
SECONDS = itertools.count(10)


def call(
    name: str,
    request: dict[str, Any],
    response: dict[str, Any] | None = None,
    *,
    api: str = CLASSIC,
) -> dict[str, Any]:
    """The CloudTrail record of one call, a second after the one before."""
    minutes, second = divmod(next(SECONDS), 60)
    time = f"2026-03-15T{8 + minutes // 60:02d}:{minutes % 60:02d}:{second:02d}Z"
    return record(name, time, request, response, api=api)


def replay(*records: dict[str, Any]) -> History:
    return History.from_events(elbtrail.parse_event(r) for r in records)


def last(history: History) -> tuple[dict[str, Any], Any]:
    """The description after the last call, and the last change."""
    change = history.changes()[-1]
    snapshot = history.at(change.call.time)
    return snapshot.describe(), change


def fields(change: Any) -> dict[str, tuple[Any, Any]]:
    return {f.name: (f.before, f.after) for f in change.fields}


# ---------------------------------------------------------------------------
# Classic


def classic_create() -> dict[str, Any]:
    return call(
        "CreateLoadBalancer",
        {
            "loadBalancerName": "web",
            "listeners": [
                {
                    "protocol": "HTTPS",
                    "loadBalancerPort": 443,
                    "instanceProtocol": "HTTP",
                    "instancePort": 80,
                    "sSLCertificateId": CERT_1,
                },
                {"protocol": "HTTP", "loadBalancerPort": 80, "instancePort": 80},
            ],
            "subnets": ["subnet-a"],
            "securityGroups": ["sg-1"],
        },
        {"dNSName": "web-1.eu-west-1.elb.amazonaws.com"},
    )


def classic(history: History) -> dict[str, Any]:
    described, _ = last(history)
    (lb,) = described["LoadBalancerDescriptions"]
    return lb


class TestClassicPolicies:
    def test_create_load_balancer_policy_is_an_other_policy(self):
        """CreateLoadBalancerPolicy adds to Policies.OtherPolicies."""
        history = replay(
            classic_create(),
            call(
                "CreateLoadBalancerPolicy",
                {
                    "loadBalancerName": "web",
                    "policyName": "tls-2021",
                    "policyTypeName": "SSLNegotiationPolicyType",
                    "policyAttributes": [
                        {
                            "attributeName": "Reference-Security-Policy",
                            "attributeValue": "ELBSecurityPolicy-TLS-1-2-2017-01",
                        }
                    ],
                },
            ),
        )

        lb = classic(history)
        assert ["tls-2021"] == lb["Policies"]["OtherPolicies"]
        change = history.changes()[-1]
        assert change.known
        assert "policy tls-2021 created" == change.note
        before, after = fields(change)["Policies"]
        assert [] == before["OtherPolicies"]
        assert ["tls-2021"] == after["OtherPolicies"]

    def test_stickiness_policies(self):
        """The cookie stickiness policies land in their own lists."""
        history = replay(
            classic_create(),
            call(
                "CreateAppCookieStickinessPolicy",
                {"loadBalancerName": "web", "policyName": "app", "cookieName": "SID"},
            ),
            call(
                "CreateLBCookieStickinessPolicy",
                {
                    "loadBalancerName": "web",
                    "policyName": "lb",
                    "cookieExpirationPeriod": 600,
                },
            ),
        )

        policies = classic(history)["Policies"]
        assert [{"PolicyName": "app", "CookieName": "SID"}] == policies[
            "AppCookieStickinessPolicies"
        ]
        assert [{"PolicyName": "lb", "CookieExpirationPeriod": 600}] == policies[
            "LBCookieStickinessPolicies"
        ]

    def test_delete_load_balancer_policy(self):
        """DeleteLoadBalancerPolicy removes the policy from whichever list holds it."""
        history = replay(
            classic_create(),
            call(
                "CreateLBCookieStickinessPolicy",
                {"loadBalancerName": "web", "policyName": "lb"},
            ),
            call(
                "CreateLoadBalancerPolicy",
                {
                    "loadBalancerName": "web",
                    "policyName": "tls",
                    "policyTypeName": "SSLNegotiationPolicyType",
                },
            ),
            call(
                "DeleteLoadBalancerPolicy",
                {"loadBalancerName": "web", "policyName": "lb"},
            ),
        )

        policies = classic(history)["Policies"]
        assert [] == policies["LBCookieStickinessPolicies"]
        assert ["tls"] == policies["OtherPolicies"]
        assert "policy lb deleted" == history.changes()[-1].note

    def test_policies_of_a_listener(self):
        """SetLoadBalancerPoliciesOfListener replaces one listener's policy names."""
        history = replay(
            classic_create(),
            call(
                "SetLoadBalancerPoliciesOfListener",
                {
                    "loadBalancerName": "web",
                    "loadBalancerPort": 443,
                    "policyNames": ["tls", "lb"],
                },
            ),
            call(
                "SetLoadBalancerPoliciesOfListener",
                {"loadBalancerName": "web", "loadBalancerPort": 443, "policyNames": []},
            ),
        )

        by_port = {
            d["Listener"]["LoadBalancerPort"]: d["PolicyNames"]
            for d in classic(history)["ListenerDescriptions"]
        }
        assert {443: [], 80: []} == by_port
        first = history.changes()[1]
        after = history.at(first.call.time)["web"]
        names = {
            d["Listener"]["LoadBalancerPort"]: list(d["PolicyNames"])
            for d in after.get("ListenerDescriptions")
        }
        assert ["tls", "lb"] == names[443]
        assert "policies of port 443: tls, lb" == first.note

    def test_policies_for_a_backend_server(self):
        """SetLoadBalancerPoliciesForBackendServer sets, and an empty list clears."""
        history = replay(
            classic_create(),
            call(
                "SetLoadBalancerPoliciesForBackendServer",
                {"loadBalancerName": "web", "instancePort": 80, "policyNames": ["pk"]},
            ),
        )
        assert [{"InstancePort": 80, "PolicyNames": ["pk"]}] == classic(history)[
            "BackendServerDescriptions"
        ]

        cleared = replay(
            classic_create(),
            call(
                "SetLoadBalancerPoliciesForBackendServer",
                {"loadBalancerName": "web", "instancePort": 80, "policyNames": ["pk"]},
            ),
            call(
                "SetLoadBalancerPoliciesForBackendServer",
                {"loadBalancerName": "web", "instancePort": 80, "policyNames": []},
            ),
        )
        assert [] == classic(cleared)["BackendServerDescriptions"]

    def test_policy_on_a_balancer_from_before_the_trail_is_partly_known(self):
        """A policy call on an unknown balancer invents no policy lists."""
        history = replay(
            call(
                "CreateLoadBalancerPolicy",
                {"loadBalancerName": "old", "policyName": "p", "policyTypeName": "T"},
            )
        )

        (change,) = history.changes()
        assert not change.known
        assert "Policies" not in history.at(change.call.time)["old"].description


class TestClassicListeners:
    def test_ssl_certificate_of_a_listener(self):
        """SetLoadBalancerListenerSSLCertificate changes one listener's certificate."""
        history = replay(
            classic_create(),
            call(
                "SetLoadBalancerListenerSSLCertificate",
                {
                    "loadBalancerName": "web",
                    "loadBalancerPort": 443,
                    "sSLCertificateId": CERT_2,
                },
            ),
        )

        (https,) = [
            d["Listener"]
            for d in classic(history)["ListenerDescriptions"]
            if d["Listener"]["LoadBalancerPort"] == 443
        ]
        assert CERT_2 == https["SSLCertificateId"]
        change = history.changes()[-1]
        assert change.known
        assert f"certificate of port 443: {CERT_2}" == change.note
        assert "ListenerDescriptions" in fields(change)

    def test_delete_listeners(self):
        """DeleteLoadBalancerListeners removes the listeners of those ports."""
        history = replay(
            classic_create(),
            call(
                "DeleteLoadBalancerListeners",
                {"loadBalancerName": "web", "loadBalancerPorts": [443]},
            ),
        )

        ports = [
            d["Listener"]["LoadBalancerPort"]
            for d in classic(history)["ListenerDescriptions"]
        ]
        assert [80] == ports
        assert "listeners removed from port 443" == history.changes()[-1].note


class TestClassicNetwork:
    def test_attach_and_detach_subnets_from_the_response(self):
        """The subnet calls answer with every subnet after the call; that is taken."""
        history = replay(
            classic_create(),
            call(
                "AttachLoadBalancerToSubnets",
                {"loadBalancerName": "web", "subnets": ["subnet-b"]},
                {"subnets": ["subnet-a", "subnet-b"]},
            ),
        )
        assert ["subnet-a", "subnet-b"] == classic(history)["Subnets"]
        change = history.changes()[-1]
        assert (["subnet-a"], ["subnet-a", "subnet-b"]) == fields(change)["Subnets"]
        assert "subnets attached: subnet-b" == change.note

        detached = replay(
            classic_create(),
            call(
                "DetachLoadBalancerFromSubnets",
                {"loadBalancerName": "web", "subnets": ["subnet-a"]},
                {"subnets": []},
            ),
        )
        assert [] == classic(detached)["Subnets"]

    def test_subnets_without_a_response_apply_the_request(self):
        """Without a response, the request's subnets are added to the known list."""
        history = replay(
            classic_create(),
            call(
                "AttachLoadBalancerToSubnets",
                {"loadBalancerName": "web", "subnets": ["subnet-b"]},
            ),
            call(
                "DetachLoadBalancerFromSubnets",
                {"loadBalancerName": "web", "subnets": ["subnet-a"]},
            ),
        )

        assert ["subnet-b"] == classic(history)["Subnets"]

    def test_security_groups(self):
        """ApplySecurityGroupsToLoadBalancer replaces the groups."""
        history = replay(
            classic_create(),
            call(
                "ApplySecurityGroupsToLoadBalancer",
                {"loadBalancerName": "web", "securityGroups": ["sg-2", "sg-3"]},
                {"securityGroups": ["sg-2", "sg-3"]},
            ),
        )

        assert ["sg-2", "sg-3"] == classic(history)["SecurityGroups"]
        assert (["sg-1"], ["sg-2", "sg-3"]) == fields(history.changes()[-1])[
            "SecurityGroups"
        ]

    def test_availability_zones(self):
        """Enabling and disabling zones: the response's full list is taken."""
        create = call(
            "CreateLoadBalancer",
            {
                "loadBalancerName": "web",
                "listeners": [
                    {"protocol": "TCP", "loadBalancerPort": 25, "instancePort": 25}
                ],
                "availabilityZones": ["eu-west-1a"],
            },
        )
        history = replay(
            create,
            call(
                "EnableAvailabilityZonesForLoadBalancer",
                {"loadBalancerName": "web", "availabilityZones": ["eu-west-1b"]},
                {"availabilityZones": ["eu-west-1a", "eu-west-1b"]},
            ),
            call(
                "DisableAvailabilityZonesForLoadBalancer",
                {"loadBalancerName": "web", "availabilityZones": ["eu-west-1a"]},
                {"availabilityZones": ["eu-west-1b"]},
            ),
        )

        assert ["eu-west-1b"] == classic(history)["AvailabilityZones"]
        enable, disable = history.changes()[1:]
        assert "zones enabled: eu-west-1b" == enable.note
        assert (["eu-west-1a", "eu-west-1b"], ["eu-west-1b"]) == fields(disable)[
            "AvailabilityZones"
        ]


class TestClassicSettings:
    def test_configure_health_check(self):
        """ConfigureHealthCheck sets the whole health check."""
        check = {
            "target": "HTTP:80/ping",
            "interval": 10,
            "timeout": 5,
            "unhealthyThreshold": 3,
            "healthyThreshold": 2,
        }
        history = replay(
            classic_create(),
            call(
                "ConfigureHealthCheck",
                {"loadBalancerName": "web", "healthCheck": check},
                {"healthCheck": check},
            ),
        )

        expected = {
            "Target": "HTTP:80/ping",
            "Interval": 10,
            "Timeout": 5,
            "UnhealthyThreshold": 3,
            "HealthyThreshold": 2,
        }
        assert expected == classic(history)["HealthCheck"]
        assert (None, expected) == fields(history.changes()[-1])["HealthCheck"]

    def test_modify_attributes_merges_the_nested_shape(self):
        """ModifyLoadBalancerAttributes merges each attribute, and extras by key."""
        history = replay(
            classic_create(),
            call(
                "ModifyLoadBalancerAttributes",
                {
                    "loadBalancerName": "web",
                    "loadBalancerAttributes": {
                        "connectionDraining": {"enabled": True, "timeout": 300},
                        "additionalAttributes": [
                            {"key": "elb.http.desyncmitigationmode", "value": "strict"}
                        ],
                    },
                },
                {
                    "loadBalancerName": "web",
                    "loadBalancerAttributes": {
                        "connectionDraining": {"enabled": True, "timeout": 300},
                        "additionalAttributes": [
                            {"key": "elb.http.desyncmitigationmode", "value": "strict"}
                        ],
                    },
                },
            ),
            call(
                "ModifyLoadBalancerAttributes",
                {
                    "loadBalancerName": "web",
                    "loadBalancerAttributes": {
                        "connectionDraining": {"timeout": 60},
                        "crossZoneLoadBalancing": {"enabled": True},
                    },
                },
            ),
        )

        described, change = last(history)
        assert {
            "ConnectionDraining": {"Enabled": True, "Timeout": 60},
            "CrossZoneLoadBalancing": {"Enabled": True},
            "AdditionalAttributes": [
                {"Key": "elb.http.desyncmitigationmode", "Value": "strict"}
            ],
        } == described["Attributes"]["web"]
        before, after = fields(change)["Attributes"]
        assert 300 == before["ConnectionDraining"]["Timeout"]
        assert 60 == after["ConnectionDraining"]["Timeout"]


# ---------------------------------------------------------------------------
# ELBv2


def v2_create() -> list[dict[str, Any]]:
    """An ALB with an HTTPS listener, two rules and a target group."""
    zones = [
        {"zoneName": "eu-west-1a", "subnetId": "subnet-a", "loadBalancerAddresses": []},
        {"zoneName": "eu-west-1b", "subnetId": "subnet-b", "loadBalancerAddresses": []},
    ]
    forward = [{"type": "forward", "targetGroupArn": TG}]
    return [
        call(
            "CreateTargetGroup",
            {"name": "shop-web", "protocol": "HTTP", "port": 80, "vpcId": "vpc-1"},
            {
                "targetGroups": [
                    {
                        "targetGroupArn": TG,
                        "targetGroupName": "shop-web",
                        "protocol": "HTTP",
                        "port": 80,
                        "vpcId": "vpc-1",
                        "targetType": "instance",
                    }
                ]
            },
            api=V2,
        ),
        call(
            "CreateLoadBalancer",
            {"name": "shop", "subnets": ["subnet-a", "subnet-b"]},
            {
                "loadBalancers": [
                    {
                        "loadBalancerArn": LB,
                        "dNSName": "shop-1.eu-west-1.elb.amazonaws.com",
                        "loadBalancerName": "shop",
                        "scheme": "internet-facing",
                        "vpcId": "vpc-1",
                        "state": {"code": "provisioning"},
                        "type": "application",
                        "availabilityZones": zones,
                        "securityGroups": ["sg-1"],
                        "ipAddressType": "ipv4",
                        "createdTime": "Mar 15, 2026 8:00:11 AM",
                    }
                ]
            },
            api=V2,
        ),
        call(
            "CreateListener",
            {
                "loadBalancerArn": LB,
                "protocol": "HTTPS",
                "port": 443,
                "certificates": [{"certificateArn": CERT_1}],
                "defaultActions": forward,
            },
            {
                "listeners": [
                    {
                        "listenerArn": LISTENER,
                        "loadBalancerArn": LB,
                        "port": 443,
                        "protocol": "HTTPS",
                        "certificates": [{"certificateArn": CERT_1}],
                        "sslPolicy": "ELBSecurityPolicy-2016-08",
                        "defaultActions": forward,
                    }
                ]
            },
            api=V2,
        ),
        *(
            call(
                "CreateRule",
                {
                    "listenerArn": LISTENER,
                    "priority": priority,
                    "conditions": [{"field": "path-pattern", "values": [path]}],
                    "actions": forward,
                },
                {
                    "rules": [
                        {
                            "ruleArn": arn,
                            "priority": str(priority),
                            "conditions": [{"field": "path-pattern", "values": [path]}],
                            "actions": forward,
                            "isDefault": False,
                        }
                    ]
                },
                api=V2,
            )
            for arn, priority, path in ((RULE_1, 10, "/a"), (RULE_2, 20, "/b"))
        ),
    ]


def v2(history: History, key: str, arn: str) -> dict[str, Any]:
    described, _ = last(history)
    return {i[next(k for k in i if k.endswith("Arn"))]: i for i in described[key]}[arn]


class TestLoadBalancerNetwork:
    def test_set_subnets_takes_the_zones_of_the_response(self):
        """SetSubnets: the response's zones and IP address type are the new ones."""
        zones = [{"zoneName": "eu-west-1c", "subnetId": "subnet-c"}]
        history = replay(
            *v2_create(),
            call(
                "SetSubnets",
                {"loadBalancerArn": LB, "subnets": ["subnet-c"]},
                {"availabilityZones": zones, "ipAddressType": "ipv4"},
                api=V2,
            ),
        )

        lb = v2(history, "LoadBalancers", LB)
        assert [{"ZoneName": "eu-west-1c", "SubnetId": "subnet-c"}] == lb[
            "AvailabilityZones"
        ]
        change = history.changes()[-1]
        assert change.known
        assert {"AvailabilityZones"} == set(fields(change))

    def test_set_subnets_without_a_response_is_partly_known(self):
        """Without the response the new zones are not known: the change says so."""
        history = replay(
            *v2_create(),
            call(
                "SetSubnets",
                {"loadBalancerArn": LB, "subnets": ["subnet-c"]},
                api=V2,
            ),
        )

        change = history.changes()[-1]
        assert not change.known
        # The old zones are not kept as if they were still the zones.
        assert "AvailabilityZones" not in v2(history, "LoadBalancers", LB)
        assert "AvailabilityZones" in {f.name for f in change.fields}

    def test_set_ip_address_type(self):
        """SetIpAddressType sets IpAddressType."""
        history = replay(
            *v2_create(),
            call(
                "SetIpAddressType",
                {"loadBalancerArn": LB, "ipAddressType": "dualstack"},
                {"ipAddressType": "dualstack"},
                api=V2,
            ),
        )

        assert "dualstack" == v2(history, "LoadBalancers", LB)["IpAddressType"]
        assert ("ipv4", "dualstack") == fields(history.changes()[-1])["IpAddressType"]

    def test_set_security_groups(self):
        """SetSecurityGroups takes the response's group IDs."""
        history = replay(
            *v2_create(),
            call(
                "SetSecurityGroups",
                {"loadBalancerArn": LB, "securityGroups": ["sg-2"]},
                {"securityGroupIds": ["sg-2"]},
                api=V2,
            ),
        )

        assert ["sg-2"] == v2(history, "LoadBalancers", LB)["SecurityGroups"]
        assert (["sg-1"], ["sg-2"]) == fields(history.changes()[-1])["SecurityGroups"]


class TestListeners:
    def test_add_and_remove_certificates(self):
        """Certificates added and removed keep the default one first."""
        history = replay(
            *v2_create(),
            call(
                "AddListenerCertificates",
                {
                    "listenerArn": LISTENER,
                    "certificates": [
                        {"certificateArn": CERT_2},
                        {"certificateArn": CERT_3},
                    ],
                },
                {
                    "certificates": [
                        {"certificateArn": CERT_2, "isDefault": False},
                        {"certificateArn": CERT_3, "isDefault": False},
                    ]
                },
                api=V2,
            ),
            call(
                "RemoveListenerCertificates",
                {"listenerArn": LISTENER, "certificates": [{"certificateArn": CERT_2}]},
                api=V2,
            ),
        )

        state = history.at(history.changes()[-1].call.time)[LISTENER]
        assert (CERT_1, CERT_3) == state.certificates
        add, remove = history.changes()[-2:]
        assert (
            [CERT_1],
            [CERT_1, CERT_2, CERT_3],
        ) == fields(add)["Certificates"]
        assert f"certificates removed: {CERT_2}" == remove.note
        # The default certificate of the description does not change.
        listener = v2(history, "Listeners", LISTENER)
        assert [{"CertificateArn": CERT_1}] == listener["Certificates"]

    def test_certificates_of_a_listener_from_before_the_trail(self):
        """Adding to an unknown list of certificates leaves it unknown."""
        history = replay(
            call(
                "AddListenerCertificates",
                {"listenerArn": LISTENER, "certificates": [{"certificateArn": CERT_2}]},
                api=V2,
            )
        )

        (change,) = history.changes()
        assert not change.known
        assert history.at(change.call.time)[LISTENER].certificates is None

    def test_modify_listener_attributes(self):
        """ModifyListenerAttributes sets the attributes named."""
        history = replay(
            *v2_create(),
            call(
                "ModifyListenerAttributes",
                {
                    "listenerArn": LISTENER,
                    "attributes": [
                        {
                            "key": "routing.http.response.server.enabled",
                            "value": "false",
                        }
                    ],
                },
                {
                    "attributes": [
                        {
                            "key": "routing.http.response.server.enabled",
                            "value": "false",
                        }
                    ]
                },
                api=V2,
            ),
        )

        described, change = last(history)
        assert {"routing.http.response.server.enabled": "false"} == described[
            "Attributes"
        ][LISTENER]
        assert (None, {"routing.http.response.server.enabled": "false"}) == fields(
            change
        )["Attributes"]

    def test_modify_listener_takes_the_response(self):
        """ModifyListener takes the whole listener of the response."""
        history = replay(
            *v2_create(),
            call(
                "ModifyListener",
                {"listenerArn": LISTENER, "sslPolicy": "ELBSecurityPolicy-TLS13"},
                {
                    "listeners": [
                        {
                            "listenerArn": LISTENER,
                            "loadBalancerArn": LB,
                            "port": 443,
                            "protocol": "HTTPS",
                            "certificates": [{"certificateArn": CERT_1}],
                            "sslPolicy": "ELBSecurityPolicy-TLS13",
                            "defaultActions": [
                                {"type": "forward", "targetGroupArn": TG}
                            ],
                        }
                    ]
                },
                api=V2,
            ),
        )

        assert (
            "ELBSecurityPolicy-TLS13" == v2(history, "Listeners", LISTENER)["SslPolicy"]
        )
        assert ("ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-TLS13") == fields(
            history.changes()[-1]
        )["SslPolicy"]

    def test_delete_listener_ends_its_rules(self):
        """DeleteListener ends the listener and its rules."""
        history = replay(
            *v2_create(),
            call("DeleteListener", {"listenerArn": LISTENER}, api=V2),
        )

        described, _ = last(history)
        assert [] == described["Listeners"]
        assert [] == described["Rules"]
        ended = {c.resource for c in history.changes() if c.ended}
        assert {LISTENER, RULE_1, RULE_2} == ended


class TestRules:
    def test_set_rule_priorities(self):
        """SetRulePriorities takes the rules of the response."""
        rules = [
            {
                "ruleArn": arn,
                "priority": priority,
                "conditions": [{"field": "path-pattern", "values": [path]}],
                "actions": [{"type": "forward", "targetGroupArn": TG}],
                "isDefault": False,
            }
            for arn, priority, path in ((RULE_1, "20", "/a"), (RULE_2, "10", "/b"))
        ]
        history = replay(
            *v2_create(),
            call(
                "SetRulePriorities",
                {
                    "rulePriorities": [
                        {"ruleArn": RULE_1, "priority": 20},
                        {"ruleArn": RULE_2, "priority": 10},
                    ]
                },
                {"rules": rules},
                api=V2,
            ),
        )

        assert "20" == v2(history, "Rules", RULE_1)["Priority"]
        assert "10" == v2(history, "Rules", RULE_2)["Priority"]
        one, two = history.changes()[-2:]
        assert ("10", "20") == fields(one)["Priority"]
        assert ("20", "10") == fields(two)["Priority"]
        assert "priority set" == one.note
        # The rules still belong to their listener.
        assert LISTENER == history.at(one.call.time)[RULE_1].listener_arn

    def test_modify_rule(self):
        """ModifyRule takes the rule of the response."""
        history = replay(
            *v2_create(),
            call(
                "ModifyRule",
                {
                    "ruleArn": RULE_1,
                    "conditions": [{"field": "path-pattern", "values": ["/c"]}],
                },
                {
                    "rules": [
                        {
                            "ruleArn": RULE_1,
                            "priority": "10",
                            "conditions": [{"field": "path-pattern", "values": ["/c"]}],
                            "actions": [{"type": "forward", "targetGroupArn": TG}],
                            "isDefault": False,
                        }
                    ]
                },
                api=V2,
            ),
        )

        rule = v2(history, "Rules", RULE_1)
        assert [{"Field": "path-pattern", "Values": ["/c"]}] == rule["Conditions"]


class TestTargetGroupAttributes:
    def test_modify_target_group_attributes(self):
        """ModifyTargetGroupAttributes merges the request and the response."""
        history = replay(
            *v2_create(),
            call(
                "ModifyTargetGroupAttributes",
                {
                    "targetGroupArn": TG,
                    "attributes": [
                        {"key": "deregistration_delay.timeout_seconds", "value": "30"}
                    ],
                },
                {
                    "attributes": [
                        {"key": "deregistration_delay.timeout_seconds", "value": "30"},
                        {"key": "stickiness.enabled", "value": "false"},
                    ]
                },
                api=V2,
            ),
        )

        described, change = last(history)
        assert {
            "deregistration_delay.timeout_seconds": "30",
            "stickiness.enabled": "false",
        } == described["Attributes"][TG]
        assert "attributes modified: deregistration_delay.timeout_seconds=30" == (
            change.note
        )


# ---------------------------------------------------------------------------
# Trust stores


def store(total: int = 0, status: str = "ACTIVE") -> dict[str, Any]:
    return {
        "name": "partners",
        "trustStoreArn": STORE,
        "status": status,
        "numberOfCaCertificates": 3,
        "totalRevokedEntries": total,
    }


def store_create() -> dict[str, Any]:
    return call(
        "CreateTrustStore",
        {
            "name": "partners",
            "caCertificatesBundleS3Bucket": "pki",
            "caCertificatesBundleS3Key": "partners.pem",
            "tags": [{"key": "team", "value": "edge"}],
        },
        {"trustStores": [store(status="CREATING")]},
        api=V2,
    )


class TestTrustStores:
    def test_create_modify_delete(self):
        """A trust store is created, modified from the response, and deleted."""
        modified = dict(store(), numberOfCaCertificates=4)
        history = replay(
            store_create(),
            call(
                "ModifyTrustStore",
                {
                    "trustStoreArn": STORE,
                    "caCertificatesBundleS3Bucket": "pki",
                    "caCertificatesBundleS3Key": "partners-2.pem",
                },
                {"trustStores": [modified]},
                api=V2,
            ),
        )

        (item,) = last(history)[0]["TrustStores"]
        assert {
            "Name": "partners",
            "TrustStoreArn": STORE,
            "Status": "ACTIVE",
            "NumberOfCaCertificates": 4,
            "TotalRevokedEntries": 0,
        } == item
        assert {"team": "edge"} == last(history)[0]["Tags"][STORE]
        create, modify = history.changes()
        assert create.created
        assert modify.known
        assert (3, 4) == fields(modify)["NumberOfCaCertificates"]

        deleted = replay(
            store_create(), call("DeleteTrustStore", {"trustStoreArn": STORE}, api=V2)
        )
        assert [] == last(deleted)[0]["TrustStores"]
        assert deleted.changes()[-1].ended

    def test_revocations_add_to_the_revoked_entries(self):
        """Revocations added and removed change TotalRevokedEntries."""
        history = replay(
            store_create(),
            call(
                "AddTrustStoreRevocations",
                {
                    "trustStoreArn": STORE,
                    "revocationContents": [
                        {"s3Bucket": "pki", "s3Key": "crl.pem", "revocationType": "CRL"}
                    ],
                },
                {
                    "trustStoreRevocations": [
                        {
                            "trustStoreArn": STORE,
                            "revocationId": 7,
                            "revocationType": "CRL",
                            "numberOfRevokedEntries": 12,
                        }
                    ]
                },
                api=V2,
            ),
            call(
                "AddTrustStoreRevocations",
                {
                    "trustStoreArn": STORE,
                    "revocationContents": [
                        {
                            "s3Bucket": "pki",
                            "s3Key": "crl2.pem",
                            "revocationType": "CRL",
                        }
                    ],
                },
                {
                    "trustStoreRevocations": [
                        {
                            "trustStoreArn": STORE,
                            "revocationId": 8,
                            "revocationType": "CRL",
                            "numberOfRevokedEntries": 5,
                        }
                    ]
                },
                api=V2,
            ),
            call(
                "RemoveTrustStoreRevocations",
                {"trustStoreArn": STORE, "revocationIds": [7]},
                api=V2,
            ),
        )

        totals = [
            history.at(c.call.time)[STORE].get("TotalRevokedEntries")
            for c in history.changes()
        ]
        assert [0, 12, 17, 5] == totals
        assert all(c.known for c in history.changes())
        assert "revocations removed: 7" == history.changes()[-1].note
        described = last(history)[0]
        assert [
            {
                "TrustStoreArn": STORE,
                "RevocationId": 8,
                "RevocationType": "CRL",
                "NumberOfRevokedEntries": 5,
            }
        ] == described["TrustStoreRevocations"][STORE]

    def test_revocations_of_a_store_from_before_the_trail(self):
        """Removing a revocation the trail never saw leaves the total unknown."""
        history = replay(
            call(
                "RemoveTrustStoreRevocations",
                {"trustStoreArn": STORE, "revocationIds": [3]},
                api=V2,
            ),
        )

        (change,) = history.changes()
        assert not change.known
        assert history.at(change.call.time)[STORE].get("TotalRevokedEntries") is None


class TestLoadBalancerSettings:
    def test_security_groups_and_private_link_enforcement(self):
        """SetSecurityGroups also sets the PrivateLink inbound-rule enforcement."""
        history = replay(
            *v2_create(),
            call(
                "SetSecurityGroups",
                {
                    "loadBalancerArn": LB,
                    "securityGroups": ["sg-2"],
                    "enforceSecurityGroupInboundRulesOnPrivateLinkTraffic": "off",
                },
                {
                    "securityGroupIds": ["sg-2"],
                    "enforceSecurityGroupInboundRulesOnPrivateLinkTraffic": "off",
                },
                api=V2,
            ),
        )

        lb = v2(history, "LoadBalancers", LB)
        assert "off" == lb["EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic"]

    def test_ipam_pools_set_and_removed(self):
        """ModifyIpPools sets the answered pools; removing them all drops them."""
        history = replay(
            *v2_create(),
            call(
                "ModifyIpPools",
                {"loadBalancerArn": LB, "ipamPools": {"ipv4IpamPoolId": "ipam-1"}},
                {"ipamPools": {"ipv4IpamPoolId": "ipam-1"}},
                api=V2,
            ),
        )
        assert {"Ipv4IpamPoolId": "ipam-1"} == v2(history, "LoadBalancers", LB)[
            "IpamPools"
        ]

        removed = replay(
            *v2_create(),
            call(
                "ModifyIpPools",
                {"loadBalancerArn": LB, "ipamPools": {"ipv4IpamPoolId": "ipam-1"}},
                {"ipamPools": {"ipv4IpamPoolId": "ipam-1"}},
                api=V2,
            ),
            call(
                "ModifyIpPools",
                {"loadBalancerArn": LB, "removeIpamPools": ["ipv4"]},
                {},
                api=V2,
            ),
        )
        assert "IpamPools" not in v2(removed, "LoadBalancers", LB)
        assert "IPAM pools removed" == removed.changes()[-1].note


def test_revocations_round_trip_through_a_baseline():
    """describe()'s TrustStoreRevocations are read back as a baseline."""
    history = replay(
        store_create(),
        call(
            "AddTrustStoreRevocations",
            {"trustStoreArn": STORE},
            {
                "trustStoreRevocations": [
                    {
                        "trustStoreArn": STORE,
                        "revocationId": 1,
                        "revocationType": "CRL",
                        "numberOfRevokedEntries": 4,
                    }
                ]
            },
            api=V2,
        ),
    )
    described, change = last(history)

    again = History.from_events([], baseline=described, baseline_time=change.call.time)

    assert described == again.at(change.call.time).describe()


class TestModifyWithoutAResponse:
    """CloudTrail leaves out responses above 100 KB; the request still says much."""

    def test_modify_target_group(self):
        """The health-check fields named take their values; the change is partial."""
        history = replay(
            *v2_create(),
            call(
                "ModifyTargetGroup",
                {
                    "targetGroupArn": TG,
                    "healthCheckPath": "/status",
                    "healthCheckIntervalSeconds": 10,
                },
                api=V2,
            ),
        )

        group = v2(history, "TargetGroups", TG)
        assert "/status" == group["HealthCheckPath"]
        assert 10 == group["HealthCheckIntervalSeconds"]
        assert "TargetGroupArn" in group
        change = history.changes()[-1]
        assert not change.known
        assert {"HealthCheckPath", "HealthCheckIntervalSeconds"} == set(fields(change))

    def test_modify_listener(self):
        """The listener's named fields change; its certificate list becomes unknown."""
        history = replay(
            *v2_create(),
            call(
                "ModifyListener",
                {
                    "listenerArn": LISTENER,
                    "port": 8443,
                    "certificates": [{"certificateArn": CERT_2}],
                },
                api=V2,
            ),
        )

        listener = v2(history, "Listeners", LISTENER)
        assert 8443 == listener["Port"]
        assert [{"CertificateArn": CERT_2}] == listener["Certificates"]
        change = history.changes()[-1]
        assert not change.known
        assert history.at(change.call.time)[LISTENER].certificates is None

    def test_modify_rule(self):
        """The rule's conditions change; the change is partial."""
        history = replay(
            *v2_create(),
            call(
                "ModifyRule",
                {
                    "ruleArn": RULE_1,
                    "conditions": [{"field": "path-pattern", "values": ["/z"]}],
                },
                api=V2,
            ),
        )

        rule = v2(history, "Rules", RULE_1)
        assert [{"Field": "path-pattern", "Values": ["/z"]}] == rule["Conditions"]
        assert "10" == rule["Priority"]
        assert not history.changes()[-1].known
