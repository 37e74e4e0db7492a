"""AWS Config configuration items as the baseline of a history."""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import elbtrail
from elbtrail import History, ListenerState, TargetGroupState

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
DATA = ROOT / "tests" / "data" / "config-items"
REGION_ARN = "arn:aws:elasticloadbalancing:eu-west-1:111122223333"
LB = f"{REGION_ARN}:loadbalancer/app/shop-frontend/50dc6c495c0c9188"
LISTENER = f"{REGION_ARN}:listener/app/shop-frontend/50dc6c495c0c9188/f2f7dc8efc522ab2"
TG = f"{REGION_ARN}:targetgroup/shop-web/73e2d6bc24d8a067"
CERT = (
    "arn:aws:acm:eu-west-1:111122223333:certificate/"
    "0c5a6c2e-3f1d-4b8a-9e27-5d1f0b6a7c93"
)


def load(name: str) -> dict[str, Any]:
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def samples() -> list[elbtrail.Event]:
    return list(elbtrail.iter_events(SAMPLES))


def snapshot_item(resource: str) -> dict[str, Any]:
    items = load("snapshot-eu-west-1.json")["configurationItems"]
    (item,) = [i for i in items if i["resourceName"] == resource]
    return item


def boto3_form(item: dict[str, Any]) -> dict[str, Any]:
    """An S3 file's item as boto3 returns it: JSON text, a datetime."""
    when = elbtrail._timestamps.parse_timestamp(item["configurationItemCaptureTime"])
    return {
        "version": item["configurationItemVersion"],
        "accountId": item["awsAccountId"],
        "configurationItemCaptureTime": when,
        "configurationItemStatus": item["configurationItemStatus"],
        "arn": item["ARN"],
        "resourceType": item["resourceType"],
        "resourceId": item["resourceId"],
        "resourceName": item["resourceName"],
        "awsRegion": item["awsRegion"],
        "tags": item["tags"],
        "relatedEvents": [],
        "relationships": [],
        "configuration": json.dumps(item["configuration"]),
        "supplementaryConfiguration": {
            k: json.dumps(v) for k, v in item["supplementaryConfiguration"].items()
        },
    }


CLASSIC_DESCRIBED = {
    "LoadBalancerName": "billing-legacy",
    "DNSName": "billing-legacy-1402977563.eu-west-1.elb.amazonaws.com",
    "CanonicalHostedZoneName": "billing-legacy-1402977563.eu-west-1.elb.amazonaws.com",
    "CanonicalHostedZoneNameID": "Z32O12XQLNTSW2",
    "ListenerDescriptions": [
        {
            "Listener": {
                "Protocol": "HTTPS",
                "LoadBalancerPort": 443,
                "InstanceProtocol": "HTTP",
                "InstancePort": 8080,
                "SSLCertificateId": CERT,
            },
            "PolicyNames": ["ELBSecurityPolicy-2016-08", "billing-sticky"],
        },
        {
            "Listener": {
                "Protocol": "HTTP",
                "LoadBalancerPort": 80,
                "InstanceProtocol": "HTTP",
                "InstancePort": 8080,
            },
            "PolicyNames": [],
        },
    ],
    "Policies": {
        "AppCookieStickinessPolicies": [],
        "LBCookieStickinessPolicies": [
            {"PolicyName": "billing-sticky", "CookieExpirationPeriod": 600}
        ],
        "OtherPolicies": ["ELBSecurityPolicy-2016-08"],
    },
    "BackendServerDescriptions": [],
    "AvailabilityZones": ["eu-west-1a", "eu-west-1b"],
    "Subnets": ["subnet-0a1b2c3d4e5f60718", "subnet-0f9e8d7c6b5a40312"],
    "VPCId": "vpc-0d4c3b2a1f0e9d8c7",
    "Instances": [{"InstanceId": "i-07a8b9c0d1e2f3a4b"}],
    "HealthCheck": {
        "Target": "HTTP:8080/health",
        "Interval": 30,
        "Timeout": 5,
        "UnhealthyThreshold": 2,
        "HealthyThreshold": 10,
    },
    "SourceSecurityGroup": {"OwnerAlias": "111122223333", "GroupName": "billing-elb"},
    "SecurityGroups": ["sg-0b7e6d5c4a3f2e1d0"],
    "CreatedTime": "2019-05-02T10:11:12+00:00",
    "Scheme": "internet-facing",
}
LB_DESCRIBED = {
    "LoadBalancerArn": LB,
    "DNSName": "shop-frontend-1234567890.eu-west-1.elb.amazonaws.com",
    "CanonicalHostedZoneId": "Z32O12XQLNTSW2",
    "CreatedTime": "2026-03-14T10:21:07.180000+00:00",
    "LoadBalancerName": "shop-frontend",
    "Scheme": "internet-facing",
    "VpcId": "vpc-0d4c3b2a1f0e9d8c7",
    "State": {"Code": "active"},
    "Type": "application",
    "AvailabilityZones": [
        {
            "ZoneName": "eu-west-1a",
            "SubnetId": "subnet-0a1b2c3d4e5f60718",
            "LoadBalancerAddresses": [],
        },
        {
            "ZoneName": "eu-west-1b",
            "SubnetId": "subnet-0f9e8d7c6b5a40312",
            "LoadBalancerAddresses": [],
        },
    ],
    "SecurityGroups": ["sg-0c1d2e3f4a5b6c7d8"],
    "IpAddressType": "ipv4",
}


class TestSnapshotFile:
    def test_describe_gives_back_what_the_items_carried(self):
        """A snapshot file's items describe as the describe-* calls answer."""
        history = History.from_events([], baseline=load("snapshot-eu-west-1.json"))

        described = history.at("2026-03-15T06:01:00Z").describe()

        assert [CLASSIC_DESCRIBED] == described["LoadBalancerDescriptions"]
        assert [LB_DESCRIBED] == described["LoadBalancers"]
        (listener,) = described["Listeners"]
        assert snapshot_item(LISTENER)["configuration"] == listener
        assert {"team": "billing"} == described["Tags"]["billing-legacy"]
        assert {"app": "shop", "env": "prod"} == described["Tags"][LB]
        assert {
            "access_logs.s3.enabled": "false",
            "deletion_protection.enabled": "true",
            "idle_timeout.timeout_seconds": "60",
            "routing.http2.enabled": "true",
        } == described["Attributes"][LB]

    def test_states_are_complete_and_typed(self):
        """Items give complete states; a listener knows its certificates."""
        history = History.from_events([], baseline=load("snapshot-eu-west-1.json"))
        snapshot = history.at("2026-03-15T06:01:00Z")

        assert all(state.complete for state in snapshot)
        assert frozenset() == snapshot["billing-legacy"].unknown
        listener = snapshot[LISTENER]
        assert isinstance(listener, ListenerState)
        assert (CERT,) == listener.certificates

    def test_each_resource_starts_at_its_capture_time(self):
        """Before its item's capture time a resource is not known."""
        history = History.from_events([], baseline=load("snapshot-eu-west-1.json"))

        assert "billing-legacy" not in history.at("2026-03-15T06:00:12Z")
        assert "billing-legacy" in history.at("2026-03-15T06:00:13Z")
        assert LB not in history.at("2026-03-15T06:00:14Z")
        assert LB in history.at("2026-03-15T06:00:15Z")
        assert history.at("2026-03-15T06:00:15Z")[LB].since == datetime(
            2026, 3, 15, 6, 0, 14, 912000, tzinfo=timezone.utc
        )

    def test_a_deleted_item_means_absent(self):
        """An item with status ResourceDeleted names a resource that is gone."""
        history = History.from_events(
            samples(), baseline=load("snapshot-eu-west-1.json")
        )

        assert "legacy-shop" not in history.at("2026-03-15T12:00:00Z")
        assert "legacy-shop" in history.resources()

    def test_other_resource_types_are_left_out_with_a_notice(self):
        """A security group's item is not followed, and the history says so."""
        history = History.from_events([], baseline=load("snapshot-eu-west-1.json"))

        (notice,) = history.notices
        assert notice.startswith("configurationItems[0]: resource type ")
        assert "'AWS::EC2::SecurityGroup' is not one the history follows" in notice
        assert "sg-0b7e6d5c4a3f2e1d0" not in history.resources()

    def test_the_trail_continues_from_the_items(self):
        """Calls after an item change a complete state: the changes are known."""
        history = History.from_events(
            samples(), baseline=load("snapshot-eu-west-1.json")
        )

        changes = history.changes("billing-legacy", since="2026-03-15T06:00:00Z")
        assert changes
        assert all(change.known for change in changes)
        state = history.at("2026-03-15T12:00:00Z")["billing-legacy"]
        assert state.complete
        assert ("i-0b1c2d3e4f5a6b7c8",) == state.instances
        assert "HTTP:8080/ping" == state.get("HealthCheck")["Target"]
        assert {"team": "billing", "owner": "billing"} == state.tags
        # What the calls did not touch is still the item's.
        assert "vpc-0d4c3b2a1f0e9d8c7" == state.get("VPCId")

    def test_calls_before_an_item_do_not_override_it(self):
        """The trail's calls before a capture time do not change that resource."""
        history = History.from_events(
            samples(), baseline=load("snapshot-eu-west-1.json")
        )

        assert [] == history.changes(LB, until="2026-03-15T06:00:14Z")
        # The ELBv2 load balancer was created on the 14th, before its item.
        assert LB not in history.at("2026-03-14T12:00:00Z")
        # Resources without an item keep every call.
        assert TG in history.at("2026-03-14T12:00:00Z")


class TestConfigHistoryOutput:
    def test_json_text_and_the_earliest_item(self):
        """CLI output: configuration as JSON text; the earliest item is the start."""
        history = History.from_events(
            samples(), baseline=load("get-resource-config-history-shop-frontend.json")
        )

        assert LB not in history.at("2026-03-15T09:45:03Z")
        state = history.at("2026-03-15T09:45:04Z")[LB]
        assert ("sg-0c1d2e3f4a5b6c7d8",) == state.get("SecurityGroups")
        assert "120" == state.attributes["idle_timeout.timeout_seconds"]
        assert "INC-2291" == state.tags["incident"]
        (notice,) = history.notices
        assert notice.startswith(f"{LB}: a later item (2026-03-15T10:02:44.518000")
        # The attribute and tag calls of 09:40 and 09:41 are in the item.
        before = history.changes(LB, until="2026-03-15T09:45:03Z")
        assert [] == [c for c in before if c.resource == LB]
        # Its listener has no item: the trail's calls make it.
        assert LISTENER in {c.resource for c in before}

    def test_items_of_different_times_each_start_their_resource(self):
        """Items of several capture times: each resource from its own."""
        classic = snapshot_item("billing-legacy")
        baseline = [
            load("get-resource-config-history-shop-frontend.json"),
            {"configurationItems": [classic]},
        ]

        history = History.from_events(samples(), baseline=baseline)

        assert "billing-legacy" in history.at("2026-03-15T07:00:00Z")
        assert LB not in history.at("2026-03-15T07:00:00Z")
        assert LB in history.at("2026-03-15T09:50:00Z")
        assert all(c.known for c in history.changes("billing-legacy"))

    def test_boto3_form_reads_as_the_file_form(self):
        """boto3's items (JSON text, datetime) give the states the S3 file gives."""
        items = load("snapshot-eu-west-1.json")["configurationItems"]
        from_file = History.from_events([], baseline={"configurationItems": items})
        from_boto3 = History.from_events(
            [], baseline={"configurationItems": [boto3_form(i) for i in items]}
        )

        when = "2026-03-15T06:01:00Z"
        assert from_file.at(when).describe() == from_boto3.at(when).describe()

    def test_one_item_alone(self):
        """A single configuration item is a baseline too."""
        history = History.from_events([], baseline=snapshot_item("billing-legacy"))

        assert ["billing-legacy"] == history.resources()

    def test_baseline_time_replaces_the_capture_times(self):
        """A baseline_time given with items is the time of every item."""
        history = History.from_events(
            samples(),
            baseline=load("snapshot-eu-west-1.json"),
            baseline_time="2026-03-15T07:00:00Z",
        )

        assert "billing-legacy" not in history.at("2026-03-15T06:30:00Z")
        assert history.at("2026-03-15T07:00:00Z")["billing-legacy"].complete


class TestOtherTypes:
    def test_target_group_item(self):
        """A target group item describes as describe-target-groups; targets unknown."""
        item = {
            "resourceType": "AWS::ElasticLoadBalancingV2::TargetGroup",
            "resourceId": TG,
            "resourceName": "shop-web",
            "ARN": TG,
            "configurationItemCaptureTime": "2026-03-15T06:00:00Z",
            "configurationItemStatus": "OK",
            "configuration": {
                "targetGroupArn": TG,
                "targetGroupName": "shop-web",
                "protocol": "HTTP",
                "port": 8080,
                "healthCheckPath": "/healthz",
                "loadBalancerArns": [LB],
            },
            "tags": {},
        }

        history = History.from_events([], baseline=item)

        described = history.at("2026-03-15T06:00:00Z").describe()
        (group,) = described["TargetGroups"]
        assert "/healthz" == group["HealthCheckPath"]
        assert TG not in described["Targets"]
        state = history.at("2026-03-15T06:00:00Z")[TG]
        assert isinstance(state, TargetGroupState)
        assert state.targets is None

    def test_not_recorded_means_absent(self):
        """ResourceNotRecorded and ResourceDeletedNotRecorded: absent."""
        items = []
        for status in ("ResourceNotRecorded", "ResourceDeletedNotRecorded"):
            item = copy.deepcopy(snapshot_item("billing-legacy"))
            item["configurationItemStatus"] = status
            item["configuration"] = None
            items.append(item)

        history = History.from_events([], baseline={"configurationItems": items})

        assert 0 == len(history.at("2026-03-16T00:00:00Z"))


class TestBadItems:
    def bad(self, change: Any, match: str) -> None:
        item = copy.deepcopy(snapshot_item("shop-frontend"))
        change(item)
        items = [snapshot_item("billing-legacy"), item]
        with pytest.raises(ValueError, match=match):
            History.from_events([], baseline={"configurationItems": items})

    def test_missing_arn(self):
        """An ELBv2 item without its ARN says which item."""

        def change(item: dict[str, Any]) -> None:
            del item["ARN"]
            item["resourceId"] = "50dc6c495c0c9188"
            del item["configuration"]["loadBalancerArn"]

        self.bad(
            change,
            r"baseline: configurationItems\[1\] "
            r"\(AWS::ElasticLoadBalancingV2::LoadBalancer shop-frontend\) has no ARN",
        )

    def test_configuration_null(self):
        """A resource that exists needs its configuration."""
        self.bad(
            lambda item: item.update(configuration=None),
            r"configurationItems\[1\] .*: configuration is null, not an object, "
            r"in an item with status 'OK'",
        )

    def test_configuration_is_broken_json_text(self):
        """Configuration text that is not JSON is named, with the reason."""
        self.bad(
            lambda item: item.update(configuration='{"loadBalancerArn": "arn:'),
            r"configurationItems\[1\] .*: configuration is text that is not JSON "
            r"\(Unterminated string",
        )

    def test_supplementary_value_is_broken_json_text(self):
        """A supplementary value that is not JSON is named."""
        self.bad(
            lambda item: item["supplementaryConfiguration"].update(Tags="[{"),
            r"supplementaryConfiguration.Tags is text that is not JSON",
        )

    def test_no_capture_time(self):
        """Without a capture time (and no baseline_time), the item is refused."""
        self.bad(
            lambda item: item.update(configurationItemCaptureTime="soon"),
            r"has no readable configurationItemCaptureTime \(got 'soon'\); "
            "give baseline_time",
        )

    def test_items_not_a_list(self):
        """configurationItems must be a list."""
        with pytest.raises(ValueError, match="configurationItems is dict, not a list"):
            History.from_events([], baseline={"configurationItems": {}})

    def test_item_not_an_object(self):
        """An item that is not an object is named by its place."""
        with pytest.raises(ValueError, match=r"configurationItems\[0\] is str"):
            History.from_events([], baseline={"configurationItems": ["x"]})

    def test_describe_output_still_needs_its_time(self):
        """describe-* output without baseline_time is refused, as before."""
        with pytest.raises(ValueError, match="describe-\\* output needs its"):
            History.from_events([], baseline={"LoadBalancers": []})


@given(st.permutations(range(5)), st.datetimes(timezones=st.just(timezone.utc)))
def test_item_order_never_changes_the_history(order, when):
    """The items' order in the baseline does not matter."""
    items = load("snapshot-eu-west-1.json")["configurationItems"]
    expected = History.from_events([], baseline={"configurationItems": items})

    shuffled = History.from_events(
        [], baseline={"configurationItems": [items[i] for i in order]}
    )

    assert expected.at(when).describe() == shuffled.at(when).describe()


class TestCommandLine:
    def run(self, *args: str) -> int:
        from elbtrail._cli import main  # noqa: PLC0415

        return main(list(args))

    def test_baseline_file_completes_a_resource(self, capsys, tmp_path):
        """--baseline reads a Config file, gzip as Config delivers it."""
        import gzip  # noqa: PLC0415

        path = tmp_path / "snapshot.json.gz"
        path.write_bytes(gzip.compress((DATA / "snapshot-eu-west-1.json").read_bytes()))

        status = self.run(
            "history",
            str(SAMPLES),
            "--baseline",
            str(path),
            "--at",
            "2026-03-15T12:00:00Z",
            "--resource",
            "billing-legacy",
            "--format",
            "json",
        )

        assert 0 == status
        captured = capsys.readouterr()
        (lb,) = json.loads(captured.out)["LoadBalancerDescriptions"]
        assert "vpc-0d4c3b2a1f0e9d8c7" == lb["VPCId"]
        assert "'AWS::EC2::SecurityGroup' is not one the history follows" in (
            captured.err
        )

    def test_bad_baseline_is_a_usage_error(self, capsys, tmp_path):
        """A baseline that cannot be read: exit status 2, saying which and why."""
        item = copy.deepcopy(snapshot_item("shop-frontend"))
        item["configuration"] = "{broken"
        path = tmp_path / "items.json"
        path.write_text(json.dumps({"configurationItems": [item]}), encoding="utf-8")
        missing = tmp_path / "none.json"

        assert 2 == self.run("history", str(SAMPLES), "--baseline", str(path))
        assert "configuration is text that is not JSON" in capsys.readouterr().err
        assert 2 == self.run("history", str(SAMPLES), "--baseline", str(missing))
        assert f"--baseline {missing}: " in capsys.readouterr().err
        assert 2 == self.run("history", str(SAMPLES), "--baseline-time", "2026-03-15")
        assert "--baseline-time needs --baseline" in capsys.readouterr().err

    def test_describe_output_with_its_time(self, capsys, tmp_path):
        """--baseline with describe-* output takes --baseline-time."""
        path = tmp_path / "describe.json"
        path.write_text(
            json.dumps({"LoadBalancerDescriptions": [{"LoadBalancerName": "x"}]}),
            encoding="utf-8",
        )

        status = self.run(
            "history",
            str(SAMPLES),
            "--baseline",
            str(path),
            "--baseline-time",
            "2026-03-15T00:00:00Z",
            "--at",
            "2026-03-15T01:00:00Z",
            "--format",
            "json",
        )

        assert 0 == status
        names = [
            d["LoadBalancerName"]
            for d in json.loads(capsys.readouterr().out)["LoadBalancerDescriptions"]
        ]
        assert "x" in names


def about(described: dict[str, Any], ids: set[str]) -> dict[str, Any]:
    """The parts of a described snapshot about *ids*."""
    out: dict[str, Any] = {}
    for key, value in described.items():
        if isinstance(value, dict):
            out[key] = {k: v for k, v in value.items() if k in ids}
        else:
            out[key] = [
                i
                for i in value
                if (
                    i.get("ListenerArn")
                    or i.get("LoadBalancerArn")
                    or i.get("LoadBalancerName")
                )
                in ids
            ]
    return out


@given(st.lists(st.integers(0, 10_000), max_size=30))
def test_calls_before_a_capture_time_never_change_its_item(picks):
    """Whatever calls come before an item's time, the state then is the item's."""
    events = samples()
    chosen = [events[i % len(events)] for i in picks]
    baseline = load("snapshot-eu-west-1.json")
    alone = History.from_events([], baseline=baseline)

    history = History.from_events(chosen, baseline=baseline)

    ids = {"billing-legacy", LB, LISTENER}
    for when in ("2026-03-15T06:00:14Z", "2026-03-15T06:00:16Z"):
        expected = about(alone.at(when).describe(), ids)
        assert expected == about(history.at(when).describe(), ids)
