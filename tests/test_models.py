"""The models' contract: attrs' promises, interning, misuse of parse_event."""

from __future__ import annotations

import copy
import enum
import inspect
import json
import math
from datetime import datetime, timezone
from typing import Any

import attrs
import pytest

import elbtrail
from elbtrail import Model, _model, classic


def identity_record(**fields: Any) -> dict[str, Any]:
    """A record whose IAM user identity has *fields* besides its type."""
    return {"userIdentity": {"type": "IAMUser", **fields}}


class TestAttrsPromises:
    def test_private_state_is_neither_an_argument_nor_in_asdict(self, classic_create):
        """__init__ takes the fields; asdict shows the fields; nothing private."""
        event = elbtrail.parse_event(classic_create)
        names = {a.name for a in attrs.fields(elbtrail.Event)}

        parameters = set(inspect.signature(elbtrail.Event).parameters)

        assert not [n for n in parameters | names if n.startswith("_")]
        assert names - {"issues"} == parameters
        assert names == set(attrs.asdict(event, recurse=False))

    def test_every_field_is_stored_like_init_does(self, classic_create):
        """A parsed model's __dict__ is what __init__ leaves, in field order."""
        listener = elbtrail.parse_event(classic_create).request_parameters.listeners[0]

        built = classic.Listener(**attrs.asdict(listener, recurse=False))

        assert list(vars(built).items()) == list(vars(listener).items())

    def test_equality_compares_what_attrs_would(self, classic_create):
        """Same class and fields: equal, same hash; issues are not compared."""
        event = elbtrail.parse_event(classic_create)
        again = elbtrail.parse_event(classic_create)
        flagged = attrs.evolve(event)
        object.__setattr__(flagged, "issues", ("anything",))

        assert event == again == flagged
        assert hash(event.user_identity) == hash(again.user_identity)
        assert event != attrs.evolve(event, aws_region="nowhere")
        assert event != event.user_identity
        assert event.__eq__(object()) is NotImplemented

    def test_equality_tells_apart_classes_and_unknown_keys(self):
        """Another class with the same fields, or other unknown keys: not equal."""
        iam = elbtrail.IAMUserIdentity(user_name="alice")
        root = elbtrail.RootIdentity(user_name="alice")
        known = classic.Listener.from_dict({"protocol": "HTTP"})
        unknown = classic.Listener.from_dict({"protocol": "HTTP", "new": 1})

        assert iam != root
        assert known != unknown
        assert hash(known) == hash(unknown)  # extra is compared, not hashed
        assert {iam, elbtrail.IAMUserIdentity(user_name="alice")} == {iam}

    def test_a_nan_field_is_unequal_even_to_itself(self):
        """Fields compare with ==, one by one, as attrs compares them."""
        state = elbtrail.v2.ZonalCapacityReservationState(
            effective_capacity_units=math.nan
        )

        same = state

        assert state != same
        assert state != attrs.evolve(state)

    def test_a_model_holding_a_mapping_is_unhashable(self):
        """As with attrs' own hash: a mapping field cannot be hashed."""
        response = elbtrail.parse_event(
            {"eventSource": "s3.amazonaws.com", "requestParameters": {"a": 1}}
        )
        with pytest.raises(TypeError, match="unhashable"):
            hash(response)

    def test_no_attribute_fallback(self, classic_create):
        """A misspelled attribute raises AttributeError, as on any attrs class."""
        event = elbtrail.parse_event(classic_create)

        with pytest.raises(AttributeError, match="eventName"):
            _ = event.eventName  # type: ignore[attr-defined]
        assert not hasattr(elbtrail.Model, "__getattr__")

    def test_evolve_drops_stale_issues_and_spellings(self):
        """An evolved event has no issues, and prints its new values."""
        event = elbtrail.parse_event({"awsRegion": 5, "readOnly": "true"})

        fixed = attrs.evolve(event, aws_region="eu-west-1", read_only=False)
        same = attrs.evolve(event)

        assert ["wrong-type"] == [i.code for i in event.issues]
        assert () == fixed.issues
        assert {"awsRegion": "eu-west-1", "readOnly": False} == fixed.to_dict()
        assert {"awsRegion": 5, "readOnly": "true"} == same.to_dict()
        assert same == event

    def test_verbatim_entries_that_do_not_match_are_dropped(self):
        """__init__ keeps only the spellings that still stand for their field."""
        event = elbtrail.Event(
            aws_region="x",
            read_only=True,
            verbatim={"awsRegion": 5, "readOnly": "true", "nope": 1, "eventName": None},
        )

        assert {"readOnly": "true", "eventName": None} == dict(event.verbatim)
        assert {"awsRegion": "x", "readOnly": "true", "eventName": None} == (
            event.to_dict()
        )

    def test_a_subclass_with_a_validator_is_built_through_init(self):
        """Validators and __attrs_post_init__ of a user's subclass run on parsing."""
        seen = []

        @attrs.frozen(kw_only=True, repr=False, slots=False)
        class Checked(classic.Listener):
            instance_port: int | None = attrs.field(
                default=None, validator=lambda _i, _a, v: seen.append(v)
            )

        built = Checked.from_dict({"instancePort": 80, "protocol": "HTTP"})

        assert [80] == seen
        assert 80 == built.instance_port
        assert {"instancePort": 80, "protocol": "HTTP"} == built.to_dict()

    def test_a_slotted_subclass_is_built_through_init(self):
        """Fields a subclass keeps in slots are set, not left in __dict__."""

        @attrs.frozen(kw_only=True, repr=False, slots=True)
        class Slotted(classic.Listener):
            protocol: str | None = None

        built = Slotted.from_dict({"protocol": "HTTP", "instancePort": 80})

        assert "HTTP" == built.protocol
        assert 80 == built.instance_port
        assert {"protocol": "HTTP", "instancePort": 80} == built.to_dict()

    def test_a_hand_written_init_is_called(self):
        """A subclass with an __init__ of its own is built through it."""
        calls = []

        @attrs.frozen(kw_only=True, repr=False, slots=False, init=False)
        class Counted(classic.Listener):
            def __init__(self, **kwargs: Any) -> None:
                calls.append(kwargs.get("protocol"))
                self.__attrs_init__(**kwargs)

        built = Counted.from_dict({"protocol": "TCP"})

        assert ["TCP"] == calls
        assert "TCP" == built.protocol

    def test_every_elbtrail_model_takes_the_fast_path(self):
        """elbtrail's own models are built without calling __init__."""
        models = [
            cls
            for module in (elbtrail, classic, elbtrail.v2)
            for cls in (getattr(module, name) for name in module.__all__)
            if isinstance(cls, type) and issubclass(cls, elbtrail.Model)
        ]

        assert len(models) > 250
        assert [] == [c for c in models if not _model._builds_like_init(c)]

    def test_frozen_at_every_level(self, classic_create):
        """Fields cannot be set, and shared mappings cannot be changed."""
        event = elbtrail.parse_event(classic_create)

        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            event.event_name = "x"  # type: ignore[misc]
        with pytest.raises(TypeError, match="frozen model"):
            event.extra["x"] = 1  # type: ignore[index]


class TestInterning:
    @pytest.fixture(autouse=True)
    def _needs_orjson(self):
        pytest.importorskip("orjson", reason="interning keys on orjson's output")

    @pytest.mark.parametrize(
        "value", [math.inf, -math.inf, math.nan, 10**30, True, 1.0, 0.0, -0.0]
    )
    @pytest.mark.parametrize("null_first", [True, False])
    def test_values_never_collide_with_null(self, value, null_first):
        """An identity with null and one with another value stay apart."""
        order = [None, value] if null_first else [value, None]

        events = [elbtrail.parse_event(identity_record(userName=v)) for v in order]
        again = [elbtrail.parse_event(identity_record(userName=v)) for v in order]

        for event, value_read in zip(events + again, order + order, strict=True):
            printed = event.to_dict()["userIdentity"]["userName"]
            if value_read is None:
                assert printed is None
                assert () == event.issues
            else:
                assert printed is value_read or printed == value_read
                assert ["wrong-type"] == [i.code for i in event.issues]

    def test_numbers_that_print_alike_stay_apart(self):
        """0 and 0.0, 1 and True: a clean identity is not shared across them."""
        zero = elbtrail.parse_event(identity_record(extraField=0))
        zero_float = elbtrail.parse_event(identity_record(extraField=0.0))

        assert zero.to_dict()["userIdentity"]["extraField"].__class__ is int
        assert zero_float.to_dict()["userIdentity"]["extraField"].__class__ is float

    @pytest.mark.parametrize(
        ("value", "printed"),
        [
            (enum.Enum("Name", {"ALICE": "alice"}).ALICE, "alice"),
            (type("Text", (str,), {})("alice"), "alice"),
            (datetime(2026, 1, 1, tzinfo=timezone.utc), "2026-01-01T00:00:00+00:00"),
        ],
    )
    def test_python_values_that_print_like_json_are_not_shared(self, value, printed):
        """A value no decoder makes is reported though it prints like a clean one."""
        clean = elbtrail.parse_event(identity_record(userName=printed))
        assert () == clean.issues

        event = elbtrail.parse_event(identity_record(userName=value))

        assert event.user_identity is not clean.user_identity
        assert ["wrong-type"] == [i.code for i in event.issues]

    def test_strict_mode_raises_after_a_clean_twin_was_seen(self):
        """A wrong value is reported even when a clean twin was interned first."""
        elbtrail.parse_event(identity_record(accountId=None), strict=True)

        with pytest.raises(elbtrail.ParseError, match=r"userIdentity\.accountId"):
            elbtrail.parse_event(identity_record(accountId=math.nan), strict=True)

    def test_nan_literal_in_a_log_is_not_another_record_s_null(self):
        """Read from text, NaN and 1e400 are not mistaken for null."""
        records = [
            '{"eventSource": "elasticloadbalancing.amazonaws.com", '
            f'"userIdentity": {{"type": "IAMUser", "userName": {v}}}}}'
            for v in ("null", "NaN", "1e400", "Infinity", "null")
        ]
        data = ('{"Records": [' + ", ".join(records) + "]}").encode()

        result = elbtrail.loads(data)

        names = [e.to_dict()["userIdentity"]["userName"] for e in result.events]
        # Numbers JSON cannot carry are kept as their text (bad-number).
        assert [None, "NaN", "1e400", "Infinity", None] == names
        assert [0, 1, 1, 1, 0] == [len(e.issues) for e in result.events]

    def test_equal_clean_identities_are_one_object(self, classic_create):
        """Interning still shares what is equal and clean, from its second sight."""
        record = copy.deepcopy(classic_create)
        record["userIdentity"]["userName"] = "seen-here-first"
        events = [
            elbtrail.parse_event(json.loads(json.dumps(record))) for _ in range(4)
        ]

        shared = events[1].user_identity
        assert all(e.user_identity is shared for e in events[2:])
        assert events[0].user_identity == shared

    def test_a_table_of_new_callers_rests_then_looks_again(self, monkeypatch):
        """Where identities do not repeat, lookups pause, then resume."""
        window, rest = 16, 32
        monkeypatch.setattr(_model, "_INTERN_WINDOW", window)
        monkeypatch.setattr(_model, "_INTERN_REST", rest)

        def identities(name: str, times: int) -> list[Any]:
            record = identity_record(userName=name)
            return [elbtrail.parse_event(record).user_identity for _ in range(times)]

        for i in range(window):  # a window of new callers: no hit
            identities(f"new-{i}", 1)
        resting = identities("resting", 3)
        for i in range(rest - 3):  # the rest of the pause
            identities(f"later-{i}", 1)
        looking = identities("looking", 3)

        assert resting[0] == resting[1] == resting[2]
        assert resting[1] is not resting[2]  # built each time, not looked up
        assert looking[1] is looking[2]

    def test_a_table_that_hits_keeps_sharing(self, monkeypatch):
        """Repeated identities stay shared window after window."""
        monkeypatch.setattr(_model, "_INTERN_WINDOW", 16)
        monkeypatch.setattr(_model, "_INTERN_REST", 32)
        records = [identity_record(userName=f"caller-{i}") for i in range(3)]

        seen = [
            [elbtrail.parse_event(r).user_identity for r in records] for _ in range(40)
        ]

        for column in range(3):
            assert 1 == len({id(row[column]) for row in seen[1:]})

    def test_forgetting_starts_the_byte_count_again(self, monkeypatch):
        """After the tables are emptied, their byte bound is counted afresh."""
        monkeypatch.setattr(_model, "_INTERN_BYTES", 5000)
        for i in range(3):  # three texts of about 1,600 bytes: just below it
            elbtrail.parse_event(identity_record(userName=f"{i}" + "x" * 1550))

        _model._forget_interned()
        assert [0] * len(_model._INTERN_PACES) == [
            pace.size for pace in _model._INTERN_PACES
        ]
        record = identity_record(userName="after")
        first, second = (elbtrail.parse_event(record) for _ in range(2))
        for i in range(6):  # small ones, far below the bound when counted afresh
            elbtrail.parse_event(identity_record(userName=f"small-{i}"))
        third = elbtrail.parse_event(record)

        assert first.user_identity == second.user_identity
        assert second.user_identity is third.user_identity

    def test_empty_nested_objects_are_one_immutable_object(self):
        """Every ``webIdFederationData: {}`` is one object that cannot change."""
        records = [
            {
                "userIdentity": {
                    "type": "AssumedRole",
                    "principalId": f"AROAEXAMPLE:user-{i}",
                    "sessionContext": {"webIdFederationData": {}},
                }
            }
            for i in range(3)
        ]

        parts = [
            elbtrail.parse_event(r).user_identity.session_context.web_id_federation_data
            for r in records
        ]

        assert parts[0] is parts[1] is parts[2]
        assert {} == parts[0].to_dict()
        with pytest.raises(TypeError, match="frozen model"):
            parts[0].extra["x"] = 1  # type: ignore[index]
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            parts[0].federated_provider = "x"  # type: ignore[misc]

    def test_identities_with_unknown_values_are_not_shared(self):
        """An identity holding a mutable unknown value is built for each event."""
        record = identity_record(newThing={"a": [1]})

        first = elbtrail.parse_event(record)
        second = elbtrail.parse_event(record)

        assert first.user_identity == second.user_identity
        assert first.user_identity is not second.user_identity

    def test_the_table_is_bounded_in_bytes_and_entries(self):
        """Many large, distinct identities never grow the table past its bounds."""
        long_name = "x" * (_model._INTERN_LARGEST - 100)
        for i in range(3000):
            elbtrail.parse_event(identity_record(userName=f"{i}{long_name}"))
        for i in range(_model._INTERN_ENTRIES + 10):
            elbtrail.parse_event(identity_record(userName=str(i)))

        for table in _model._INTERN_TABLES:
            assert len(table) <= _model._INTERN_ENTRIES
            size = sum(len(text) for text in table)
            assert size <= _model._INTERN_BYTES + _model._INTERN_LARGEST


class _ClaimsEveryClass(type):
    """A metaclass whose classes say they equal every class."""

    def __eq__(cls, other: object) -> bool:
        return True

    __hash__ = type.__hash__


class _Odd(metaclass=_ClaimsEveryClass):
    """A value whose class compares equal to any class."""


@attrs.frozen(kw_only=True, repr=False, slots=False, eq=False)
class _Holder(Model):
    """A user's model with a list of untyped values."""

    values: tuple[Any, ...] | None = None


class _RaisingKey(str):
    """A key that hashes as a known key and fails to compare with KeyError."""

    __slots__ = ()
    __hash__ = str.__hash__

    def __eq__(self, other: object) -> bool:
        raise KeyError(str(self))


class TestOddValues:
    def test_a_list_item_of_a_class_equal_to_every_class_is_kept(self):
        """Wrong values in a list are told by identity, not by equality."""
        odd = _Odd()

        model = _Holder.from_dict({"values": [odd]})

        assert (odd,) == model.values
        assert {} == dict(model.verbatim)

    def test_a_key_whose_comparison_raises_keyerror_is_not_taken_as_unknown(self):
        """The caller's own KeyError propagates; the key is not filed in extra."""
        record = {"userIdentity": {"type": "IAMUser", _RaisingKey("userName"): "a"}}

        with pytest.raises(KeyError, match="userName"):
            elbtrail.parse_event(record)


class TestMisuse:
    def test_a_whole_log_file_is_an_error_that_names_loads(self):
        """parse_event on a log file says which function reads log files."""
        log = {"Records": [{"eventName": "CreateLoadBalancer"}]}

        event = elbtrail.parse_event(log)

        (issue,) = event.issues
        assert "log-file-not-record" == issue.code
        assert elbtrail.Severity.ERROR == issue.severity
        assert "elbtrail.loads()" in issue.message
        assert log == event.to_dict()
        with pytest.raises(elbtrail.ParseError, match="whole log file"):
            elbtrail.parse_event(log, strict=True)

    def test_an_empty_mapping_is_a_notice(self):
        """parse_event({}) says that it was given nothing."""
        (issue,) = elbtrail.parse_event({}).issues

        assert "empty-record" == issue.code
        assert elbtrail.Severity.NOTICE == issue.severity

    def test_action_notices_carry_the_record_s_path(self):
        """Notices about apiVersion name the record they belong to."""
        records = [
            {
                "eventSource": "elasticloadbalancing.amazonaws.com",
                "eventName": n,
                "requestParameters": {},
            }
            for n in ("DeleteLoadBalancer", "CreateLoadBalancerListeners")
        ]
        records[1]["apiVersion"] = "2099-01-01"
        records[0]["apiVersion"] = "2012-06-01"
        records[0]["eventName"] = "NoSuchAction"
        data = json.dumps({"Records": records}).encode()

        issues = elbtrail.loads(data).issues

        assert ["Records[0].eventName", "Records[1].apiVersion"] == [
            i.path for i in issues
        ]
