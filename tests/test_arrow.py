"""Events and issues as Arrow tables: the schema, derived columns, the round trip."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

import elbtrail
from elbtrail import _arrow
from elbtrail import strategies as ets

# Odd JSON: the values that trip up a columnar layout.
ODD = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=2**64, max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text()
    | st.sampled_from(["\ud800", "x\udfffy", "", "true", "1.0", "null"]),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)

ODD_TIMES = st.sampled_from(
    [
        "2026-03-01T10:00:00.123Z",
        "2026-03-01T10:00:00.123456Z",
        "2026-03-01T10:00:00+02:00",
        "Apr 11, 2016 5:23:50 PM",
        "20131102T010628Z",
        "0001-01-01T00:00:00Z",
        "not a time",
        "",
    ]
) | st.integers(-(2**40), 2**40)


@st.composite
def odd_records(draw: st.DrawFn) -> dict[str, Any]:
    """A generated record of any action, then made odd at random places."""
    record = draw(ets.records())
    nodes: list[Any] = []
    stack: list[Any] = [record]
    while stack:
        node = stack.pop()
        nodes.append(node)
        children = node.values() if isinstance(node, dict) else node
        stack.extend(c for c in children if isinstance(c, (dict, list)))
    for _ in range(draw(st.integers(0, 4))):
        node = draw(st.sampled_from(nodes))
        if isinstance(node, dict):
            key = draw(st.text(max_size=8) | st.sampled_from(sorted(node) or ["k"]))
            node[key] = draw(ODD)
        elif node:
            node[draw(st.integers(0, len(node) - 1))] = draw(ODD)
    if draw(st.booleans()):
        record["eventTime"] = draw(ODD_TIMES)
    for key in draw(
        st.lists(st.sampled_from([*sorted(record), "requestParameters"]), max_size=2)
    ):
        record.pop(key, None)
    return record


def round_trip(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    events = [elbtrail.parse_event(r) for r in records]
    return [e.to_dict() for e in elbtrail.from_arrow(elbtrail.to_arrow(events))]


class TestRoundTrip:
    @given(st.lists(ets.records(), min_size=1, max_size=8))
    def test_generated_records_of_every_action_come_back(self, records):
        """from_arrow(to_arrow(events)) gives back every record, for all actions."""
        assert records == round_trip(records)

    @given(st.lists(odd_records(), min_size=1, max_size=5))
    def test_odd_values_and_unknown_fields_come_back(self, records):
        """Wrong types, unknown keys, odd times, surrogates and huge numbers survive."""
        read = [elbtrail.parse_event(r).to_dict() for r in records]

        assert read == round_trip(records)

    @given(st.lists(odd_records(), min_size=1, max_size=5))
    def test_records_read_from_a_file_come_back(self, records):
        """file_to_arrow keeps the records as read, odd values and all."""
        data = json.dumps({"Records": records}).encode("utf-8", "surrogatepass")
        read = elbtrail.loads(data, elb_only=False)

        events, _ = elbtrail.file_to_arrow(data, "log.json", elb_only=False)

        assert [e.to_dict() for e in read] == [
            e.to_dict() for e in elbtrail.from_arrow(events)
        ]
        assert list(range(len(records))) == events.column("record_index").to_pylist()

    @given(st.dictionaries(st.text(max_size=12), ODD, max_size=6))
    def test_any_json_object_comes_back(self, record):
        """A record of arbitrary keys and values is kept whole."""
        assert [record] == round_trip([record])

    @given(st.data())
    def test_each_action_comes_back(self, data):
        """Each of the 80 actions, asked for by name, survives the table."""
        action = data.draw(st.sampled_from(ets.all_actions()))
        record = data.draw(ets.records(action.name, action.api.value))

        table = elbtrail.to_arrow([elbtrail.parse_event(record)])

        assert [record] == [e.to_dict() for e in elbtrail.from_arrow(table)]
        assert [action.name] == table.column("action").to_pylist()

    def test_corpus_comes_back(self):
        """The public corpus, every service, survives the table."""
        result = elbtrail.read("tests/data/corpus", elb_only=False)

        back = elbtrail.from_arrow(elbtrail.to_arrow(result.events))

        assert [e.to_dict() for e in result.events] == [e.to_dict() for e in back]

    def test_explicit_null_and_absent_keys_differ(self):
        """A key set to null and a key left out are told apart, for every column."""
        keys = ["eventTime", "eventName", "readOnly", "requestParameters", "addendum"]
        nulls = dict.fromkeys(keys)
        records = [nulls, {}, {"requestParameters": None}, {"addendum": None}]

        assert records == round_trip(records)

    @pytest.mark.parametrize("depth", [100, 250])
    def test_deeply_nested_values_come_back(self, depth):
        """Values nested as deep as the readers accept are written and read back."""
        deep = "[" * depth + "]" * depth
        data = (
            '{"Records":[{"eventName":"X","unknown":{"b":' + deep + "},"
            '"eventSource":"elasticloadbalancing.amazonaws.com",'
            '"requestParameters":{"a":' + deep + "}}]}"
        )
        read = elbtrail.loads(data)

        back = elbtrail.from_arrow(elbtrail.to_arrow(read.events))

        # Compared as text: == on values this deep exhausts Python's recursion.
        first, again = read.events[0].to_dict(), back[0].to_dict()
        assert sorted(first) == sorted(again)
        assert [_arrow._dumps(first[k]) for k in sorted(first)] == [
            _arrow._dumps(again[k]) for k in sorted(first)
        ]

    @given(ODD)
    def test_the_deep_encoder_writes_what_json_writes(self, value):
        """The encoder for deep values gives the standard library's text."""
        assert json.dumps(
            value, ensure_ascii=True, separators=(",", ":")
        ) == _arrow._dumps_deep(value)

    def test_record_batches_and_filtered_tables_are_read(self):
        """from_arrow reads a slice or a record batch, in its row order."""
        records = [{"eventName": f"N{i}", "eventID": str(i)} for i in range(5)]
        table = elbtrail.to_arrow(elbtrail.parse_event(r) for r in records)

        back = elbtrail.from_arrow(table.slice(1, 2).to_batches()[0])

        assert records[1:3] == [e.to_dict() for e in back]


class TestColumns:
    def test_envelope_is_typed(self, v2_create):
        """Times are UTC milliseconds, booleans booleans, strings strings."""
        table = elbtrail.to_arrow([elbtrail.parse_event(v2_create)])
        row = table.to_pylist()[0]

        assert pa.timestamp("ms", tz="UTC") == table.schema.field("event_time").type
        assert v2_create["eventTime"] == row["event_time"].strftime(
            "%Y-%m-%dT%H:%M:%SZ"
        )
        assert v2_create["eventName"] == row["event_name"]
        assert "v2" == row["api"]
        assert "CreateLoadBalancer" == row["action"]
        assert v2_create["requestParameters"] == json.loads(row["request_parameters"])
        assert row["other_fields"] is None

    def test_identity_is_flattened(self):
        """The caller's type, ARN, session issuer and MFA are columns."""
        record = {
            "userIdentity": {
                "type": "AssumedRole",
                "principalId": "AROAEXAMPLE:alice",
                "arn": "arn:aws:sts::111122223333:assumed-role/Admin/alice",
                "accountId": "111122223333",
                "accessKeyId": "ASIAEXAMPLE",
                "sessionContext": {
                    "sessionIssuer": {
                        "type": "Role",
                        "arn": "arn:aws:iam::111122223333:role/Admin",
                        "userName": "Admin",
                        "accountId": "111122223333",
                    },
                    "attributes": {"mfaAuthenticated": "true"},
                },
            }
        }

        row = elbtrail.to_arrow([elbtrail.parse_event(record)]).to_pylist()[0]

        assert "AssumedRole" == row["user_identity_type"]
        assert "ASIAEXAMPLE" == row["user_identity_access_key_id"]
        assert "arn:aws:iam::111122223333:role/Admin" == row["session_issuer_arn"]
        assert "Admin/alice" == row["principal"]
        assert row["mfa_authenticated"] is True

    @given(st.lists(ets.events(), min_size=1, max_size=6))
    def test_resource_columns_list_what_the_call_touched(self, events):
        """ELB resource columns are touched_resources(), split by kind."""
        rows = elbtrail.to_arrow(events).to_pylist()

        for event, row in zip(events, rows, strict=True):
            touched = elbtrail.touched_resources(event)

            def of(kind, attribute, touched=touched):
                found = [getattr(t, attribute) for t in touched if t.kind.value == kind]
                return [f for f in found if f is not None] or None

            assert of("load-balancer", "name") == row["load_balancer_names"]
            assert of("load-balancer", "arn") == row["load_balancer_arns"]
            assert of("listener", "arn") == row["listener_arns"]
            assert of("target-group", "arn") == row["target_group_arns"]
            assert of("rule", "arn") == row["rule_arns"]
            assert of("target", "name") == row["target_ids"]

    def test_registered_targets_are_columns(self):
        """A RegisterTargets call names its target group and targets."""
        group = (
            "arn:aws:elasticloadbalancing:us-east-1:111122223333:"
            "targetgroup/web/0123456789abcdef"
        )
        record = {
            "eventSource": "elasticloadbalancing.amazonaws.com",
            "eventName": "RegisterTargets",
            "apiVersion": "2015-12-01",
            "requestParameters": {
                "targetGroupArn": group,
                "targets": [{"id": "i-0abc"}, {"id": "10.0.0.5", "port": 80}],
            },
            "responseElements": None,
        }

        row = elbtrail.to_arrow([elbtrail.parse_event(record)]).to_pylist()[0]

        assert [group] == row["target_group_arns"]
        assert ["i-0abc", "10.0.0.5"] == row["target_ids"]

    def test_values_arrow_cannot_hold_go_to_other_fields(self):
        """A lone surrogate or a wrong type leaves the column null, kept aside."""
        record = {"eventName": "Bad\ud800", "readOnly": "yes", "eventTime": 5}

        row = elbtrail.to_arrow([elbtrail.parse_event(record)]).to_pylist()[0]

        assert row["event_name"] is None
        assert row["read_only"] is None
        assert row["event_time"] is None
        assert record == json.loads(row["other_fields"])

    def test_schema_is_stable(self):
        """The documented column order; new columns only ever go at the end."""
        names = elbtrail.to_arrow([]).schema.names

        assert [
            "event_time",
            "event_name",
            "api",
            "action",
            "event_version",
            "event_source",
            "aws_region",
            "recipient_account_id",
        ] == names[:8]
        assert ["other_fields", "absent_fields", "source", "record_index"] == names[-4:]
        assert 58 == len(names)

    def test_empty_input_gives_an_empty_table(self):
        """No events: no rows, the same schema."""
        table = elbtrail.to_arrow(iter(()))

        assert 0 == table.num_rows
        assert [] == elbtrail.from_arrow(table)

    def test_a_table_of_something_else_is_refused(self):
        """from_arrow names the columns a foreign table lacks."""
        with pytest.raises(ValueError, match=r"lacks the columns \['addendum'"):
            elbtrail.from_arrow(pa.table({"x": [1]}))


class TestThreads:
    def test_tables_built_in_threads_are_the_same(self):
        """to_arrow from several threads at once gives the same table each time."""
        events = elbtrail.read("tests/data/corpus", elb_only=False).events
        expected = elbtrail.to_arrow(events)

        with ThreadPoolExecutor(4) as pool:
            tables = list(pool.map(lambda _: elbtrail.to_arrow(events), range(8)))

        assert all(expected.equals(table) for table in tables)


class TestIssues:
    def test_issues_have_their_own_table(self):
        """Every issue is a row with its severity, code and place."""
        result = elbtrail.read("tests/data/corpus")
        table = elbtrail.issues_to_arrow(result.issues)

        rows = table.to_pylist()

        assert len(result.issues) == table.num_rows > 0
        assert [i.code for i in result.issues] == [r["code"] for r in rows]
        assert [i.severity.value for i in result.issues] == table.column(
            "severity"
        ).to_pylist()
        assert [i.line for i in result.issues] == [r["line"] for r in rows]


class TestWithoutPyarrow:
    def test_import_does_not_load_pyarrow(self):
        """import elbtrail stays light: pyarrow is loaded on first use."""
        code = "import sys, elbtrail; print('pyarrow' in sys.modules)"

        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )

        assert "False" == out.stdout.strip()

    def test_missing_pyarrow_names_the_extra(self, monkeypatch):
        """Without pyarrow, to_arrow says which extra to install."""
        monkeypatch.setitem(sys.modules, "pyarrow", None)

        with pytest.raises(ModuleNotFoundError, match=r"elbtrail\[arrow\]"):
            elbtrail.to_arrow([])
