"""The history of load balancers rebuilt from CloudTrail records."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import elbtrail
from elbtrail import (
    ClassicLoadBalancerState,
    History,
    StateKind,
    TargetGroupState,
)
from elbtrail.strategies import events as elbtrail_events

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
REGION_ARN = "arn:aws:elasticloadbalancing:eu-west-1:111122223333"
LB = f"{REGION_ARN}:loadbalancer/app/shop-frontend/50dc6c495c0c9188"
LISTENER = f"{REGION_ARN}:listener/app/shop-frontend/50dc6c495c0c9188/f2f7dc8efc522ab2"
TG = f"{REGION_ARN}:targetgroup/shop-web/73e2d6bc24d8a067"
TG2 = f"{REGION_ARN}:targetgroup/shop-api/4b1f9e07a2c35d68"
RULE = (
    f"{REGION_ARN}:listener-rule/app/shop-frontend/50dc6c495c0c9188/"
    "f2f7dc8efc522ab2/9c3d5e7f1a2b4c6d"
)


def sample_history() -> History:
    return History.from_events(elbtrail.iter_events(SAMPLES))


def record(
    name: str,
    time: str,
    request: dict[str, Any],
    response: dict[str, Any] | None = None,
    *,
    api: str = "2012-06-01",
    event_id: str | None = None,
    error: str | None = None,
) -> dict[str, Any]:
    value: dict[str, Any] = {
        "eventVersion": "1.11",
        "userIdentity": {
            "type": "IAMUser",
            "arn": "arn:aws:iam::111122223333:user/bob",
            "userName": "bob",
        },
        "eventTime": time,
        "eventSource": "elasticloadbalancing.amazonaws.com",
        "eventName": name,
        "awsRegion": "eu-west-1",
        "sourceIPAddress": "198.51.100.14",
        "userAgent": "aws-cli/2.15.30",
        "requestParameters": request,
        "responseElements": response,
        "eventID": event_id or f"{name}-{time}",
        "apiVersion": api,
    }
    if error is not None:
        value["errorCode"] = error
        value["errorMessage"] = "no"
    return value


def build(*records: dict[str, Any]) -> History:
    return History.from_events(elbtrail.parse_event(r) for r in records)


CREATE = record(
    "CreateLoadBalancer",
    "2026-03-15T08:00:00Z",
    {
        "loadBalancerName": "web",
        "listeners": [{"protocol": "HTTP", "loadBalancerPort": 80, "instancePort": 80}],
        "availabilityZones": ["eu-west-1a"],
        "tags": [{"key": "team", "value": "shop"}],
    },
    {"dNSName": "web-1.eu-west-1.elb.amazonaws.com"},
)
REGISTER = record(
    "RegisterInstancesWithLoadBalancer",
    "2026-03-15T08:01:00Z",
    {"loadBalancerName": "web", "instances": [{"instanceId": "i-1"}]},
    {"instances": [{"instanceId": "i-1"}]},
)
DELETE = record(
    "DeleteLoadBalancer", "2026-03-15T08:05:00Z", {"loadBalancerName": "web"}
)


class TestSnapshots:
    def test_create_takes_the_whole_object_and_describes_it_as_the_api(self):
        """A Classic create gives the description the API answers with."""
        history = build(CREATE)

        described = history.at("2026-03-15T08:00:00Z").describe()

        (lb,) = described["LoadBalancerDescriptions"]
        assert {
            "LoadBalancerName": "web",
            "DNSName": "web-1.eu-west-1.elb.amazonaws.com",
            "ListenerDescriptions": [
                {
                    "Listener": {
                        "Protocol": "HTTP",
                        "LoadBalancerPort": 80,
                        "InstancePort": 80,
                        "InstanceProtocol": "HTTP",
                    },
                    "PolicyNames": [],
                }
            ],
            "Policies": {
                "AppCookieStickinessPolicies": [],
                "LBCookieStickinessPolicies": [],
                "OtherPolicies": [],
            },
            "BackendServerDescriptions": [],
            "AvailabilityZones": ["eu-west-1a"],
            "Instances": [],
            "Scheme": "internet-facing",
        } == lb
        assert {"web": {"team": "shop"}} == described["Tags"]

    def test_before_the_first_event_nothing_is_known(self):
        """A snapshot before a resource was created does not hold it."""
        history = build(CREATE)

        assert 0 == len(history.at("2026-03-15T07:59:59Z"))

    def test_delete_ends_a_resource(self):
        """After a delete the resource is gone; before, it is there."""
        history = build(CREATE, REGISTER, DELETE)

        assert "web" in history.at("2026-03-15T08:04:59Z")
        assert "web" not in history.at("2026-03-15T08:05:00Z")

    def test_typed_state(self):
        """Snapshots hold typed states with their kind."""
        state = build(CREATE, REGISTER).at("2026-03-15T09:00:00Z")["web"]

        assert isinstance(state, ClassicLoadBalancerState)
        assert StateKind.CLASSIC_LOAD_BALANCER == state.kind
        assert ("i-1",) == state.instances
        assert (80,) == state.listener_ports
        assert {"HealthCheck", "SecurityGroups", "Subnets"} == state.unknown

    def test_at_rejects_text_that_is_not_a_time(self):
        """A typo in a time is an error naming the text."""
        with pytest.raises(ValueError, match="not a time: 'yesterday'"):
            build(CREATE).at("yesterday")

    def test_naive_times_are_utc(self):
        """A time without a zone is UTC, as every CloudTrail time is."""
        history = build(CREATE)

        assert "web" in history.at(datetime(2026, 3, 15, 8, 0))  # noqa: DTZ001

    def test_diff_needs_times_in_order(self):
        """diff(t1, t2) with t1 after t2 says so."""
        with pytest.raises(ValueError, match="comes after"):
            build(CREATE).diff("2026-03-15T09:00:00Z", "2026-03-15T08:00:00Z")


class TestTruth:
    def test_failed_calls_change_nothing_and_are_attempts(self):
        """A call with an errorCode changes nothing and is listed as an attempt."""
        failed = record(
            "DeleteLoadBalancer",
            "2026-03-15T08:02:00Z",
            {"loadBalancerName": "web"},
            error="AccessDenied",
        )
        history = build(CREATE, failed)

        assert "web" in history.at("2026-03-15T09:00:00Z")
        (attempt,) = history.attempts()
        assert ("DeleteLoadBalancer", "AccessDenied") == (
            attempt.action,
            attempt.error_code,
        )
        assert ["CreateLoadBalancer"] == [c.call.action for c in history.changes()]

    def test_duplicates_count_once(self):
        """A record delivered twice changes the state once."""
        history = build(CREATE, REGISTER, copy.deepcopy(REGISTER))

        assert 2 == len(history.changes())

    def test_order_of_delivery_does_not_matter(self):
        """Records delivered out of order are applied in time order."""
        history = build(DELETE, REGISTER, CREATE)

        assert ["CreateLoadBalancer", "RegisterInstancesWithLoadBalancer"] == [
            c.call.action for c in history.changes(until="2026-03-15T08:04:00Z")
        ]
        assert "web" not in history.at("2026-03-15T09:00:00Z")

    def test_same_second_creates_before_modify_before_delete(self):
        """Calls of one second: creates, then modifications, then deletes."""
        same = [
            dict(r, eventTime="2026-03-15T08:00:00Z")
            for r in (DELETE, REGISTER, CREATE)
        ]
        history = build(*same)

        assert [
            "CreateLoadBalancer",
            "RegisterInstancesWithLoadBalancer",
            "DeleteLoadBalancer",
        ] == [c.call.action for c in history.changes()]

    def test_same_second_load_balancer_before_its_listeners(self):
        """A load balancer and its listeners made in one second: it comes first."""
        listeners = record(
            "CreateLoadBalancerListeners",
            "2026-03-15T08:00:00Z",
            {
                "loadBalancerName": "web",
                "listeners": [
                    {"protocol": "TCP", "loadBalancerPort": 443, "instancePort": 443}
                ],
            },
            event_id="0-before-the-create",
        )

        history = build(listeners, CREATE)

        state = history.at("2026-03-15T08:00:00Z")["web"]
        assert (80, 443) == state.listener_ports

    def test_resource_from_before_the_trail_is_partly_known(self):
        """A resource first seen in a modify says what is not known."""
        history = build(REGISTER)

        state = history.at("2026-03-15T09:00:00Z")["web"]
        (change,) = history.changes()
        assert not state.complete
        assert not change.known
        assert ("i-1",) == state.instances
        assert "DNSName" in state.unknown
        assert state.tags is None
        assert {} == history.at("2026-03-15T09:00:00Z").describe()["Tags"]

    def test_delta_on_an_unknown_list_leaves_it_unknown(self):
        """Registering with no response on an unknown balancer invents no list."""
        register = dict(REGISTER, responseElements=None)
        history = build(register)

        state = history.at("2026-03-15T09:00:00Z")["web"]
        assert state.instances is None
        (change,) = history.changes()
        assert "registered i-1" == change.note
        assert not change.known

    def test_delete_of_a_load_balancer_ends_its_listeners_and_rules(self):
        """Deleting an ELBv2 load balancer ends its listeners and their rules."""
        history = sample_history()
        delete = record(
            "DeleteLoadBalancer",
            "2026-03-15T18:00:00Z",
            {"loadBalancerArn": LB},
            api="2015-12-01",
        )
        events = [*elbtrail.iter_events(SAMPLES), elbtrail.parse_event(delete)]
        history = History.from_events(events)

        after = history.at("2026-03-15T18:00:00Z")
        assert LB not in after
        assert LISTENER not in after
        ended = {c.resource for c in history.changes(since="2026-03-15T18:00:00Z")}
        assert {LB, LISTENER} == ended

    def test_creating_again_keeps_registrations(self):
        """A create of what exists is idempotent: its instances and tags stay."""
        again = dict(CREATE, eventTime="2026-03-15T08:02:00Z", eventID="again")

        history = build(CREATE, REGISTER, again)

        state = history.at("2026-03-15T08:03:00Z")["web"]
        assert ("i-1",) == state.instances
        assert {"team": "shop"} == state.tags
        assert ["created", "registered i-1"] == [c.note for c in history.changes()]

    def test_events_without_a_time_are_counted_not_applied(self):
        """A record with no eventTime cannot be placed, and is counted."""
        timeless = dict(CREATE)
        del timeless["eventTime"]

        history = build(timeless)

        assert 1 == history.skipped
        assert [] == history.changes()


class TestSamples:
    def test_incident_timeline_of_a_target_group(self):
        """The bundled day: who broke the health check, and who fixed it."""
        history = sample_history()

        changes = history.changes(TG, since="2026-03-15T00:00:00Z")

        assert [
            ("ModifyTargetGroup", "alice"),
            ("DeregisterTargets", "AWSServiceRoleForAutoScaling/AutoScaling"),
            ("ModifyTargetGroup", "oncall/maria.lopez"),
            ("RegisterTargets", "AWSServiceRoleForAutoScaling/AutoScaling"),
        ] == [(c.call.action, c.call.principal) for c in changes]
        fields = {f.name: (f.before, f.after) for f in changes[0].fields}
        assert ("/healthz", "/status") == fields["HealthCheckPath"]
        assert changes[0].call.user_agent == "AWS Internal"

    def test_failed_delete_is_an_attempt(self):
        """The failed DeleteTargetGroup of the day is an attempt, not a change."""
        attempts = sample_history().attempts(since="2026-03-15T00:00:00Z")

        assert [("DeleteTargetGroup", "ResourceInUse", "bob")] == [
            (a.action, a.error_code, a.principal) for a in attempts
        ]

    def test_resource_by_name(self):
        """--resource takes an ELBv2 name too, with the listeners and rules."""
        history = sample_history()

        resources = {c.resource for c in history.changes("shop-frontend")}

        assert {LB, LISTENER, RULE} == resources

    def test_target_group_in_use_by_a_load_balancer(self):
        """LoadBalancerArns is worked out from listeners and rules."""
        described = sample_history().at("2026-03-15T08:30:00Z").describe()

        groups = {g["TargetGroupArn"]: g for g in described["TargetGroups"]}
        assert [LB] == groups[TG2]["LoadBalancerArns"]
        assert [LB] == groups[TG]["LoadBalancerArns"]

    def test_classic_load_balancer_from_before_the_trail(self):
        """billing-legacy is known only by what the day's calls revealed."""
        state = sample_history().at("2026-03-15T12:00:00Z")["billing-legacy"]

        assert ("i-0b1c2d3e4f5a6b7c8",) == state.instances
        assert "HTTP:8080/ping" == state.get("HealthCheck")["Target"]
        assert not state.complete
        assert state.tags is None

    def test_diff_between_two_moments(self):
        """diff gives each resource that differs, from its state then to now."""
        history = sample_history()

        diff = history.diff("2026-03-15T09:00:00Z", "2026-03-15T09:20:00Z")

        assert [TG] == list(diff)
        names = {f.name for f in diff[TG].fields}
        assert {"HealthCheckPath", "HealthCheckIntervalSeconds", "Targets"} == names
        assert diff[TG].call.action == "DeregisterTargets"

    def test_diff_across_create_and_delete(self):
        """A resource created and deleted between two moments is not in the diff."""
        history = sample_history()

        diff = history.diff("2026-03-15T08:00:00Z", "2026-03-15T17:00:00Z")

        assert TG2 not in diff
        assert RULE not in diff
        assert diff["billing-legacy"].before is None

    def test_describe_is_json(self):
        """A described snapshot is plain JSON."""
        described = sample_history().at("2026-03-15T12:00:00Z").describe()

        assert described == json.loads(json.dumps(described))


class TestBaseline:
    def test_baseline_makes_the_history_complete(self):
        """A describe-* baseline makes states complete from its time."""
        baseline = {
            "LoadBalancerDescriptions": [
                {
                    "LoadBalancerName": "web",
                    "Instances": [{"InstanceId": "i-0"}],
                    "CreatedTime": "2020-01-01T00:00:00Z",
                }
            ],
            "TagDescriptions": [{"LoadBalancerName": "web", "Tags": []}],
        }
        # Without a response, the request's delta applies to the known list.
        register = dict(REGISTER, responseElements=None)
        history = History.from_events(
            [elbtrail.parse_event(register)],
            baseline=baseline,
            baseline_time="2026-03-15T07:00:00Z",
        )

        state = history.at("2026-03-15T09:00:00Z")["web"]
        (change,) = history.changes()
        assert change.known
        assert ("i-0", "i-1") == state.instances
        assert {} == state.tags
        assert "web" not in history.at("2026-03-15T06:00:00Z")

    def test_baseline_needs_a_time(self):
        """A baseline without its time is refused, saying why."""
        with pytest.raises(ValueError, match="needs its baseline_time"):
            History.from_events([], baseline={})

    def test_baseline_round_trips_a_describe(self):
        """A snapshot's describe() is a baseline that rebuilds the same snapshot."""
        history = sample_history()
        when = datetime(2026, 3, 15, 9, 0, tzinfo=timezone.utc)
        described = history.at(when).describe()

        again = History.from_events([], baseline=described, baseline_time=when)

        rebuilt = again.at(when).describe()
        assert described["LoadBalancers"] == rebuilt["LoadBalancers"]
        assert described["TargetGroups"] == rebuilt["TargetGroups"]
        assert described["Targets"] == rebuilt["Targets"]


class TestProperties:
    @given(st.permutations(range(6)), st.lists(st.integers(0, 5), max_size=4))
    def test_delivery_order_and_duplicates_never_change_the_history(self, order, again):
        """Any order of delivery, with any records twice, gives the same history."""
        records = [
            CREATE,
            REGISTER,
            record(
                "ConfigureHealthCheck",
                "2026-03-15T08:02:00Z",
                {
                    "loadBalancerName": "web",
                    "healthCheck": {
                        "target": "HTTP:80/",
                        "interval": 30,
                        "timeout": 5,
                        "unhealthyThreshold": 2,
                        "healthyThreshold": 3,
                    },
                },
            ),
            record(
                "AddTags",
                "2026-03-15T08:03:00Z",
                {"loadBalancerNames": ["web"], "tags": [{"key": "a", "value": "b"}]},
            ),
            record(
                "DeregisterInstancesFromLoadBalancer",
                "2026-03-15T08:04:00Z",
                {"loadBalancerName": "web", "instances": [{"instanceId": "i-1"}]},
            ),
            DELETE,
        ]
        expected = build(*records)
        shuffled = [records[i] for i in order] + [records[i] for i in again]

        actual = build(*shuffled)

        for second in range(6):
            when = f"2026-03-15T08:0{second}:00Z"
            assert expected.at(when).describe() == actual.at(when).describe()

    @given(elbtrail_events())
    def test_a_call_gives_back_its_request(self, event):
        """A call keeps its request compactly, and gives back an equal model."""
        call = History.from_events([event]).changes() or [None]
        summary = elbtrail.Call.of(event, datetime(2026, 1, 1, tzinfo=timezone.utc))

        assert event.request_parameters == summary.request
        if call[0] is not None:
            assert event.request_parameters == call[0].call.request

    @given(st.lists(elbtrail_events(errors=False), max_size=12))
    def test_any_valid_events_build_a_history(self, events):
        """Any events, of any action with any parameters, build a history."""
        history = History.from_events(events)

        for change in history.changes():
            assert isinstance(change.fields, tuple)
            snapshot = history.at(change.call.time)
            assert snapshot.describe() == json.loads(json.dumps(snapshot.describe()))


class TestCommandLine:
    def run(self, *args: str, capsys: pytest.CaptureFixture[str]) -> str:
        from elbtrail._cli import main  # noqa: PLC0415

        assert 0 == main(list(args))
        return capsys.readouterr().out

    def test_timeline_of_a_resource(self, capsys):
        """The documented timeline of docs/history.md."""
        out = self.run(
            "history",
            str(SAMPLES),
            "--resource",
            "shop-web",
            "--since",
            "2026-03-15",
            capsys=capsys,
        )

        documented = (ROOT / "docs" / "history.md").read_text(encoding="utf-8")
        block = documented.split("$ elbtrail history samples/ --resource shop-web")[1]
        expected = block.split("\n", 1)[1].split("```")[0]
        assert expected == out

    def test_snapshot_as_json(self, capsys):
        """--at --format json prints the describe-* answers."""
        out = self.run(
            "history",
            str(SAMPLES),
            "--at",
            "2026-03-15T09:20:00Z",
            "--resource",
            "shop-web",
            "--format",
            "json",
            capsys=capsys,
        )

        described = json.loads(out)
        (group,) = described["TargetGroups"]
        assert "/status" == group["HealthCheckPath"]
        assert [{"Id": "i-0abc1234def567890", "Port": 8080}] == described["Targets"][TG]

    def test_timeline_as_json_lists_attempts(self, capsys):
        """--format json lists changes and failed calls in time order."""
        out = self.run(
            "history",
            str(SAMPLES),
            "--since",
            "2026-03-15",
            "--format",
            "json",
            capsys=capsys,
        )

        items = json.loads(out)
        times = [i["time"] for i in items]
        assert times == sorted(times)
        assert ["ResourceInUse"] == [i["errorCode"] for i in items if i["errorCode"]]

    def test_damaged_input_is_mentioned_on_stderr(self, capsys):
        """Damage in the input is one line on stderr; the history still prints."""
        from elbtrail._cli import main  # noqa: PLC0415

        assert 0 == main(["history", str(SAMPLES / "aws-docs")])

        captured = capsys.readouterr()
        assert "my-load-balancer: deleted" in captured.out
        assert "1 issue(s) while reading" in captured.err

    def test_bad_time_is_a_usage_error(self, capsys):
        """A bad --at is exit status 2 with the option named."""
        from elbtrail._cli import main  # noqa: PLC0415

        with pytest.raises(SystemExit) as exit_info:
            main(["history", str(SAMPLES), "--at", "noon"])

        assert 2 == exit_info.value.code
        assert "--at: not a time: 'noon'" in capsys.readouterr().err


def test_import_elbtrail_leaves_the_history_for_later():
    """The history modules load on first use, not with the package."""
    code = (
        "import sys, elbtrail; "
        "print('elbtrail._history' in sys.modules, elbtrail.History.__name__)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )

    assert "False History" == result.stdout.strip()


def test_target_group_state_is_typed():
    """A target group's targets are typed on its state."""
    state = sample_history().at("2026-03-15T10:00:00Z")[TG]

    assert isinstance(state, TargetGroupState)
    assert state.targets is not None
    assert {"i-0abc1234def567890", "i-0c4d5e6f7a8b9c0d1"} == {
        t["Id"] for t in state.targets
    }
