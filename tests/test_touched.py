"""Which resources a call touched: every action, the public corpus, odd values."""

from __future__ import annotations

import enum
import json
import pickle
import threading
import types
import typing
from datetime import datetime
from typing import Any

import attrs
import pytest
from hypothesis import given
from tests.conftest import corpus_record

import elbtrail
from elbtrail import Api, ResourceKind, TouchedResource, _touched, actions, classic, v2
from elbtrail import strategies as ets

ELB = elbtrail.ELB_EVENT_SOURCE
ACCOUNT = "arn:aws:elasticloadbalancing:us-east-1:123456789012:"
LB_ARN = ACCOUNT + "loadbalancer/app/web/50dc6c495c0c9188"
TG_ARN = ACCOUNT + "targetgroup/blue/73e2d6bc24d8a067"
LISTENER_ARN = ACCOUNT + "listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2"

# -- a fully populated record for every action ----------------------------------

_ARN_FORMS = {
    "load_balancer": ACCOUNT + "loadbalancer/app/lb-{n}/50dc6c495c0c9188",
    "listener": ACCOUNT + "listener/app/lb-{n}/50dc6c495c0c9188/f2f7dc8efc522ab2",
    "rule": ACCOUNT + "listener-rule/app/lb-{n}/50dc6c495c0c9188/f2f7dc8e/9683b2d0",
    "target_group": ACCOUNT + "targetgroup/tg-{n}/73e2d6bc24d8a067",
    "trust_store": ACCOUNT + "truststore/ts-{n}/73e2d6bc24d8a067",
    # Tags and resource policies name any ELB resource; a target group here.
    "resource": ACCOUNT + "targetgroup/res-{n}/73e2d6bc24d8a067",
    "certificate": "arn:aws:acm:us-east-1:123456789012:certificate/cert-{n}",
    "user_pool": "arn:aws:cognito-idp:us-east-1:123456789012:userpool/pool-{n}",
}


def _text(name: str, counter: list[int]) -> str:
    counter[0] += 1
    stem = name.removesuffix("s")
    if stem.endswith("_arn"):
        return _ARN_FORMS[stem.removesuffix("_arn")].format(n=counter[0])
    if stem == "ssl_certificate_id":
        return _ARN_FORMS["certificate"].format(n=counter[0])
    return f"{stem.replace('_', '-')}-{counter[0]}"


def _value(tp: Any, name: str, depth: int, counter: list[int]) -> Any:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        return _value(
            next(a for a in args if a is not type(None)), name, depth, counter
        )
    if origin is tuple:
        return (_value(args[0], name, depth, counter),)
    simple = {bool: True, int: 443, float: 1.5}
    if tp in simple:
        return simple[tp]
    if tp is str:
        return _text(name, counter)
    if tp is datetime:
        return datetime.fromisoformat("2026-01-02T00:00:00+00:00")
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return next(iter(tp))
    if isinstance(tp, type) and issubclass(tp, elbtrail.Model):
        return full(tp, depth + 1, counter)
    return {"key": "value"}  # free-form JSON objects


def full(cls: type[Any], depth: int = 0, counter: list[int] | None = None) -> Any:
    """An instance of *cls* with every field set, nested models to depth 4."""
    counter = [0] if counter is None else counter
    if depth > 4:
        return cls()
    hints = typing.get_type_hints(cls)
    return cls(
        **{
            f.name: _value(hints[f.name], f.name, depth, counter)
            for f in attrs.fields(cls)
            if f.name not in ("extra", "verbatim")
        }
    )


def full_event(action: elbtrail.Action) -> elbtrail.Event:
    """A record of *action* with every request and response field, parsed."""
    record = {
        "eventSource": ELB,
        "eventName": action.name,
        "apiVersion": action.api.value,
        "requestParameters": full(action.request).to_dict(),
        "responseElements": full(action.response).to_dict(),
    }
    event = elbtrail.parse_event(record)
    assert () == event.issues
    return event


LB, LISTENER, RULE, TG, TARGET, TS, CERT, POLICY = (
    ResourceKind.LOAD_BALANCER,
    ResourceKind.LISTENER,
    ResourceKind.RULE,
    ResourceKind.TARGET_GROUP,
    ResourceKind.TARGET,
    ResourceKind.TRUST_STORE,
    ResourceKind.CERTIFICATE,
    ResourceKind.POLICY,
)

#: What a call of each action with every field set touches.
EXPECTED_KINDS: dict[tuple[Api, str], set[ResourceKind]] = {
    (Api.CLASSIC, "AddTags"): {LB},
    (Api.CLASSIC, "ApplySecurityGroupsToLoadBalancer"): {LB},
    (Api.CLASSIC, "AttachLoadBalancerToSubnets"): {LB},
    (Api.CLASSIC, "ConfigureHealthCheck"): {LB},
    (Api.CLASSIC, "CreateAppCookieStickinessPolicy"): {LB, POLICY},
    (Api.CLASSIC, "CreateLBCookieStickinessPolicy"): {LB, POLICY},
    (Api.CLASSIC, "CreateLoadBalancer"): {LB, LISTENER, CERT},
    (Api.CLASSIC, "CreateLoadBalancerListeners"): {LB, LISTENER, CERT},
    (Api.CLASSIC, "CreateLoadBalancerPolicy"): {LB, POLICY},
    (Api.CLASSIC, "DeleteLoadBalancer"): {LB},
    (Api.CLASSIC, "DeleteLoadBalancerListeners"): {LB, LISTENER},
    (Api.CLASSIC, "DeleteLoadBalancerPolicy"): {LB, POLICY},
    (Api.CLASSIC, "DeregisterInstancesFromLoadBalancer"): {LB, TARGET},
    (Api.CLASSIC, "DescribeAccountLimits"): set(),
    (Api.CLASSIC, "DescribeInstanceHealth"): {LB, TARGET},
    (Api.CLASSIC, "DescribeLoadBalancerAttributes"): {LB},
    (Api.CLASSIC, "DescribeLoadBalancerPolicies"): {LB, POLICY},
    (Api.CLASSIC, "DescribeLoadBalancerPolicyTypes"): set(),
    (Api.CLASSIC, "DescribeLoadBalancers"): {LB},
    (Api.CLASSIC, "DescribeTags"): {LB},
    (Api.CLASSIC, "DetachLoadBalancerFromSubnets"): {LB},
    (Api.CLASSIC, "DisableAvailabilityZonesForLoadBalancer"): {LB},
    (Api.CLASSIC, "EnableAvailabilityZonesForLoadBalancer"): {LB},
    (Api.CLASSIC, "ModifyLoadBalancerAttributes"): {LB},
    (Api.CLASSIC, "RegisterInstancesWithLoadBalancer"): {LB, TARGET},
    (Api.CLASSIC, "RemoveTags"): {LB},
    (Api.CLASSIC, "SetLoadBalancerListenerSSLCertificate"): {LB, LISTENER, CERT},
    (Api.CLASSIC, "SetLoadBalancerPoliciesForBackendServer"): {LB, POLICY},
    (Api.CLASSIC, "SetLoadBalancerPoliciesOfListener"): {LB, LISTENER, POLICY},
    (Api.V2, "AddListenerCertificates"): {LISTENER, CERT},
    (Api.V2, "AddTags"): {TG},
    (Api.V2, "AddTrustStoreRevocations"): {TS},
    (Api.V2, "CreateListener"): {LB, LISTENER, TG, TS, CERT},
    (Api.V2, "CreateLoadBalancer"): {LB},
    (Api.V2, "CreateRule"): {LISTENER, RULE, TG},
    (Api.V2, "CreateTargetGroup"): {LB, TG},
    (Api.V2, "CreateTrustStore"): {TS},
    (Api.V2, "DeleteListener"): {LISTENER},
    (Api.V2, "DeleteLoadBalancer"): {LB},
    (Api.V2, "DeleteRule"): {RULE},
    (Api.V2, "DeleteSharedTrustStoreAssociation"): {TS, TG},
    (Api.V2, "DeleteTargetGroup"): {TG},
    (Api.V2, "DeleteTrustStore"): {TS},
    (Api.V2, "DeregisterTargets"): {TG, TARGET},
    (Api.V2, "DescribeAccountLimits"): set(),
    (Api.V2, "DescribeCapacityReservation"): {LB},
    (Api.V2, "DescribeListenerAttributes"): {LISTENER},
    (Api.V2, "DescribeListenerCertificates"): {LISTENER},
    (Api.V2, "DescribeListeners"): {LB, LISTENER},
    (Api.V2, "DescribeLoadBalancerAttributes"): {LB},
    (Api.V2, "DescribeLoadBalancers"): {LB},
    (Api.V2, "DescribeRules"): {LISTENER, RULE},
    (Api.V2, "DescribeSSLPolicies"): set(),
    (Api.V2, "DescribeTags"): {TG},
    (Api.V2, "DescribeTargetGroupAttributes"): {TG},
    (Api.V2, "DescribeTargetGroups"): {LB, TG},
    (Api.V2, "DescribeTargetHealth"): {TG, TARGET},
    (Api.V2, "DescribeTrustStoreAssociations"): {TS},
    (Api.V2, "DescribeTrustStoreRevocations"): {TS},
    (Api.V2, "DescribeTrustStores"): {TS},
    (Api.V2, "GetResourcePolicy"): {TG},
    (Api.V2, "GetTrustStoreCaCertificatesBundle"): {TS},
    (Api.V2, "GetTrustStoreRevocationContent"): {TS},
    (Api.V2, "ModifyCapacityReservation"): {LB},
    (Api.V2, "ModifyIpPools"): {LB},
    (Api.V2, "ModifyListener"): {LB, LISTENER, TG, TS, CERT},
    (Api.V2, "ModifyListenerAttributes"): {LISTENER},
    (Api.V2, "ModifyLoadBalancerAttributes"): {LB},
    (Api.V2, "ModifyRule"): {RULE, TG},
    (Api.V2, "ModifyTargetGroup"): {LB, TG},
    (Api.V2, "ModifyTargetGroupAttributes"): {TG},
    (Api.V2, "ModifyTrustStore"): {TS},
    (Api.V2, "RegisterTargets"): {TG, TARGET},
    (Api.V2, "RemoveListenerCertificates"): {LISTENER, CERT},
    (Api.V2, "RemoveTags"): {TG},
    (Api.V2, "RemoveTrustStoreRevocations"): {TS},
    (Api.V2, "SetIpAddressType"): {LB},
    (Api.V2, "SetRulePriorities"): {RULE, TG},
    (Api.V2, "SetSecurityGroups"): {LB},
    (Api.V2, "SetSubnets"): {LB},
}

ALL_ACTIONS = [action for api in Api for action in actions(api).values()]


def _wire_strings(value: Any, key: str = "") -> list[tuple[str, Any]]:
    """Every (key, scalar) pair in JSON, at any depth."""
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in _wire_strings(v, k)]
    if isinstance(value, list):
        return [pair for item in value for pair in _wire_strings(item, key)]
    return [(key, value)]


class TestEveryAction:
    def test_the_table_covers_all_80_actions(self):
        """The expectations name every action of both APIs, and nothing else."""
        assert 80 == len(ALL_ACTIONS)
        assert {(a.api, a.name) for a in ALL_ACTIONS} == set(EXPECTED_KINDS)

    @pytest.mark.parametrize(
        "action", ALL_ACTIONS, ids=lambda a: f"{a.api.name}-{a.name}"
    )
    def test_a_full_call_touches_the_expected_kinds(self, action):
        """With every field set, each action touches the kinds it acts on."""
        touched = elbtrail.touched_resources(full_event(action))

        assert EXPECTED_KINDS[action.api, action.name] == {r.kind for r in touched}

    @pytest.mark.parametrize(
        "action", ALL_ACTIONS, ids=lambda a: f"{a.api.name}-{a.name}"
    )
    def test_every_elb_arn_of_the_request_is_touched(self, action):
        """No ELB ARN in the request parameters is missed, at any depth."""
        event = full_event(action)
        identifiers = {r.identifier for r in elbtrail.touched_resources(event)}
        wire = event.to_dict()["requestParameters"]

        arns = {
            value
            for key, value in _wire_strings(wire)
            if isinstance(value, str) and value.startswith(ACCOUNT)
        }
        assert arns <= identifiers

    @pytest.mark.parametrize(
        "action", ALL_ACTIONS, ids=lambda a: f"{a.api.name}-{a.name}"
    )
    def test_every_identifier_comes_from_the_record(self, action):
        """Each identifier (or each part of a Classic listener's) is in the record."""
        event = full_event(action)
        text = json.dumps(event.to_dict())

        for resource in elbtrail.touched_resources(event):
            for part in (
                resource.identifier.split(":")
                if resource.arn is None
                else [resource.arn]
            ):
                assert part in text

    def test_failed_calls_give_what_they_asked_for(self):
        """A failed call has no response; its request still names a resource."""
        record = corpus_record("alb-guide-deleteloadbalancer.json")
        record["errorCode"] = "LoadBalancerNotFound"

        touched = elbtrail.touched_resources(elbtrail.parse_event(record))

        assert [ResourceKind.LOAD_BALANCER] == [r.kind for r in touched]


class TestStrategies:
    @given(ets.events())
    def test_never_fails_and_names_only_what_the_record_says(self, event):
        """For any generated call, every identifier is text of the record."""
        text = json.dumps(event.to_dict())

        for resource in elbtrail.touched_resources(event):
            assert resource.name is not None or resource.arn is not None
            if resource.arn is not None:
                assert json.dumps(resource.arn) in text

    @given(ets.events())
    def test_request_arns_are_all_found(self, event):
        """Every ELB ARN in a resource-naming key of the request is touched."""
        identifiers = {r.identifier for r in elbtrail.touched_resources(event)}
        wire = event.to_dict()["requestParameters"]

        for key, value in _wire_strings(wire):
            # userPoolArn is Cognito's; the strategies fill any *Arn key with
            # an ELB ARN, so it is left out here.
            # An empty string names no resource.
            if key.endswith(("Arn", "Arns")) and key != "userPoolArn" and value != "":
                assert not isinstance(value, str) or value in identifiers


class TestCorpus:
    def test_classic_create_names_the_balancer_and_its_listener(self):
        """The Classic guide's CreateLoadBalancer touches the balancer and port 80."""
        event = elbtrail.parse_event(
            corpus_record("classic-guide-createloadbalancer.json")
        )

        assert (
            TouchedResource(ResourceKind.LOAD_BALANCER, name="my-load-balancer"),
            TouchedResource(ResourceKind.LISTENER, name="my-load-balancer:80"),
        ) == elbtrail.touched_resources(event)

    def test_https_listener_names_its_certificate(self):
        """The ACM guide's HTTPS listener brings its certificate's ARN."""
        event = elbtrail.parse_event(
            corpus_record("acm-guide-createloadbalancer-https-listener.json")
        )

        assert (
            TouchedResource(ResourceKind.LOAD_BALANCER, name="LinuxTest"),
            TouchedResource(ResourceKind.LISTENER, name="LinuxTest:443"),
            TouchedResource(
                ResourceKind.CERTIFICATE,
                arn="arn:aws:acm:us-east-1:111122223333:certificate/"
                "12345678-1234-1234-1234-123456789012",
            ),
        ) == elbtrail.touched_resources(event)

    def test_registered_instances_are_targets(self):
        """RegisterInstancesWithLoadBalancer touches the balancer and the instance."""
        event = elbtrail.parse_event(
            corpus_record("acm-guide-registerinstanceswithloadbalancer.json")
        )

        assert (
            TouchedResource(ResourceKind.LOAD_BALANCER, name="LinuxTest"),
            TouchedResource(ResourceKind.TARGET, name="i-c67f4e78"),
        ) == elbtrail.touched_resources(event)

    @pytest.mark.parametrize(
        "name",
        [
            "alb-guide-createloadbalancer.json",
            "nlb-guide-createloadbalancer-network.json",
        ],
    )
    def test_v2_create_joins_the_requested_name_and_the_new_arn(self, name):
        """The name asked for and the ARN answered are one load balancer."""
        event = elbtrail.parse_event(corpus_record(name))
        arn = event.response_elements.load_balancers[0].load_balancer_arn

        assert (
            TouchedResource(
                ResourceKind.LOAD_BALANCER, name="my-load-balancer", arn=arn
            ),
        ) == elbtrail.touched_resources(event)

    def test_v2_delete_reads_the_name_from_the_arn(self):
        """DeleteLoadBalancer gives only an ARN; the name is read from it."""
        event = elbtrail.parse_event(corpus_record("alb-guide-deleteloadbalancer.json"))

        (touched,) = elbtrail.touched_resources(event)

        assert "my-load-balancer" == touched.name
        assert touched.arn.endswith(
            "loadbalancer/app/my-load-balancer/ffcddace1759e1d0"
        )

    def test_tagging_is_recognised_by_the_arn(self):
        """AddTags names resources by ARN only; the kind comes from the ARN."""
        record = corpus_record("custodian-v2-addtags-eventbridge.json")["detail"]

        (touched,) = elbtrail.touched_resources(elbtrail.parse_event(record))

        assert ResourceKind.LOAD_BALANCER == touched.kind
        assert "test" == touched.name

    def test_other_services_touch_nothing(self):
        """A CloudTrail call of another service has no ELB resources."""
        record = corpus_record("cloudtrail-guide-error-updatetrail-records.json")

        event = elbtrail.parse_event(record["Records"][0])

        assert () == elbtrail.touched_resources(event)


def _event(name: str, request: Any = None, response: Any = None, **more: Any) -> Any:
    return elbtrail.Event(
        event_source=ELB,
        event_name=name,
        request_parameters=request,
        response_elements=response,
        **more,
    )


class TestEdges:
    @pytest.mark.parametrize(
        ("arn", "kind", "name"),
        [
            (ACCOUNT + "loadbalancer/my-classic", LB, "my-classic"),
            (ACCOUNT + "loadbalancer/net/nlb/50dc6c495c0c9188", LB, "nlb"),
            (ACCOUNT + "loadbalancer/gwy/gw/50dc6c495c0c9188", LB, "gw"),
            (ACCOUNT + "loadbalancer/app/too/many/parts/here", LB, None),
            (ACCOUNT + "targetgroup/blue/73e2d6bc24d8a067", TG, "blue"),
            (ACCOUNT + "truststore/ts/73e2d6bc24d8a067", TS, "ts"),
            (LISTENER_ARN, LISTENER, None),
            (ACCOUNT + "listener-rule/app/web/1/2/3", RULE, None),
            (ACCOUNT + "capacity/whatever", ResourceKind.OTHER, None),
            ("arn:aws-cn:elasticloadbalancing:cn-north-1:1:targetgroup/cn/1", TG, "cn"),
            ("arn:aws:acm:us-east-1:1:certificate/x", ResourceKind.OTHER, None),
        ],
    )
    def test_tag_arns_of_every_type(self, arn, kind, name):
        """The kind and name of a tagged resource are read from its ARN."""
        event = _event("AddTags", v2.AddTagsRequest(resource_arns=(arn,)))

        assert (TouchedResource(kind, name=name, arn=arn),) == (
            elbtrail.touched_resources(event)
        )

    def test_a_field_keeps_its_kind_against_the_arn(self):
        """A target group ARN under loadBalancerArn is a load balancer, unnamed."""
        event = _event(
            "DeleteLoadBalancer", v2.DeleteLoadBalancerRequest(load_balancer_arn=TG_ARN)
        )

        assert (TouchedResource(LB, arn=TG_ARN),) == elbtrail.touched_resources(event)

    def test_reads_do_not_count_what_they_listed(self):
        """A Describe response lists what exists; only the request counts."""
        response = v2.DescribeLoadBalancersResponse(
            load_balancers=(v2.LoadBalancer(load_balancer_arn=LB_ARN),)
        )
        event = _event(
            "DescribeLoadBalancers", v2.DescribeLoadBalancersRequest(), response
        )

        assert () == elbtrail.touched_resources(event)

    def test_classic_registration_does_not_count_instances_already_there(self):
        """RegisterInstances answers with every instance; only those asked for count."""
        request = classic.RegisterInstancesWithLoadBalancerRequest(
            load_balancer_name="web", instances=(classic.Instance(instance_id="i-new"),)
        )
        response = classic.RegisterInstancesWithLoadBalancerResponse(
            instances=(
                classic.Instance(instance_id="i-new"),
                classic.Instance(instance_id="i-old"),
            )
        )
        event = _event("RegisterInstancesWithLoadBalancer", request, response)

        assert ("web", "i-new") == tuple(
            r.identifier for r in elbtrail.touched_resources(event)
        )

    def test_listed_names_and_arns_are_not_paired(self):
        """The n-th name and the n-th ARN of a list may be different balancers."""
        request = v2.DescribeLoadBalancersRequest(
            load_balancer_arns=(LB_ARN,), names=("api",)
        )

        touched = elbtrail.touched_resources(_event("DescribeLoadBalancers", request))

        assert (
            TouchedResource(LB, name="api"),
            TouchedResource(LB, name="web", arn=LB_ARN),
        ) == touched

    def test_repeats_are_given_once(self):
        """A target group named in two actions of a rule is one resource."""
        forward = v2.Action(type="forward", target_group_arn=TG_ARN)
        request = v2.CreateRuleRequest(
            listener_arn=LISTENER_ARN, actions=(forward, forward)
        )

        touched = elbtrail.touched_resources(_event("CreateRule", request))

        assert [LISTENER, TG] == [r.kind for r in touched]

    def test_lambda_and_ip_targets(self):
        """A target's ID is its name, or its ARN when it is one (a Lambda function)."""
        lam = "arn:aws:lambda:us-east-1:123456789012:function:f"
        request = v2.RegisterTargetsRequest(
            target_group_arn=TG_ARN,
            targets=(
                v2.TargetDescription(id="10.0.0.1", port=80),
                v2.TargetDescription(id=lam),
            ),
        )

        touched = elbtrail.touched_resources(_event("RegisterTargets", request))

        assert (
            TouchedResource(TG, name="blue", arn=TG_ARN),
            TouchedResource(TARGET, name="10.0.0.1"),
            TouchedResource(TARGET, arn=lam),
        ) == touched

    def test_classic_port_without_a_balancer_name(self):
        """A Classic port whose balancer is not named is the port alone."""
        request = classic.DeleteLoadBalancerListenersRequest(
            load_balancer_ports=(443, 80)
        )

        touched = elbtrail.touched_resources(
            _event("DeleteLoadBalancerListeners", request)
        )

        assert ("443", "80") == tuple(r.identifier for r in touched)

    def test_wrongly_typed_values_are_skipped(self):
        """A number where a name belongs, or an empty name, names nothing."""
        record = {
            "eventSource": ELB,
            "eventName": "DeleteLoadBalancer",
            "apiVersion": "2012-06-01",
            "requestParameters": {"loadBalancerName": 7},
        }
        event = elbtrail.parse_event(record)
        empty = _event(
            "DeleteLoadBalancer",
            classic.DeleteLoadBalancerRequest(load_balancer_name=""),
        )

        assert () == elbtrail.touched_resources(event)
        assert () == elbtrail.touched_resources(empty)

    def test_unknown_actions_give_the_elb_arns_they_hold(self):
        """For an action without a model, ELB ARNs anywhere in the JSON are found."""
        record = {
            "eventSource": ELB,
            "eventName": "FrobnicateLoadBalancer",
            "apiVersion": "2015-12-01",
            "requestParameters": {"deep": [{"x": LB_ARN}], "other": "arn:aws:s3:::b"},
        }

        touched = elbtrail.touched_resources(elbtrail.parse_event(record))

        assert (TouchedResource(LB, name="web", arn=LB_ARN),) == touched

    def test_deeply_nested_unknown_parameters_are_walked(self):
        """An ARN 5,000 levels deep in an unknown action's JSON is found."""
        deep: Any = {"arn": LB_ARN}
        for _ in range(5000):
            deep = {"inner": [deep]}
        event = _event("FrobnicateLoadBalancer", deep)

        assert (LB_ARN,) == tuple(r.arn for r in elbtrail.touched_resources(event))

    def test_the_records_resources_are_included(self):
        """ARNs in the record's own resources list are touched too."""
        event = _event(
            "DeleteTargetGroup",
            v2.DeleteTargetGroupRequest(target_group_arn=TG_ARN),
            resources=(elbtrail.Resource(arn=TG_ARN), elbtrail.Resource(arn=LB_ARN)),
        )

        assert (TG_ARN, LB_ARN) == tuple(
            r.identifier for r in elbtrail.touched_resources(event)
        )

    def test_a_resource_needs_a_name_or_an_arn(self):
        """An unidentifiable resource is refused, with what is missing."""
        with pytest.raises(ValueError, match="load-balancer needs a name or an ARN"):
            TouchedResource(LB)

    def test_kinds_are_accepted_by_value_and_typos_refused(self):
        """'load-balancer' is the load-balancer kind; 'loadbalancer' is an error."""
        assert LB == TouchedResource("load-balancer", name="web").kind

        with pytest.raises(ValueError, match="'loadbalancer' is not a valid"):
            TouchedResource("loadbalancer", name="web")

    def test_resources_pickle(self):
        """A resource crosses process boundaries (multiprocessing, dask) intact."""
        resource = TouchedResource(TG, name="blue", arn=TG_ARN)

        assert resource == pickle.loads(pickle.dumps(resource))  # noqa: S301

    def test_identifier_prefers_the_arn(self):
        """The identifier is the ARN when known, else the name."""
        assert LB_ARN == TouchedResource(LB, name="web", arn=LB_ARN).identifier
        assert "web" == TouchedResource(LB, name="web").identifier

    def test_kinds_print_as_their_values(self):
        """str() of a kind is its value, and kinds compare equal to strings."""
        assert "target-group" == str(TG)
        assert "target-group" == TG
        assert "trust-store" == f"{TS}"

    def test_plans_are_built_once_under_threads(self, monkeypatch):
        """Threads walking at once, from an empty cache, all get the same answer."""
        monkeypatch.setattr(_touched, "_PLANS", {})
        events = [full_event(a) for a in ALL_ACTIONS]
        expected = [elbtrail.touched_resources(e) for e in events]
        monkeypatch.setattr(_touched, "_PLANS", {})
        results: list[list[Any]] = []
        barrier = threading.Barrier(4)

        def work() -> None:
            barrier.wait()
            results.append([elbtrail.touched_resources(e) for e in events])

        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert [expected] * 4 == results


def test_an_empty_arn_names_no_resource():
    """An empty ``certificateArn`` is not taken for a certificate."""
    event = elbtrail.parse_event(
        {
            "eventSource": "elasticloadbalancing.amazonaws.com",
            "eventName": "CreateListener",
            "apiVersion": "2015-12-01",
            "requestParameters": {
                "loadBalancerArn": (
                    "arn:aws:elasticloadbalancing:us-east-1:111122223333:"
                    "loadbalancer/app/web/50dc6c495c0c9188"
                ),
                "certificates": [{"certificateArn": ""}],
            },
        }
    )

    assert [ResourceKind.LOAD_BALANCER] == [
        r.kind for r in elbtrail.touched_resources(event)
    ]
