"""Properties that must hold for every input: round trips, and no crashes."""

from __future__ import annotations

import contextlib
import json
from collections import Counter
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import elbtrail
from elbtrail import _readers
from elbtrail import strategies as ets
from elbtrail._decoders import MAX_DEPTH, too_deep

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


def mutate(record: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    """Replace one value, at any depth, with arbitrary JSON."""
    out = json.loads(json.dumps(record))
    node: Any = out
    while True:
        if isinstance(node, dict) and node:
            key = data.draw(st.sampled_from(sorted(node)))
        elif isinstance(node, list) and node:
            key = data.draw(st.integers(0, len(node) - 1))
        else:
            return out
        child = node[key]
        if not isinstance(child, (dict, list)) or data.draw(st.booleans()):
            node[key] = data.draw(JSON)
            return out
        node = child


class TestRoundTrip:
    @given(ets.records())
    def test_every_record_round_trips(self, record):
        """to_dict() gives back any record of any action."""
        event = elbtrail.parse_event(record)

        assert record == event.to_dict()
        assert not [i for i in event.issues if i.is_damage]

    @given(st.data())
    def test_every_action_round_trips(self, data):
        """Each of the 80 actions, asked for by name, round-trips."""
        action = data.draw(st.sampled_from(ets.all_actions()))
        record = data.draw(ets.records(action.name, action.api.value))

        event = elbtrail.parse_event(record)

        assert action == event.action
        assert record == event.to_dict()

    @given(ets.identities())
    def test_identities_round_trip(self, identity):
        """Every identity type drawn parses to its class and round-trips."""
        event = elbtrail.parse_event({"userIdentity": identity})

        assert identity == event.to_dict()["userIdentity"]
        assert elbtrail.IDENTITY_TYPES[identity["type"]] is type(event.user_identity)

    @given(st.dictionaries(st.text(max_size=12), JSON, max_size=8))
    def test_envelope_round_trips_whatever_its_keys(self, record):
        """Any JSON object is kept whole, known keys or not, right types or not."""
        event = elbtrail.parse_event(record)

        assert record == event.to_dict()


class TestTolerance:
    @given(ets.records(), st.data())
    def test_mutated_records_never_raise_and_are_kept_verbatim(self, record, data):
        """Whatever is replaced inside a record, it parses and round-trips."""
        changed = mutate(record, data)

        event = elbtrail.parse_event(changed)

        assert changed == event.to_dict()

    @given(ets.records(), st.data())
    def test_strict_mode_raises_only_parse_error(self, record, data):
        """Strict parsing either succeeds or raises ParseError."""
        changed = mutate(record, data)
        try:
            event = elbtrail.parse_event(changed, strict=True)
        except elbtrail.ParseError as error:
            raised = list(error.issues)
        else:
            raised = [elbtrail.Issue(message="none", code="wrong-type")]
            assert changed == event.to_dict()
            assert not [i for i in event.issues if i.is_damage]
        # It raised because of damage, never for notices alone.
        assert any(i.is_damage for i in raised)

    @given(st.binary(max_size=300))
    def test_arbitrary_bytes_never_crash(self, data):
        """Any bytes give a result, never an exception."""
        result = elbtrail.loads(data)
        assert isinstance(result, elbtrail.LogResult)

    @given(st.text(max_size=300))
    def test_arbitrary_text_strict_raises_only_parse_error(self, text):
        """In strict mode, any text either reads or raises ParseError."""
        with contextlib.suppress(elbtrail.ParseError):
            elbtrail.loads(text, strict=True)


class TestFiles:
    @given(ets.log_file_cases())
    def test_valid_files_lose_no_record(self, case):
        """A file that is still valid JSON gives back every record, in order."""
        every = elbtrail.loads(case.data, elb_only=False)
        elb = elbtrail.loads(case.data)

        assert list(case.records) == [e.to_dict() for e in every]
        assert case.elb_records == [e.to_dict() for e in elb]
        assert not elb.damaged

    @given(case=ets.log_file_cases(max_records=4))
    def test_streaming_matches_loads(self, case, tmp_path_factory):
        """iter_events over a file gives what loads gives for its bytes."""
        path = tmp_path_factory.mktemp("logs") / "file.json"
        path.write_bytes(case.data)

        whole = [e.to_dict() for e in elbtrail.iter_events(path, elb_only=False)]
        # The same file scanned record by record, as a large one would be.
        with mock.patch.object(_readers, "WHOLE_FILE_LIMIT", 0):
            scanned = [e.to_dict() for e in elbtrail.iter_events(path, elb_only=False)]

        assert list(case.records) == whole == scanned

    @given(ets.damaged_log_files(elb_only=False))
    def test_damaged_files_keep_what_can_be_kept(self, damaged):
        """Every record that survives the damage comes back, equal, in order."""
        result = elbtrail.loads(damaged.data, elb_only=False)
        got = [e.to_dict() for e in result]

        remaining = iter(got)
        missing = [r for r in damaged.intact if not any(r == g for g in remaining)]
        assert [] == missing, damaged.damage
        if not damaged.damage.startswith(("wrong-type", "none")):
            assert result.issues, damaged.damage


class TestStrategies:
    def test_records_cover_many_actions(self):
        """300 examples of records() cover at least 40 (apiVersion, action) pairs."""
        pairs: Counter[tuple[str, str]] = Counter()

        @settings(
            max_examples=300,
            database=None,
            phases=[Phase.generate],
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(ets.records())
        def collect(record):
            pairs[record["apiVersion"], record["eventName"]] += 1

        collect()

        assert 300 == sum(pairs.values())
        assert len(pairs) >= 40

    @pytest.mark.parametrize(
        "action", ets.all_actions(), ids=lambda a: f"{a.api.name}-{a.name}"
    )
    @settings(max_examples=3)
    @given(data=st.data())
    def test_every_action_by_name(self, action, data):
        """Each of the 80 actions can be asked for by name and API version."""
        record = data.draw(ets.records(action.name, action.api.value))

        assert (action.api.value, action.name) == (
            record["apiVersion"],
            record["eventName"],
        )
        assert action == elbtrail.parse_event(record).action

    @given(data=st.data())
    def test_shared_name_without_api_draws_either(self, data):
        """A name both APIs have, asked for without a version, is one of them."""
        record = data.draw(ets.records("CreateLoadBalancer"))

        assert record["apiVersion"] in {"2012-06-01", "2015-12-01"}

    def test_unknown_action_is_refused(self):
        """Asking for an action that does not exist is a clear error."""
        with pytest.raises(ValueError, match="no ELB action named 'Teleport'"):
            ets.records("Teleport")

    @given(ets.events(errors=True))
    def test_error_events(self, event):
        """errors=True gives failed calls."""
        assert event.is_error


def _places(value: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to an object or a list in *value*."""
    out = [at] if isinstance(value, (dict, list)) else []
    if isinstance(value, dict):
        for key, item in value.items():
            out += _places(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            out += _places(item, (*at, index))
    return out


def _nested(levels: int) -> list[Any]:
    """A list nested *levels* deep (``[]`` is one level)."""
    value: list[Any] = []
    for _ in range(levels - 1):
        value = [value]
    return value


def _deepen(record: dict[str, Any], at: tuple[Any, ...], key: Any, excess: int) -> None:
    """Put a list under *key* at *at*: the record is MAX_DEPTH + *excess* deep."""
    container: Any = record
    for step in at:
        container = container[step]
    # The record is one level, and each step down one more.
    levels = MAX_DEPTH + excess - (len(at) + 1)
    if isinstance(container, list):
        container.append(_nested(levels))
    else:
        container[key] = _nested(levels)


class TestDepth:
    @given(
        ets.records(),
        st.data(),
        st.integers(-2, 2),
        st.booleans(),
        st.booleans(),
    )
    def test_a_record_is_dropped_exactly_when_it_nests_too_deep(
        self, record, data, excess, replace, elb_only
    ):
        """Nesting put anywhere in a record: dropped if and only if too deep."""
        at = data.draw(st.sampled_from(_places(record)))
        container: Any = record
        for step in at:
            container = container[step]
        # (A record whose eventSource is replaced is another service's.)
        keys = (
            sorted(set(container) - {"eventSource"})
            if isinstance(container, dict)
            else []
        )
        key = (
            data.draw(st.sampled_from(keys)) if replace and keys else "nestedForTheTest"
        )
        _deepen(record, at, key, excess)
        text = json.dumps({"Records": [record]}).encode()

        result = elbtrail.loads(text, elb_only=elb_only)

        dropped = "too-deep" in [i.code for i in result.issues]
        assert dropped == too_deep(record) == (excess > 0)
        assert len(result.events) == (0 if dropped else 1)

    @pytest.mark.parametrize("excess", [0, 1])
    @pytest.mark.parametrize(
        ("changes", "at", "elb_only"),
        [
            ({}, ("requestParameters",), True),  # an unknown key
            ({"additionalEventData": {}}, ("additionalEventData",), True),  # untyped
            ({"eventName": "ANewAction"}, ("requestParameters",), True),
            ({"eventSource": "s3.amazonaws.com"}, ("requestParameters",), False),
        ],
        ids=["unknown key", "untyped field", "unknown action", "other service"],
    )
    def test_nesting_where_nothing_is_typed_is_measured(
        self, changes, at, elb_only, excess
    ):
        """Kept as read, however deep: the record's depth is measured."""
        record = {
            "eventSource": "elasticloadbalancing.amazonaws.com",
            "eventName": "DeleteRule",
            "apiVersion": "2015-12-01",
            "requestParameters": {"ruleArn": "arn:r"},
            **changes,
        }
        _deepen(record, at, "nested", excess)
        text = json.dumps({"Records": [record]}).encode()

        result = elbtrail.loads(text, elb_only=elb_only)

        assert (excess > 0) == too_deep(record)
        deep = [i.code for i in result.issues if i.code == "too-deep"]
        assert (["too-deep"] if excess > 0 else []) == deep
        assert len(result.events) == (0 if excess > 0 else 1)

    def test_a_value_of_the_wrong_type_is_measured(self):
        """A deep list where a string belongs is kept as read, and measured."""
        record = {
            "eventSource": "elasticloadbalancing.amazonaws.com",
            "eventName": "DeleteRule",
            "apiVersion": "2015-12-01",
            "requestParameters": {"ruleArn": "arn:r"},
        }
        _deepen(record, ("requestParameters",), "ruleArn", 1)

        result = elbtrail.loads(json.dumps({"Records": [record]}).encode())

        assert ["too-deep"] == [i.code for i in result.issues]
