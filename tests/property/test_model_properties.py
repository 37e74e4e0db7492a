"""Properties of the models themselves: what attrs promises holds for parsed events."""

from __future__ import annotations

import contextlib
import copy
import json
import pickle
from typing import Any

import attrs
from hypothesis import given
from hypothesis import strategies as st

import elbtrail
from elbtrail import strategies as ets

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
UNKNOWN = st.dictionaries(
    st.text(max_size=8).map(lambda k: f"new{k}"), JSON, max_size=3
)


@st.composite
def records_with_unknowns(draw: st.DrawFn) -> dict[str, Any]:
    """A generated record with unknown keys in the envelope, identity and parameters."""
    record = draw(ets.records())
    record.update(draw(UNKNOWN))
    for part in ("userIdentity", "requestParameters", "tlsDetails"):
        if isinstance(record.get(part), dict):
            record[part].update(draw(UNKNOWN))
    return record


def rebuild(value: Any) -> Any:
    """The same value, with every model in it built again through ``__init__``."""
    if isinstance(value, elbtrail.Model):
        return type(value)(
            **{
                a.alias: rebuild(getattr(value, a.name))
                for a in attrs.fields(type(value))
                if a.init
            }
        )
    if isinstance(value, tuple):
        return tuple(rebuild(item) for item in value)
    return value


def models_in(value: Any) -> list[elbtrail.Model]:
    """Every model reachable from *value*."""
    out: list[elbtrail.Model] = []
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, elbtrail.Model):
            out.append(item)
            stack.extend(getattr(item, a.name) for a in attrs.fields(type(item)))
        elif isinstance(item, tuple):
            stack.extend(item)
    return out


def mutate_everything(value: Any) -> None:
    """Change every mutable container reachable from *value* that allows it."""
    stack = [value]
    seen: set[int] = set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, elbtrail.Model):
            stack.extend(getattr(item, a.name) for a in attrs.fields(type(item)))
        elif isinstance(item, tuple):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.values())
            # A read-only mapping refuses: nothing to change there.
            with contextlib.suppress(TypeError):
                item["mutated"] = True
        elif isinstance(item, list):
            stack.extend(item)
            item.append("mutated")


class TestLikeInit:
    @given(records_with_unknowns())
    def test_read_from_json_equals_built_through_init(self, record):
        """Each model of a parsed event equals the one __init__ builds from it."""
        event = elbtrail.parse_event(record)

        rebuilt = rebuild(event)

        assert rebuilt == event
        assert record == rebuilt.to_dict()
        for read, built in zip(models_in(event), models_in(rebuilt), strict=True):
            expected = vars(built)
            actual = dict(vars(read))
            if isinstance(read, elbtrail.Event):
                actual["issues"] = ()  # set by parse_event, not an __init__ argument
            assert expected == actual
            assert attrs.asdict(built) == attrs.asdict(read)

    @given(records_with_unknowns())
    def test_evolve_pickle_and_copy_keep_the_record(self, record):
        """attrs.evolve, pickle and copy give equal events that print the record."""
        event = elbtrail.parse_event(record)

        for clone in (
            attrs.evolve(event),
            pickle.loads(pickle.dumps(event)),  # noqa: S301 - our own bytes
            copy.deepcopy(event),
            copy.copy(event),
        ):
            assert event == clone
            assert record == clone.to_dict()


class TestEquality:
    @given(records_with_unknowns(), st.data())
    def test_equal_exactly_when_records_are_equal(self, record, data):
        """== on events agrees with == on the records they print."""
        other = copy.deepcopy(record)
        if data.draw(st.booleans()):
            key = data.draw(st.sampled_from(sorted(other)))
            other[key] = data.draw(JSON)

        first = elbtrail.parse_event(record)
        second = elbtrail.parse_event(other)

        assert (record == other) == (first == second)
        assert (first.to_dict() == second.to_dict()) == (first == second)

    def test_null_missing_and_wrong_type_differ(self):
        """A null, a wrongly typed value and no value are three different events."""
        events = [
            elbtrail.parse_event({}),
            elbtrail.parse_event({"awsRegion": None}),
            elbtrail.parse_event({"awsRegion": 5}),
            elbtrail.parse_event({"awsRegion": "5"}),
        ]

        for i, first in enumerate(events):
            for j, second in enumerate(events):
                assert (i == j) == (first == second)
                assert (i == j) == (first.to_dict() == second.to_dict())


class TestIsolation:
    @given(records_with_unknowns())
    def test_mutating_an_event_changes_neither_its_record_nor_another_event(
        self, record
    ):
        """Values are copied from the record and never shared between events."""
        snapshot = json.loads(json.dumps(record))
        first = elbtrail.parse_event(record)
        second = elbtrail.parse_event(copy.deepcopy(record))

        mutate_everything(first)
        mutate_everything(first.to_dict())

        assert snapshot == record
        assert snapshot == second.to_dict()

    @given(records_with_unknowns())
    def test_mutating_the_record_does_not_change_the_event(self, record):
        """The event keeps copies: changing the record afterwards does nothing."""
        snapshot = json.loads(json.dumps(record))
        event = elbtrail.parse_event(record)

        mutate_everything(record)

        assert snapshot == event.to_dict()
