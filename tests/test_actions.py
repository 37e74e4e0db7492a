"""Every ELB action, checked against botocore's service definitions."""

from __future__ import annotations

import enum
import subprocess
import sys
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs
import botocore.session
import pytest

import elbtrail
from elbtrail import _model

ROOT = Path(__file__).resolve().parent.parent
SESSION = botocore.session.get_session()
SERVICES = {"2012-06-01": "elb", "2015-12-01": "elbv2"}
OPERATIONS = [
    (version, name)
    for version, service in SERVICES.items()
    for name in SESSION.get_service_model(service).operation_names
]


def wire_key(member: str) -> str:
    return member[:1].lower() + member[1:]


def fill(shape: Any, depth: int = 0) -> Any:
    """A value for *shape* with every member present, in CloudTrail's casing."""
    kind = shape.type_name
    if kind == "structure":
        return {wire_key(n): fill(m, depth + 1) for n, m in shape.members.items()}
    if kind == "list":
        return [fill(shape.member, depth + 1), fill(shape.member, depth + 1)]
    if kind == "map":
        return {"first": fill(shape.value, depth + 1)}
    if kind == "string":
        return shape.enum[-1] if shape.enum else f"{shape.name}-{depth}"
    if kind in ("integer", "long"):
        return 7 + depth
    if kind == "boolean":
        return depth % 2 == 0
    if kind in ("double", "float"):
        return 0.5 + depth
    if kind == "timestamp":
        # Both forms CloudTrail prints, depending on depth.
        return "Mar 14, 2026 10:21:07 AM" if depth % 2 else "2026-03-14T10:21:07Z"
    msg = f"no filler for {kind}"
    raise AssertionError(msg)


def record_for(version: str, name: str) -> dict[str, Any]:
    operation = SESSION.get_service_model(SERVICES[version]).operation_model(name)
    params = fill(operation.input_shape) if operation.input_shape else {}
    output = operation.output_shape
    return {
        "eventVersion": "1.11",
        "userIdentity": {"type": "IAMUser", "userName": "alice"},
        "eventTime": "2026-03-14T10:21:07Z",
        "eventSource": "elasticloadbalancing.amazonaws.com",
        "eventName": name,
        "awsRegion": "eu-west-1",
        "requestParameters": params,
        "responseElements": fill(output) if output and output.members else None,
        "eventID": "00000000-0000-4000-8000-000000000000",
        "eventType": "AwsApiCall",
        "apiVersion": version,
    }


def assert_typed(model: Any, wire: Mapping[str, Any], path: str) -> int:
    """Every wire value is on its field, typed; returns how many were checked."""
    assert isinstance(model, elbtrail.Model), path
    assert {} == dict(model.extra), f"{path}: unknown keys {list(model.extra)}"
    checked = 0
    for field in _model.wire_fields(type(model)):
        if field.wire not in wire:
            continue
        value = getattr(model, field.name)
        checked += assert_value(
            value, wire[field.wire], field.kind, f"{path}.{field.name}"
        )
    assert checked == len(wire), path
    return checked


def assert_value(value: Any, raw: Any, kind: Any, path: str) -> int:
    tag = kind.tag
    if tag == "model":
        assert_typed(value, raw, path)
    elif tag == "seq":
        assert isinstance(value, tuple), path
        for index, (item, raw_item) in enumerate(zip(value, raw, strict=True)):
            assert_value(item, raw_item, kind.arg, f"{path}[{index}]")
    elif tag == "map":
        assert isinstance(value, Mapping), path
        for key, item in value.items():
            assert_value(item, raw[key], kind.arg, f"{path}.{key}")
    elif tag == "enum":
        assert isinstance(value, enum.Enum), path
        assert raw == value.value
    elif tag == "ts":
        assert isinstance(value, datetime), path
        assert value.tzinfo is not None
    else:
        expected = {"str": str, "int": int, "bool": bool, "float": float}[tag]
        assert type(value) is expected, path
        assert raw == value
    return 1


class TestEveryAction:
    def test_there_are_eighty_actions(self):
        """29 Classic and 51 ELBv2 actions, as botocore defines them."""
        assert 29 == len(elbtrail.actions(elbtrail.Api.CLASSIC))
        assert 51 == len(elbtrail.actions(elbtrail.Api.V2))
        assert 80 == len(OPERATIONS)

    @pytest.mark.parametrize(("version", "name"), OPERATIONS)
    def test_full_record_is_typed_and_round_trips(self, version, name):
        """Every member of the input and output shapes comes back typed."""
        record = record_for(version, name)

        event = elbtrail.parse_event(record)

        assert () == event.issues
        action = event.action
        assert (version, name) == (action.api.value, action.name)
        assert isinstance(event.request_parameters, action.request)
        assert_typed(event.request_parameters, record["requestParameters"], name)
        if record["responseElements"] is None:
            assert event.response_elements is None
        else:
            assert isinstance(event.response_elements, action.response)
            assert_typed(event.response_elements, record["responseElements"], name)
        assert record == event.to_dict()

    @pytest.mark.parametrize(("version", "name"), OPERATIONS)
    def test_error_event_with_null_parameters_is_quiet(self, version, name):
        """A failed call with null parameters parses with no issue."""
        record = record_for(version, name)
        record.update(
            errorCode="AccessDenied",
            errorMessage="User is not authorized",
            requestParameters=None,
            responseElements=None,
        )

        event = elbtrail.parse_event(record)

        assert () == event.issues
        assert event.is_error
        assert record == event.to_dict()
        assert name == event.action.name


class TestDispatch:
    def test_shared_names_are_told_apart_by_api_version(self):
        """CreateLoadBalancer is a different class in each API."""
        classic = elbtrail.action_for("2012-06-01", "CreateLoadBalancer")
        v2 = elbtrail.action_for("2015-12-01", "CreateLoadBalancer")

        assert classic.request is elbtrail.classic.CreateLoadBalancerRequest
        assert v2.request is elbtrail.v2.CreateLoadBalancerRequest

    @pytest.mark.parametrize(
        ("params", "api"),
        [
            ({"loadBalancerName": "lb"}, elbtrail.Api.CLASSIC),
            ({"loadBalancerArn": "arn:..."}, elbtrail.Api.V2),
            ({"name": "lb", "subnets": ["s"]}, elbtrail.Api.V2),
            ({"loadBalancerNames": ["lb"]}, elbtrail.Api.CLASSIC),
        ],
    )
    def test_missing_api_version_is_decided_from_parameters(self, params, api):
        """Without apiVersion, the parameters' shape decides, with a notice."""
        name = "DeleteLoadBalancer" if "subnets" not in params else "CreateLoadBalancer"
        if "loadBalancerNames" in params:
            name = "DescribeLoadBalancers"
        record = {
            "eventSource": "elasticloadbalancing.amazonaws.com",
            "eventName": name,
            "requestParameters": params,
        }

        event = elbtrail.parse_event(record)

        assert api == event.action.api
        assert ["guessed-api-version"] == [i.code for i in event.issues]
        assert elbtrail.Severity.NOTICE == event.issues[0].severity
        assert record == event.to_dict()

    def test_action_unique_to_one_api_needs_no_parameters(self):
        """RegisterTargets exists only in ELBv2."""
        event = elbtrail.parse_event(
            {
                "eventSource": "elasticloadbalancing.amazonaws.com",
                "eventName": "RegisterTargets",
                "apiVersion": "2099-01-01",
                "requestParameters": {"targetGroupArn": "arn"},
            }
        )

        assert isinstance(event.request_parameters, elbtrail.v2.RegisterTargetsRequest)
        assert "'2099-01-01', not an ELB version" in event.issues[0].message

    def test_undecidable_api_keeps_plain_data(self):
        """Shared name, no apiVersion, no telling keys: plain data and a notice."""
        record = {
            "eventSource": "elasticloadbalancing.amazonaws.com",
            "eventName": "DescribeAccountLimits",
            "requestParameters": {"pageSize": 5},
        }

        event = elbtrail.parse_event(record)

        assert {"pageSize": 5} == event.request_parameters
        assert ["unknown-api-version"] == [i.code for i in event.issues]

    def test_unknown_action_keeps_plain_data(self):
        """A new action tomorrow keeps all its data, with a notice."""
        record = {
            "eventSource": "elasticloadbalancing.amazonaws.com",
            "eventName": "CreateWormhole",
            "apiVersion": "2015-12-01",
            "requestParameters": {"targetGalaxy": "m31"},
            "responseElements": {"wormholeArn": "arn"},
        }

        event = elbtrail.parse_event(record)

        assert {"targetGalaxy": "m31"} == event.request_parameters
        assert ["unknown-action"] == [i.code for i in event.issues]
        assert record == event.to_dict()

    def test_corpus_records_of_both_apis(self):
        """Real public records of both APIs are typed by their own classes."""
        result = elbtrail.read(ROOT / "tests" / "data" / "corpus")

        apis = {e.action.api for e in result}
        assert {elbtrail.Api.CLASSIC, elbtrail.Api.V2} == apis
        assert all(isinstance(e.request_parameters, elbtrail.Model) for e in result)


class TestGeneratedCode:
    def test_generated_modules_are_current(self):
        """The committed models match what the generator makes from botocore."""
        result = subprocess.run(
            [sys.executable, "scripts/generate_models.py", "--check"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        assert 0 == result.returncode, result.stderr

    def test_generator_is_deterministic(self):
        """Two renders give the same text."""
        sys.path.insert(0, str(ROOT / "scripts"))
        try:
            import generate_models  # noqa: PLC0415

            first = generate_models.render_all()
            second = generate_models.render_all()
        finally:
            sys.path.remove(str(ROOT / "scripts"))
        assert first == second

    def test_every_model_class_is_frozen_attrs(self):
        """Generated classes are frozen attrs models with docstrings."""
        for module in (elbtrail.classic, elbtrail.v2):
            for name in module.__all__:
                obj = getattr(module, name)
                if isinstance(obj, type) and issubclass(obj, elbtrail.Model):
                    assert attrs.has(obj)
                    assert obj.__doc__
                    assert obj.__setattr__ is not object.__setattr__


def run_python(code: str) -> str:
    """The output of *code*, run in a fresh interpreter."""
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


class TestClassesOnFirstUse:
    def test_reading_a_log_builds_only_the_classes_of_its_actions(self):
        """Only the modules of the actions called, and of their shapes."""
        path = (
            ROOT
            / "tests"
            / "data"
            / "corpus"
            / "nlb-guide-createloadbalancer-network.json"
        )
        loaded = run_python(
            "import sys, elbtrail\n"
            f"event, = elbtrail.read({str(path)!r})\n"
            "print(type(event.request_parameters).__name__)\n"
            "print(*sorted(m for m in sys.modules if m.startswith(('elbtrail._v2', "
            "'elbtrail._classic'))))"
        ).split()

        assert "CreateLoadBalancerRequest" == loaded[0]
        assert "elbtrail._v2.create_load_balancer" in loaded
        assert "elbtrail._v2.shapes.load_balancer" in loaded
        assert "elbtrail._v2.create_rule" not in loaded
        assert not [m for m in loaded if m.startswith("elbtrail._classic.")]

    def test_listing_the_actions_builds_no_class(self):
        """Names, membership and length need no action's module."""
        out = run_python(
            "import sys, elbtrail, elbtrail.v2 as v2\n"
            "print(len(v2.ACTIONS), 'CreateRule' in v2.ACTIONS, len(elbtrail.actions("
            "elbtrail.Api.CLASSIC)), 'AddTags' in elbtrail.actions(elbtrail.Api.V2))\n"
            "print(len(dir(v2)) > 150, [m for m in sys.modules if '._v2.' in m])"
        )

        assert "51 True 29 True\nTrue []\n" == out

    def test_every_name_comes_from_its_private_module(self):
        """Each public name is a class of ``elbtrail._v2`` or ``._classic``."""
        for module in (elbtrail.classic, elbtrail.v2):
            private = f"elbtrail._{module.__name__.rpartition('.')[2]}."
            for name in module.__all__:
                value = getattr(module, name)
                if isinstance(value, type):
                    assert value.__module__.startswith(private), name
                    assert getattr(sys.modules[value.__module__], name) is value

    def test_a_misspelled_name_is_an_attribute_error(self):
        """As for any module, with the name and the module in the message."""
        with pytest.raises(AttributeError, match=r"'elbtrail\.v2' has no attribute"):
            _ = elbtrail.v2.CreateLoadBlancerRequest  # type: ignore[attr-defined]
        assert not hasattr(elbtrail.classic, "ActionTypeEnum")

    def test_the_actions_mapping_gives_each_actions_classes(self):
        """``ACTIONS`` maps a name to its two classes; other names are missing."""
        v2 = elbtrail.v2

        assert (v2.CreateRuleRequest, v2.CreateRuleResponse) == v2.ACTIONS["CreateRule"]
        assert v2.ACTIONS.get("CreateRules") is None
        with pytest.raises(KeyError):
            v2.ACTIONS["RegisterInstancesWithLoadBalancer"]
        assert sorted(v2.ACTIONS) == list(v2.ACTIONS)
        assert "<51 actions of elbtrail.v2>" == repr(v2.ACTIONS)

    def test_an_action_built_by_hand_is_found(self):
        """A request made before its action was ever looked up names it."""
        out = run_python(
            "import elbtrail\n"
            "from elbtrail.v2 import ModifyRuleRequest\n"
            "event = elbtrail.Event(event_source=elbtrail.ELB_EVENT_SOURCE, "
            "request_parameters=ModifyRuleRequest(rule_arn='r'))\n"
            "print(event.action.api.name, event.action.name)"
        )

        assert "V2 ModifyRule\n" == out

    def test_threads_importing_at_once_get_whole_classes(self):
        """Many threads asking for many classes at once: each is built once."""
        out = run_python(
            "import concurrent.futures as f, attrs, elbtrail.v2 as v2\n"
            "names = [n for n in v2.__all__ if n.endswith(('Request', 'Response'))]\n"
            "with f.ThreadPoolExecutor(8) as pool:\n"
            "    found = list(pool.map(lambda n: getattr(v2, n), names * 4))\n"
            "print(all(attrs.has(c) for c in found), "
            "len({id(c) for c in found}) == len(names))"
        )

        assert "True True\n" == out
