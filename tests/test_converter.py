"""elbtrail.make_converter(): cattrs that speaks the models' wire format."""

from __future__ import annotations

import json
import subprocess
import sys

import attrs
import cattrs
import pytest
from hypothesis import given

import elbtrail
from elbtrail import classic, v2
from elbtrail import strategies as ets


@attrs.frozen
class Finding:
    """A user's own class that holds elbtrail models."""

    title: str
    event: elbtrail.Event
    listeners: list[classic.Listener]
    identity: elbtrail.UserIdentity | None = None


@pytest.fixture(scope="module")
def converter() -> cattrs.Converter:
    """One converter for the module: building one is cheap, but so is sharing."""
    return elbtrail.make_converter()


class TestConverter:
    @given(ets.records())
    def test_structure_is_parse_event(self, record):
        """Structuring a record as an Event is parse_event, issues included."""
        converter = elbtrail.make_converter()

        event = converter.structure(record, elbtrail.Event)

        assert elbtrail.parse_event(record) == event
        assert record == converter.unstructure(event)
        assert event.to_dict() == converter.unstructure(event)

    def test_issues_come_along(self, converter):
        """A wrongly typed value is an issue on the structured event."""
        event = converter.structure({"awsRegion": 5}, elbtrail.Event)

        assert ["wrong-type"] == [i.code for i in event.issues]
        assert {"awsRegion": 5} == converter.unstructure(event)

    def test_strict_converter_raises(self):
        """strict=True raises ParseError where the default reports."""
        with pytest.raises(elbtrail.ParseError):
            elbtrail.make_converter(strict=True).structure(
                {"awsRegion": 5}, elbtrail.Event
            )

    def test_nested_models_keep_wire_keys(self, converter, classic_create):
        """loadBalancerPort stays loadBalancerPort, both ways."""
        listener = elbtrail.parse_event(classic_create).request_parameters.listeners[0]

        wire = converter.unstructure(listener)
        back = converter.structure(wire, classic.Listener)

        assert listener.to_dict() == wire
        assert "loadBalancerPort" in wire
        assert listener == back
        assert 80 == back.load_balancer_port

    def test_identities_structure_to_their_type(self, converter, classic_create):
        """A userIdentity mapping becomes the class of its type."""
        identity = converter.structure(
            classic_create["userIdentity"], elbtrail.UserIdentity
        )

        assert isinstance(identity, elbtrail.IAMUserIdentity)

    def test_a_user_class_round_trips_through_json_text(
        self, converter, classic_create, v2_create
    ):
        """A user's attrs class holding events and listeners survives JSON text."""
        event = elbtrail.parse_event(classic_create)
        finding = Finding(
            title="public listener",
            event=event,
            listeners=list(event.request_parameters.listeners),
            identity=elbtrail.parse_event(v2_create).user_identity,
        )

        text = json.dumps(converter.unstructure(finding))
        back = converter.structure(json.loads(text), Finding)

        assert finding == back
        assert classic_create == back.event.to_dict()
        assert "loadBalancerPort" in json.loads(text)["listeners"][0]
        assert isinstance(back.listeners[0], classic.Listener)
        assert type(finding.identity) is type(back.identity)

    @given(ets.records())
    def test_user_class_round_trips_for_any_record(self, record):
        """The Finding round trip holds for generated records of every action."""
        converter = elbtrail.make_converter()
        finding = Finding("x", elbtrail.parse_event(record), [classic.Listener()])

        text = json.dumps(converter.unstructure(finding))

        assert finding == converter.structure(json.loads(text), Finding)

    def test_unknown_keys_and_enums_survive(self, converter):
        """Unknown keys and new enum values come back as they were."""
        wire = {"protocol": "HTTP3", "port": 443, "newKey": {"a": [1]}}

        model = converter.structure(wire, v2.Listener)

        assert "HTTP3" == model.protocol
        assert wire == converter.unstructure(model)

    def test_each_call_gives_a_new_converter(self):
        """cattrs' global converter is left alone."""
        assert elbtrail.make_converter() is not elbtrail.make_converter()
        assert (
            cattrs.global_converter.unstructure(classic.Listener(protocol="x"))[
                "protocol"
            ]
            == "x"
        )

    def test_import_does_not_load_cattrs(self):
        """cattrs is imported only when a converter is asked for."""
        code = (
            "import sys, elbtrail; before = 'cattrs' in sys.modules; "
            "typing = 'typing_extensions' in sys.modules; "
            "elbtrail.make_converter(); print(before, typing, 'cattrs' in sys.modules)"
        )
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert "False False True" == out.stdout.strip()
