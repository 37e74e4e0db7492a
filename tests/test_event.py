"""Parsing single records: the envelope, identities, tolerance and round trips."""

from __future__ import annotations

import copy
import pickle
from datetime import datetime, timezone
from typing import Any

import attrs
import pytest
from tests.conftest import corpus_record

import elbtrail
from elbtrail import classic, v2

UTC = timezone.utc


class TestSeedRecords:
    def test_classic_create_load_balancer_is_typed(self, classic_create):
        """The seed's CreateLoadBalancer comes back with typed parameters."""
        event = elbtrail.parse_event(classic_create)

        assert isinstance(event.request_parameters, classic.CreateLoadBalancerRequest)
        assert 80 == event.request_parameters.listeners[0].load_balancer_port
        assert "HTTP" == event.request_parameters.listeners[0].protocol
        assert isinstance(event.response_elements, classic.CreateLoadBalancerResponse)
        assert (
            "my-loadbalancer-1234567890.elb.amazonaws.com"
            == event.response_elements.dns_name
        )
        assert () == event.issues

    def test_envelope_fields_are_typed(self, classic_create):
        """Times are aware datetimes and keys are snake_case attributes."""
        event = elbtrail.parse_event(classic_create)

        assert datetime(2016, 4, 1, 15, 31, 48, tzinfo=UTC) == event.event_time
        assert "198.51.100.1" == event.source_ip_address
        assert "b9960276-b9b2-11e3-8a13-f1ef1EXAMPLE" == event.request_id
        assert "2012-06-01" == event.api_version
        assert elbtrail.Api.CLASSIC == event.action.api
        assert event.is_elb
        assert not event.is_error

    def test_null_response_is_none(self):
        """responseElements: null is None, and goes back out as null."""
        record = corpus_record("alb-guide-deleteloadbalancer.json")

        event = elbtrail.parse_event(record)

        assert event.response_elements is None
        assert isinstance(event.request_parameters, v2.DeleteLoadBalancerRequest)
        assert record == event.to_dict()
        assert "responseElements" in event.to_dict()

    @pytest.mark.parametrize(
        "name",
        [
            "classic-guide-createloadbalancer.json",
            "alb-guide-createloadbalancer.json",
            "alb-guide-deleteloadbalancer.json",
            "nlb-guide-createloadbalancer-network.json",
            "gwlb-guide-deleteloadbalancer.json",
            "acm-guide-createloadbalancer-https-listener.json",
            "acm-guide-registerinstanceswithloadbalancer.json",
        ],
    )
    def test_corpus_records_round_trip(self, name):
        """Every valid public record gives itself back from to_dict()."""
        record = corpus_record(name)

        assert record == elbtrail.parse_event(record).to_dict()

    def test_java_style_time_is_typed_and_kept_verbatim(self, v2_create):
        """'Apr 11, 2016 5:23:50 PM' is a datetime, and is written back as read."""
        event = elbtrail.parse_event(v2_create)
        balancer = event.response_elements.load_balancers[0]

        assert datetime(2016, 4, 11, 17, 23, 50, tzinfo=UTC) == balancer.created_time
        assert (
            "Apr 11, 2016 5:23:50 PM"
            == event.to_dict()["responseElements"]["loadBalancers"][0]["createdTime"]
        )

    def test_a_repeated_java_style_time_is_kept_verbatim_every_time(self, v2_create):
        """A time remembered from an earlier record is still written back as read."""
        events = [elbtrail.parse_event(copy.deepcopy(v2_create)) for _ in range(3)]

        when = datetime(2016, 4, 11, 17, 23, 50, tzinfo=UTC)
        for event in events:
            assert when == event.response_elements.load_balancers[0].created_time
            assert v2_create == event.to_dict()

    def test_long_time_texts_are_read_but_not_remembered(self, v2_create):
        """Times with huge fractions parse, and are not held after their events."""
        import tracemalloc  # noqa: PLC0415 - this test only

        def record(number: int) -> dict[str, Any]:
            one = copy.deepcopy(v2_create)
            fraction = "0" * 100_000 + f"{number:04d}"
            one["responseElements"]["loadBalancers"][0]["createdTime"] = (
                f"20160411T172350.{fraction}Z"
            )
            return one

        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            records = [record(n) for n in range(40)]
            events = [elbtrail.parse_event(r) for r in records]
            times = {e.response_elements.load_balancers[0].created_time for e in events}
            del events, records
            kept = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()

        assert {datetime(2016, 4, 11, 17, 23, 50, tzinfo=UTC)} == times
        assert kept < 1_000_000  # 40 texts of 100 KB, had they been kept

    def test_enums_accept_known_and_new_values(self, v2_create):
        """Known enum values become members; values AWS adds later stay strings."""
        v2_create["requestParameters"]["type"] = "quantum"
        event = elbtrail.parse_event(v2_create)

        assert v2.LoadBalancerTypeEnum.NETWORK == (
            event.response_elements.load_balancers[0].type
        )
        assert "quantum" == event.request_parameters.type
        assert () == event.issues
        assert v2_create == event.to_dict()


IDENTITIES: dict[str, dict[str, Any]] = {
    "Root": {
        "type": "Root",
        "principalId": "111122223333",
        "arn": "arn:aws:iam::111122223333:root",
        "accountId": "111122223333",
        "accessKeyId": "ASIAEXAMPLE",
        "userName": "my-alias",
    },
    "IAMUser": {
        "type": "IAMUser",
        "principalId": "AIDAEXAMPLE",
        "arn": "arn:aws:iam::111122223333:user/alice",
        "accountId": "111122223333",
        "accessKeyId": "AKIAEXAMPLE",
        "userName": "alice",
    },
    "AssumedRole": {
        "type": "AssumedRole",
        "principalId": "AROAEXAMPLE:session",
        "arn": "arn:aws:sts::111122223333:assumed-role/admin/session",
        "accountId": "111122223333",
        "accessKeyId": "ASIAEXAMPLE",
        "sessionContext": {
            "sessionIssuer": {
                "type": "Role",
                "principalId": "AROAEXAMPLE",
                "arn": "arn:aws:iam::111122223333:role/admin",
                "accountId": "111122223333",
                "userName": "admin",
            },
            "webIdFederationData": {},
            "attributes": {
                "creationDate": "2024-07-10T16:03:25Z",
                "mfaAuthenticated": "true",
            },
            "sourceIdentity": "alice",
            "ec2RoleDelivery": "2.0",
            "assumedRoot": "true",
        },
        "inScopeOf": {
            "sourceArn": "arn:aws:lambda:us-east-1:111122223333:function:f",
            "sourceAccount": "111122223333",
            "issuerType": "AWS::Lambda::Function",
            "credentialsIssuedTo": "arn:aws:lambda:us-east-1:111122223333:function:f",
            "credentialsIssuedToVersion": "1",
        },
    },
    "Role": {
        "type": "Role",
        "principalId": "AROAEXAMPLE",
        "arn": "arn:aws:iam::111122223333:role/worker",
        "accountId": "111122223333",
    },
    "FederatedUser": {
        "type": "FederatedUser",
        "principalId": "111122223333:bob",
        "arn": "arn:aws:sts::111122223333:federated-user/bob",
        "accountId": "111122223333",
        "accessKeyId": "ASIAEXAMPLE",
        "sessionContext": {
            "sessionIssuer": {
                "type": "IAMUser",
                "principalId": "AIDAEXAMPLE",
                "arn": "arn:aws:iam::111122223333:user/bob",
                "accountId": "111122223333",
                "userName": "bob",
            },
            "attributes": {
                "creationDate": "20131102T010628Z",
                "mfaAuthenticated": "false",
            },
        },
    },
    "AWSAccount": {
        "type": "AWSAccount",
        "principalId": "AIDAEXAMPLE",
        "accountId": "444455556666",
    },
    "AWSService": {"type": "AWSService", "invokedBy": "ec2.amazonaws.com"},
    "IdentityCenterUser": {
        "type": "IdentityCenterUser",
        "accountId": "111122223333",
        "onBehalfOf": {
            "userId": "544894e8-80c1-707f-60e3-3ba6510dfac1",
            "identityStoreArn": (
                "arn:aws:identitystore::111122223333:identitystore/d-9067642ac7"
            ),
        },
        "credentialId": "EXAMPLEVHULjJdTUdPJfofVa1sufHDoj7aYcOYcxFVllWR_Whr1fEXAMPLE",
    },
    "Directory": {
        "type": "Directory",
        "principalId": "d-926708cd34:user",
        "userName": "carol",
    },
    "SAMLUser": {
        "type": "SAMLUser",
        "principalId": "SAMPLE_NAMEQUALIFIER:dave",
        "userName": "dave",
        "identityProvider": "bdGOnTesti4+ZgN4PVc0sKwDmfE=",
    },
    "WebIdentityUser": {
        "type": "WebIdentityUser",
        "principalId": "accounts.google.com:id",
        "userName": "id",
        "identityProvider": "accounts.google.com",
    },
    "Unknown": {"type": "Unknown", "principalId": "x", "userName": "y"},
}


def _with_identity(record: dict[str, Any], identity: Any) -> dict[str, Any]:
    out = copy.deepcopy(record)
    out["userIdentity"] = identity
    return out


class TestIdentities:
    @pytest.mark.parametrize("kind", sorted(IDENTITIES))
    def test_every_documented_type_is_typed(self, kind, classic_create):
        """Each documented userIdentity.type parses into its own class."""
        record = _with_identity(classic_create, IDENTITIES[kind])

        event = elbtrail.parse_event(record)

        assert elbtrail.IDENTITY_TYPES[kind] is type(event.user_identity)
        assert kind == event.user_identity.type
        assert () == event.issues
        assert record == event.to_dict()

    def test_session_context_is_typed(self, classic_create):
        """mfaAuthenticated is a bool, creationDate a datetime, issuer a class."""
        record = _with_identity(classic_create, IDENTITIES["AssumedRole"])

        identity = elbtrail.parse_event(record).user_identity
        context = identity.session_context

        assert context.attributes.mfa_authenticated is True
        assert identity.mfa_authenticated is True
        assert (
            datetime(2024, 7, 10, 16, 3, 25, tzinfo=UTC)
            == context.attributes.creation_date
        )
        assert "admin" == context.session_issuer.user_name
        assert context.assumed_root is True
        assert "2.0" == context.ec2_role_delivery
        assert "alice" == context.source_identity
        assert {} == context.web_id_federation_data.extra
        assert "AWS::Lambda::Function" == identity.in_scope_of.issuer_type
        assert {"credentialsIssuedToVersion": "1"} == identity.in_scope_of.extra
        assert "admin/session" == identity.principal

    def test_basic_iso_creation_date_is_read(self, classic_create):
        """The documented ISO 8601 basic form 20131102T010628Z is a datetime."""
        record = _with_identity(classic_create, IDENTITIES["FederatedUser"])

        attributes = elbtrail.parse_event(record).user_identity.session_context
        assert datetime(2013, 11, 2, 1, 6, 28, tzinfo=UTC) == (
            attributes.attributes.creation_date
        )

    def test_identity_center_fields(self, classic_create):
        """onBehalfOf and credentialId are typed for Identity Center users."""
        record = _with_identity(classic_create, IDENTITIES["IdentityCenterUser"])

        identity = elbtrail.parse_event(record).user_identity

        assert "544894e8-80c1-707f-60e3-3ba6510dfac1" == identity.on_behalf_of.user_id
        assert identity.credential_id.startswith("EXAMPLE")

    def test_unseen_type_keeps_everything(self, classic_create):
        """A type no release knows yet is a generic UserIdentity that round-trips."""
        identity = {"type": "QuantumPrincipal", "entanglementId": "q-1", "arn": "a"}
        record = _with_identity(classic_create, identity)

        event = elbtrail.parse_event(record)

        assert elbtrail.UserIdentity is type(event.user_identity)
        assert "QuantumPrincipal" == event.user_identity.type
        assert {"entanglementId": "q-1"} == event.user_identity.extra
        assert record == event.to_dict()

    def test_missing_and_null_identity(self, classic_create):
        """No userIdentity, or a null one, is None and round-trips."""
        absent = copy.deepcopy(classic_create)
        del absent["userIdentity"]
        null = _with_identity(classic_create, None)

        for record in (absent, null):
            event = elbtrail.parse_event(record)
            assert event.user_identity is None
            assert record == event.to_dict()


class TestTolerance:
    def test_wrong_typed_values_keep_the_record(self, classic_create):
        """Each wrong type is an issue with its path; the rest stays typed."""
        record = copy.deepcopy(classic_create)
        record["requestParameters"]["listeners"][0]["instancePort"] = "eighty"
        record["eventTime"] = "yesterday"
        record["userIdentity"]["sessionContext"] = "not an object"
        record["readOnly"] = 7

        event = elbtrail.parse_event(record)

        assert {
            ("requestParameters.listeners[0].instancePort", "wrong-type"),
            ("eventTime", "wrong-type"),
            ("userIdentity.sessionContext", "wrong-type"),
            ("readOnly", "wrong-type"),
        } == {(i.path, i.code) for i in event.issues}
        listener = event.request_parameters.listeners[0]
        assert listener.instance_port is None
        assert 80 == listener.load_balancer_port
        assert event.event_time is None
        assert "Alice" == event.user_identity.user_name
        assert record == event.to_dict()

    def test_issue_message_names_expected_and_found(self, classic_create):
        """The message says what was expected and shows what arrived."""
        record = copy.deepcopy(classic_create)
        record["requestParameters"]["listeners"][0]["instancePort"] = "eighty"

        (issue,) = elbtrail.parse_event(record, path="Records[3]").issues

        assert (
            "error: Records[3].requestParameters.listeners[0].instancePort: "
            "expected an integer, got string 'eighty' "
            "(kept the original value; the field is None)"
        ) == str(issue)

    def test_string_where_object_belongs(self, classic_create):
        """requestParameters as a string is reported and kept verbatim."""
        record = copy.deepcopy(classic_create)
        record["requestParameters"] = "loadBalancerName=my-load-balancer"

        event = elbtrail.parse_event(record)

        assert event.request_parameters is None
        assert ["requestParameters"] == [i.path for i in event.issues]
        assert record == event.to_dict()

    def test_list_with_a_bad_item_is_kept_whole(self, classic_create):
        """A list with one wrongly typed item is reported at that item."""
        record = copy.deepcopy(classic_create)
        record["requestParameters"]["subnets"] = ["subnet-1", 2]

        event = elbtrail.parse_event(record)

        assert ["requestParameters.subnets[1]"] == [i.path for i in event.issues]
        assert event.request_parameters.subnets is None
        assert record == event.to_dict()

    def test_unknown_fields_are_kept_at_every_depth(self, classic_create):
        """New fields, top-level and nested, land in extra and round-trip."""
        record = copy.deepcopy(classic_create)
        record["brandNewField"] = {"a": [1, 2]}
        record["requestParameters"]["listeners"][0]["quicEnabled"] = True
        record["userIdentity"]["sessionContext"] = {"futureFlag": "x"}

        event = elbtrail.parse_event(record)

        assert {"brandNewField": {"a": [1, 2]}} == event.extra
        assert {"quicEnabled": True} == event.request_parameters.listeners[0].extra
        assert {"futureFlag": "x"} == event.user_identity.session_context.extra
        assert () == event.issues
        assert record == event.to_dict()

    def test_explicit_nulls_round_trip(self, classic_create):
        """A null where a string or object belongs is None and stays null."""
        record = copy.deepcopy(classic_create)
        record["userAgent"] = None
        record["requestParameters"]["listeners"] = None

        event = elbtrail.parse_event(record)

        assert event.user_agent is None
        assert () == event.issues
        assert record == event.to_dict()

    def test_every_field_may_be_missing(self):
        """An empty record is an Event with every field None."""
        event = elbtrail.parse_event({})

        assert event.event_name is None
        assert event.action is None
        assert {} == event.to_dict()

    def test_strict_mode_raises_parse_error(self, classic_create):
        """strict=True raises ParseError carrying the issues."""
        record = copy.deepcopy(classic_create)
        record["eventTime"] = "yesterday"

        with pytest.raises(elbtrail.ParseError) as info:
            elbtrail.parse_event(record, strict=True)

        assert ["eventTime"] == [i.path for i in info.value.issues]
        assert isinstance(info.value, ValueError)

    def test_strict_mode_accepts_unknown_fields(self, classic_create):
        """Unknown keys are normal, so strict mode does not raise on them."""
        record = copy.deepcopy(classic_create)
        record["tomorrowsField"] = 1

        assert 1 == elbtrail.parse_event(record, strict=True).extra["tomorrowsField"]

    def test_parse_error_pickles(self):
        """ParseError survives pickling, issues included."""
        issue = elbtrail.Issue(message="m", code="wrong-type", path="p")
        error = elbtrail.ParseError([issue])

        clone = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes

        assert (issue,) == tuple(clone.issues)
        assert str(error) == str(clone)

    def test_not_a_mapping_is_a_type_error(self):
        """parse_event takes one JSON object."""
        with pytest.raises(TypeError, match="JSON object, got list"):
            elbtrail.parse_event([])  # type: ignore[arg-type]


class TestVersions:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [("1.10", (1, 10)), ("1.09", (1, 9)), ("1.0", (1, 0)), ("x", None)],
    )
    def test_event_version_compares_as_integers(self, text, expected):
        """eventVersion is two integers, so 1.10 is newer than 1.9."""
        assert expected == elbtrail.parse_event({"eventVersion": text}).version_info

    def test_version_ordering(self):
        """1.10 sorts after 1.9."""
        newer = elbtrail.parse_event({"eventVersion": "1.10"}).version_info
        older = elbtrail.parse_event({"eventVersion": "1.9"}).version_info
        assert newer > older  # type: ignore[operator]


class TestModels:
    def test_evolved_value_replaces_remembered_spelling(self, classic_create):
        """Changing a field that was read as "true" writes the new value."""
        record = _with_identity(classic_create, IDENTITIES["AssumedRole"])
        attributes = elbtrail.parse_event(
            record
        ).user_identity.session_context.attributes

        changed = attrs.evolve(attributes, mfa_authenticated=False)

        assert "true" == attributes.to_dict()["mfaAuthenticated"]
        assert changed.to_dict()["mfaAuthenticated"] is False

    def test_models_build_and_serialise_by_hand(self):
        """A model built in Python serialises in CloudTrail's casing."""
        listener = classic.Listener(
            protocol="HTTPS",
            load_balancer_port=443,
            instance_port=80,
            ssl_certificate_id="arn:aws:acm:...",
        )
        assert {
            "protocol": "HTTPS",
            "loadBalancerPort": 443,
            "instancePort": 80,
            "sSLCertificateId": "arn:aws:acm:...",
        } == listener.to_dict()

    def test_from_dict_strict(self):
        """Model.from_dict checks types, and raises in strict mode."""
        with pytest.raises(elbtrail.ParseError):
            classic.Listener.from_dict({"loadBalancerPort": "80"}, strict=True)
        assert classic.Listener.from_dict({"loadBalancerPort": "80"}).extra == {}

    def test_repr_shows_only_set_fields(self):
        """repr leaves out None fields so it stays readable."""
        assert "Listener(protocol='HTTP')" == repr(classic.Listener(protocol="HTTP"))

    def test_events_are_frozen(self, classic_create):
        """Events cannot be changed in place."""
        event = elbtrail.parse_event(classic_create)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            event.event_name = "x"  # type: ignore[misc]


class TestTimes:
    @pytest.mark.parametrize(
        "text",
        [
            "2016-04-01T15:31:48Z",
            "Apr 11, 2016 5:23:50 PM",
            "Dec 1, 2020 12:00:00 AM",
            "20131102T010628Z",
            "2016-04-01T15:31:48.123Z",
            "2016-04-01T15:31:48+02:00",
            "2016-04-01 15:31:48",
        ],
    )
    def test_every_printed_form_is_read_and_kept(self, text):
        """Each form CloudTrail prints is an aware datetime and round-trips."""
        record = {"eventTime": text}

        event = elbtrail.parse_event(record)

        assert event.event_time is not None
        assert event.event_time.tzinfo is not None
        assert () == event.issues
        assert record == event.to_dict()

    @pytest.mark.parametrize(
        "text", ["abcd-ef-ghTij:kl:mnZ", "2016-13-01T00:00:00Z", ""]
    )
    def test_impossible_times_are_issues(self, text):
        """A time in the right layout but impossible is reported, not raised."""
        event = elbtrail.parse_event({"eventTime": text})

        assert ["wrong-type"] == [i.code for i in event.issues]
        assert {"eventTime": text} == event.to_dict()

    def test_java_noon_and_midnight(self):
        """12 PM is noon and 12 AM is midnight."""
        noon = elbtrail.parse_event({"eventTime": "Dec 1, 2020 12:00:00 PM"})
        midnight = elbtrail.parse_event({"eventTime": "Dec 1, 2020 12:00:00 AM"})

        assert 12 == noon.event_time.hour
        assert 0 == midnight.event_time.hour


def test_wire_value_gives_the_original(classic_create):
    """wire_value shows what was read under a key, even of the wrong type."""
    record = copy.deepcopy(classic_create)
    record["requestParameters"]["listeners"][0]["instancePort"] = "eighty"

    listener = elbtrail.parse_event(record).request_parameters.listeners[0]

    assert listener.instance_port is None
    assert "eighty" == listener.wire_value("instancePort")
    assert 80 == listener.wire_value("loadBalancerPort")
    assert listener.wire_value("nothing") is None


class TestModelMechanics:
    def test_events_pickle(self, v2_create):
        """Events survive pickling, in this process or a fresh one."""
        event = elbtrail.parse_event(v2_create)

        clone = pickle.loads(pickle.dumps(event))  # noqa: S301 - our own bytes

        assert event == clone
        assert v2_create == clone.to_dict()

    def test_unset_fields_read_as_defaults(self, classic_create):
        """A field absent from the record reads as its default, None."""
        event = elbtrail.parse_event(classic_create)

        assert "errorCode" not in classic_create
        assert event.error_code is None
        assert event.extra == {}
        assert () == event.issues

    def test_evolve_and_asdict(self, classic_create):
        """attrs.evolve and attrs.asdict work on parsed models."""
        event = elbtrail.parse_event(classic_create)

        renamed = attrs.evolve(event, aws_region="eu-west-1")

        assert "eu-west-1" == renamed.to_dict()["awsRegion"]
        assert "us-west-2" == event.to_dict()["awsRegion"]
        assert "us-west-2" == attrs.asdict(event, recurse=False)["aws_region"]

    def test_identical_identities_are_shared(self, classic_create):
        """Equal userIdentity objects in later records become one instance."""
        pytest.importorskip("orjson", reason="interning keys on orjson's output")
        first, second, third = (
            elbtrail.parse_event(copy.deepcopy(classic_create)) for _ in range(3)
        )

        assert first.user_identity == second.user_identity
        # Shared from the second sighting on: a first one may never come again.
        assert second.user_identity is third.user_identity

    def test_to_dict_is_a_copy(self, classic_create):
        """Changing what to_dict() returned does not change the event."""
        classic_create["additionalEventData"] = {"nested": {"a": [1]}}
        event = elbtrail.parse_event(classic_create)

        out = event.to_dict()
        out["additionalEventData"]["nested"]["a"].append(2)

        assert classic_create == event.to_dict()
